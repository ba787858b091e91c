"""The object model refuses what SIF-UK data may not hold, and names the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from sif_core.model import (
    COLLECTIONS,
    OBJECT_TYPES,
    EnrolmentStatus,
    LearnerAttendanceSummary,
    LearnerPersonal,
    LearnerSchoolEnrolment,
    Name,
    NameType,
    SchoolInfo,
    Sex,
    WorkforcePersonal,
    new_refid,
)
from sif_core.problems import problems_from_validation_error


def _learner(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "RefId": new_refid(),
        "UPN": "H801200001001",
        "Name": [{"Type": "L", "GivenName": "Zoë", "FamilyName": "Smith-Jones"}],
        "DateOfBirth": "2015-04-01",
        "Sex": "F",
    }
    document.update(changes)
    return document


def _field_errors(error: ValidationError) -> dict[str, str]:
    return {
        str(problem.field): problem.message
        for problem in problems_from_validation_error(error, source="t", record="r")
    }


def test_a_valid_learner_reads_from_wire_names_and_keeps_accents() -> None:
    learner = LearnerPersonal.model_validate(_learner())
    assert learner.legal_name.given_name == "Zoë"
    assert learner.date_of_birth == dt.date(2015, 4, 1)
    assert learner.sex is Sex.F


def test_wrong_upn_check_letter_is_reported_on_the_upn_field() -> None:
    with pytest.raises(ValidationError) as caught:
        LearnerPersonal.model_validate(_learner(UPN="Z801200001001"))
    errors = _field_errors(caught.value)
    assert "wrong check letter" in errors["UPN"]


def test_temporary_uln_is_refused_as_a_learners_uln() -> None:
    with pytest.raises(ValidationError) as caught:
        LearnerPersonal.model_validate(_learner(ULN="9999999999"))
    assert "temporary" in _field_errors(caught.value)["ULN"]


def test_every_problem_is_reported_not_only_the_first() -> None:
    with pytest.raises(ValidationError) as caught:
        LearnerPersonal.model_validate(
            _learner(UPN="Z801200001001", DateOfBirth="2015-02-30", Sex="X", RefId="abc")
        )
    assert set(_field_errors(caught.value)) == {"UPN", "DateOfBirth", "Sex", "RefId"}


def test_lower_case_refid_is_refused() -> None:
    with pytest.raises(ValidationError):
        LearnerPersonal.model_validate(_learner(RefId=new_refid().lower()))


def test_learner_needs_a_legal_name() -> None:
    with pytest.raises(ValidationError, match="legal name"):
        LearnerPersonal.model_validate(
            _learner(Name=[{"Type": "P", "GivenName": "Zoë", "FamilyName": "Smith"}])
        )


def test_text_fields_refuse_empty_and_control_characters_and_trim_spaces() -> None:
    with pytest.raises(ValidationError):
        Name(type=NameType.LEGAL, given_name="", family_name="Smith")
    with pytest.raises(ValidationError):
        Name(type=NameType.LEGAL, given_name="Zo\x07e", family_name="Smith")
    assert Name(type=NameType.LEGAL, family_name="  Smith ").family_name == "Smith"


def test_unknown_fields_are_refused_not_dropped() -> None:
    with pytest.raises(ValidationError) as caught:
        LearnerPersonal.model_validate(_learner(Religion="none"))
    assert "Religion" in _field_errors(caught.value)


def test_enrolment_exit_before_entry_is_refused() -> None:
    with pytest.raises(ValidationError, match="before EntryDate"):
        LearnerSchoolEnrolment(
            ref_id=new_refid(),
            learner_personal_ref_id=new_refid(),
            school_info_ref_id=new_refid(),
            membership_type=EnrolmentStatus.C,
            entry_date=dt.date(2024, 9, 1),
            exit_date=dt.date(2024, 8, 1),
        )


def test_attendance_absence_cannot_exceed_possible_sessions() -> None:
    with pytest.raises(ValidationError, match="more than"):
        LearnerAttendanceSummary(
            ref_id=new_refid(),
            learner_personal_ref_id=new_refid(),
            school_info_ref_id=new_refid(),
            academic_year=2024,
            sessions_possible=10,
            sessions_authorised_absence=6,
            sessions_unauthorised_absence=5,
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [("LAId", "80"), ("EstablishmentId", "12000"), ("URN", "1234567"), ("URN", "12345A")],
)
def test_school_identifiers_have_exact_lengths(field: str, value: str) -> None:
    document = {
        "RefId": new_refid(),
        "LAId": "801",
        "EstablishmentId": "2000",
        "URN": "123456",
        "SchoolName": "Hillside Primary",
    }
    document[field] = value
    with pytest.raises(ValidationError) as caught:
        SchoolInfo.model_validate(document)
    assert field in _field_errors(caught.value)


def test_school_laestab_joins_la_and_establishment() -> None:
    school = SchoolInfo(
        ref_id=new_refid(), la_id="801", establishment_id="2000", school_name="Hillside"
    )
    assert school.laestab == "8012000"


@pytest.mark.parametrize("ni_number", ["JG103759A", "AB123456D"])
def test_valid_ni_numbers(ni_number: str) -> None:
    staff = WorkforcePersonal(
        ref_id=new_refid(),
        names=[Name(type=NameType.LEGAL, given_name="Ann", family_name="Lee")],
        ni_number=ni_number,
    )
    assert staff.ni_number == ni_number


@pytest.mark.parametrize(
    "ni_number", ["GB123456A", "QQ123456C", "AB123456E", "DA123456A", "AB12345C"]
)
def test_invalid_ni_numbers(ni_number: str) -> None:
    with pytest.raises(ValidationError):
        WorkforcePersonal(
            ref_id=new_refid(),
            names=[Name(type=NameType.LEGAL, given_name="Ann", family_name="Lee")],
            ni_number=ni_number,
        )


def test_registries_name_each_type_by_element_and_collection() -> None:
    assert OBJECT_TYPES["LearnerPersonal"] is LearnerPersonal
    assert COLLECTIONS["LearnerPersonals"] is LearnerPersonal
    assert COLLECTIONS["LearnerAttendanceSummaries"] is LearnerAttendanceSummary
    assert len(OBJECT_TYPES) == len(COLLECTIONS) == 11
