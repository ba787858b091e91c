"""Goessner notation: the shape both SIF XML and SIF JSON carry, and what reading forgives."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from sif_core.codec import from_goessner, to_goessner
from sif_core.model import (
    ContactRelationship,
    LearnerContact,
    LearnerPersonal,
    Name,
    NameType,
    PhoneNumber,
    PhoneType,
    Sex,
)

REFID = "0123456789ABCDEF0123456789ABCDEF"
OTHER = "FEDCBA9876543210FEDCBA9876543210"


def _pupil(**changes: Any) -> LearnerPersonal:
    fields: dict[str, Any] = {
        "ref_id": REFID,
        "upn": "H801200001001",
        "names": [Name(type=NameType.LEGAL, given_name="Zoë", family_name="Smith-Jones")],
        "date_of_birth": dt.date(2015, 4, 1),
        "sex": Sex.F,
    }
    fields.update(changes)
    return LearnerPersonal(**fields)


def _errors(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {
        ".".join(str(part) for part in detail["loc"]): detail["msg"]
        for detail in error.value.errors()
    }


def test_attributes_lists_enums_and_dates_take_their_wire_form() -> None:
    pupil = _pupil(phone_numbers=[PhoneNumber(type=PhoneType.MOBILE, number="07700 900123")])
    assert to_goessner(pupil) == {
        "@RefId": REFID,
        "UPN": "H801200001001",
        "Name": [{"@Type": "L", "GivenName": "Zoë", "FamilyName": "Smith-Jones"}],
        "DateOfBirth": "2015-04-01",
        "Sex": "F",
        "PhoneNumber": [{"@Type": "M", "#text": "07700 900123"}],
    }


def test_absent_values_and_empty_lists_are_left_out() -> None:
    content = to_goessner(_pupil())
    assert "ULN" not in content
    assert "PhoneNumber" not in content
    assert "FormerUPN" not in content


def test_booleans_and_integers_stay_json_booleans_and_numbers() -> None:
    link = LearnerContact(
        ref_id=REFID,
        learner_personal_ref_id=OTHER,
        contact_personal_ref_id=OTHER,
        relationship=ContactRelationship.MOTHER,
        parental_responsibility=True,
        contact_priority=2,
    )
    content = to_goessner(link)
    assert content["ParentalResponsibility"] is True
    assert content["LivesWith"] is False
    assert content["ContactPriority"] == 2


def test_one_repeat_as_a_single_dict_reads_like_a_list_of_one() -> None:
    # xmltodict gives a dict for one <Name> and a list for two.
    content = {
        "@RefId": REFID,
        "Name": {"@Type": "L", "GivenName": "Zoë", "FamilyName": "Smith-Jones"},
        "DateOfBirth": "2015-04-01",
        "Sex": "F",
        "FormerUPN": "B801200005001",
    }
    pupil = from_goessner("LearnerPersonal", content)
    assert isinstance(pupil, LearnerPersonal)
    assert pupil.names[0].given_name == "Zoë"
    assert pupil.former_upns == ["B801200005001"]


def test_xml_text_forms_read_as_typed_values() -> None:
    content = {
        "@RefId": REFID,
        "@xmlns": "urn:sifbridge:sif-uk:1",
        "Name": [{"@Type": "L", "FamilyName": "Ó Briain"}],
        "DateOfBirth": "2015-04-01",
        "Sex": "M",
        "InCare": "true",
        "Email": None,  # an empty element means absent
        "PhoneNumber": {"@Type": "H", "#text": "01234 567890"},
    }
    pupil = from_goessner("LearnerPersonal", content)
    assert isinstance(pupil, LearnerPersonal)
    assert pupil.in_care is True
    assert pupil.email is None
    assert pupil.date_of_birth == dt.date(2015, 4, 1)
    assert pupil.phone_numbers == [PhoneNumber(type=PhoneType.HOME, number="01234 567890")]


def test_every_problem_is_reported_with_its_wire_path() -> None:
    content = {
        "@RefId": "not-a-refid",
        "UPN": "Z801200001001",
        "Name": [{"@Type": "L", "GivenName": "Zoë"}, {"@Type": "Q", "GivenName": "Zo"}],
        "DateOfBirth": "2015-02-30",
        "Sex": "F",
    }
    with pytest.raises(ValidationError) as error:
        from_goessner("LearnerPersonal", content)
    errors = _errors(error)
    assert set(errors) == {"RefId", "UPN", "Name.1.Type", "DateOfBirth"}
    assert "check letter" in errors["UPN"]


@pytest.mark.parametrize(
    ("key", "reported_as"),
    [
        ("RefId", "<RefId>"),  # an attribute written as an element
        ("@Sex", "@Sex"),  # an element written as an attribute
        ("#text", "#text"),  # text where the object has none
        ("ref_id", "<ref_id>"),  # a Python name is not a wire name
        ("Surname", "Surname"),  # not a field at all
    ],
)
def test_misplaced_or_unknown_keys_are_refused_by_name(key: str, reported_as: str) -> None:
    content: dict[str, Any] = {
        "Name": [{"@Type": "L", "GivenName": "Zoë"}],
        "DateOfBirth": "2015-04-01",
        "Sex": "F",
        "@RefId": REFID,
    }
    content[key] = REFID if key in ("RefId", "ref_id") else "F"
    with pytest.raises(ValidationError) as error:
        from_goessner("LearnerPersonal", content)
    assert _errors(error) == {reported_as: "Extra inputs are not permitted"}


def test_an_unknown_object_type_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        from_goessner("CTfile", {})
