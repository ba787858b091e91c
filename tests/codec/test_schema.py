"""JSON Schemas: valid, up to date, accepting what the codec writes and naming every problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from sif_core.codec import (
    dumps_json,
    export_schemas,
    from_goessner,
    object_schema,
    validate_document,
)
from sif_core.codec.schema import SCHEMA_DIRECTORY, schema_file_name, schema_text
from sif_core.model import OBJECT_TYPES, SIFObject
from tests.strategies import OBJECT_STRATEGIES, sif_objects

PUPIL: dict[str, Any] = {
    "@RefId": "0123456789ABCDEF0123456789ABCDEF",
    "UPN": "H801200001001",
    "Name": [{"@Type": "L", "GivenName": "Zoë", "FamilyName": "Smith-Jones"}],
    "DateOfBirth": "2015-04-01",
    "Sex": "F",
}


@pytest.mark.parametrize("type_name", list(OBJECT_TYPES))
def test_each_schema_is_a_valid_draft_2020_12_schema(type_name: str) -> None:
    schema = object_schema(OBJECT_TYPES[type_name])
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("type_name", list(OBJECT_TYPES))
def test_checked_in_schemas_match_the_models(type_name: str) -> None:
    cls = OBJECT_TYPES[type_name]
    checked_in = SCHEMA_DIRECTORY / schema_file_name(cls)
    assert checked_in.read_text(encoding="utf-8") == schema_text(cls), (
        f"{checked_in} is stale: regenerate with `sif schema export {SCHEMA_DIRECTORY}`"
    )


def test_no_checked_in_schema_is_left_over_from_a_removed_type() -> None:
    expected = {schema_file_name(cls) for cls in OBJECT_TYPES.values()}
    assert {path.name for path in SCHEMA_DIRECTORY.glob("*.json")} == expected


def test_export_writes_one_file_per_type(tmp_path: Path) -> None:
    written = export_schemas(tmp_path / "schemas")
    assert sorted(path.name for path in written) == sorted(
        f"{name}.schema.json" for name in OBJECT_TYPES
    )
    assert json.loads(written[0].read_text()) == object_schema(OBJECT_TYPES[written[0].stem[:-7]])


@pytest.mark.parametrize("type_name", list(OBJECT_TYPES))
def test_whatever_the_codec_writes_is_valid_against_the_schema(type_name: str) -> None:
    @given(st.lists(OBJECT_STRATEGIES[type_name], min_size=1, max_size=3))
    def check(objects: list[SIFObject]) -> None:
        assert validate_document(json.loads(dumps_json(objects[0]))) == []
        assert validate_document(json.loads(dumps_json(objects))) == []

    check()


@given(st.lists(sif_objects(), max_size=5))
def test_mixed_documents_are_checked_item_by_item(objects: list[SIFObject]) -> None:
    assert validate_document(json.loads(dumps_json(objects))) == []


def test_every_problem_is_reported_with_its_path_not_only_the_first() -> None:
    bad = {
        **PUPIL,
        "Sex": "X",
        "Name": [{"@Type": "L", "GivenName": "Zoë", "Nickname": "Z"}],
        "DateOfBirth": "01/04/2015",
    }
    del bad["@RefId"]
    problems = validate_document({"LearnerPersonals": {"LearnerPersonal": [PUPIL, bad]}})
    by_path = {problem.path: problem.message for problem in problems}
    assert set(by_path) == {
        "$.LearnerPersonals.LearnerPersonal[1]",
        "$.LearnerPersonals.LearnerPersonal[1].Name[0]",
        "$.LearnerPersonals.LearnerPersonal[1].DateOfBirth",
        "$.LearnerPersonals.LearnerPersonal[1].Sex",
    }
    assert "'@RefId' is a required property" in by_path["$.LearnerPersonals.LearnerPersonal[1]"]
    assert "Nickname" in by_path["$.LearnerPersonals.LearnerPersonal[1].Name[0]"]


def test_the_shape_the_codec_writes_is_required() -> None:
    # A list field is always an array, a boolean a JSON boolean, an absent value left out.
    single_name = {**PUPIL, "Name": PUPIL["Name"][0], "InCare": "true", "Email": None}
    problems = validate_document({"LearnerPersonal": single_name})
    assert {problem.path for problem in problems} == {
        "$.LearnerPersonal.Name",
        "$.LearnerPersonal.InCare",
        "$.LearnerPersonal.Email",
    }


def test_identifiers_are_shaped_by_the_schema_and_checked_by_the_model() -> None:
    temporary_uln = {**PUPIL, "ULN": "9999999999", "UPN": "H80120000100"}
    paths = {p.path for p in validate_document({"LearnerPersonal": temporary_uln})}
    assert paths == {"$.LearnerPersonal.ULN", "$.LearnerPersonal.UPN"}
    wrong_check_letter = {**PUPIL, "UPN": "Z801200001001"}
    assert validate_document({"LearnerPersonal": wrong_check_letter}) == []
    with pytest.raises(ValidationError, match="check letter"):
        from_goessner("LearnerPersonal", wrong_check_letter)


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ([], "$"),
        ({"LearnerPersonal": PUPIL, "LAInfo": {}}, "$"),
        ({"Pupils": []}, "$.Pupils"),
        ({"SIFObjects": [{"Pupil": {}}]}, "$.SIFObjects[0]"),
        ({"SIFObjects": {"LearnerPersonal": PUPIL}}, "$.SIFObjects"),
    ],
)
def test_documents_of_no_known_shape_are_one_problem_at_their_root(
    document: Any, path: str
) -> None:
    problems = validate_document(document)
    assert [problem.path for problem in problems] == [path]
