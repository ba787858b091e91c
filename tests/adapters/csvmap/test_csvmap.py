"""csvmap: any CSV through a declarative mapping, read and written."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import TypeVar

import pytest
from click.testing import CliRunner

from adapters.csvmap import SPEC, default_mapping, mapping_beside
from adapters.csvmap.guide import GUIDE
from sif_core.adapter import ReadContext, WriteContext
from sif_core.cli import main
from sif_core.errors import AdapterError
from sif_core.model import (
    ContactPersonal,
    ContactRelationship,
    LearnerContact,
    LearnerPersonal,
    LearnerSchoolEnrolment,
    NCYear,
    SchoolInfo,
    SIFObject,
)
from sif_core.problems import Problem
from sif_core.tabular import FIELDS, MappingError, parse_mapping
from sif_core.testing.plugin_fixtures import check_adapter, read_all

FILES = Path(__file__).parent / "files"
EXPORT = FILES / "bromcom_pupils.csv"
T = TypeVar("T")


def of_type(objects: list[SIFObject], kind: type[T]) -> list[T]:
    return [obj for obj in objects if isinstance(obj, kind)]


def copy_export(tmp_path: Path, old: str = "", new: str = "") -> Path:
    target = tmp_path / EXPORT.name
    shutil.copy(mapping_beside(EXPORT), mapping_beside(target))
    text = EXPORT.read_text(encoding="utf-8-sig")
    target.write_text(text.replace(old, new) if old else text, encoding="utf-8", newline="")
    return target


def test_bromcom_export_meets_the_adapter_contract(tmp_path: Path) -> None:
    check_adapter(SPEC, EXPORT, tmp_path)


def test_the_mapping_beside_the_file_reads_its_codes_and_dates() -> None:
    result = read_all(SPEC, EXPORT)
    assert result.problems == []
    objects = result.objects
    zoe, tom, chloe = of_type(objects, LearnerPersonal)
    assert (zoe.local_id, zoe.date_of_birth) == ("P0101", dt.date(2015, 3, 4))
    (school,) = of_type(objects, SchoolInfo)
    assert school.laestab == "8012000"
    enrolments = of_type(objects, LearnerSchoolEnrolment)
    assert [e.nc_year for e in enrolments] == [NCYear.Y5, NCYear.Y3, NCYear.R]
    assert enrolments[2].entry_date == dt.date(2024, 9, 4)
    assert [c.names[0].given_name for c in of_type(objects, ContactPersonal)] == [
        "Siân",
        "Margaret",
    ]
    links = of_type(objects, LearnerContact)
    assert [(link.relationship, link.parental_responsibility) for link in links] == [
        (ContactRelationship.MOTHER, True),
        (ContactRelationship.FAMILY_MEMBER, False),
        (ContactRelationship.MOTHER, True),
    ]
    assert links[2].learner_personal_ref_id == tom.ref_id
    assert chloe.upn == "G80120000101A"


def test_a_code_missing_from_the_value_map_names_row_key_column_and_mapping_line(
    tmp_path: Path,
) -> None:
    path = copy_export(tmp_path, ",Grandparent,", ",Aunt,")
    result = read_all(SPEC, path)
    (problem,) = result.problems
    assert (problem.record, problem.line, problem.field) == (
        "row 3 (Pupil Ref P0101), contact C02",
        3,
        "Relation",
    )
    assert f"({mapping_beside(path)}:35)" in problem.message
    assert len(of_type(result.objects, LearnerContact)) == 2


def test_a_mapping_naming_an_unknown_field_fails_before_reading(tmp_path: Path) -> None:
    path = copy_export(tmp_path)
    mapping = mapping_beside(path)
    mapping.write_text(
        mapping.read_text(encoding="utf-8").replace(
            '"LearnerPersonal.UPN"', '"LearnerPersonal.UPM"'
        ),
        encoding="utf-8",
    )
    with pytest.raises(MappingError) as caught:
        list(SPEC.read(path, ReadContext("x")))
    assert (caught.value.source, caught.value.line, caught.value.column) == (str(mapping), 17, 9)
    assert "did you mean 'LearnerPersonal.UPN'" in caught.value.message


def test_without_a_mapping_the_error_says_where_to_put_one(tmp_path: Path) -> None:
    path = tmp_path / "pupils.csv"
    path.write_text("A,B\n1,2\n", encoding="utf-8")
    assert not SPEC.detect(path, path.read_bytes())
    with pytest.raises(AdapterError, match=r"pupils\.mapping\.toml beside the CSV"):
        list(SPEC.read(path, ReadContext("x")))


def test_the_mapping_option_wins_over_the_file_beside(tmp_path: Path) -> None:
    path = copy_export(tmp_path)
    elsewhere = tmp_path / "other.toml"
    elsewhere.write_text(
        mapping_beside(EXPORT)
        .read_text(encoding="utf-8")
        .replace('"Pupil Ref" = "LearnerPersonal.LocalId"', '"Pupil Ref" = "LearnerPersonal.UCI"'),
        encoding="utf-8",
    )
    mapping_beside(path).write_text("not a mapping at all", encoding="utf-8")
    context = ReadContext("x", options={"mapping": str(elsewhere)})
    found = [item for item in SPEC.read(path, context) if isinstance(item, Problem)]
    assert found
    assert all(p.field == "Pupil Ref" for p in found)


def test_writing_puts_the_matching_mapping_beside_the_csv(tmp_path: Path) -> None:
    objects = read_all(SPEC, EXPORT).objects
    assert SPEC.write is not None
    SPEC.write(objects, tmp_path, WriteContext())
    written = tmp_path / "pupils.csv"
    assert mapping_beside(written).read_text(encoding="utf-8") == default_mapping().text
    assert SPEC.detect(written, written.read_bytes()[:8192])
    again = read_all(SPEC, written)
    assert again.problems == []
    assert again.objects == objects


def test_a_code_the_value_map_cannot_write_stops_the_write_and_leaves_nothing(
    tmp_path: Path,
) -> None:
    objects = [
        obj.model_copy(update={"relationship": ContactRelationship.STEP_PARENT})
        if isinstance(obj, LearnerContact)
        else obj
        for obj in read_all(SPEC, EXPORT).objects
    ]
    assert SPEC.write is not None
    with pytest.raises(AdapterError, match=r"'STP', which the value map of column 'Relation'"):
        SPEC.write(
            objects,
            tmp_path / "out" / "pupils.csv",
            WriteContext(options={"mapping": str(mapping_beside(EXPORT))}),
        )
    assert list((tmp_path / "out").iterdir()) == []


def test_the_guide_example_is_a_valid_mapping_and_lists_every_field() -> None:
    example = GUIDE.split("Example mapping:\n\n", 1)[1].split("\n\nA column with", 1)[0]
    mapping = parse_mapping("\n".join(line[4:] for line in example.splitlines()))
    assert mapping.learner_key == ("Admission No",)
    for name in FIELDS:
        assert f"    {name} (" in GUIDE


def test_sif_adapters_show_csvmap_explains_the_format() -> None:
    result = CliRunner().invoke(main, ["adapters", "show", "csvmap"])
    assert result.exit_code == 0, result.output
    assert "Example mapping:" in result.output
    assert '"Gender" = { field = "LearnerPersonal.Sex"' in result.output
    assert "LearnerContact.ParentalResponsibility (yes/no)" in result.output
