"""Reading a full CTF into SIF objects: what each section becomes, and the header as metadata."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sif_core.model import (
    Address,
    ContactPersonal,
    ContactRelationship,
    EnrolmentStatus,
    Ethnicity,
    FSMInstance,
    LearnerAssessmentResult,
    LearnerAttendanceSummary,
    LearnerContact,
    LearnerFSMHistory,
    LearnerPersonal,
    LearnerSchoolEnrolment,
    LearnerSENHistory,
    NameType,
    NCYear,
    SchoolInfo,
    SENNeedType,
    SENProvision,
    Sex,
)
from tests.adapters.ctf.conftest import FULL, by_ref, of_type, read


def test_full_file_reads_without_problems_into_every_object_type() -> None:
    objects, problems, _ = read(FULL)
    assert problems == []
    counts = {kind.__name__: len(of_type(objects, kind)) for kind in (
        SchoolInfo, LearnerPersonal, ContactPersonal, LearnerContact, LearnerSchoolEnrolment,
        LearnerAttendanceSummary, LearnerSENHistory, LearnerFSMHistory, LearnerAssessmentResult,
    )}  # fmt: skip
    assert counts == {
        "SchoolInfo": 2,
        "LearnerPersonal": 2,
        "ContactPersonal": 3,
        "LearnerContact": 3,
        "LearnerSchoolEnrolment": 3,
        "LearnerAttendanceSummary": 2,
        "LearnerSENHistory": 1,
        "LearnerFSMHistory": 1,
        "LearnerAssessmentResult": 3,
    }


def test_header_is_kept_as_transfer_metadata() -> None:
    _, _, context = read(FULL)
    assert context.metadata["ctf"] == {
        "format": "CTF",
        "version": "25.0",
        "document_name": "Common Transfer File",
        "date_time": "2025-07-18T15:30:00",
        "document_qualifier": "full",
        "data_qualifier": "Full",
        "data_descriptor": "Year 6 leavers",
        "supplier_id": "Hand written",
        "supp_id": None,
        "source": {
            "la": "801",
            "estab": "2000",
            "urn": "123456",
            "name": "Hillside Primary School",
            "academic_year": "2024",
        },
        "destination": {"la": "801", "estab": "2001", "urn": "123457", "kind": "school"},
    }


def test_learner_carries_identifiers_names_and_personal_details() -> None:
    objects, _, _ = read(FULL)
    chidi = of_type(objects, LearnerPersonal)[0]
    assert (chidi.upn, chidi.uln, chidi.uci) == ("H801200001001", "1000000043", "A801200001001")
    assert chidi.former_upns == ["B801200005001"]
    names = {name.type: name for name in chidi.names}
    legal, preferred, former = (
        names[NameType.LEGAL],
        names[NameType.PREFERRED],
        names[NameType.FORMER],
    )
    assert (legal.given_name, legal.middle_names, legal.family_name) == (
        "Chidi",
        "Emeka John",
        "Okafor",
    )
    assert (preferred.given_name, preferred.family_name) == ("Chi", "Okafor-Smith")
    assert (former.given_name, former.family_name) == (None, "Smith")
    assert (chidi.date_of_birth, chidi.sex) == (dt.date(2014, 3, 4), Sex.M)
    assert (chidi.ethnicity, chidi.ethnicity_source) == (Ethnicity.BAFR, "P")
    assert [(lang.type, lang.code) for lang in chidi.languages] == [("F", "IGB"), ("H", "ENG")]
    assert (chidi.in_care, chidi.care_authority, chidi.medical_flag) == (True, "802", True)
    assert chidi.email == "chidi.family@example.org"
    assert [(phone.type, phone.number) for phone in chidi.phone_numbers] == [("H", "0113 496 0123")]


def test_address_keeps_bs7666_parts_county_postcode_and_uprn() -> None:
    objects, _, _ = read(FULL)
    chidi = of_type(objects, LearnerPersonal)[0]
    assert chidi.address == Address(
        saon="Flat 2",
        paon="14",
        street="Mill Lane",
        locality="Headingley",
        town="Leeds",
        county="West Yorkshire",
        post_code="LS6 3AB",
        uprn="72712345678",
    )


def test_contacts_keep_order_relationship_responsibility_and_own_details() -> None:
    objects, _, _ = read(FULL)
    refs = by_ref(objects)
    chidi = of_type(objects, LearnerPersonal)[0]
    links = [
        link
        for link in of_type(objects, LearnerContact)
        if link.learner_personal_ref_id == chidi.ref_id
    ]
    assert [(c.contact_priority, c.relationship, c.parental_responsibility) for c in links] == [
        (1, ContactRelationship.MOTHER, True),
        (2, ContactRelationship.FATHER, True),
    ]
    mother, father = (refs[link.contact_personal_ref_id] for link in links)
    assert isinstance(mother, ContactPersonal)
    assert isinstance(father, ContactPersonal)
    assert (mother.names[0].title, mother.names[0].given_name) == ("Mrs", "Ngozi")
    assert [phone.number for phone in mother.phone_numbers] == ["07700 900123", "0113 496 0999"]
    assert father.names[0].middle_names == "Peter"
    assert father.address is not None
    assert father.address.post_code == "BD1 4QQ"


def test_contact_with_address_as_pupil_gets_the_pupils_address() -> None:
    objects, _, _ = read(FULL)
    chidi = of_type(objects, LearnerPersonal)[0]
    mother = of_type(objects, ContactPersonal)[0]
    assert mother.address == chidi.address


def test_school_history_gives_enrolments_and_the_source_school_takes_status_and_year() -> None:
    objects, _, _ = read(FULL)
    refs = by_ref(objects)
    chidi = of_type(objects, LearnerPersonal)[0]
    enrolments = [
        e
        for e in of_type(objects, LearnerSchoolEnrolment)
        if e.learner_personal_ref_id == chidi.ref_id
    ]
    seen = []
    for enrolment in enrolments:
        school = refs[enrolment.school_info_ref_id]
        assert isinstance(school, SchoolInfo)
        seen.append(
            (
                school.laestab,
                enrolment.entry_date,
                enrolment.exit_date,
                enrolment.membership_type,
                enrolment.nc_year,
            )
        )
    assert seen == [
        ("8022100", dt.date(2018, 9, 5), dt.date(2021, 7, 21), None, None),
        ("8012000", dt.date(2021, 9, 6), dt.date(2025, 7, 18), EnrolmentStatus.C, NCYear.Y6),
    ]


def test_schools_come_before_the_objects_that_name_them() -> None:
    objects, _, _ = read(FULL)
    seen: set[str] = set()
    for obj in objects:
        if isinstance(obj, SchoolInfo):
            seen.add(obj.ref_id)
        for ref in (getattr(obj, "school_info_ref_id", None),):
            assert ref is None or ref in seen
    source, riverside = of_type(objects, SchoolInfo)
    assert (source.laestab, source.urn, source.school_name) == (
        "8012000",
        "123456",
        "Hillside Primary School",
    )
    assert (riverside.laestab, riverside.urn, riverside.school_name) == (
        "8022100",
        None,
        "Riverside Infant School",
    )


def test_attendance_sen_fsm_and_assessments_are_read_by_year_and_stage() -> None:
    objects, _, _ = read(FULL)
    attendance = of_type(objects, LearnerAttendanceSummary)
    assert [
        (
            a.academic_year,
            a.sessions_possible,
            a.sessions_authorised_absence,
            a.sessions_unauthorised_absence,
            a.start_date,
        )
        for a in attendance
    ] == [
        (2023, 380, 12, 3, dt.date(2023, 9, 4)),
        (2024, 372, 8, 0, None),
    ]
    (sen,) = of_type(objects, LearnerSENHistory)
    (instance,) = sen.instances
    assert (instance.start_date, instance.provision) == (
        dt.date(2021, 9, 6),
        SENProvision.SEN_SUPPORT,
    )
    assert [(need.rank, need.type) for need in instance.needs] == [
        (1, SENNeedType.SPLD),
        (2, SENNeedType.SLCN),
    ]
    (fsm,) = of_type(objects, LearnerFSMHistory)
    assert fsm.instances == [
        FSMInstance(start_date=dt.date(2020, 9, 1), end_date=dt.date(2022, 8, 31)),
        FSMInstance(start_date=dt.date(2023, 1, 9)),
    ]
    results = of_type(objects, LearnerAssessmentResult)
    assert [
        (r.stage, r.year, r.subject, r.component, r.result_qualifier, r.result) for r in results
    ] == [
        ("KS1", 2021, "MAT", "TA", "NC", "EXS"),
        ("KS2", 2025, "MAT", "SCL", "SS", "108"),
        ("KS2", 2025, "ENG", "WRI", None, "GDS"),
    ]


def test_every_object_refers_to_a_learner_or_school_read_before_it() -> None:
    objects, _, _ = read(FULL)
    seen: set[str] = set()
    for obj in objects:
        for field in ("learner_personal_ref_id", "contact_personal_ref_id", "school_info_ref_id"):
            ref = getattr(obj, field, None)
            assert ref is None or ref in seen, f"{type(obj).__name__}.{field} {ref}"
        seen.add(obj.ref_id)


def test_reading_the_same_file_twice_gives_identical_objects() -> None:
    first, _, _ = read(FULL)
    second, _, _ = read(FULL)
    assert first == second
    assert len({obj.ref_id for obj in first}) == len(first)


def test_refids_follow_the_source_system_not_the_file_name(tmp_path: Path) -> None:
    copy = tmp_path / "renamed.xml"
    copy.write_bytes(FULL.read_bytes())
    assert read(copy)[0] == read(FULL)[0]


def test_progress_reports_bytes_read_up_to_the_file_size() -> None:
    from adapters.ctf import read as read_ctf
    from sif_core.adapter import ReadContext

    reports: list[tuple[int, int | None]] = []
    context = ReadContext("8012000/CTF", progress=lambda done, total: reports.append((done, total)))
    list(read_ctf(FULL, context))
    size = FULL.stat().st_size
    assert reports[-1] == (size, size)
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)
