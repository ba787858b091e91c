"""Mapping files: every mistake names the mapping file's line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from sif_core.tabular import MappingError, load_mapping, parse_mapping

GOOD = """\
[keys]
learner = ["Adno"]

[columns]
"Adno" = "LearnerPersonal.LocalId"
"Surname" = "LearnerPersonal.Name.FamilyName"
"DOB" = "LearnerPersonal.DateOfBirth"
"Gender" = { field = "LearnerPersonal.Sex", values = { Male = "M", Female = "F" } }
"""


def error_of(text: str) -> MappingError:
    with pytest.raises(MappingError) as caught:
        parse_mapping(text, source="pupils.mapping.toml")
    return caught.value


def test_a_good_mapping_keeps_its_columns_in_order() -> None:
    mapping = parse_mapping(GOOD)
    assert [rule.column for rule in mapping.rules] == ["Adno", "Surname", "DOB", "Gender"]
    assert mapping.rules[3].values == {"Male": "M", "Female": "F"}
    assert mapping.encoding == "auto"
    assert mapping.learner_key == ("Adno",)


def test_unknown_field_names_line_column_and_the_likely_field() -> None:
    error = error_of(GOOD.replace('"LearnerPersonal.DateOfBirth"', '"LearnerPersonal.DateOfBrith"'))
    assert (error.line, error.column) == (7, 9)
    assert "unknown field 'LearnerPersonal.DateOfBrith'" in error.message
    assert "did you mean 'LearnerPersonal.DateOfBirth'" in error.message
    assert str(error).startswith("pupils.mapping.toml:7:9:")


def test_value_map_entry_that_is_not_a_code_names_its_position_and_the_codes() -> None:
    error = error_of(GOOD.replace('Female = "F"', 'Female = "W"'))
    assert (error.line, error.column) == (8, 77)
    assert "'W' is not a LearnerPersonal.Sex code; the codes are M, F" in error.message


def test_value_map_in_a_sub_table_is_located_too() -> None:
    text = GOOD.replace(
        '"Gender" = { field = "LearnerPersonal.Sex", values = { Male = "M", Female = "F" } }\n',
        '"Gender" = "LearnerPersonal.Sex"\n\n[columns.Ethnicity]\nfield = '
        '"LearnerPersonal.Ethnicity"\n\n[columns.Ethnicity.values]\n"White - British" = "WBRI"\n'
        '"Indian" = "INDI"\n',
    )
    error = error_of(text)
    assert (error.line, error.column) == (15, 12)
    assert "'INDI' is not a LearnerPersonal.Ethnicity code" in error.message


def test_a_field_every_learner_needs_must_be_mapped_or_defaulted() -> None:
    error = error_of(GOOD.replace('"DOB" = "LearnerPersonal.DateOfBirth"\n', ""))
    assert "LearnerPersonal.DateOfBirth, which every learner needs" in error.message
    assert error.line == 4


def test_defaults_stand_in_for_columns() -> None:
    text = GOOD + '"Admitted" = "LearnerSchoolEnrolment.EntryDate"\n'
    error = error_of(text)
    assert "no column fills SchoolInfo.LAESTAB, which an enrolment's school needs" in error.message
    fixed = text + (
        '\n[defaults]\n"LearnerSchoolEnrolment.MembershipType" = "C"\n'
        '"SchoolInfo.LAESTAB" = "8012000"\n"SchoolInfo.SchoolName" = "Hilltop"\n'
    )
    assert parse_mapping(fixed).defaults["SchoolInfo.LAESTAB"] == "8012000"


def test_a_default_of_the_wrong_kind_is_located() -> None:
    text = GOOD + '\n[defaults]\n"LearnerContact.LivesWith" = "yes"\n'
    error = error_of(text)
    assert (error.line, error.column) == (11, 30)
    assert "give true or false" in error.message


def test_one_field_from_two_columns_is_refused_naming_the_first() -> None:
    error = error_of(GOOD + '"Last name" = "LearnerPersonal.Name.FamilyName"\n')
    assert error.line == 9
    assert "already filled by column 'Surname' (pupils.mapping.toml:6)" in error.message


def test_toml_syntax_error_has_line_and_column() -> None:
    error = error_of(GOOD.replace('"Surname" =', '"Surname" =='))
    assert error.line == 6
    assert "not valid TOML" in error.message


def test_unknown_setting_and_table_are_named() -> None:
    assert "unknown setting 'encodng'" in error_of('[file]\nencodng = "utf-8"\n' + GOOD).message
    assert error_of("[colums]\n" + GOOD).line == 1


def test_a_date_format_must_read_back_what_it_writes() -> None:
    error = error_of('[file]\ndate_format = "%d/%m"\n' + GOOD)
    assert (error.line, error.column) == (2, 15)


def test_unknown_encoding_is_refused_at_its_value() -> None:
    error = error_of('[file]\nencoding = "klingon"\n' + GOOD)
    assert (error.line, error.column) == (2, 12)


def test_the_learner_key_is_required() -> None:
    error = error_of(GOOD.replace('[keys]\nlearner = ["Adno"]\n', ""))
    assert "[keys] must name the learner key columns" in error.message


def test_mapping_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_bytes(GOOD.replace("Surname", "Nom de famille é").encode("cp1252"))
    with pytest.raises(MappingError, match="UTF-8"):
        load_mapping(path)
