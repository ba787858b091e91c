"""Reading OneRoster 1.1 bundles: orgs, users, agents and enrollments become SIF objects."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import zipfile
from pathlib import Path

from adapters.oneroster import SPEC
from sif_core.adapter import WriteContext
from sif_core.model import (
    ContactPersonal,
    ContactRelationship,
    LAInfo,
    LearnerContact,
    LearnerPersonal,
    LearnerSchoolEnrolment,
    NCYear,
    PhoneType,
    SchoolInfo,
)
from sif_core.testing import Synth
from sif_core.testing.plugin_fixtures import check_adapter
from tests.adapters.oneroster.conftest import BUNDLE, edited_bundle, of_type, read


def test_wonde_bundle_meets_the_adapter_contract(tmp_path: Path) -> None:
    check_adapter(SPEC, BUNDLE, tmp_path)


def test_orgs_become_an_la_and_its_school() -> None:
    objects, problems, _ = read(BUNDLE)
    assert problems == []
    (la,) = of_type(objects, LAInfo)
    (school,) = of_type(objects, SchoolInfo)
    assert (la.la_id, la.la_name) == ("801", "Bristol City Council")
    assert (school.laestab, school.school_name) == ("8012000", "Hilltop Primary School")
    assert school.la_info_ref_id == la.ref_id


def test_students_carry_uk_identifiers_from_userids_and_identifier() -> None:
    objects, _, _ = read(BUNDLE)
    zoe, tom, chloe = of_type(objects, LearnerPersonal)
    assert (zoe.upn, zoe.local_id, zoe.legal_name.middle_names) == (
        "H801200001001",
        "000101",
        "Ann",
    )
    assert (tom.upn, tom.uln) == ("B801200005001", "1000000043")
    assert (chloe.date_of_birth, chloe.sex.value) == (dt.date(2019, 6, 30), "F")


def test_parents_and_relatives_become_contacts_in_the_students_order() -> None:
    objects, _, _ = read(BUNDLE)
    zoe, tom, _ = of_type(objects, LearnerPersonal)
    sian, margaret = of_type(objects, ContactPersonal)
    assert [(p.type, p.number) for p in sian.phone_numbers] == [
        (PhoneType.HOME, "0117 496 0000"),
        (PhoneType.MOBILE, "07700 900123"),
    ]
    links = [
        (
            link.learner_personal_ref_id,
            link.contact_personal_ref_id,
            link.relationship,
            link.parental_responsibility,
            link.contact_priority,
        )
        for link in of_type(objects, LearnerContact)
    ]
    assert links == [
        (zoe.ref_id, sian.ref_id, ContactRelationship.PARENT, True, 1),
        (zoe.ref_id, margaret.ref_id, ContactRelationship.RELATIVE, False, 2),
        (tom.ref_id, sian.ref_id, ContactRelationship.PARENT, True, 1),
    ]


def test_a_students_class_enrollments_make_one_enrolment_at_the_school() -> None:
    objects, _, _ = read(BUNDLE)
    enrolments = of_type(objects, LearnerSchoolEnrolment)
    assert [(e.entry_date, e.exit_date, e.nc_year) for e in enrolments] == [
        (dt.date(2019, 9, 1), None, NCYear.Y5),
        (dt.date(2021, 9, 1), None, NCYear.Y3),
        (dt.date(2024, 9, 4), None, NCYear.R),
    ]
    assert all(e.membership_type is None for e in enrolments)


def test_teachers_are_left_out() -> None:
    objects, _, _ = read(BUNDLE)
    names = {n.given_name for obj in of_type(objects, ContactPersonal) for n in obj.names}
    assert "Alan" not in names
    assert len(of_type(objects, LearnerPersonal)) == 3


def test_a_zip_of_the_bundle_reads_like_the_folder(tmp_path: Path) -> None:
    archive = tmp_path / "roster.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for file in sorted(BUNDLE.iterdir()):
            zipped.write(file, f"export/{file.name}")
    assert SPEC.detect(archive, archive.read_bytes()[:8192])
    assert read(archive)[0] == read(BUNDLE)[0]


def test_the_manifest_itself_names_the_bundle(tmp_path: Path) -> None:
    assert SPEC.detect(BUNDLE / "manifest.csv", b"propertyName,value\n")
    assert read(BUNDLE / "manifest.csv")[0] == read(BUNDLE)[0]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert not SPEC.detect(empty, b"")
    other = tmp_path / "other.zip"
    shutil.make_archive(str(other.with_suffix("")), "zip", empty)
    assert not SPEC.detect(other, other.read_bytes())


def test_reading_records_the_latest_change_and_source_system() -> None:
    _, _, context = read(BUNDLE)
    assert context.metadata["oneroster.date_last_modified"] == "2024-09-02T06:00:00.000Z"
    assert context.metadata["oneroster.source_system"] == "Wonde"


def test_a_contact_listing_a_student_who_does_not_list_it_comes_after_the_students_own(
    tmp_path: Path,
) -> None:
    bundle = edited_bundle(tmp_path, "users.csv", ",stu-1,,\n", ',"stu-3,stu-1,stu-2",,\n')
    objects, problems, _ = read(bundle)
    assert problems == []
    zoe, tom, chloe = of_type(objects, LearnerPersonal)
    sian, margaret = of_type(objects, ContactPersonal)
    links = [
        (link.learner_personal_ref_id, link.contact_personal_ref_id, link.contact_priority)
        for link in of_type(objects, LearnerContact)
    ]
    assert links == [
        (zoe.ref_id, sian.ref_id, 1),
        (zoe.ref_id, margaret.ref_id, 2),
        (tom.ref_id, sian.ref_id, 1),
        (tom.ref_id, margaret.ref_id, 2),
        (chloe.ref_id, margaret.ref_id, 1),
    ]


def test_the_order_of_the_rows_in_a_large_bundle_does_not_change_what_is_read(
    tmp_path: Path,
) -> None:
    # Thousands of users, so the reader's tables of sourcedIds grow several times over, with
    # every file's rows shuffled: students before or after their demographics and contacts.
    synth = Synth(pupils=3_000, seed=5, schools=1)
    assert SPEC.write is not None
    bundle = tmp_path / "bundle"
    SPEC.write(synth.iter_objects(synth.schools[0]), bundle, WriteContext())
    objects, problems, _ = read(bundle)
    assert problems == []
    rng = random.Random(3)
    for name in ("users.csv", "demographics.csv", "enrollments.csv"):
        header, *rows = (bundle / name).read_text(encoding="utf-8").splitlines(keepends=True)
        rng.shuffle(rows)
        (bundle / name).write_text(header + "".join(rows), encoding="utf-8")
    shuffled, problems, _ = read(bundle)
    assert problems == []
    assert len(of_type(objects, LearnerPersonal)) == 3_000
    assert len(of_type(objects, LearnerContact)) > 3_000
    assert {obj.ref_id: obj for obj in shuffled} == {obj.ref_id: obj for obj in objects}
