"""A pupil's history sections: schools and enrolments, attendance, SEN, FSM and assessments."""

from __future__ import annotations

from functools import partial
from xml.etree.ElementTree import Element

from adapters.ctf.scope import PupilScope, leaves, unique_key
from adapters.ctf.validation import Loc, PathSpec, build, ctf_path
from sif_core.model import (
    LearnerAssessmentResult,
    LearnerAttendanceSummary,
    LearnerFSMHistory,
    LearnerSchoolEnrolment,
    LearnerSENHistory,
)

__all__ = ["read_sections"]

_SCHOOL_TAGS = frozenset({"LEA", "Estab", "SchoolName", "EntryDate", "LeavingDate"})
_YEAR_TAGS = frozenset(
    {
        "Year", "LEA", "Estab", "SchoolName", "SessionsPossible", "SessionsAuthorised",
        "SessionsUnauthorised", "AttendanceStartDate",
    }
)  # fmt: skip
_SEN_TAGS = frozenset({"StartDate", "SENprovision", "SENneeds"})
_FSM_HISTORY_TAGS = frozenset({"FSMinstance"})
_FSM_TAGS = frozenset({"FSMstartDate", "FSMendDate"})
_RESULT_TAGS = frozenset(
    {
        "Locale", "Year", "Subject", "Method", "Component", "ResultStatus", "ResultQualifier",
        "Result",
    }
)  # fmt: skip
_ATTENDANCE_PATHS: PathSpec = {
    "academic_year": "Year",
    "start_date": "AttendanceStartDate",
    "sessions_possible": "SessionsPossible",
    "sessions_authorised_absence": "SessionsAuthorised",
    "sessions_unauthorised_absence": "SessionsUnauthorised",
}
_SEN_PATHS: PathSpec = {
    "instances": (
        "SENhistory/SEN",
        {
            "start_date": "StartDate",
            "provision": "SENprovision",
            "needs": ("SENneeds/SENneed", {"rank": "SENtypeRank", "type": "SENtype"}),
        },
    )
}
_FSM_PATHS: PathSpec = {
    "instances": (
        "FSMhistory/FSMinstance",
        {"start_date": "FSMstartDate", "end_date": "FSMendDate"},
    )
}
_RESULT_PATHS: PathSpec = {
    "result_status": "ResultStatus",
    "result_qualifier": "ResultQualifier",
}


def read_sections(scope: PupilScope, pupil: Element, basic: dict[str, str | None]) -> None:
    """Read every history section of one pupil into ``scope``; ``basic`` is the texts of its
    ``BasicDetails``."""
    _read_school_history(scope, pupil.find("SchoolHistory"), basic)
    _read_attendance(scope, pupil.find("Attendance"))
    _read_sen(scope, pupil.find("SENhistory"))
    _read_fsm(scope, pupil.find("FSMhistory"))
    _read_assessments(scope, pupil.find("StageAssessments"))


def _history_path(position: int, loc: Loc) -> str:
    field = str(loc[0]) if loc else ""
    if field == "membership_type":
        return "BasicDetails/EnrolStatus"
    if field == "nc_year":
        return "BasicDetails/NCyearActual"
    prefix = f"SchoolHistory/School[{position}]"
    paths = {"entry_date": "EntryDate", "exit_date": "LeavingDate"}
    return f"{prefix}/{paths[field]}" if field in paths else prefix


def _history_optional(loc: Loc) -> bool:
    return loc[0] in {"membership_type", "nc_year", "exit_date"}


def _read_school_history(
    scope: PupilScope, element: Element | None, basic: dict[str, str | None]
) -> None:
    status, year = basic.get("EnrolStatus"), basic.get("NCyearActual")
    entries = [leaves(school) for school in element.findall("School")] if element else []
    source = scope.header.source.laestab
    # The pupil's registration at the source school is its latest entry there: it takes the
    # enrolment status and year group, which BasicDetails gives for the source school only.
    at_source = [
        i for i, entry in enumerate(entries) if f"{entry.get('LEA')}{entry.get('Estab')}" == source
    ]
    current = max(at_source, key=lambda i: entries[i].get("EntryDate") or "", default=None)
    if current is None and (status is not None or year is not None):
        scope.problem(
            "BasicDetails/EnrolStatus",
            "EnrolStatus and NCyearActual are not kept: SchoolHistory has no entry for the "
            f"source school {source} to attach them to",
            warning=True,
        )
    keys: dict[str, int] = {}
    for position, entry in enumerate(entries, start=1):
        scope.note_unmapped("SchoolHistory/School/", entry.keys(), _SCHOOL_TAGS)
        la, estab = entry.get("LEA"), entry.get("Estab")
        school_ref = scope.school(la, estab, entry.get("SchoolName"))
        if school_ref is None:
            _school_unknown(scope, f"SchoolHistory/School[{position}]", la, estab)
            continue
        is_current = position - 1 == current
        enrolment = build(
            LearnerSchoolEnrolment,
            {
                "ref_id": scope.context.refid(
                    LearnerSchoolEnrolment,
                    unique_key(keys, f"{scope.upn}/{la}{estab}/{entry.get('EntryDate')}"),
                ),
                "learner_personal_ref_id": scope.learner_ref,
                "school_info_ref_id": school_ref,
                "membership_type": status if is_current else None,
                "entry_date": entry.get("EntryDate"),
                "exit_date": entry.get("LeavingDate"),
                "nc_year": year if is_current else None,
            },
            _history_optional,
            partial(_history_path, position),
            scope,
        )
        if enrolment is not None:
            scope.objects.append(enrolment)


def _school_unknown(scope: PupilScope, where: str, la: str | None, estab: str | None) -> None:
    _ref, _school, reason = scope.schools.meet(la, estab, None)
    scope.problem(where, f"left out: {reason}", warning=True)


def _attendance_path(position: int, loc: Loc) -> str:
    return ctf_path(loc, _ATTENDANCE_PATHS, f"Attendance/YearData[{position}]")


def _attendance_optional(loc: Loc) -> bool:
    return loc[0] == "start_date"


def _read_attendance(scope: PupilScope, element: Element | None) -> None:
    if element is None:
        return
    keys: dict[str, int] = {}
    for position, year in enumerate(element.findall("YearData"), start=1):
        values = leaves(year)
        scope.note_unmapped("Attendance/YearData/", values.keys(), _YEAR_TAGS)
        la, estab = values.get("LEA"), values.get("Estab")
        school_ref = scope.school(la, estab, values.get("SchoolName"))
        if school_ref is None:
            _school_unknown(scope, f"Attendance/YearData[{position}]", la, estab)
            continue
        key = unique_key(keys, f"{scope.upn}/{la}{estab}/{values.get('Year')}")
        summary = build(
            LearnerAttendanceSummary,
            {
                "ref_id": scope.context.refid(LearnerAttendanceSummary, key),
                "learner_personal_ref_id": scope.learner_ref,
                "school_info_ref_id": school_ref,
                "academic_year": values.get("Year"),
                "start_date": values.get("AttendanceStartDate"),
                "sessions_possible": values.get("SessionsPossible"),
                "sessions_authorised_absence": values.get("SessionsAuthorised"),
                "sessions_unauthorised_absence": values.get("SessionsUnauthorised"),
            },
            _attendance_optional,
            partial(_attendance_path, position),
            scope,
        )
        if summary is not None:
            scope.objects.append(summary)


def _instances_optional(loc: Loc) -> bool:
    return loc[0] == "instances" and len(loc) > 1


def _read_sen(scope: PupilScope, element: Element | None) -> None:
    if element is None:
        return
    instances = []
    for sen in element.findall("SEN"):
        values = leaves(sen)
        scope.note_unmapped("SENhistory/SEN/", values.keys(), _SEN_TAGS)
        needs = []
        for need in sen.iter("SENneed"):
            need_values = leaves(need)
            needs.append(
                {"rank": need_values.get("SENtypeRank"), "type": need_values.get("SENtype")}
            )
        instances.append(
            {
                "start_date": values.get("StartDate"),
                "provision": values.get("SENprovision"),
                "needs": needs,
            }
        )
    if not instances:
        return
    history = build(
        LearnerSENHistory,
        {
            "ref_id": scope.context.refid(LearnerSENHistory, scope.upn),
            "learner_personal_ref_id": scope.learner_ref,
            "instances": instances,
        },
        _instances_optional,
        partial(ctf_path, spec=_SEN_PATHS),
        scope,
    )
    if history is not None:
        scope.objects.append(history)


def _read_fsm(scope: PupilScope, element: Element | None) -> None:
    if element is None:
        return
    instances = []
    scope.note_unmapped("FSMhistory/", {child.tag for child in element}, _FSM_HISTORY_TAGS)
    for instance in element.findall("FSMinstance"):
        values = leaves(instance)
        scope.note_unmapped("FSMhistory/FSMinstance/", values.keys(), _FSM_TAGS)
        instances.append(
            {"start_date": values.get("FSMstartDate"), "end_date": values.get("FSMendDate")}
        )
    if not instances:
        return
    history = build(
        LearnerFSMHistory,
        {
            "ref_id": scope.context.refid(LearnerFSMHistory, scope.upn),
            "learner_personal_ref_id": scope.learner_ref,
            "instances": instances,
        },
        _instances_optional,
        partial(ctf_path, spec=_FSM_PATHS),
        scope,
    )
    if history is not None:
        scope.objects.append(history)


def _read_assessments(scope: PupilScope, element: Element | None) -> None:
    if element is None:
        return
    keys: dict[str, int] = {}
    for stage_position, key_stage in enumerate(element.findall("KeyStage"), start=1):
        stage = key_stage.findtext("Stage")
        stage = stage.strip() or None if stage else None
        for position, assessment in enumerate(key_stage.findall("StageAssessment"), start=1):
            values = leaves(assessment)
            scope.note_unmapped(
                "StageAssessments/KeyStage/StageAssessment/", values.keys(), _RESULT_TAGS
            )
            get = values.get
            key = (
                f"{scope.upn}/{stage}/{get('Locale')}/{get('Year')}/{get('Subject')}/"
                f"{get('Method')}/{get('Component')}"
            )
            result = build(
                LearnerAssessmentResult,
                {
                    "ref_id": scope.context.refid(LearnerAssessmentResult, unique_key(keys, key)),
                    "learner_personal_ref_id": scope.learner_ref,
                    "stage": stage,
                    "locale": get("Locale"),
                    "year": get("Year"),
                    "subject": get("Subject"),
                    "method": get("Method"),
                    "component": get("Component"),
                    "result_status": get("ResultStatus"),
                    "result_qualifier": get("ResultQualifier"),
                    "result": get("Result"),
                },
                _never_optional,
                partial(_result_path, stage_position, position),
                scope,
            )
            if result is not None:
                scope.objects.append(result)


def _never_optional(loc: Loc) -> bool:
    return False


def _result_path(stage_position: int, position: int, loc: Loc) -> str:
    stage = f"StageAssessments/KeyStage[{stage_position}]"
    prefix = f"{stage}/StageAssessment[{position}]"
    field = str(loc[0]) if loc else ""
    if field == "stage":
        return f"{stage}/Stage"
    if field in _RESULT_PATHS:
        return ctf_path(loc, _RESULT_PATHS, prefix)
    return f"{prefix}/{field.title().replace('_', '')}" if field else prefix
