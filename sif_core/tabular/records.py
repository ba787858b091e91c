"""Rows of an export to SIF objects, through a :class:`~sif_core.tabular.mapping.TableMapping`.

Exports that join record sets repeat a learner once per contact (a cross product of rows). The
:class:`TableReader` folds them: a learner, a school, an enrolment and a contact are each built
once, the first time their key is seen, and every (learner, contact) pair becomes one
``LearnerContact``. RefIds come from :meth:`ReadContext.refid` over the key columns, so reading
one export twice gives identical objects. A bad value is a :class:`Problem` naming the row, the
learner key and the column; the other rows are still read.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from pydantic import ValidationError

from sif_core.adapter import ReadContext
from sif_core.model import OBJECT_TYPES, SIFObject
from sif_core.problems import Problem, Severity
from sif_core.tabular.cells import CellError, cell_value, default_value, refid_for_key
from sif_core.tabular.checks import missing_requirement
from sif_core.tabular.digests import DigestNumbers, key_digest, pair_digest
from sif_core.tabular.fields import FIELDS, TARGETS, put_value
from sif_core.tabular.mapping import ColumnRule, MappingError, TableMapping, Value
from sif_core.tabular.plan import BuildPlan
from sif_core.tabular.rows import Row

__all__ = ["TableReader"]

_PROGRESS_EVERY = 500
# Sets of school cells remembered with their LAESTAB; an export has one school, or a few.
_SCHOOL_CELLS_KEPT = 1024

Output = SIFObject | Problem

# Sets of enrolment cells (LAESTAB, entry date) given a number (a learner's first enrolment is
# noted by it); a school has a few hundred, and the sets beyond these are not numbered.
_ENROLMENT_CELLS_KEPT = 4095
# A learner's details are known by the hash of its learner cells, kept in 64 bits.
_DETAILS = (1 << 64) - 1


@dataclass(frozen=True, slots=True)
class _Bound:
    rule: ColumnRule
    index: int


# A built object: its wire dict and the Problems of cells that are not values of their fields.
_Built = tuple[dict[str, Any], Sequence[Problem]]
Cells = Sequence[str]


def _getter(indexes: Sequence[int]) -> Callable[[Cells], tuple[str, ...]]:
    """A function giving the cells at ``indexes`` as a tuple (``operator.itemgetter`` gives a
    bare cell for one index)."""
    if len(indexes) == 1:
        (only,) = indexes
        return lambda cells: (cells[only],)
    if not indexes:
        return lambda cells: ()
    getter: Callable[[Cells], tuple[str, ...]] = itemgetter(*indexes)
    return getter


class TableReader:
    """Reads the rows of one input (CSV rows, XML records) into SIF objects and Problems.

    ``columns`` gives each column name's index in a row's cells. ``defaults`` add to (and
    override) the mapping's ``[defaults]``, e.g. a school given on the command line.
    ``record_word`` names a record in Problems (``row`` for CSV, ``record`` for XML).
    Raises :class:`MappingError` at once when the input lacks a key column, or a mapped column
    while the mapping says ``missing_columns = "error"``, or a column every learner needs.
    """

    def __init__(
        self,
        mapping: TableMapping,
        context: ReadContext,
        *,
        source: str,
        columns: Mapping[str, int],
        defaults: Mapping[str, Value] | None = None,
        record_word: str = "row",
    ) -> None:
        self.mapping = mapping
        self.context = context
        self.source = source
        self.record_word = record_word
        self.defaults: dict[str, Value] = {**mapping.defaults, **(defaults or {})}
        bound = [self._bind(rule, columns) for rule in mapping.rules]
        present = tuple(b.rule for b in bound if b is not None)
        problem = missing_requirement({rule.field.name for rule in present} | set(self.defaults))
        if problem:
            raise MappingError(f"{source}: {problem}", source=mapping.source)
        self.by_target: dict[str, list[_Bound]] = {}
        for item in bound:
            if item is not None:
                self.by_target.setdefault(item.rule.field.target, []).append(item)
        self.learner_key = self._key_indexes(mapping.learner_key, columns, "learner")
        self.contact_key = self._key_indexes(mapping.contact_key, columns, "contact")
        self.has_enrolments = "LearnerSchoolEnrolment" in self._targets()
        self.has_contacts = bool(self.by_target.get("ContactPersonal"))
        # Compiled once for this mapping and input: the cells each step of a row looks at, how
        # each target's wire dict is filled, and each target's validator.
        self._learner_key = _getter(self.learner_key)
        self._contact_key = _getter(self.contact_key)
        self._learner_cells = _getter(self._indexes("LearnerPersonal"))
        self._contact_cells = _getter(self._indexes("ContactPersonal"))
        self._school_cells = _getter(self._indexes("SchoolInfo"))
        self._enrolment_cells = _getter(
            [
                b.index
                for b in self.by_target.get("SchoolInfo", [])
                + self.by_target.get("LearnerSchoolEnrolment", [])
                if b.rule.field.name in ("SchoolInfo.LAESTAB", "LearnerSchoolEnrolment.EntryDate")
            ]
        )
        self._plans = {
            target: BuildPlan(
                target,
                [(b.rule, b.index) for b in self.by_target.get(target, ())],
                self.defaults,
            )
            for target in TARGETS
        }
        self._validators: dict[str, Callable[[dict[str, Any]], SIFObject]] = {
            target: OBJECT_TYPES[target].__pydantic_validator__.validate_python
            for target in TARGETS
        }
        # State of the fold: what has been built (or refused) so far. Every key is known by its
        # digest (`key_digest`), numbered in a compact table (`DigestNumbers`, about 20 bytes a
        # key), and what the fold needs of it is kept in arrays indexed by that number, since
        # all of it grows with the school. RefIds are not kept, as they follow from the keys.
        # A learner: whether it was refused, the hash of its learner cells, the count of its
        # contacts linked so far, its first enrolment (the number its enrolment cells have in
        # `_enrolment_index`, 0 for none there) and where its first row is (its line, or its
        # number for input without lines).
        self._learner_numbers = DigestNumbers()
        self._refused_learners = bytearray()
        self._details: array[int] = array("Q")
        self._contact_counts: array[int] = array("I")
        self._first_enrolment: array[int] = array("H")
        self._first_where: array[int] = array("Q")
        self._schools: dict[str, str | None] = {}
        # An enrolment: noted in its learner's state when its cells have an index and the
        # learner has no other enrolment noted there (nearly always), else here.
        self._enrolment_index: dict[tuple[str, ...], int] = {}
        self._enrolments = DigestNumbers()
        # A contact: its number, whether it was refused, and the learner it was first met with
        # (linked then, as each contact nearly always is to one learner alone).
        self._contact_numbers = DigestNumbers()
        self._refused_contacts = bytearray()
        self._first_learner: array[int] = array("I")
        # A link of a contact to a learner other than its first (a sibling's): the learner's
        # number and the contact's (`pair_digest`).
        self._links = DigestNumbers()
        # The last row's learner (key, number, RefId): the rows of a learner usually follow
        # one another, so its key is digested and its RefId made once.
        self._current: tuple[tuple[str, ...], int, str | None] | None = None
        # The last enrolment looked up (learner number, cells): repeated on the next rows.
        self._last_enrolment: tuple[int, tuple[str, ...]] | None = None
        self._previous: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        # The LAESTAB each set of school cells gave (a school's cells are the same on every row).
        self._laestab_of: dict[tuple[str, ...], str] = {}
        # The last learner's address: its wire dict and the part it validated to.
        self._address: tuple[dict[str, Any], Any] | None = None

    def _indexes(self, target: str) -> list[int]:
        return [b.index for b in self.by_target.get(target, ())]

    def _targets(self) -> set[str]:
        return set(self.by_target) | {FIELDS[name].target for name in self.defaults}

    def _bind(self, rule: ColumnRule, columns: Mapping[str, int]) -> _Bound | None:
        index = columns.get(rule.column)
        if index is not None:
            return _Bound(rule, index)
        if self.mapping.missing_columns == "ignore":
            return None
        position = rule.position
        raise MappingError(
            f"{self.source} has no column {rule.column!r}, which this line maps to "
            f'{rule.field.name}; correct the column name, or set missing_columns = "ignore" '
            "in [file]",
            source=self.mapping.source,
            line=position.line if position else None,
            column=position.column if position else None,
        )

    def _key_indexes(
        self, key: tuple[str, ...], columns: Mapping[str, int], who: str
    ) -> tuple[int, ...]:
        missing = [column for column in key if column not in columns]
        if missing and (who == "learner" or len(missing) < len(key)):
            position = self.mapping.positions.value(("keys", who))
            raise MappingError(
                f"{self.source} has no column {missing[0]!r}, which [keys] names as a {who} key "
                "column; name columns the file has",
                source=self.mapping.source,
                line=position.line if position else None,
                column=position.column if position else None,
            )
        return () if missing else tuple(columns[column] for column in key)

    # -- reading ------------------------------------------------------------------------------
    def read(self, rows: Iterable[Row | Problem]) -> Iterator[Output]:
        """Every object and Problem the rows give, in row order."""
        out: list[Output] = []
        row_objects = self._row
        progress = self.context.progress
        for item in rows:
            if isinstance(item, Problem):
                yield item
                continue
            row_objects(item, out)
            if out:
                yield from out
                out.clear()
            if item.number % _PROGRESS_EVERY == 0:
                progress(item.number, None)

    @staticmethod
    def _where(row: Row) -> int:
        """The row's line, or its number in the input when it has no lines (XML records)."""
        return row.line if row.line is not None else row.number

    def _record(self, row: Row, key: tuple[str, ...], contact: tuple[str, ...] | None) -> str:
        """The row in words for Problems: where it is, its learner key (and contact key)."""
        where = self._where(row)
        pairs = zip(self.mapping.learner_key, key, strict=True)
        names = ", ".join(f"{column} {value}" for column, value in pairs)
        record = f"{self.record_word} {where} ({names})"
        if contact is not None:
            record = f"{record}, contact {' '.join(c for c in contact if c)}"
        return record

    def _row(self, row: Row, out: list[Output]) -> None:
        cells = row.cells
        key = self._learner_key(cells)
        if not all(key):
            empty = next(c for c, v in zip(self.mapping.learner_key, key, strict=True) if not v)
            out.append(
                Problem(
                    source=self.source,
                    record=f"{self.record_word} {row.line if row.line is not None else row.number}",
                    field=empty,
                    message=f"the learner key column {empty!r} is empty, so the row belongs to "
                    "no learner; fill it in",
                    line=row.line,
                )
            )
            return
        current = self._current
        if current is not None and current[0] == key:
            _, learner, learner_ref = current
            self._check_repeat(row, key, learner, out)
        else:
            seen = self._learner_numbers.count
            learner = self._learner_numbers.number(key_digest(key))
            if learner == seen:
                learner_ref = self._learner(row, key, out)
            else:
                learner_ref = (
                    None
                    if self._refused_learners[learner]
                    else refid_for_key(self.context, "LearnerPersonal", key)
                )
                self._check_repeat(row, key, learner, out)
            self._current = (key, learner, learner_ref)
        if learner_ref is None:
            return
        if self.has_enrolments:
            self._enrolment(row, key, learner, learner_ref, out)
        if self.has_contacts:
            self._contact(row, key, learner, learner_ref, out)

    def _learner(self, row: Row, key: tuple[str, ...], out: list[Output]) -> str | None:
        """Build a learner met for the first time and note its state (under the next number)."""
        ref = refid_for_key(self.context, "LearnerPersonal", key)
        built = self._build("LearnerPersonal", row, key, None, ref)
        learner = self._validate("LearnerPersonal", built, row, key, None, out)
        ref_or_none = ref if learner is not None else None
        learner_cells = self._learner_cells(row.cells)
        self._refused_learners.append(learner is None)
        self._details.append(hash(learner_cells) & _DETAILS)
        self._contact_counts.append(0)
        self._first_enrolment.append(0)
        self._first_where.append(self._where(row))
        self._previous = (key, learner_cells)
        if learner is not None:
            out.append(learner)
            address = built[0].get("Address")
            part = getattr(learner, "address", None)
            self._address = (address, part) if address is not None and part is not None else None
        return ref_or_none

    def _check_repeat(
        self, row: Row, key: tuple[str, ...], learner: int, out: list[Output]
    ) -> None:
        cells = self._learner_cells(row.cells)
        if self._refused_learners[learner]:  # a refused learner: its rows say nothing more
            self._previous = (key, cells)
            return
        if hash(cells) & _DETAILS == self._details[learner]:
            self._previous = (key, cells)
            return
        differing = ""
        if self._previous is not None and self._previous[0] == key:
            bound = self.by_target.get("LearnerPersonal", [])
            names = [
                b.rule.column
                for b, old, new in zip(bound, self._previous[1], cells, strict=True)
                if old != new
            ]
            differing = f" (columns {', '.join(names)})"
        first = f" {self._first_where[learner]}"
        self._previous = (key, cells)
        out.append(
            Problem(
                source=self.source,
                record=self._record(row, key, None),
                field=None,
                message=f"repeats the learner of {self.record_word}{first} with different "
                f"learner details{differing}; the first {self.record_word} is kept",
                severity=Severity.WARNING,
                line=row.line,
            )
        )

    def _enrolment(
        self, row: Row, key: tuple[str, ...], learner: int, learner_ref: str, out: list[Output]
    ) -> None:
        # Rows repeated per contact repeat the enrolment: tell them apart by their raw cells
        # before building anything.
        cells = self._enrolment_cells(row.cells)
        last = (learner, cells)
        if last == self._last_enrolment:
            return
        self._last_enrolment = last
        noted = self._first_enrolment[learner]
        index = self._enrolment_index.get(cells)
        if index is None and len(self._enrolment_index) < _ENROLMENT_CELLS_KEPT:
            index = self._enrolment_index[cells] = len(self._enrolment_index) + 1
        if noted and noted == index:
            return
        if not noted and index is not None:
            self._first_enrolment[learner] = index
        else:
            enrolments = self._enrolments
            seen = enrolments.count
            if enrolments.number(key_digest((*key, *cells))) != seen:
                return
        school_cells = self._school_cells(row.cells)
        laestab = self._laestab_of.get(school_cells)
        if laestab is None:
            laestab = self._school(row, key, out)
            if laestab is None:
                return
            if len(self._laestab_of) >= _SCHOOL_CELLS_KEPT:
                self._laestab_of.clear()
            self._laestab_of[school_cells] = laestab
        school_ref = self._schools[laestab]
        if school_ref is None:
            return
        built = self._build("LearnerSchoolEnrolment", row, key, None, None)
        wire = built[0]
        identity = (laestab, str(wire.get("EntryDate", "")))
        wire["RefId"] = self.context.refid(
            "LearnerSchoolEnrolment", "\x1f".join((learner_ref, *identity))
        )
        wire["LearnerPersonalRefId"] = learner_ref
        wire["SchoolInfoRefId"] = school_ref
        enrolment = self._validate("LearnerSchoolEnrolment", built, row, key, None, out)
        if enrolment is not None:
            out.append(enrolment)

    def _school(self, row: Row, key: tuple[str, ...], out: list[Output]) -> str | None:
        """The LAESTAB of the row's school, built and validated the first time it is met, or
        ``None`` (with a Problem) when the row gives none."""
        school = self._build("SchoolInfo", row, key, None, None)
        laestab = str(school[0].get("LAId", "")) + str(school[0].get("EstablishmentId", ""))
        if not laestab:
            out.append(
                Problem(
                    source=self.source,
                    record=self._record(row, key, None),
                    field=self._column_of("SchoolInfo.LAESTAB"),
                    message="no school: the LAESTAB is empty, so the enrolment cannot be recorded",
                    line=row.line,
                )
            )
            return None
        if laestab not in self._schools:
            ref = self.context.refid("SchoolInfo", laestab)
            school[0]["RefId"] = ref
            found = self._validate("SchoolInfo", school, row, key, None, out)
            self._schools[laestab] = ref if found is not None else None
            if found is not None:
                out.append(found)
        return laestab

    def _contact(
        self, row: Row, key: tuple[str, ...], learner: int, learner_ref: str, out: list[Output]
    ) -> None:
        cells = row.cells
        contact_cells = self._contact_cells(cells)
        if not any(contact_cells):
            return
        if self.contact_key:
            contact_key = self._contact_key(cells)
            if not all(contact_key):
                out.append(
                    Problem(
                        source=self.source,
                        record=self._record(row, key, None),
                        field=self.mapping.contact_key[0],
                        message="the row has a contact but its contact key is empty; fill it in",
                        line=row.line,
                    )
                )
                return
        else:
            contact_key = (*key, *contact_cells)
        contacts = self._contact_numbers
        seen = contacts.count
        contact = contacts.number(key_digest(contact_key))
        contact_ref: str | None = None
        if contact == seen:
            self._refused_contacts.append(False)
            self._first_learner.append(learner)
            ref = self._contact_ref(contact_key, learner_ref, contact_cells)
            built = self._build("ContactPersonal", row, key, contact_key, ref)
            shared = self._address
            if shared is not None and built[0].get("Address") == shared[0]:
                # A contact living with the learner: the learner's validated (frozen) address is
                # what the same dict validates to, and a model takes it as it is.
                built[0]["Address"] = shared[1]
            found = self._validate("ContactPersonal", built, row, key, contact_key, out)
            if found is None:
                self._refused_contacts[contact] = True
                return
            out.append(found)
            contact_ref = ref
        elif self._refused_contacts[contact]:
            return
        elif not self.contact_key:
            # Without contact key columns a contact's key holds its learner's: a contact met
            # before was linked (to this learner) when it was first met.
            return
        else:  # a contact met before: linked to this learner already, unless a new sibling
            if self._first_learner[contact] == learner:
                return
            links = self._links
            seen = links.count
            if links.number(pair_digest(learner, contact)) != seen:
                return
            contact_ref = self._contact_ref(contact_key, learner_ref, contact_cells)
        count = self._contact_counts[learner] + 1
        self._contact_counts[learner] = count
        built = self._build("LearnerContact", row, key, contact_key, None)
        wire = built[0]
        wire.setdefault("ContactPriority", count)
        wire["RefId"] = self.context.refid("LearnerContact", f"{learner_ref}\x1f{contact_ref}")
        wire["LearnerPersonalRefId"] = learner_ref
        wire["ContactPersonalRefId"] = contact_ref
        link = self._validate("LearnerContact", built, row, key, contact_key, out)
        if link is not None:
            out.append(link)

    def _contact_ref(
        self, contact_key: tuple[str, ...], learner_ref: str, contact_cells: tuple[str, ...]
    ) -> str:
        """The RefId of a contact, from its key columns, or else from its learner and cells."""
        if self.contact_key:
            return refid_for_key(self.context, "ContactPersonal", contact_key)
        return self.context.refid("ContactPersonal", "\x1f".join((learner_ref, *contact_cells)))

    # -- building and validating ------------------------------------------------------------------
    def _column_of(self, field_name: str) -> str | None:
        spec = FIELDS[field_name]
        for bound in self.by_target.get(spec.target, ()):
            if bound.rule.field is spec:
                return bound.rule.column
        return None

    def _build(
        self,
        target: str,
        row: Row,
        key: tuple[str, ...],
        contact: tuple[str, ...] | None,
        ref: str | None,
    ) -> _Built:
        """The target's wire dict from the row (with ``RefId`` ``ref``, if any), and the
        Problems of cells that are not values of their fields."""
        wire: dict[str, Any] = {"RefId": ref} if ref is not None else {}
        if self._plans[target].fill(row.cells, wire):
            return wire, ()
        # A cell is not a value: build again, the slow way that says why.
        wire = {"RefId": ref} if ref is not None else {}
        record = self._record(row, key, contact)
        wire, _, problems = self._explained(target, row, record, wire)
        return wire, problems

    def _explained(
        self, target: str, row: Row, record: str, wire: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[tuple[str | int, ...], str], list[Problem]]:
        """Build the target's wire dict cell by cell: also the Problems of cells that are not
        values, and the column that filled each wire location (for validation errors)."""
        columns: dict[tuple[str | int, ...], str] = {}
        problems: list[Problem] = []
        filled: set[str] = set()
        for bound in self.by_target.get(target, ()):
            text = row.cells[bound.index]
            if not text:
                continue
            try:
                value = cell_value(bound.rule, text)
            except CellError as error:
                problems.append(
                    Problem(
                        source=self.source,
                        record=record,
                        field=bound.rule.column,
                        message=f"{error} ({bound.rule.field.name})",
                        line=row.line,
                    )
                )
                continue
            location = put_value(wire, bound.rule.field, value)
            columns[location] = bound.rule.column
            filled.add(bound.rule.field.name)
        for name, value in self.defaults.items():
            spec = FIELDS[name]
            if spec.target == target and name not in filled:
                put_value(wire, spec, default_value(spec, value))
        return wire, columns, problems

    def _validate(
        self,
        target: str,
        built: _Built,
        row: Row,
        key: tuple[str, ...],
        contact: tuple[str, ...] | None,
        out: list[Output],
    ) -> SIFObject | None:
        """Add the build's and the model's Problems to ``out``; the object or ``None``."""
        wire, problems = built
        if problems:
            out.extend(problems)
            return None
        try:
            found: SIFObject = self._validators[target](wire)
        except ValidationError as error:
            record = self._record(row, key, contact)
            columns = self._explained(target, row, record, {})[1]
            for detail in error.errors(include_url=False):
                message = str(detail["msg"]).removeprefix("Value error, ")
                column = _column_for(tuple(detail["loc"]), columns)
                out.append(
                    Problem(
                        source=self.source,
                        record=record,
                        field=column,
                        message=f"{message} ({target}{_path(detail['loc'])})",
                        line=row.line,
                    )
                )
            return None
        return found


def _path(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _column_for(loc: tuple[Any, ...], columns: Mapping[tuple[str | int, ...], str]) -> str | None:
    if loc in columns:
        return columns[loc]
    under = [column for location, column in columns.items() if location[: len(loc)] == loc]
    if under:
        return ", ".join(under)
    for depth in range(len(loc) - 1, 0, -1):
        if loc[:depth] in columns:
            return columns[loc[:depth]]
    return None
