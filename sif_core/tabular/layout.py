"""SIF objects to the rows of an export, through a mapping: the inverse of the table reader.

A learner becomes one row per (enrolment, contact) pair, as a report joining those record sets
would print it, so :class:`~sif_core.tabular.records.TableReader` folds the rows back into the
same objects. Value maps are used backwards (the first local value given for a code), and key
columns that no field fills receive the object's RefId.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sif_core.errors import AdapterError
from sif_core.model import (
    ContactPersonal,
    LearnerContact,
    LearnerPersonal,
    LearnerSchoolEnrolment,
    SchoolInfo,
    SIFObject,
)
from sif_core.tabular.dates import format_date
from sif_core.tabular.fields import Kind, get_value
from sif_core.tabular.mapping import ColumnRule, TableMapping

__all__ = ["TableLayout"]


@dataclass
class _Learner:
    cells: dict[str, str]
    enrolments: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    links: list[tuple[int, str, dict[str, str]]] = field(default_factory=list)


class TableLayout:
    """Lays objects out as rows under ``header`` (key columns first, then the mapping's order).

    ``date_format`` overrides the mapping's for dates (SIMS's XML writes ISO date-times);
    ``yes_no`` is the text written for true and false where no value map says otherwise.
    """

    def __init__(
        self,
        mapping: TableMapping,
        *,
        date_format: str | None = None,
        yes_no: tuple[str, str] = ("Yes", "No"),
    ) -> None:
        self.mapping = mapping
        self.date_format = date_format
        self.yes_no = yes_no
        mapped = [rule.column for rule in mapping.rules]
        keys = [c for c in (*mapping.learner_key, *mapping.contact_key) if c not in mapped]
        self.header: tuple[str, ...] = (*keys, *mapped)
        self._inverse = {
            rule.column: _inverse(rule.values) for rule in mapping.rules if rule.values
        }
        self._rules: dict[str, list[ColumnRule]] = {}
        for rule in mapping.rules:
            self._rules.setdefault(rule.field.target, []).append(rule)

    def rows(self, objects: Iterable[SIFObject]) -> Iterator[list[str]]:
        """The rows (without the header) for ``objects``; raises :class:`AdapterError` when an
        object lacks the value of a key column or has a code its value map cannot write."""
        learners: dict[str, _Learner] = {}
        schools: dict[str, dict[str, str]] = {}
        contacts: dict[str, dict[str, str]] = {}
        for obj in objects:
            if isinstance(obj, LearnerPersonal):
                cells = self._cells("LearnerPersonal", obj)
                self._key(cells, self.mapping.learner_key, obj)
                learners[obj.ref_id] = _Learner(cells)
            elif isinstance(obj, SchoolInfo):
                schools[obj.ref_id] = self._cells("SchoolInfo", obj)
            elif isinstance(obj, ContactPersonal):
                cells = self._cells("ContactPersonal", obj)
                self._key(cells, self.mapping.contact_key, obj)
                contacts[obj.ref_id] = cells
            elif isinstance(obj, LearnerSchoolEnrolment):
                learner = self._learner_of(learners, obj.learner_personal_ref_id, obj)
                learner.enrolments.append(
                    (obj.school_info_ref_id, self._cells("LearnerSchoolEnrolment", obj))
                )
            elif isinstance(obj, LearnerContact):
                learner = self._learner_of(learners, obj.learner_personal_ref_id, obj)
                link = self._cells("LearnerContact", obj)
                learner.links.append((obj.contact_priority, obj.contact_personal_ref_id, link))
        for learner in learners.values():
            enrolments: list[dict[str, str]] = []
            for school_ref, cells in learner.enrolments:
                school = schools.get(school_ref)
                if school is None:
                    raise AdapterError(
                        f"an enrolment names school {school_ref}, which is not among the "
                        "objects to write; include its SchoolInfo"
                    )
                enrolments.append({**school, **cells})
            people: list[dict[str, str]] = []
            for _, contact_ref, cells in sorted(learner.links, key=lambda link: link[0]):
                contact = contacts.get(contact_ref)
                if contact is None:
                    raise AdapterError(
                        f"a LearnerContact names contact {contact_ref}, which is not among the "
                        "objects to write; include its ContactPersonal"
                    )
                people.append({**contact, **cells})
            for enrolment in enrolments or [{}]:
                for person in people or [{}]:
                    row = {**learner.cells, **enrolment, **person}
                    yield [row.get(column, "") for column in self.header]

    def _learner_of(self, learners: dict[str, _Learner], ref: str, obj: SIFObject) -> _Learner:
        found = learners.get(ref)
        if found is None:
            raise AdapterError(
                f"{obj.object_name} {obj.ref_id} names learner {ref}, which does not come before "
                "it among the objects to write; write each learner before its enrolments and "
                "contacts"
            )
        return found

    def _key(self, cells: dict[str, str], key: tuple[str, ...], obj: SIFObject) -> None:
        for column in key:
            if cells.get(column):
                continue
            if any(rule.column == column for rule in self.mapping.rules):
                raise AdapterError(
                    f"{obj.object_name} {obj.ref_id} has no value for the key column "
                    f"{column!r}, so it cannot be written; every row needs its key"
                )
            cells[column] = obj.ref_id

    def _cells(self, target: str, obj: SIFObject) -> dict[str, str]:
        dumped = obj.model_dump(mode="json", by_alias=True, exclude_none=True)
        cells: dict[str, str] = {}
        for rule in self._rules.get(target, ()):
            value = get_value(dumped, rule.field)
            if value is None or value == []:
                continue
            cells[rule.column] = self._text(rule, value, obj)
        return cells

    def _text(self, rule: ColumnRule, value: Any, obj: SIFObject) -> str:
        inverse = self._inverse.get(rule.column)
        if inverse is not None:
            local = inverse.get(_hashable(value))
            if local is None:
                raise AdapterError(
                    f"{obj.object_name} {obj.ref_id}: {rule.field.name} is {value!r}, which the "
                    f"value map of column {rule.column!r} ({rule.values_where}) has no local "
                    "value for; add one to the map"
                )
            return local
        kind = rule.field.kind
        if kind is Kind.DATE:
            date = dt.date.fromisoformat(value)
            if self.date_format == "iso-datetime":
                return f"{date.isoformat()}T00:00:00"
            return format_date(date, self.date_format or rule.date_formats[0])
        if kind is Kind.BOOL:
            return self.yes_no[0] if value else self.yes_no[1]
        if kind is Kind.LIST:
            return ";".join(value)
        return str(value)


def _hashable(value: Any) -> Any:
    return value if not isinstance(value, list) else tuple(value)


def _inverse(values: Any) -> dict[Any, str]:
    inverse: dict[Any, str] = {}
    for local, target in values.items():
        inverse.setdefault(target, local)
    return inverse
