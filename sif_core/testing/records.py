"""A synthetic pupil as one school's export holds it: SIF objects with that school's RefIds."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from sif_core.model import (
    ContactPersonal,
    EnrolmentStatus,
    LearnerAssessmentResult,
    LearnerAttendanceSummary,
    LearnerContact,
    LearnerFSMHistory,
    LearnerPersonal,
    LearnerSchoolEnrolment,
    LearnerSENHistory,
    SchoolInfo,
    SIFObject,
    deterministic_refid,
)
from sif_core.testing.calendar import SchoolCalendar
from sif_core.testing.layout import NC_YEARS, SchoolPlan, source_system
from sif_core.testing.pupils import Person

__all__ = ["SyntheticPupil", "pupil_record"]

#: Attendance summaries go back at most this many academic years before the current one.
_ATTENDANCE_YEARS = 4


@dataclass(frozen=True)
class SyntheticPupil:
    """One pupil in one school's export: the learner and every object that hangs off it.

    A dual-registered pupil appears once in each school's export, with that school's RefIds and
    the same UPN, names and date of birth. Siblings at one school share their contacts: the
    second of them names the first in ``sibling_ref_id`` and :meth:`objects` then yields only its
    LearnerContact links, so each ContactPersonal appears once per export.
    """

    school: SchoolInfo
    learner: LearnerPersonal
    enrolments: tuple[LearnerSchoolEnrolment, ...]
    contacts: tuple[tuple[ContactPersonal, LearnerContact], ...]
    attendance: tuple[LearnerAttendanceSummary, ...]
    sen: LearnerSENHistory | None
    fsm: LearnerFSMHistory | None
    assessments: tuple[LearnerAssessmentResult, ...]
    sibling_ref_id: str | None = None

    def objects(self) -> Iterator[SIFObject]:
        """The learner first, then its enrolments, contacts, attendance, SEN, FSM and results."""
        yield self.learner
        yield from self.enrolments
        for contact, link in self.contacts:
            if self.sibling_ref_id is None:
                yield contact
            yield link
        yield from self.attendance
        if self.sen is not None:
            yield self.sen
        if self.fsm is not None:
            yield self.fsm
        yield from self.assessments


def pupil_record(
    *,
    calendar: SchoolCalendar,
    holder: SchoolPlan,
    person: Person,
    local_id: str,
    membership: EnrolmentStatus,
    entry_date: dt.date,
    absence_rate: float,
    rng: random.Random,
    sibling_ref_id: str | None = None,
) -> SyntheticPupil:
    """Build ``person``'s objects as the school ``holder`` records them, under ``local_id``."""
    system = source_system(holder.info)
    school_ref = holder.info.ref_id

    def refid(kind: type[SIFObject], key: str) -> str:
        return deterministic_refid(system, kind.object_name, key)

    learner_ref = refid(LearnerPersonal, local_id)
    learner = LearnerPersonal(
        ref_id=learner_ref,
        local_id=local_id,
        upn=person.upn,
        uln=person.uln,
        former_upns=list(person.former_upns),
        names=list(person.names),
        date_of_birth=person.date_of_birth,
        sex=person.sex,
        ethnicity=person.ethnicity,
        ethnicity_source=person.ethnicity_source,
        languages=list(person.languages),
        address=person.address,
        phone_numbers=list(person.phones),
        email=person.email,
        in_care=person.care_authority is not None,
        care_authority=person.care_authority,
        home_la=person.home_la,
        medical_flag=person.medical_flag,
    )
    enrolment = LearnerSchoolEnrolment(
        ref_id=refid(LearnerSchoolEnrolment, f"{local_id}/{entry_date.isoformat()}"),
        learner_personal_ref_id=learner_ref,
        school_info_ref_id=school_ref,
        membership_type=membership,
        entry_date=entry_date,
        nc_year=NC_YEARS[person.year_index],
    )
    contacts = []
    for priority, contact in enumerate(person.household.contacts, start=1):
        contact_key = f"{person.household.key}/{contact.key}"
        contact_ref = refid(ContactPersonal, contact_key)
        contacts.append(
            (
                ContactPersonal(
                    ref_id=contact_ref,
                    local_id=f"C{person.household.key}.{contact.key}",
                    names=[contact.name],
                    address=contact.address,
                    phone_numbers=list(contact.phones),
                    email=contact.email,
                ),
                LearnerContact(
                    ref_id=refid(LearnerContact, f"{local_id}/{contact_key}"),
                    learner_personal_ref_id=learner_ref,
                    contact_personal_ref_id=contact_ref,
                    relationship=contact.relationship,
                    parental_responsibility=contact.parental_responsibility,
                    lives_with=contact.lives_with,
                    emergency_contact=contact.emergency_contact,
                    contact_priority=priority,
                ),
            )
        )
    attendance = []
    first_year = max(calendar.academic_year_of(entry_date), calendar.year - _ATTENDANCE_YEARS)
    for year in range(first_year, calendar.year + 1):
        possible = calendar.sessions_possible(year, entry_date)
        if possible == 0:
            continue
        missed = round(possible * min(0.9, absence_rate * rng.uniform(0.6, 1.5)))
        unauthorised = round(missed * rng.uniform(0.15, 0.45))
        attendance.append(
            LearnerAttendanceSummary(
                ref_id=refid(LearnerAttendanceSummary, f"{local_id}/{year}"),
                learner_personal_ref_id=learner_ref,
                school_info_ref_id=school_ref,
                academic_year=year,
                start_date=max(entry_date, calendar.term_start(year)),
                sessions_possible=possible,
                sessions_authorised_absence=missed - unauthorised,
                sessions_unauthorised_absence=unauthorised,
            )
        )
    sen = None
    if person.sen:
        sen = LearnerSENHistory(
            ref_id=refid(LearnerSENHistory, local_id),
            learner_personal_ref_id=learner_ref,
            instances=list(person.sen),
        )
    fsm = None
    if person.fsm:
        fsm = LearnerFSMHistory(
            ref_id=refid(LearnerFSMHistory, local_id),
            learner_personal_ref_id=learner_ref,
            instances=list(person.fsm),
        )
    assessments = tuple(
        LearnerAssessmentResult(
            ref_id=refid(LearnerAssessmentResult, f"{local_id}/{result.key}"),
            learner_personal_ref_id=learner_ref,
            stage=result.stage,
            locale="ENG",
            year=result.year,
            subject=result.subject,
            method=result.method,
            component=result.component,
            result=result.result,
        )
        for result in person.results
    )
    return SyntheticPupil(
        school=holder.info,
        learner=learner,
        enrolments=(enrolment,),
        contacts=tuple(contacts),
        attendance=tuple(attendance),
        sen=sen,
        fsm=fsm,
        assessments=assessments,
        sibling_ref_id=sibling_ref_id,
    )
