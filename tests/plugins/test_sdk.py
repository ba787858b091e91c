"""The adapter SDK: specs, read contexts, validate_record and the checks plugin authors run."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from sif_core.adapter import AdapterSpec, Problem, ReadContext, validate_record
from sif_core.model import LearnerPersonal, SIFObject
from sif_core.testing.plugin_fixtures import check_adapter, read_all
from tests.plugins.fakes import read_roll, roll_adapter


def test_adapter_name_must_be_lower_case_words_with_hyphens() -> None:
    with pytest.raises(ValueError, match="lower case letters, digits and hyphens"):
        roll_adapter("Acme MIS")


def test_adapter_naming_an_unknown_object_type_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown object types \['Pupil'\]; known types: LAInfo"):
        replace(roll_adapter(), reads=("Pupil",))


def test_adapter_listing_types_it_writes_needs_a_write_function() -> None:
    with pytest.raises(ValueError, match=r"has no write\(\)"):
        replace(roll_adapter(), write=None)


def test_file_patterns_match_the_name_without_regard_to_case() -> None:
    spec = roll_adapter(file_patterns=("*_CTF_*.xml",))
    assert spec.matches_name(Path("/exports/8231234_ctf_8239876_001.XML"))
    assert not spec.matches_name(Path("8231234_ATF_8239876_001.xml"))
    assert roll_adapter(file_patterns=()).matches_name(Path("anything.at.all"))


def test_refids_depend_on_source_system_type_and_local_key_only() -> None:
    school_a = ReadContext(source_system="8231234-acme")
    assert school_a.refid(LearnerPersonal, "1001") == school_a.refid("LearnerPersonal", "1001")
    assert school_a.refid(LearnerPersonal, "1001") == ReadContext("8231234-acme").refid(
        LearnerPersonal, "1001"
    )
    others = {
        school_a.refid(LearnerPersonal, "1002"),
        school_a.refid("ContactPersonal", "1001"),
        ReadContext(source_system="8239876-acme").refid(LearnerPersonal, "1001"),
    }
    assert school_a.refid(LearnerPersonal, "1001") not in others


def test_validate_record_names_the_record_and_every_wrong_field() -> None:
    fields = {
        "RefId": "A" * 32,
        "UPN": "Z801200001001",
        "Name": [{"Type": "L", "FamilyName": "Smith"}],
        "DateOfBirth": "2013-02-30",
        "Sex": "M",
    }
    learner, problems = validate_record(
        LearnerPersonal, fields, source="pupils.csv", record="row 7 (pupil 1007)", line=7
    )
    assert learner is None
    assert [(p.record, p.field, p.line) for p in problems] == [
        ("row 7 (pupil 1007)", "UPN", 7),
        ("row 7 (pupil 1007)", "DateOfBirth", 7),
    ]
    assert "check letter" in problems[0].message


def test_validate_record_builds_the_object_from_python_or_wire_names() -> None:
    by_wire, none = validate_record(
        LearnerPersonal,
        {
            "RefId": "A" * 32,
            "Name": [{"Type": "L", "GivenName": "Zoë"}],
            "DateOfBirth": "2013-01-01",
            "Sex": "F",
        },
        source="s",
        record="r",
    )
    by_python, _ = validate_record(
        LearnerPersonal,
        {
            "ref_id": "A" * 32,
            "names": [{"type": "L", "given_name": "Zoë"}],
            "date_of_birth": "2013-01-01",
            "sex": "F",
        },
        source="s",
        record="r",
    )
    assert none == []
    assert by_wire == by_python
    assert by_wire is not None
    assert by_wire.legal_name.given_name == "Zoë"


def test_bad_record_does_not_stop_the_records_after_it(roll_file: Path) -> None:
    text = roll_file.read_text(encoding="utf-8").replace("2014-01-02", "02/01/2014")
    roll_file.write_text(text, encoding="utf-8")
    result = read_all(roll_adapter(), roll_file)
    assert [obj.local_id for obj in result.objects if isinstance(obj, LearnerPersonal)] == [
        "1001",
        "1003",
    ]
    [problem] = result.problems
    assert (problem.record, problem.field, problem.line) == (
        "line 3 (pupil 1002)",
        "DateOfBirth",
        3,
    )


def test_check_adapter_passes_a_well_behaved_adapter(roll_file: Path, tmp_path: Path) -> None:
    result = check_adapter(roll_adapter(), roll_file, tmp_path)
    assert len(result.objects) == 3


_counter = itertools.count()


def read_with_random_refids(source: Path, context: ReadContext) -> Iterator[SIFObject | Problem]:
    salted = ReadContext(source_system=f"{context.source_system}-{next(_counter)}")
    return read_roll(source, salted)


def test_check_adapter_catches_refids_that_change_between_reads(
    roll_file: Path, tmp_path: Path
) -> None:
    spec = replace(roll_adapter(), read=read_with_random_refids)
    with pytest.raises(AssertionError, match=r"reading .* twice gives different objects"):
        check_adapter(spec, roll_file, tmp_path)


def test_check_adapter_catches_a_detect_that_says_yes_to_anything(
    roll_file: Path, tmp_path: Path
) -> None:
    spec = roll_adapter(detect=lambda path, head: True)
    with pytest.raises(AssertionError, match="accepts a file that is not its format"):
        check_adapter(spec, roll_file, tmp_path)


def test_check_adapter_catches_undeclared_object_types(roll_file: Path, tmp_path: Path) -> None:
    spec: AdapterSpec = replace(roll_adapter(), reads=("SchoolInfo",), writes=())
    with pytest.raises(AssertionError, match=r"reads \['LearnerPersonal'\] but does not declare"):
        check_adapter(spec, roll_file, tmp_path)
