"""Writing SIF objects as a CTF: version, header, destination codes, file name, partial files,
and nothing written that the objects do not hold or half-written when something fails."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest

from adapters.ctf import SUPPORTED_VERSIONS, write_ctf
from sif_core.errors import AdapterError
from sif_core.model import (
    ContactPersonal,
    FSMInstance,
    FSMType,
    LearnerContact,
    LearnerFSMHistory,
    LearnerPersonal,
    SchoolInfo,
    SIFObject,
)
from tests.adapters.ctf.conftest import FULL, of_type, read

WHEN = {"date_time": "2025-07-18T15:30:00"}


@pytest.fixture(scope="module")
def full_objects() -> list[SIFObject]:
    return read(FULL)[0]


def parsed(path: Path) -> ElementTree.Element:
    # The file is the adapter's own output, written a moment ago.
    return ElementTree.parse(path).getroot()  # noqa: S314


def test_default_is_the_newest_version_to_an_unknown_destination(
    tmp_path: Path, full_objects: list[SIFObject]
) -> None:
    path = write_ctf(full_objects, tmp_path, WHEN)
    assert path == tmp_path / "8012000_CTF_MMMMMMM_001.xml"
    header = parsed(path).find("Header")
    assert header is not None
    assert header.findtext("CTFversion") == "25.0"
    assert (header.findtext("DestSchool/LEA"), header.findtext("DestSchool/Estab")) == (
        "MMM",
        "MMMM",
    )


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_every_version_is_written_with_its_own_sex_element(
    tmp_path: Path, full_objects: list[SIFObject], version: str
) -> None:
    path = write_ctf(full_objects, tmp_path, {**WHEN, "version": version.split(".")[0]})
    root = parsed(path)
    assert root.findtext("Header/CTFversion") == version
    sex, gender = root.findall("CTFpupilData/Pupil/Sex"), root.findall("CTFpupilData/Pupil/Gender")
    expected_sex = int(version.split(".")[0]) >= 23
    assert (len(sex), len(gender)) == ((2, 0) if expected_sex else (0, 2))


def test_a_format_names_its_version_and_an_explicit_version_wins(
    tmp_path: Path, full_objects: list[SIFObject]
) -> None:
    older = parsed(write_ctf(full_objects, tmp_path, {**WHEN, "format": "ctf-20"}))
    assert older.findtext("Header/CTFversion") == "20.0"
    assert older.find("CTFpupilData/Pupil/Gender") is not None
    both = parsed(write_ctf(full_objects, tmp_path, {**WHEN, "format": "ctf-20", "version": "24"}))
    assert both.findtext("Header/CTFversion") == "24.0"


def test_header_holds_source_school_destination_and_options(
    tmp_path: Path, full_objects: list[SIFObject]
) -> None:
    options = {
        **WHEN,
        "dest_la": "801",
        "dest_estab": "2001",
        "dest_urn": "123457",
        "supplier": "Acme MIS",
        "academic_year": "2024",
        "data_descriptor": "Year 6 leavers",
    }
    header = parsed(write_ctf(full_objects, tmp_path, options)).find("Header")
    assert header is not None
    assert [(child.tag, child.text) for child in header if len(child) == 0] == [
        ("DocumentName", "Common Transfer File"),
        ("CTFversion", "25.0"),
        ("DateTime", "2025-07-18T15:30:00"),
        ("DocumentQualifier", "full"),
        ("DataDescriptor", "Year 6 leavers"),
        ("SupplierID", "Acme MIS"),
    ]
    source = {child.tag: child.text for child in header.find("SourceSchool") or []}
    assert source == {
        "LEA": "801",
        "Estab": "2000",
        "URN": "123456",
        "SchoolName": "Hillside Primary School",
        "AcademicYear": "2024",
    }
    destination = {child.tag: child.text for child in header.find("DestSchool") or []}
    assert destination == {"LEA": "801", "Estab": "2001", "URN": "123457"}


def test_academic_year_defaults_to_the_year_the_current_one_began(
    tmp_path: Path, full_objects: list[SIFObject]
) -> None:
    spring = parsed(write_ctf(full_objects, tmp_path, {"date_time": "2025-03-01T09:00:00"}))
    autumn = parsed(write_ctf(full_objects, tmp_path, {"date_time": "2025-09-01T09:00:00"}))
    assert spring.findtext("Header/SourceSchool/AcademicYear") == "2024"
    assert autumn.findtext("Header/SourceSchool/AcademicYear") == "2025"


@pytest.mark.parametrize(
    ("la", "estab", "name"),
    [
        ("MMM", "MMMM", "8012000_CTF_MMMMMMM_001.xml"),
        ("XXX", "XXXX", "8012000_CTF_XXXXXXX_001.xml"),
        ("801", "LLLL", "8012000_CTF_801LLLL_001.xml"),
        ("802", "2100", "8012000_CTF_8022100_001.xml"),
    ],
)
def test_destination_codes_give_the_conventional_file_name(
    tmp_path: Path, full_objects: list[SIFObject], la: str, estab: str, name: str
) -> None:
    path = write_ctf(full_objects, tmp_path, {**WHEN, "dest_la": la, "dest_estab": estab})
    assert path.name == name
    assert parsed(path).findtext("Header/DestSchool/Estab") == estab


def test_each_new_file_to_one_destination_takes_the_next_sequence_number(
    tmp_path: Path, full_objects: list[SIFObject]
) -> None:
    names = [write_ctf(full_objects, tmp_path, WHEN).name for _ in range(3)]
    assert names == [f"8012000_CTF_MMMMMMM_00{n}.xml" for n in (1, 2, 3)]
    assert sorted(p.name for p in tmp_path.iterdir()) == names


def test_a_sequence_number_can_be_chosen_but_not_reused(
    tmp_path: Path, full_objects: list[SIFObject]
) -> None:
    path = write_ctf(full_objects, tmp_path, {**WHEN, "sequence": "42"})
    assert path.name == "8012000_CTF_MMMMMMM_042.xml"
    with pytest.raises(AdapterError, match="already exists; choose another sequence"):
        write_ctf(full_objects, tmp_path, {**WHEN, "sequence": "42"})


def test_a_file_target_is_written_under_its_own_name(
    tmp_path: Path, full_objects: list[SIFObject]
) -> None:
    target = tmp_path / "out.xml"
    assert write_ctf(full_objects, target, WHEN) == target
    assert len(parsed(target).findall("CTFpupilData/Pupil")) == 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"version": "19"}, "CTF version '19' is not supported; choose one of 20.0"),
        ({"qualifier": "most"}, "qualifier must be full or partial"),
        ({"qualifier": "partial"}, "a partial CTF needs sections=..."),
        ({"qualifier": "partial", "sections": "contacts,pets"}, r"\(not pets\)"),
        ({"sections": "contacts"}, "sections only applies to a partial CTF"),
        ({"dest_la": "MMM", "dest_estab": "1234"}, "destination LA MMM goes with establishment"),
        ({"dest_la": "80", "dest_estab": "1234"}, "destination LA '80' must be 3 digits"),
        ({"source_la": "801"}, "source_la must be 3 digits and source_estab 4 digits"),
        ({"date_time": "18/07/2025"}, "date_time must look like"),
        ({"destination": "801"}, "unknown CTF write option"),
        ({"format": "ctf-19"}, "format 'ctf-19' is not one of CTF, ctf-20"),
    ],
)
def test_bad_options_are_refused_before_anything_is_written(
    tmp_path: Path, full_objects: list[SIFObject], options: dict[str, str], message: str
) -> None:
    with pytest.raises(AdapterError, match=message):
        write_ctf(full_objects, tmp_path, options)
    assert list(tmp_path.iterdir()) == []


def test_a_partial_ctf_carries_only_the_sections_asked_for(
    tmp_path: Path, full_objects: list[SIFObject]
) -> None:
    options = {**WHEN, "qualifier": "partial", "sections": "assessments, attendance"}
    root = parsed(write_ctf(full_objects, tmp_path, options))
    assert root.findtext("Header/DocumentQualifier") == "partial"
    first = root.find("CTFpupilData/Pupil")
    assert first is not None
    assert [child.tag for child in first] == [
        "UPN", "UniqueLearnerNumber", "UCI", "Surname", "Forename", "DOB", "Sex",
        "Attendance", "StageAssessments",
    ]  # fmt: skip


def test_nothing_is_written_that_the_objects_do_not_hold(tmp_path: Path) -> None:
    school = SchoolInfo(ref_id="A" * 32, la_id="801", establishment_id="2000", school_name="Oak")
    learner = LearnerPersonal.model_validate(
        {
            "ref_id": "B" * 32,
            "upn": "H801200001001",
            "names": [{"type": "L", "given_name": "Ann", "family_name": "Lee"}],
            "date_of_birth": "2014-01-01",
            "sex": "F",
        }
    )
    options = {**WHEN, "source_la": "801", "source_estab": "2000"}
    root = parsed(write_ctf([school, learner], tmp_path, options))
    (pupil,) = root.findall("CTFpupilData/Pupil")
    assert [(child.tag, child.text) for child in pupil] == [
        ("UPN", "H801200001001"),
        ("Surname", "Lee"),
        ("Forename", "Ann"),
        ("DOB", "2014-01-01"),
        ("Sex", "F"),
    ]
    assert root.find("Header/SourceSchool/URN") is None
    assert root.find("Header/DataQualifier") is None


def test_universal_infant_free_meals_are_not_written_as_fsm_eligibility(
    tmp_path: Path, full_objects: list[SIFObject]
) -> None:
    (history,) = of_type(full_objects, LearnerFSMHistory)
    infant = FSMInstance(start_date=dt.date(2017, 9, 6), type=FSMType.UNIVERSAL_INFANT)
    changed = history.model_copy(update={"instances": [infant, *history.instances]})
    objects = [changed if obj is history else obj for obj in full_objects]
    root = parsed(write_ctf(objects, tmp_path, WHEN))
    starts = [
        e.text for e in root.iterfind("CTFpupilData/Pupil/FSMhistory/FSMinstance/FSMstartDate")
    ]
    assert starts == ["2020-09-01", "2023-01-09"]


def test_a_contact_at_the_pupils_address_is_written_as_address_as_pupil(
    tmp_path: Path, full_objects: list[SIFObject]
) -> None:
    root = parsed(write_ctf(full_objects, tmp_path, WHEN))
    mother, father = root.findall("CTFpupilData/Pupil[1]/Contacts/Contact")
    assert (mother.findtext("AddressAsPupil"), mother.find("Address")) == ("true", None)
    assert (father.findtext("AddressAsPupil"), father.findtext("Address/PostCode")) == (
        None,
        "BD1 4QQ",
    )


def test_progress_counts_the_pupils_written(tmp_path: Path, full_objects: list[SIFObject]) -> None:
    seen: list[tuple[int, int | None]] = []
    write_ctf(full_objects, tmp_path, WHEN, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, None), (2, None)]


def test_a_failure_part_way_leaves_nothing_behind(
    tmp_path: Path, full_objects: list[SIFObject]
) -> None:
    def failing() -> Iterator[SIFObject]:
        yield from full_objects[:8]
        raise OSError("the MIS went away")

    with pytest.raises(OSError, match="the MIS went away"):
        write_ctf(failing(), tmp_path, WHEN)
    assert list(tmp_path.iterdir()) == []


def test_objects_not_grouped_by_pupil_are_refused_naming_the_object(
    tmp_path: Path, full_objects: list[SIFObject]
) -> None:
    learners = of_type(full_objects, LearnerPersonal)
    others = [obj for obj in full_objects if not isinstance(obj, LearnerPersonal)]
    with pytest.raises(AdapterError, match="whose LearnerPersonal is not next to it"):
        write_ctf([*others, *learners], tmp_path, WHEN)
    assert list(tmp_path.iterdir()) == []


def test_a_link_to_a_contact_never_given_is_refused(
    tmp_path: Path, full_objects: list[SIFObject]
) -> None:
    objects = [obj for obj in full_objects if not isinstance(obj, ContactPersonal)]
    link = of_type(objects, LearnerContact)[0]
    with pytest.raises(AdapterError, match=f"LearnerContact {link.ref_id} points to Contact"):
        write_ctf(objects, tmp_path, WHEN)


def test_without_enrolments_the_source_school_must_be_named(tmp_path: Path) -> None:
    learner = LearnerPersonal.model_validate(
        {
            "ref_id": "B" * 32,
            "upn": "H801200001001",
            "names": [{"type": "L", "given_name": "Ann", "family_name": "Lee"}],
            "date_of_birth": "2014-01-01",
            "sex": "F",
        }
    )
    with pytest.raises(AdapterError, match="give source_la and source_estab"):
        write_ctf([learner], tmp_path, WHEN)
