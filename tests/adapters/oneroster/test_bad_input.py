"""Bad OneRoster input: a Problem names file, row, sourcedId and column; good rows still read."""

from __future__ import annotations

from pathlib import Path

import pytest

from sif_core.errors import MalformedDocumentError
from sif_core.model import LearnerContact, LearnerPersonal, LearnerSchoolEnrolment, SchoolInfo
from sif_core.tabular import WrongEncodingError
from tests.adapters.oneroster.conftest import edited_bundle, of_type, read


def test_wrong_upn_names_row_sourced_id_and_column_and_the_rest_are_read(tmp_path: Path) -> None:
    bundle = edited_bundle(tmp_path, "users.csv", "{UPN:B801200005001}", "{UPN:Z801200005001}")
    objects, problems, _ = read(bundle)
    (problem,) = problems
    assert problem.source == str(bundle / "users.csv")
    assert (problem.record, problem.line, problem.field) == (
        "row 3 (sourcedId stu-2)",
        3,
        "userIds",
    )
    assert "wrong check letter 'Z'" in problem.message
    assert [lp.local_id for lp in of_type(objects, LearnerPersonal)] == ["000101", "000103"]
    # Tom's enrolment and his link to his mother go with him; nothing dangles.
    assert len(of_type(objects, LearnerSchoolEnrolment)) == 2
    assert len(of_type(objects, LearnerContact)) == 2


def test_a_student_without_demographics_is_reported_not_guessed(tmp_path: Path) -> None:
    bundle = edited_bundle(tmp_path, "demographics.csv", "stu-3,active", "stu-9,active")
    objects, problems, _ = read(bundle)
    (problem,) = problems
    assert problem.record == "row 4 (sourcedId stu-3)"
    assert "no demographics row" in problem.message
    assert len(of_type(objects, LearnerPersonal)) == 2


def test_a_school_identifier_that_is_not_a_laestab_is_named(tmp_path: Path) -> None:
    bundle = edited_bundle(tmp_path, "orgs.csv", ",school,8012000,", ",school,URN100001,")
    objects, problems, _ = read(bundle)
    school_problem = problems[0]
    assert (school_problem.record, school_problem.field) == (
        "row 3 (sourcedId sch2000)",
        "identifier",
    )
    assert "7-digit LAESTAB" in school_problem.message
    assert of_type(objects, SchoolInfo) == []
    # The enrolments at an unknown school are reported, each on its row.
    assert {p.field for p in problems[1:]} == {"schoolSourcedId"}


def test_a_badly_written_date_is_named(tmp_path: Path) -> None:
    bundle = edited_bundle(tmp_path, "enrollments.csv", "2021-09-01", "01/09/2021")
    _, problems, _ = read(bundle)
    (problem,) = problems
    assert (problem.record, problem.field) == ("row 4 (sourcedId enr-3)", "beginDate")
    assert "'01/09/2021' is not a date yyyy-mm-dd" in problem.message


def test_a_required_value_left_empty_is_named(tmp_path: Path) -> None:
    bundle = edited_bundle(tmp_path, "users.csv", ",chloe.dupont,", ",,")
    objects, problems, _ = read(bundle)
    (problem,) = problems
    assert (problem.field, problem.message) == ("username", "username is required in OneRoster 1.1")
    assert len(of_type(objects, LearnerPersonal)) == 2


def test_oneroster_1_2_is_refused_by_version(tmp_path: Path) -> None:
    bundle = edited_bundle(
        tmp_path, "manifest.csv", "oneroster.version,1.1", "oneroster.version,1.2"
    )
    with pytest.raises(MalformedDocumentError, match=r"oneroster\.version is '1\.2'"):
        read(bundle)


def test_a_listed_file_that_is_missing_is_named(tmp_path: Path) -> None:
    bundle = edited_bundle(tmp_path, "manifest.csv", "file.results,absent", "file.results,bulk")
    with pytest.raises(MalformedDocumentError, match=r"lists results\.csv as bulk"):
        read(bundle)


def test_a_missing_required_column_is_named(tmp_path: Path) -> None:
    bundle = edited_bundle(tmp_path, "users.csv", ",role,", ",rôle,")
    with pytest.raises(MalformedDocumentError) as caught:
        read(bundle)
    assert "'rôle' is not a OneRoster 1.1 column of users.csv" in caught.value.message
    assert (caught.value.line, caught.value.column) == (1, 6)


def test_a_windows_1252_users_file_is_named_not_misread(tmp_path: Path) -> None:
    bundle = edited_bundle(tmp_path, "users.csv", "x", "x")
    users = bundle / "users.csv"
    users.write_bytes(users.read_text(encoding="utf-8").encode("cp1252"))
    with pytest.raises(WrongEncodingError) as caught:
        read(bundle)
    assert "Windows-1252" in caught.value.message
    assert caught.value.source == str(users)
    assert caught.value.line == 2


def test_a_zip_that_is_not_a_bundle_says_so(tmp_path: Path) -> None:
    path = tmp_path / "roster.zip"
    path.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    with pytest.raises(MalformedDocumentError, match=r"no manifest\.csv"):
        read(path)
