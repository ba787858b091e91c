"""OneRoster 1.1 bundles to SIF objects.

orgs of type ``district`` become ``LAInfo`` (identifier: the 3-digit LA number) and of type
``school`` become ``SchoolInfo`` (identifier: the 7-digit LAESTAB); student users, with their
demographics row, become ``LearnerPersonal``; parent, guardian and relative users become
``ContactPersonal``, linked by ``agentSourcedIds`` through ``LearnerContact`` (priority in the
order the student's row lists them); a student's enrollments at one school become one
``LearnerSchoolEnrolment`` (first begin date, last end date, year from the class or the user's
grade). UPN, ULN, UCI and former UPNs travel in ``userIds`` (``{UPN:H801200001001}``), the MIS
reference in ``identifier``. A sourcedId that is already a RefId is kept as the RefId; any other
is turned into one by :meth:`ReadContext.refid`, so reading a bundle twice gives identical objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from adapters.oneroster.bundle import Bundle
from adapters.oneroster.people import People
from adapters.oneroster.rows import Values, sourced_ref, split_list
from adapters.oneroster.spec import YEAR_OF_GRADE
from sif_core.adapter import ReadContext
from sif_core.model import OBJECT_TYPES, SIFObject
from sif_core.problems import Problem
from sif_core.tabular import CSVTable, Row

__all__ = ["read_bundle"]

# Texts shared by many enrolments (school sourcedIds, dates) remembered to be held once.
_SHARED_KEPT = 4096


@dataclass(slots=True)
class _Enrolment:
    """A student's enrollments at one school so far: first begin, last end, grades."""

    line: int | None
    sourced_id: str
    begin: str | None
    end: str | None
    open_ended: bool
    grades: list[str] = field(default_factory=list)


class _Reader(People):
    """The whole bundle: orgs, then the people, then the enrolments of the students read."""

    def __init__(self, bundle: Bundle, context: ReadContext) -> None:
        super().__init__(bundle, context)
        self.districts: dict[str, str] = {}
        self.district_ids: set[str] = set()
        self.schools: dict[str, str] = {}

    def orgs(self) -> Iterator[SIFObject | Problem]:
        for _table, row, values in self.rows("orgs.csv"):
            if isinstance(row, Row) and values["type"] == "district":
                self.district_ids.add(values["sourcedId"])
        for table, row, values in self.rows("orgs.csv"):
            if isinstance(row, Problem):
                yield row
                continue
            problems = self.checked(table, row, values, "orgs.csv")
            if problems:
                yield from problems
                continue
            if values["status"] == "tobedeleted":
                continue
            kind = values["type"]
            if kind == "district":
                yield from self.district(table, row, values)
            elif kind == "school":
                yield from self.school(table, row, values)

    def district(self, table: CSVTable, row: Row, values: Values) -> Iterator[SIFObject | Problem]:
        sourced_id = values["sourcedId"]
        ref = sourced_ref(self.context, "LAInfo", sourced_id)
        wire = {
            "RefId": ref,
            "LAId": values["identifier"],
            "LAName": values["name"],
        }
        obj, problems = self.build(
            "LAInfo", wire, {("LAId",): "identifier", ("LAName",): "name"}, table, row
        )
        if not wire["LAId"]:
            problems = [
                self.problem(
                    table,
                    row,
                    "identifier",
                    "a district's identifier must be its 3-digit LA number",
                )
            ]
        yield from problems
        if obj is not None and not problems:
            self.districts[sourced_id] = ref
            yield obj

    def school(self, table: CSVTable, row: Row, values: Values) -> Iterator[SIFObject | Problem]:
        sourced_id = values["sourcedId"]
        identifier = values["identifier"].replace("/", "")
        if not (len(identifier) == 7 and identifier.isdigit()):
            yield self.problem(
                table,
                row,
                "identifier",
                f"a school's identifier must be its 7-digit LAESTAB (LA and establishment "
                f"number), not {identifier!r}",
            )
            return
        ref = sourced_ref(self.context, "SchoolInfo", sourced_id)
        wire: dict[str, Any] = {
            "RefId": ref,
            "LAId": identifier[:3],
            "EstablishmentId": identifier[3:],
            "SchoolName": values["name"],
        }
        parent = values["parentSourcedId"]
        if parent in self.district_ids:
            wire["LAInfoRefId"] = sourced_ref(self.context, "LAInfo", parent)
        obj, problems = self.build("SchoolInfo", wire, {("SchoolName",): "name"}, table, row)
        yield from problems
        if obj is not None:
            self.schools[sourced_id] = ref
            yield obj

    def enrolments(self) -> Iterator[SIFObject | Problem]:
        classes: dict[str, tuple[list[str], list[str]]] = {}
        for _table, row, values in self.rows("classes.csv"):
            if isinstance(row, Row):
                classes[values["sourcedId"]] = (
                    split_list(values["grades"]),
                    split_list(values["termSourcedIds"]),
                )
        terms: dict[str, str] = {}
        for _table, row, values in self.rows("academicSessions.csv"):
            if isinstance(row, Row):
                terms[values["sourcedId"]] = values["startDate"]
        found: dict[tuple[str, str], _Enrolment] = {}
        # Every enrolment is held until the file is read: one string for each school and date.
        shared: dict[str, str] = {}
        for table, row, values in self.rows("enrollments.csv"):
            if isinstance(row, Problem):
                yield row
                continue
            problems = self.checked(table, row, values, "enrollments.csv")
            if values["role"] != "student":
                continue
            if problems:
                yield from problems
                continue
            if values["status"] == "tobedeleted":
                continue
            user = values["userSourcedId"]
            school = values["schoolSourcedId"]
            if user not in self.years:
                continue  # the student's own row was refused (and reported) or is not a student
            if school not in self.schools:
                yield self.problem(
                    table, row, "schoolSourcedId", f"no school org {school!r} in orgs.csv"
                )
                continue
            grades, class_terms = classes.get(values["classSourcedId"], ([], []))
            begin = values["beginDate"] or next((terms[t] for t in class_terms if terms.get(t)), "")
            end = values["endDate"]
            known = found.get((user, school))
            if known is None:
                if len(shared) >= _SHARED_KEPT:
                    shared.clear()
                school = shared.setdefault(school, school)
                found[(user, school)] = _Enrolment(
                    row.line,
                    values["sourcedId"],
                    shared.setdefault(begin, begin) or None,
                    shared.setdefault(end, end) or None,
                    not end,
                    grades,
                )
                continue
            if begin and (known.begin is None or begin < known.begin):
                known.begin = begin
            known.open_ended = known.open_ended or not end
            if end and (known.end is None or end > known.end):
                known.end = end
        for (user, school), enrolment in found.items():
            if len(enrolment.grades) == 1:
                year = YEAR_OF_GRADE.get(enrolment.grades[0])
            else:
                year = self.years[user]
            wire: dict[str, Any] = {
                "RefId": sourced_ref(self.context, "LearnerSchoolEnrolment", enrolment.sourced_id),
                "LearnerPersonalRefId": self.student_ref(user),
                "SchoolInfoRefId": self.schools[school],
                "EntryDate": enrolment.begin,
                "ExitDate": None if enrolment.open_ended else enrolment.end,
            }
            if year is not None:
                wire["NCYear"] = year
            record = f"enrolment of student {user} at school {school}"
            if enrolment.begin is None:
                yield Problem(
                    source=f"{self.bundle.path}/enrollments.csv",
                    record=f"row {enrolment.line} (sourcedId {enrolment.sourced_id})",
                    field="beginDate",
                    message=f"{record}: no beginDate, and its class's term has no startDate; a "
                    "SIF enrolment needs its entry date",
                    line=enrolment.line,
                )
                continue
            try:
                yield OBJECT_TYPES["LearnerSchoolEnrolment"].__pydantic_validator__.validate_python(
                    wire
                )
            except ValidationError as error:
                for detail in error.errors(include_url=False):
                    yield Problem(
                        source=f"{self.bundle.path}/enrollments.csv",
                        record=f"row {enrolment.line} (sourcedId {enrolment.sourced_id})",
                        field="endDate" if "Exit" in str(detail["msg"]) else None,
                        message=str(detail["msg"]).removeprefix("Value error, "),
                        line=enrolment.line,
                    )


def read_bundle(bundle: Bundle, context: ReadContext) -> Iterator[SIFObject | Problem]:
    """Every SIF object and Problem of ``bundle``: orgs, users, links, then enrolments (which
    need the links made first)."""
    reader = _Reader(bundle, context)
    yield from reader.orgs()
    yield from reader.users()
    yield from reader.links()
    yield from reader.enrolments()
    context.metadata["oneroster.date_last_modified"] = reader.latest_change
    context.metadata["oneroster.source_system"] = bundle.manifest.get("source.systemName", "")
