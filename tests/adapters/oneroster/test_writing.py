"""Writing OneRoster 1.1: valid bundles, and OneRoster -> SIF -> OneRoster byte for byte."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest

from adapters.oneroster import SPEC
from sif_core.adapter import WriteContext
from sif_core.errors import AdapterError
from sif_core.model import (
    ContactPersonal,
    ContactRelationship,
    LearnerContact,
    LearnerPersonal,
    LearnerSchoolEnrolment,
    Name,
    NameType,
    SIFObject,
)
from sif_core.testing import Synth
from tests.adapters.oneroster.conftest import BUNDLE, of_type, read
from tests.adapters.oneroster.validity import bundle_problems

STAMP = {"date_last_modified": "2024-09-02T06:00:00.000Z"}


def write(objects: list[SIFObject], target: Path, **options: str) -> Path:
    assert SPEC.write is not None
    SPEC.write(objects, target, WriteContext(options={**STAMP, **options}))
    return target


def test_the_validity_check_catches_a_broken_bundle(tmp_path: Path) -> None:
    written = write(read(BUNDLE)[0], tmp_path / "out")
    users = written / "users.csv"
    users.write_text(users.read_text(encoding="utf-8").replace(",student,", ",pupil,", 1))
    assert any("role 'pupil'" in problem for problem in bundle_problems(written))


def test_a_written_bundle_is_valid_oneroster_1_1(tmp_path: Path) -> None:
    written = write(read(BUNDLE)[0], tmp_path / "out")
    assert bundle_problems(written) == []


def test_oneroster_to_sif_to_oneroster_is_byte_for_byte(tmp_path: Path) -> None:
    first = write(read(BUNDLE)[0], tmp_path / "first")
    objects, problems, context = read(first)
    assert problems == []
    again = write(objects, tmp_path / "again", date_last_modified="")
    changed = context.metadata["oneroster.date_last_modified"]
    assert isinstance(changed, str)
    second = write(objects, tmp_path / "second", date_last_modified=changed)
    for file in sorted(first.iterdir()):
        assert (second / file.name).read_bytes() == file.read_bytes(), file.name
    assert (again / "users.csv").read_bytes() != (first / "users.csv").read_bytes()


def test_the_sourced_ids_of_the_first_write_are_the_refids(tmp_path: Path) -> None:
    objects = read(BUNDLE)[0]
    first = write(objects, tmp_path / "first")
    users = (first / "users.csv").read_bytes().decode("utf-8")
    for learner in of_type(objects, LearnerPersonal):
        assert f"\r\n{learner.ref_id},active," in users
    assert read(first)[0] == objects


def test_zip_output_is_the_same_bundle_and_deterministic(tmp_path: Path) -> None:
    objects = read(BUNDLE)[0]
    folder = write(objects, tmp_path / "folder")
    one = write(objects, tmp_path / "one.zip")
    two = write(objects, tmp_path / "two.zip")
    assert one.read_bytes() == two.read_bytes()
    with zipfile.ZipFile(one) as archive:
        for name in archive.namelist():
            assert archive.read(name) == (folder / name).read_bytes()


def test_contacts_without_a_parental_role_are_not_given_to_oneroster(tmp_path: Path) -> None:
    objects = read(BUNDLE)[0]
    relabelled = [
        obj.model_copy(update={"relationship": ContactRelationship.CHILDMINDER})
        if isinstance(obj, LearnerContact) and obj.relationship is ContactRelationship.RELATIVE
        else obj
        for obj in objects
    ]
    written = write(relabelled, tmp_path / "out")
    assert "Margaret" not in (written / "users.csv").read_text(encoding="utf-8")
    assert bundle_problems(written) == []
    assert len(of_type(read(written)[0], ContactPersonal)) == 1


def test_a_learner_with_no_enrolment_cannot_be_written_and_nothing_is(tmp_path: Path) -> None:
    objects = [o for o in read(BUNDLE)[0] if not isinstance(o, LearnerSchoolEnrolment)]
    with pytest.raises(AdapterError, match="has no enrolment"):
        write(objects, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_refuses_to_replace_a_folder_that_is_not_a_bundle(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(AdapterError, match="refusing to replace"):
        write(read(BUNDLE)[0], tmp_path)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_contact_without_a_given_name_still_makes_a_valid_user(tmp_path: Path) -> None:
    objects = [
        obj.model_copy(update={"names": [Name(type=NameType.LEGAL, family_name="Jones")]})
        if isinstance(obj, ContactPersonal)
        else obj
        for obj in read(BUNDLE)[0]
    ]
    written = write(objects, tmp_path / "out")
    assert bundle_problems(written) == []


def test_the_academic_session_follows_the_latest_entry_date(tmp_path: Path) -> None:
    written = write(read(BUNDLE)[0], tmp_path / "out")
    sessions = (written / "academicSessions.csv").read_bytes().decode("utf-8")
    assert ",2024/25,schoolYear,2024-09-01,2025-08-31,,2025\r\n" in sessions
    other = write(read(BUNDLE)[0], tmp_path / "other", academic_year="2023")
    assert ",2023/24,schoolYear," in (other / "academicSessions.csv").read_text(encoding="utf-8")
    assert dt.date(2024, 9, 4).isoformat() in (written / "enrollments.csv").read_text()


def test_a_synthetic_school_is_valid_and_round_trips_byte_for_byte(tmp_path: Path) -> None:
    synth = Synth(pupils=120, seed=11, schools=2)
    for school in synth.schools:
        first = write(list(synth.iter_objects(school)), tmp_path / school.laestab / "first")
        assert bundle_problems(first) == []
        objects, problems, context = read(first)
        assert problems == []
        changed = context.metadata["oneroster.date_last_modified"]
        assert isinstance(changed, str)
        second = write(objects, tmp_path / school.laestab / "second", date_last_modified=changed)
        assert sorted(p.name for p in second.iterdir()) == sorted(p.name for p in first.iterdir())
        for file in first.iterdir():
            assert (second / file.name).read_bytes() == file.read_bytes(), file.name
