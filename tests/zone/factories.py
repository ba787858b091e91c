"""Small synthetic objects for the zone's tests: schools, learners and what belongs to them."""

from __future__ import annotations

import datetime as dt

from sif_core.model import (
    Address,
    ContactPersonal,
    ContactRelationship,
    EnrolmentStatus,
    Ethnicity,
    EthnicitySource,
    LAInfo,
    LearnerContact,
    LearnerPersonal,
    LearnerSchoolEnrolment,
    LearnerSENHistory,
    Name,
    NameType,
    SchoolInfo,
    SENInstance,
    SENNeed,
    SENNeedType,
    SENProvision,
    Sex,
    deterministic_refid,
    upn_check_letter,
)


def refid(*parts: str) -> str:
    """A stable RefId for a test object."""
    return deterministic_refid("zone-tests", parts[0], "/".join(parts))


def upn(la: str, establishment: str, serial: int) -> str:
    """A valid UPN allocated by the school ``la``+``establishment`` in 2020."""
    body = f"{la}{establishment}20{serial:03d}"
    return upn_check_letter(body) + body


def la_info(la: str, name: str) -> LAInfo:
    return LAInfo(ref_id=refid("LAInfo", la), la_id=la, la_name=name)


def school(la: str, establishment: str, name: str) -> SchoolInfo:
    return SchoolInfo(
        ref_id=refid("SchoolInfo", la + establishment),
        la_id=la,
        establishment_id=establishment,
        school_name=name,
    )


def learner(la: str, establishment: str, serial: int, family: str, given: str) -> LearnerPersonal:
    return LearnerPersonal(
        ref_id=refid("LearnerPersonal", la + establishment, str(serial)),
        local_id=f"ADM{serial:04d}",
        upn=upn(la, establishment, serial),
        names=[Name(type=NameType.LEGAL, family_name=family, given_name=given)],
        date_of_birth=dt.date(2015, 3, 1 + serial % 28),
        sex=Sex.F if serial % 2 else Sex.M,
        ethnicity=Ethnicity.WBRI,
        ethnicity_source=EthnicitySource.P,
        address=Address(
            paon=str(serial), street="Mill Lane", town="Northtown", post_code="NT1 2AB"
        ),
        medical_flag=False,
    )


def enrolment(pupil: LearnerPersonal, at: SchoolInfo) -> LearnerSchoolEnrolment:
    return LearnerSchoolEnrolment(
        ref_id=refid("LearnerSchoolEnrolment", pupil.ref_id, at.ref_id),
        learner_personal_ref_id=pupil.ref_id,
        school_info_ref_id=at.ref_id,
        membership_type=EnrolmentStatus.C,
        entry_date=dt.date(2022, 9, 1),
    )


def contact(pupil: LearnerPersonal, family: str) -> tuple[ContactPersonal, LearnerContact]:
    person = ContactPersonal(
        ref_id=refid("ContactPersonal", pupil.ref_id),
        names=[Name(type=NameType.LEGAL, family_name=family, given_name="Pat")],
    )
    link = LearnerContact(
        ref_id=refid("LearnerContact", pupil.ref_id),
        learner_personal_ref_id=pupil.ref_id,
        contact_personal_ref_id=person.ref_id,
        relationship=ContactRelationship.PARENT,
        parental_responsibility=True,
        contact_priority=1,
    )
    return person, link


def sen_history(pupil: LearnerPersonal) -> LearnerSENHistory:
    return LearnerSENHistory(
        ref_id=refid("LearnerSENHistory", pupil.ref_id),
        learner_personal_ref_id=pupil.ref_id,
        instances=[
            SENInstance(
                start_date=dt.date(2023, 1, 9),
                provision=SENProvision.SEN_SUPPORT,
                needs=[SENNeed(rank=1, type=SENNeedType.SLCN)],
            )
        ],
    )
