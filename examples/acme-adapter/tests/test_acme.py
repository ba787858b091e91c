"""Tests of the Acme MIS adapter, using sifbridge's fixtures for plugin authors."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from sif_core.adapter import AdapterError, AdapterSpec, ReadContext
from sif_core.model import LearnerPersonal, LearnerSchoolEnrolment, SchoolInfo
from sif_core.plugins import PluginHost
from sif_core.testing.plugin_fixtures import check_adapter, read_all

from acme_sif import plugin

SAMPLE = Path(__file__).parent / "data" / "acme-export.json"


@pytest.fixture
def acme(sif_host: PluginHost) -> AdapterSpec:
    sif_host.register(plugin, name="acme", distribution="acme-sif-adapter")
    return sif_host.adapter("acme")


def edited(tmp_path: Path, change: Callable[[dict[str, object]], None]) -> Path:
    document = json.loads(SAMPLE.read_text(encoding="utf-8"))
    change(document)
    path = tmp_path / "acme-export.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_adapter_does_what_every_sifbridge_adapter_must(acme: AdapterSpec, tmp_path: Path) -> None:
    check_adapter(acme, SAMPLE, tmp_path)


def test_export_becomes_the_school_and_each_students_learner_and_enrolment(
    acme: AdapterSpec,
) -> None:
    result = read_all(acme, SAMPLE)
    [school] = result.of_type("SchoolInfo")
    assert isinstance(school, SchoolInfo)
    assert (school.laestab, school.urn, school.phase) == ("8231234", "123456", "PS")
    learners = [o for o in result.objects if isinstance(o, LearnerPersonal)]
    enrolments = [o for o in result.objects if isinstance(o, LearnerSchoolEnrolment)]
    assert [learner.local_id for learner in learners] == ["S00017", "S00018", "S00019", "S00020"]
    amelia = learners[0]
    assert (amelia.sex, amelia.date_of_birth) == ("F", dt.date(2013, 9, 14))
    assert [(n.type, n.given_name) for n in amelia.names] == [("L", "Amelia"), ("P", "Millie")]
    assert amelia.address is not None
    assert amelia.address.post_code == "BN7 2AA"
    assert [e.learner_personal_ref_id for e in enrolments] == [x.ref_id for x in learners]
    assert {e.school_info_ref_id for e in enrolments} == {school.ref_id}
    assert [(e.membership_type, e.nc_year) for e in enrolments] == [
        ("C", "5"),
        ("M", "5"),
        ("C", "R"),
        ("C", "6"),
    ]
    assert enrolments[3].exit_date == dt.date(2024, 7, 19)


def test_student_with_wrong_values_is_reported_by_id_and_field_and_others_read(
    acme: AdapterSpec, tmp_path: Path
) -> None:
    def spoil(document: dict[str, object]) -> None:
        students = document["students"]
        assert isinstance(students, list)
        students[1].update(gender="Unknown", upn="Z801200001001")

    result = read_all(acme, edited(tmp_path, spoil))
    assert [(p.record, p.field) for p in result.problems] == [
        ("student 2 (S00018)", "Sex"),
        ("student 2 (S00018)", "UPN"),
    ]
    assert "Acme gender 'Unknown' is not one of: Male, Female" in result.problems[0].message
    assert len(result.of_type("LearnerPersonal")) == 3


def test_refids_are_the_same_for_the_same_school_and_differ_for_another(
    acme: AdapterSpec,
) -> None:
    first = read_all(acme, SAMPLE, ReadContext(source_system="8231234-acme"))
    again = read_all(acme, SAMPLE, ReadContext(source_system="8231234-acme"))
    other = read_all(acme, SAMPLE, ReadContext(source_system="8239999-acme"))
    assert [o.ref_id for o in first.objects] == [o.ref_id for o in again.objects]
    assert not {o.ref_id for o in first.objects} & {o.ref_id for o in other.objects}


def test_file_that_is_not_valid_json_names_line_and_column(
    acme: AdapterSpec, tmp_path: Path
) -> None:
    broken = tmp_path / "acme-export.json"
    broken.write_text('{"acme_mis_export": {\n  "format_version": 3.2,,\n', encoding="utf-8")
    with pytest.raises(AdapterError, match=r"acme-export.json:2:\d+: not valid JSON"):
        read_all(acme, broken)


def test_export_is_read_student_by_student_so_a_cut_off_file_yields_what_came_before(
    acme: AdapterSpec, tmp_path: Path
) -> None:
    whole = SAMPLE.read_text(encoding="utf-8")
    cut = tmp_path / "acme-export.json"
    cut.write_text(whole[: whole.index('"student_id": "S00019"')], encoding="utf-8")
    read = acme.read(cut, ReadContext(source_system="acme"))
    got = [type(next(read)) for _ in range(5)]
    assert got == [SchoolInfo] + [LearnerPersonal, LearnerSchoolEnrolment] * 2
    with pytest.raises(AdapterError, match=r"acme-export.json:\d+:\d+: .*export it again"):
        next(read)


def test_export_without_its_header_first_is_not_taken_for_an_acme_export(
    acme: AdapterSpec, tmp_path: Path
) -> None:
    document = json.loads(SAMPLE.read_text(encoding="utf-8"))
    header = document.pop("acme_mis_export")
    students_first = tmp_path / "acme-export.json"
    students_first.write_text(json.dumps({**document, "acme_mis_export": header}), "utf-8")
    with pytest.raises(AdapterError, match=r"does not start with the 'acme_mis_export' header"):
        read_all(acme, students_first)


def test_students_that_are_not_a_list_are_refused_naming_the_line(
    acme: AdapterSpec, tmp_path: Path
) -> None:
    def one_student(document: dict[str, object]) -> None:
        students = document["students"]
        assert isinstance(students, list)
        document["students"] = students[0]

    with pytest.raises(AdapterError, match=r"acme-export.json:1: 'students' must be a list"):
        read_all(acme, edited(tmp_path, one_student))


def test_unsupported_format_version_says_which_are_supported(
    acme: AdapterSpec, tmp_path: Path
) -> None:
    def version_two(document: dict[str, object]) -> None:
        header = document["acme_mis_export"]
        assert isinstance(header, dict)
        header["format_version"] = "2.9"

    with pytest.raises(AdapterError, match=r"format 2.9 is not supported; .* reads formats 3.x"):
        read_all(acme, edited(tmp_path, version_two))


def test_wrong_school_header_is_refused_saying_where_to_fix_it(
    acme: AdapterSpec, tmp_path: Path
) -> None:
    def no_establishment(document: dict[str, object]) -> None:
        header = document["acme_mis_export"]
        assert isinstance(header, dict)
        header["school"]["dfe_number"] = "823"

    with pytest.raises(AdapterError, match=r"school header is wrong .*Setup > School"):
        read_all(acme, edited(tmp_path, no_establishment))


def test_sif_json_is_not_mistaken_for_an_acme_export(acme: AdapterSpec) -> None:
    head = b'{"LearnerPersonals": {"LearnerPersonal": []}}'
    assert not acme.detect(Path("pupils.json"), head)
    assert acme.detect(Path("export.json"), SAMPLE.read_bytes()[:8192])


def test_sif_convert_writes_the_export_as_sif_json(
    acme: AdapterSpec, sif_cli: Callable[..., Result], tmp_path: Path
) -> None:
    from sif_core.codec import loads_json

    out = tmp_path / "school.json"
    result = sif_cli("convert", str(SAMPLE), "--to", "sif-json", "--out", str(out))
    assert result.exit_code == 0, result.output
    objects = loads_json(out.read_bytes())
    assert objects == read_all(acme, SAMPLE, ReadContext(source_system="acme")).objects


def test_installed_distribution_registers_acme_through_its_entry_point(
    installed_sif_host: PluginHost,
) -> None:
    assert installed_sif_host.adapter("acme").distribution == "acme-sif-adapter"
