"""Reading Acme MIS exports.

An Acme export is one JSON document::

    {"acme_mis_export": {"format_version": "3.2", "generated": "...",
                         "school": {"dfe_number": "823/1234", "urn": "123456",
                                    "name": "...", "phase": "Primary"}},
     "students": [{"student_id": "S00017", "upn": "...", "surname": "...", ...}, ...]}

It becomes one SchoolInfo, then a LearnerPersonal and a LearnerSchoolEnrolment per student. A
student with something wrong yields Problems (naming the student and the SIF field) instead, and
the others are read as usual. A document that is not a readable Acme export raises AdapterError.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sif_core.adapter import AdapterError, Problem, ReadContext, validate_record
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
#: Major format versions this adapter reads.
SUPPORTED_MAJOR_VERSIONS = ("3",)


def detect(path: Path, head: bytes) -> bool:
    """An Acme export is a JSON object with the ``acme_mis_export`` header near its start."""
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return text.startswith(b"{") and f'"{HEADER_KEY}"'.encode() in text


def read(source: Path, context: ReadContext) -> Iterator[SIFObject | Problem]:
    """Yield the school, then each student's LearnerPersonal and LearnerSchoolEnrolment."""
    document = _load(source)
    school = _school(document[HEADER_KEY], source, context)
    yield school
    students = document.get("students", [])
    if not isinstance(students, list):
        raise AdapterError(f"{source}: 'students' must be a list of students")
    for index, student in enumerate(students, start=1):
        yield from _student(student, index, school, source, context)
        context.progress(index, len(students))


def _load(source: Path) -> dict[str, Any]:
    try:
        document = json.loads(source.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    except json.JSONDecodeError as error:
        raise AdapterError(
            f"{source}:{error.lineno}:{error.colno}: not valid JSON ({error.msg}); "
            "export it again from Acme MIS"
        ) from error
    except UnicodeDecodeError as error:
        raise AdapterError(f"{source}: not UTF-8 text; export it again from Acme MIS") from error
    if not isinstance(document, dict) or not isinstance(document.get(HEADER_KEY), dict):
        raise AdapterError(f"{source}: not an Acme MIS export (no {HEADER_KEY!r} header)")
    version = str(document[HEADER_KEY].get("format_version", ""))
    if version.split(".")[0] not in SUPPORTED_MAJOR_VERSIONS:
        raise AdapterError(
            f"{source}: Acme export format {version or '(none)'} is not supported; this adapter "
            f"reads formats {', '.join(v + '.x' for v in SUPPORTED_MAJOR_VERSIONS)}"
        )
    return document


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
