"""Rows to objects: repeated rows fold, bad values are Problems naming row, key and column."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import pytest

from sif_core.adapter import ReadContext
from sif_core.model import (
    ContactPersonal,
    LearnerContact,
    LearnerPersonal,
    LearnerSchoolEnrolment,
    SchoolInfo,
    SIFObject,
)
from sif_core.problems import Problem, Severity
from sif_core.tabular import CSVTable, MappingError, TableReader, parse_mapping

T = TypeVar("T")

MAPPING = """\
[file]
date_format = "%d/%m/%Y"

[keys]
learner = ["Adno"]
contact = ["Contact ID"]

[defaults]
"LearnerSchoolEnrolment.MembershipType" = "C"
"SchoolInfo.LAESTAB" = "8012000"
"SchoolInfo.SchoolName" = "Hilltop Primary"

[columns]
"Adno" = "LearnerPersonal.LocalId"
"UPN" = "LearnerPersonal.UPN"
"Forename" = "LearnerPersonal.Name.GivenName"
"Surname" = "LearnerPersonal.Name.FamilyName"
"DOB" = "LearnerPersonal.DateOfBirth"
"Gender" = { field = "LearnerPersonal.Sex", values = { Male = "M", Female = "F" } }
"Admitted" = "LearnerSchoolEnrolment.EntryDate"
"Contact Forename" = "ContactPersonal.Name.GivenName"
"Contact Surname" = "ContactPersonal.Name.FamilyName"
"Relationship" = { field = "LearnerContact.Relationship", values = { Mother = "MUM", Father = "DAD" } }
"Responsible" = "LearnerContact.ParentalResponsibility"
"""  # noqa: E501

HEADER = "Adno,UPN,Forename,Surname,DOB,Gender,Admitted,Contact ID,Contact Forename,Contact Surname,Relationship,Responsible\n"  # noqa: E501


def read(tmp_path: Path, rows: str, mapping: str = MAPPING) -> list[SIFObject | Problem]:
    path = tmp_path / "pupils.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return read_file(path, mapping)


def read_file(path: Path, mapping: str = MAPPING) -> list[SIFObject | Problem]:
    table = CSVTable.from_path(path)
    reader = TableReader(
        parse_mapping(mapping, source="m.toml"),
        ReadContext("8012000/TEST"),
        source=str(path),
        columns=table.index,
    )
    return list(reader.read(table.rows()))


def of_type(found: list[SIFObject | Problem], kind: type[T]) -> list[T]:
    return [item for item in found if isinstance(item, kind)]


SIBLINGS = (
    "001,H801200001001,Zoë,O'Brien,04/03/2015,Female,01/09/2019,C1,Siân,O'Brien,Mother,Yes\n"
    "001,H801200001001,Zoë,O'Brien,04/03/2015,Female,01/09/2019,C2,Seán,O'Brien,Father,Yes\n"
    "002,B801200005001,Tom,O'Brien,12/12/2016,Male,01/09/2021,C1,Siân,O'Brien,Mother,Yes\n"
)


def test_rows_repeated_per_contact_fold_into_one_learner_with_several_contacts(
    tmp_path: Path,
) -> None:
    found = read(tmp_path, SIBLINGS)
    assert of_type(found, Problem) == []
    learners = of_type(found, LearnerPersonal)
    assert [lp.legal_name.given_name for lp in learners] == ["Zoë", "Tom"]
    assert len(of_type(found, SchoolInfo)) == 1
    assert len(of_type(found, LearnerSchoolEnrolment)) == 2
    contacts = of_type(found, ContactPersonal)
    assert [c.names[0].given_name for c in contacts] == ["Siân", "Seán"]
    links = of_type(found, LearnerContact)
    zoe, tom = learners
    assert [(link.learner_personal_ref_id, link.contact_priority) for link in links] == [
        (zoe.ref_id, 1),
        (zoe.ref_id, 2),
        (tom.ref_id, 1),
    ]
    assert links[0].contact_personal_ref_id == links[2].contact_personal_ref_id


def test_reading_the_same_export_twice_gives_identical_objects(tmp_path: Path) -> None:
    assert read(tmp_path, SIBLINGS) == read(tmp_path, SIBLINGS)


def test_value_missing_from_the_value_map_names_row_key_column_and_mapping_line(
    tmp_path: Path,
) -> None:
    rows = SIBLINGS.replace("12/12/2016,Male", "12/12/2016,Boy")
    found = read(tmp_path, rows)
    (problem,) = of_type(found, Problem)
    assert problem.record == "row 4 (Adno 002)"
    assert problem.line == 4
    assert problem.field == "Gender"
    assert "'Boy' has no entry in the value map of column 'Gender' (m.toml:19)" in problem.message
    assert [lp.local_id for lp in of_type(found, LearnerPersonal)] == ["001"]


def test_wrong_upn_check_letter_names_the_pupil_and_field_and_the_rest_are_read(
    tmp_path: Path,
) -> None:
    found = read(tmp_path, SIBLINGS.replace("H801200001001", "Z801200001001"))
    problems = of_type(found, Problem)
    assert {(p.record, p.field, p.line) for p in problems} == {("row 2 (Adno 001)", "UPN", 2)}
    assert "wrong check letter 'Z'" in problems[0].message
    assert [lp.local_id for lp in of_type(found, LearnerPersonal)] == ["002"]
    # Tom's contact Siân is still read; Zoë's rows give no dangling links.
    links = of_type(found, LearnerContact)
    assert len(links) == 1


def test_bad_date_names_the_format_expected(tmp_path: Path) -> None:
    found = read(tmp_path, SIBLINGS.replace("12/12/2016", "2016/12/12"))
    (problem,) = of_type(found, Problem)
    assert problem.field == "DOB"
    assert "in the form dd/mm/yyyy" in problem.message


def test_same_learner_with_different_details_is_a_warning_naming_the_columns(
    tmp_path: Path,
) -> None:
    rows = SIBLINGS.replace("C2,Seán", "C2,Seán").replace(
        "001,H801200001001,Zoë,O'Brien,04/03/2015,Female,01/09/2019,C2",
        "001,H801200001001,Zoe,O'Brien,04/03/2015,Female,01/09/2019,C2",
    )
    found = read(tmp_path, rows)
    (warning,) = of_type(found, Problem)
    assert warning.severity is Severity.WARNING
    assert warning.record == "row 3 (Adno 001)"
    assert "different learner details (columns Forename)" in warning.message
    assert of_type(found, LearnerPersonal)[0].legal_name.given_name == "Zoë"


def test_empty_learner_key_is_a_problem_for_that_row_only(tmp_path: Path) -> None:
    found = read(tmp_path, "," + SIBLINGS.split("\n", 1)[0].split(",", 1)[1] + "\n" + SIBLINGS)
    (problem,) = of_type(found, Problem)
    assert (problem.record, problem.field) == ("row 2", "Adno")
    assert len(of_type(found, LearnerPersonal)) == 2


def test_missing_mapped_column_names_the_mapping_line(tmp_path: Path) -> None:
    with pytest.raises(MappingError) as caught:
        read(tmp_path, SIBLINGS, MAPPING.replace('"Admitted"', '"Admission"'))
    error = caught.value
    assert (error.source, error.line) == ("m.toml", 20)
    assert "has no column 'Admission'" in error.message
    assert "pupils.csv" in error.message


def test_missing_columns_may_be_ignored_when_the_mapping_says_so(tmp_path: Path) -> None:
    mapping = MAPPING.replace("[file]\n", '[file]\nmissing_columns = "ignore"\n').replace(
        '"Adno" = "LearnerPersonal.LocalId"',
        '"Adno" = "LearnerPersonal.LocalId"\n"Email" = "LearnerPersonal.Email"',
    )
    found = read(tmp_path, SIBLINGS, mapping)
    assert len(of_type(found, LearnerPersonal)) == 2


def test_learner_without_contacts_has_no_contact_objects(tmp_path: Path) -> None:
    found = read(tmp_path, "003,,Ann,Lee,01/01/2014,Female,01/09/2018,,,,,\n")
    assert of_type(found, Problem) == []
    assert of_type(found, ContactPersonal) == []
    assert len(of_type(found, LearnerPersonal)) == 1


def test_without_the_contact_key_column_contacts_are_told_apart_by_value(tmp_path: Path) -> None:
    mapping = MAPPING.replace("[file]\n", '[file]\nmissing_columns = "ignore"\n')
    rows = "".join(
        ",".join(cells[:7] + cells[8:]) + "\n"
        for cells in (line.split(",") for line in SIBLINGS.splitlines())
    )
    path = tmp_path / "pupils.csv"
    path.write_text(HEADER.replace("Contact ID,", "") + rows, encoding="utf-8")
    table = CSVTable.from_path(path)
    reader = TableReader(
        parse_mapping(mapping), ReadContext("x"), source=str(path), columns=table.index
    )
    found = list(reader.read(table.rows()))
    assert of_type(found, Problem) == []
    # Siân appears for Zoë and for Tom: without a key she is each learner's own contact.
    assert [c.names[0].given_name for c in of_type(found, ContactPersonal)] == [
        "Siân",
        "Seán",
        "Siân",
    ]
    assert len(of_type(found, LearnerContact)) == 3


def test_a_learners_rows_apart_still_fold_and_number_its_contacts_on(tmp_path: Path) -> None:
    rows = (
        "001,H801200001001,Zoë,O'Brien,04/03/2015,Female,01/09/2019,C1,Siân,O'Brien,Mother,Yes\n"
        "002,B801200005001,Tom,O'Brien,12/12/2016,Male,01/09/2021,C1,Siân,O'Brien,Mother,Yes\n"
        "001,H801200001001,Zoë,O'Brien,04/03/2015,Female,01/09/2019,C2,Seán,O'Brien,Father,Yes\n"
        "001,H801200001001,Zoë,O'Brien,04/03/2015,Female,01/09/2019,C1,Siân,O'Brien,Mother,Yes\n"
        "002,B801200005001,Tom,O'Brien,12/12/2016,Male,02/09/2022,C1,Siân,O'Brien,Mother,Yes\n"
        "001,H801200001001,Zoë,O'Brien,04/03/2015,Female,01/09/2019,C2,Seán,O'Brien,Father,Yes\n"
    )
    found = read(tmp_path, rows)
    assert of_type(found, Problem) == []
    zoe, tom = of_type(found, LearnerPersonal)
    assert [c.names[0].given_name for c in of_type(found, ContactPersonal)] == ["Siân", "Seán"]
    links = of_type(found, LearnerContact)
    assert [(link.learner_personal_ref_id, link.contact_priority) for link in links] == [
        (zoe.ref_id, 1),
        (tom.ref_id, 1),
        (zoe.ref_id, 2),
    ]
    enrolments = of_type(found, LearnerSchoolEnrolment)
    assert [(e.learner_personal_ref_id, str(e.entry_date)) for e in enrolments] == [
        (zoe.ref_id, "2019-09-01"),
        (tom.ref_id, "2021-09-01"),
        (tom.ref_id, "2022-09-02"),
    ]


def test_a_learner_met_again_rows_later_with_other_details_is_a_warning_naming_its_first_row(
    tmp_path: Path,
) -> None:
    rows = SIBLINGS + SIBLINGS.splitlines(keepends=True)[0].replace("Zoë", "Zoe")
    found = read(tmp_path, rows)
    (warning,) = of_type(found, Problem)
    assert warning.severity is Severity.WARNING
    assert warning.line == 5
    assert "repeats the learner of row 2 with different learner details;" in warning.message


def test_keys_whose_cells_hold_the_separator_are_told_apart(tmp_path: Path) -> None:
    mapping = MAPPING.replace('learner = ["Adno"]', 'learner = ["Tag", "Group"]')
    path = tmp_path / "pupils.csv"
    base = SIBLINGS.splitlines()
    rows = [f"{HEADER.strip()},Tag,Group", f"{base[0]},X\x1fY,Z", f"{base[2]},X,Y\x1fZ"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    found = read_file(path, mapping)
    # Both keys joined with the separator give the same text: still two learners.
    assert [lp.local_id for lp in of_type(found, LearnerPersonal)] == ["001", "002"]
    assert of_type(found, Problem) == []


def test_thousands_of_learners_met_again_after_all_the_others_fold_exactly(
    tmp_path: Path,
) -> None:
    # Enough learners, contacts and links for the fold's key tables to grow several times over
    # between a learner's first rows and its later ones; each learner also shares the next
    # learner's first contact (a sibling's), met again on a third pass.
    learners = 9_000

    def row(n: int, contact: str, given: str, relationship: str) -> str:
        return (
            f"{n},,Pupil{n},Smith,04/03/2015,Female,01/09/2019,"
            f"{contact},{given},Smith,{relationship},Yes\n"
        )

    def shared(n: int) -> str:
        m = (n + 1) % learners
        return row(n, f"A{m}", f"Ann{m}", "Mother")

    first = [row(n, f"A{n}", f"Ann{n}", "Mother") for n in range(learners)]
    later = [
        row(n, f"B{n}", f"Bob{n}", "Father") + row(n, f"A{n}", f"Ann{n}", "Mother") + shared(n)
        for n in range(learners)
    ]
    again = [shared(n) + row(n, f"B{n}", f"Bob{n}", "Father") for n in range(learners)]
    found = read(tmp_path, "".join(first + later + again))
    assert of_type(found, Problem) == []
    people = of_type(found, LearnerPersonal)
    assert len(people) == learners
    assert len(of_type(found, LearnerSchoolEnrolment)) == learners
    contacts = of_type(found, ContactPersonal)
    assert len({c.ref_id for c in contacts}) == len(contacts) == 2 * learners
    ref_of = {p.local_id: p.ref_id for p in people}
    contact_of = {c.names[0].given_name: c.ref_id for c in contacts}
    links = of_type(found, LearnerContact)
    expected = [(ref_of[str(n)], contact_of[f"Ann{n}"], 1) for n in range(learners)]
    for n in range(learners):
        sibling = contact_of[f"Ann{(n + 1) % learners}"]
        expected += [(ref_of[str(n)], contact_of[f"Bob{n}"], 2), (ref_of[str(n)], sibling, 3)]
    found_links = [
        (link.learner_personal_ref_id, link.contact_personal_ref_id, link.contact_priority)
        for link in links
    ]
    assert found_links == expected
