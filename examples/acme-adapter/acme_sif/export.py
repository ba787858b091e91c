"""Reading Acme MIS exports.

An Acme export is one JSON document, the header first::

    {"acme_mis_export": {"format_version": "3.2", "generated": "...",
                         "school": {"dfe_number": "823/1234", "urn": "123456",
                                    "name": "...", "phase": "Primary"}},
     "students": [{"student_id": "S00017", "upn": "...", "surname": "...", ...}, ...]}

It becomes one SchoolInfo, then a LearnerPersonal and a LearnerSchoolEnrolment per student. A
student with something wrong yields Problems (naming the student and the SIF field) instead, and
the others are read as usual. A document that is not a readable Acme export raises AdapterError.

The export is read student by student (sifbridge's ``iter_json_members``), never whole: a
school's export of any size needs the memory of one student at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sif_core.adapter import AdapterError, Problem, ReadContext, validate_record
from sif_core.codec import JSONMember, iter_json_members
from sif_core.errors import MalformedDocumentError
from sif_core.model import LearnerPersonal, LearnerSchoolEnrolment, SchoolInfo, SIFObject

from acme_sif.codes import (
    ENROLMENTS,
    GENDERS,
    PHASES,
    YEAR_GROUPS,
    UntranslatableError,
    acme_date,
    postcode,
    translate,
)

FORMAT = "acme-json"
OBJECT_TYPES = ("SchoolInfo", "LearnerPersonal", "LearnerSchoolEnrolment")
HEADER_KEY = "acme_mis_export"
STUDENTS_KEY = "students"
#: How much of the export is decoded at a time: a student is about 600 bytes, so a small buffer
#: holds many of them and the memory a read needs stays the same whatever the school's size.
CHUNK_BYTES = 16 * 1024
#: Major format versions this adapter reads.
SUPPORTED_MAJOR_VERSIONS = ("3",)


def detect(path: Path, head: bytes) -> bool:
    """An Acme export is a JSON object with the ``acme_mis_export`` header near its start."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return text.startswith(b"{") and f'"{HEADER_KEY}"'.encode() in text


def read(source: Path, context: ReadContext) -> Iterator[SIFObject | Problem]:
    """Yield the school, then each student's LearnerPersonal and LearnerSchoolEnrolment."""
    size = source.stat().st_size
    with source.open("rb") as stream:
        members = iter_json_members(
            stream, source=str(source), arrays=(STUDENTS_KEY,), chunk_size=CHUNK_BYTES
        )
        try:
            school = _school(_header(next(members, None), source), source, context)
            yield school
            for member in members:
                if member.name != STUDENTS_KEY:
                    continue
                if member.index is None:
                    raise AdapterError(
                        f"{source}:{member.line}: {STUDENTS_KEY!r} must be a list of students"
                    )
                yield from _student(member.value, member.index, school, source, context)
                context.progress(stream.tell(), size)
        except MalformedDocumentError as error:
            raise AdapterError(f"{error}; export it again from Acme MIS") from error


def _header(first: JSONMember | None, source: Path) -> dict[str, Any]:
    if first is None or first.name != HEADER_KEY or not isinstance(first.value, dict):
        raise AdapterError(
            f"{source}: not an Acme MIS export (it does not start with the {HEADER_KEY!r} header)"
        )
    header: dict[str, Any] = first.value
    version = str(header.get("format_version", ""))
    if version.split(".")[0] not in SUPPORTED_MAJOR_VERSIONS:
        raise AdapterError(
            f"{source}: Acme export format {version or '(none)'} is not supported; this adapter "
            f"reads formats {', '.join(v + '.x' for v in SUPPORTED_MAJOR_VERSIONS)}"
        )
    return header


def _school(header: dict[str, Any], source: Path, context: ReadContext) -> SchoolInfo:
    school = header.get("school") or {}
    dfe_number = str(school.get("dfe_number", ""))
    la_id, _, establishment_id = dfe_number.partition("/")
    fields: dict[str, Any] = {
        "RefId": context.refid(SchoolInfo, dfe_number),
        "LAId": la_id,
        "EstablishmentId": establishment_id,
        "URN": school.get("urn"),
        "SchoolName": school.get("name"),
        "Phase": PHASES.get(school.get("phase", ""), school.get("phase")),
    }
    info, problems = validate_record(SchoolInfo, fields, source=str(source), record="the school")
    if info is None:
        wrong = "; ".join(f"{p.field}: {p.message}" for p in problems)
        raise AdapterError(
            f"{source}: the export's school header is wrong ({wrong}); correct the school's "
            "details in Acme MIS (Setup > School) and export again"
        )
    return info


def _student(
    student: object, index: int, school: SchoolInfo, source: Path, context: ReadContext
) -> Iterator[SIFObject | Problem]:
    if not isinstance(student, dict) or not student.get("student_id"):
        record = f"student {index}"
        yield Problem(str(source), record, None, "every student needs a student_id")
        return
    student_id = str(student["student_id"])
    record = f"student {index} ({student_id})"
    problems: list[Problem] = []

    def word(table: dict[str, str], acme_field: str, sif_field: str, required: bool = True) -> Any:
        value = student.get(acme_field)
        if value in (None, "") and not required:
            return None
        try:
            return translate(table, value, acme_field, sif_field)
        except UntranslatableError as error:
            problems.append(Problem(str(source), record, error.sif_field, str(error)))
            return None

    def date(acme_field: str, sif_field: str, required: bool = True) -> Any:
        value = student.get(acme_field)
        if value in (None, "") and not required:
            return None
        try:
            return acme_date(value, acme_field, sif_field)
        except UntranslatableError as error:
            problems.append(Problem(str(source), record, error.sif_field, str(error)))
            return None

    learner_fields = {
        "RefId": context.refid(LearnerPersonal, student_id),
        "LocalId": student_id,
        "UPN": student.get("upn") or None,
        "ULN": student.get("uln") or None,
        "Name": _names(student),
        "DateOfBirth": date("date_of_birth", "DateOfBirth"),
        "Sex": word(GENDERS, "gender", "Sex"),
        "Ethnicity": student.get("ethnicity") or None,
        "Address": _address(student.get("home_address")),
    }
    learner, invalid = validate_record(
        LearnerPersonal, learner_fields, source=str(source), record=record
    )
    # A field Acme's words could not give has been reported already: not again as "missing".
    reported = {problem.field for problem in problems}
    problems += [problem for problem in invalid if problem.field not in reported]

    enrolment_fields = {
        "RefId": context.refid(LearnerSchoolEnrolment, f"{student_id}/{school.ref_id}"),
        "LearnerPersonalRefId": learner_fields["RefId"],
        "SchoolInfoRefId": school.ref_id,
        "MembershipType": word(ENROLMENTS, "enrolment", "MembershipType", required=False),
        "EntryDate": date("admission_date", "EntryDate"),
        "ExitDate": date("leaving_date", "ExitDate", required=False),
        "NCYear": word(YEAR_GROUPS, "year_group", "NCYear", required=False),
    }
    enrolment = None
    if not problems:
        enrolment, invalid = validate_record(
            LearnerSchoolEnrolment, enrolment_fields, source=str(source), record=record
        )
        problems += invalid
    if problems or learner is None or enrolment is None:
        yield from problems
        return
    yield learner
    yield enrolment


def _names(student: dict[str, Any]) -> list[dict[str, Any]]:
    surname = student.get("surname") or None
    names = [
        {
            "Type": "L",
            "FamilyName": surname,
            "GivenName": student.get("forename") or None,
            "MiddleNames": student.get("middle_names") or None,
        }
    ]
    if student.get("preferred_forename"):
        preferred = student["preferred_forename"]
        names.append({"Type": "P", "FamilyName": surname, "GivenName": preferred})
    return names


def _address(address: object) -> dict[str, Any] | None:
    if not isinstance(address, dict) or not any(address.values()):
        return None
    return {
        "PAON": address.get("line1") or None,
        "Street": address.get("line2") or None,
        "Town": address.get("town") or None,
        "PostCode": postcode(address.get("postcode")) or None,
        "UPRN": address.get("uprn") or None,
    }
