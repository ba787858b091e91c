"""What real CTFs do, read without errors and without changing the data."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import pytest

from sif_core.model import (
    ContactPersonal,
    LearnerAssessmentResult,
    LearnerAttendanceSummary,
    LearnerContact,
    LearnerFSMHistory,
    LearnerPersonal,
    LearnerSchoolEnrolment,
    LearnerSENHistory,
    NameType,
    Sex,
)
from tests.adapters.ctf.conftest import FILES, FULL, QUIRKS, of_type, read


@pytest.mark.parametrize("path", QUIRKS, ids=lambda path: path.stem)
def test_each_quirk_file_reads_without_problems(path: Path) -> None:
    objects, problems, _ = read(path)
    assert problems == []
    assert of_type(objects, LearnerPersonal)


def test_a_single_pupil_reads_to_the_same_shape_as_many() -> None:
    objects, _, _ = read(FILES / "single_pupil_ctf24.xml")
    (learner,) = of_type(objects, LearnerPersonal)
    assert learner.former_upns == ["A801200001004"]
    assert [(lang.type, lang.code) for lang in learner.languages] == [("F", "GUJ")]
    assert [phone.number for phone in learner.phone_numbers] == ["01632960001"]
    (contact,) = of_type(objects, ContactPersonal)
    assert [phone.number for phone in contact.phone_numbers] == ["07700900001"]
    assert len(of_type(objects, LearnerContact)) == 1
    assert [a.academic_year for a in of_type(objects, LearnerAttendanceSummary)] == [2023]
    ((instance,),) = [sen.instances for sen in of_type(objects, LearnerSENHistory)]
    assert [need.type.value for need in instance.needs] == ["ASD"]
    ((fsm,),) = [history.instances for history in of_type(objects, LearnerFSMHistory)]
    assert fsm.start_date == dt.date(2021, 1, 4)
    assert [r.component for r in of_type(objects, LearnerAssessmentResult)] == ["RD"]
    assert [e.entry_date for e in of_type(objects, LearnerSchoolEnrolment)] == [dt.date(2017, 9, 6)]


def test_names_in_capitals_are_kept_as_written() -> None:
    objects, _, _ = read(FILES / "names_in_capitals_ctf21.xml")
    (learner,) = of_type(objects, LearnerPersonal)
    legal = learner.legal_name
    assert (legal.family_name, legal.given_name, legal.middle_names) == (
        "O'NEILL-JONES",
        "SIÂN",
        "MARY ELLEN",
    )
    preferred = next(name for name in learner.names if name.type is NameType.PREFERRED)
    assert preferred.given_name == "SI"
    (contact,) = of_type(objects, ContactPersonal)
    assert (contact.names[0].title, contact.names[0].family_name) == ("MRS", "O'NEILL")


def test_empty_leaving_dates_mean_the_pupil_has_not_left() -> None:
    objects, _, _ = read(FILES / "empty_leaving_date_ctf22.xml")
    enrolments = of_type(objects, LearnerSchoolEnrolment)
    assert [e.exit_date for e in enrolments] == [dt.date(2021, 7, 16), None, None, None]


def test_spaces_and_dashes_in_phone_numbers_are_kept() -> None:
    objects, _, _ = read(FILES / "phone_numbers_with_spaces_ctf25.xml")
    (learner,) = of_type(objects, LearnerPersonal)
    assert [p.number for p in learner.phone_numbers] == ["0113 496 0123", "0113 496-0000"]
    (contact,) = of_type(objects, ContactPersonal)
    assert [p.number for p in contact.phone_numbers] == ["+44 7700 900 123"]


@pytest.mark.parametrize(
    ("name", "surname", "forename", "street"),
    [
        ("windows_1252_ctf20.xml", "O’Brien", "Zoë", "Café Row"),
        ("iso_8859_1_ctf22.xml", "Müller", "Zoë", "Straße Lane"),
        ("bom_utf8_ctf23.xml", "Ní Bhriain", "Siân", "Ffordd Glyndŵr"),
    ],
)
def test_declared_encodings_and_a_bom_give_every_character_as_written(
    name: str, surname: str, forename: str, street: str
) -> None:
    objects, _, _ = read(FILES / name)
    (learner,) = of_type(objects, LearnerPersonal)
    assert (learner.legal_name.family_name, learner.legal_name.given_name) == (surname, forename)
    assert learner.address is not None
    assert learner.address.street == street
    (contact,) = of_type(objects, ContactPersonal)
    assert contact.names[0].given_name == "Renée"


def test_a_utf16_file_with_its_byte_order_mark_reads_as_the_utf8_one(tmp_path: Path) -> None:
    text = FULL.read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    path = tmp_path / FULL.name
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert read(path)[0] == read(FULL)[0]


def test_gender_in_older_versions_and_sex_in_newer_ones_are_both_read() -> None:
    (older,) = of_type(read(FILES / "windows_1252_ctf20.xml")[0], LearnerPersonal)
    (newer,) = of_type(read(FILES / "bom_utf8_ctf23.xml")[0], LearnerPersonal)
    assert (older.sex, newer.sex) == (Sex.F, Sex.F)


def test_sex_and_gender_that_disagree_reject_the_pupil_naming_sex() -> None:
    objects, problems, _ = read(FILES / "gender_and_sex_disagree.xml")
    assert of_type(objects, LearnerPersonal) == []
    (problem,) = problems
    assert (problem.record, problem.field) == ("pupil 1 (UPN H801200001001, Lee Jo)", "Sex")
    assert "Sex 'F' and Gender 'M' disagree" in problem.message
