"""Reading CommandReporter reports: captions decoded, rows folded, every field where it belongs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from adapters.sims import SPEC
from sif_core.model import (
    ContactPersonal,
    ContactRelationship,
    EnrolmentStatus,
    Ethnicity,
    LearnerContact,
    LearnerPersonal,
    LearnerSchoolEnrolment,
    NameType,
    NCYear,
    PhoneType,
    SchoolInfo,
)
from sif_core.testing.plugin_fixtures import check_adapter
from tests.adapters.sims.conftest import CSV_REPORT, XML_REPORT, of_type, read


def test_xml_report_meets_the_adapter_contract(tmp_path: Path) -> None:
    check_adapter(SPEC, XML_REPORT, tmp_path)


def test_csv_report_meets_the_adapter_contract(tmp_path: Path) -> None:
    check_adapter(SPEC, CSV_REPORT, tmp_path)


def test_rows_per_contact_fold_into_learners_with_shared_contacts() -> None:
    objects, problems, _ = read(XML_REPORT)
    assert problems == []
    learners = of_type(objects, LearnerPersonal)
    assert [lp.upn for lp in learners] == ["H801200001001", "B801200005001", "G80120000101A"]
    contacts = of_type(objects, ContactPersonal)
    assert [c.names[0].given_name for c in contacts] == ["Siân", "Seán"]
    links = of_type(objects, LearnerContact)
    zoe, tom, _ = learners
    sian, sean = contacts
    assert [
        (link.learner_personal_ref_id, link.contact_personal_ref_id, link.contact_priority)
        for link in links
    ] == [(zoe.ref_id, sian.ref_id, 1), (zoe.ref_id, sean.ref_id, 2), (tom.ref_id, sian.ref_id, 1)]


def test_captions_with_encoded_spaces_fill_their_fields() -> None:
    objects, _, _ = read(XML_REPORT)
    zoe = of_type(objects, LearnerPersonal)[0]
    assert zoe.local_id == "000101"
    assert zoe.legal_name.middle_names == "Ann"
    preferred = next(n for n in zoe.names if n.type is NameType.PREFERRED)
    assert preferred.given_name == "Zo"
    assert zoe.date_of_birth == dt.date(2015, 3, 4)
    assert zoe.ethnicity is Ethnicity.WBRI
    assert zoe.ethnicity_source is not None
    assert zoe.ethnicity_source.value == "P"
    assert [(lang.type, lang.code) for lang in zoe.languages] == [("F", "ENG")]
    assert zoe.address is not None
    assert zoe.address.post_code == "BS1 4DJ"
    (school,) = of_type(objects, SchoolInfo)
    assert (school.laestab, school.school_name) == ("8012000", "Hilltop Primary School")
    enrolment = of_type(objects, LearnerSchoolEnrolment)[0]
    assert enrolment.membership_type is EnrolmentStatus.C
    assert (enrolment.entry_date, enrolment.nc_year) == (dt.date(2019, 9, 1), NCYear.Y5)
    assert enrolment.school_info_ref_id == school.ref_id
    assert of_type(objects, LearnerSchoolEnrolment)[2].nc_year is NCYear.R
    sean_link = of_type(objects, LearnerContact)[1]
    assert sean_link.relationship is ContactRelationship.FATHER
    assert (sean_link.parental_responsibility, sean_link.lives_with) == (True, False)
    sean = of_type(objects, ContactPersonal)[1]
    assert [(p.type, p.number) for p in sean.phone_numbers] == [(PhoneType.WORK, "0117 496 0123")]


def test_the_csv_and_xml_exports_of_one_report_give_the_same_objects() -> None:
    from_xml, _, _ = read(XML_REPORT)
    from_csv, problems, context = read(CSV_REPORT)
    assert problems == []
    assert from_csv == from_xml
    assert context.metadata["encoding"] == "Windows-1252"


def test_report_without_school_captions_takes_the_school_from_options(tmp_path: Path) -> None:
    text = XML_REPORT.read_text(encoding="utf-8")
    for caption in ("DfE_x0020_Number", "School_x0020_Name"):
        text = "\n".join(line for line in text.splitlines() if caption not in line)
    path = tmp_path / "NoSchool.xml"
    path.write_text(text, encoding="utf-8")
    objects, problems, _ = read(path, laestab="8013001", school_name="Brook Academy")
    assert problems == []
    (school,) = of_type(objects, SchoolInfo)
    assert (school.laestab, school.school_name) == ("8013001", "Brook Academy")


def test_a_mapping_file_replaces_the_shipped_captions(tmp_path: Path) -> None:
    mapping = tmp_path / "captions.toml"
    mapping.write_text(
        '[keys]\nlearner = ["Adno"]\n\n[columns]\n"Adno" = "LearnerPersonal.LocalId"\n'
        '"Legal Surname" = "LearnerPersonal.Name.FamilyName"\n'
        '"DOB" = "LearnerPersonal.DateOfBirth"\n'
        '"Gender" = { field = "LearnerPersonal.Sex", values = { Male = "M", Female = "F" } }\n',
        encoding="utf-8",
    )
    objects, problems, _ = read(CSV_REPORT, mapping=str(mapping))
    assert problems == []
    assert [type(obj).__name__ for obj in objects] == ["LearnerPersonal"] * 3
    assert [lp.local_id for lp in of_type(objects, LearnerPersonal)] == [
        "000101",
        "000102",
        "000103",
    ]


def test_detection_knows_reports_from_other_files(tmp_path: Path) -> None:
    assert SPEC.detect(XML_REPORT, XML_REPORT.read_bytes()[:8192])
    assert SPEC.detect(CSV_REPORT, CSV_REPORT.read_bytes()[:8192])
    other = tmp_path / "other.xml"
    other.write_text('<?xml version="1.0"?><CTfile/>', encoding="utf-8")
    assert not SPEC.detect(other, other.read_bytes())
    plain = tmp_path / "plain.csv"
    plain.write_text("ID,Name,DOB\n1,Ann,01/01/2015\n", encoding="utf-8")
    assert not SPEC.detect(plain, plain.read_bytes())
