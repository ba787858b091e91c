"""One pupil's SIF objects as a CTF ``Pupil`` element, in the specification's element order.

Only what the objects hold is written: a value that is ``None`` leaves its element out, a
section with nothing in it is left out whole, and nothing is defaulted or made up.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Final

from adapters.ctf.grouping import PupilRecord
from adapters.ctf.xmlout import leaf
from sif_core.errors import AdapterError
from sif_core.model import (
    Address,
    FSMType,
    LearnerSchoolEnrolment,
    NameType,
    PhoneNumber,
    SchoolInfo,
)

__all__ = ["ALL_SECTIONS", "PupilWriter"]

#: The parts of a pupil a partial CTF may carry (the identifying core is always written).
ALL_SECTIONS: Final = (
    "basic",
    "fsm",
    "looked_after",
    "sen",
    "address",
    "contacts",
    "attendance",
    "assessments",
    "history",
)

_I2, _I3, _I4, _I5, _I6, _I7 = ("  " * n for n in range(2, 8))


class PupilWriter:
    """Writes pupils for one file: its version's sex element, its source school, its sections."""

    def __init__(
        self,
        *,
        sex_element: str,
        source: tuple[str, str],
        schools: Mapping[str, SchoolInfo],
        sections: Collection[str] = ALL_SECTIONS,
    ) -> None:
        self._sex = sex_element
        self._source = source
        self._schools = schools
        self._sections = frozenset(sections)

    def pupil(self, record: PupilRecord) -> str:
        """The ``Pupil`` element for ``record``, as indented text."""
        learner = record.learner
        legal = learner.legal_name
        if learner.upn is None:
            raise AdapterError(
                f"LearnerPersonal {learner.ref_id} has no UPN; every pupil in a CTF needs one"
            )
        wanted = self._sections
        parts = [
            f"{_I2}<Pupil>\n",
            leaf(_I3, "UPN", learner.upn),
            leaf(_I3, "UniqueLearnerNumber", learner.uln),
            leaf(_I3, "UCI", learner.uci),
            leaf(_I3, "Surname", legal.family_name),
            leaf(_I3, "Forename", legal.given_name),
            leaf(_I3, "DOB", learner.date_of_birth),
            leaf(_I3, self._sex, learner.sex),
        ]
        if "basic" in wanted:
            parts.append(self._basic(record))
        if "fsm" in wanted:
            parts.append(_fsm(record))
        if "looked_after" in wanted and (learner.in_care, learner.care_authority) != (None, None):
            parts += [
                f"{_I3}<LookedAfter>\n",
                leaf(_I4, "InCare", learner.in_care),
                leaf(_I4, "CareAuthority", learner.care_authority),
                f"{_I3}</LookedAfter>\n",
            ]
        if "sen" in wanted:
            parts.append(_sen(record))
        if "address" in wanted:
            parts += [
                _address(learner.address, _I3),
                _phones(learner.phone_numbers, _I3),
                leaf(_I3, "Email", learner.email),
            ]
        if "contacts" in wanted:
            parts.append(_contacts(record))
        if "attendance" in wanted:
            parts.append(self._attendance(record))
        if "assessments" in wanted:
            parts.append(_assessments(record))
        if "history" in wanted:
            parts.append(self._history(record))
        parts.append(f"{_I2}</Pupil>\n")
        return "".join(parts)

    def _school(self, ref_id: str, owner: str) -> SchoolInfo:
        school = self._schools.get(ref_id)
        if school is None:
            raise AdapterError(
                f"{owner} refers to SchoolInfo {ref_id}, which is not among the objects given "
                "before it; give the schools first"
            )
        return school

    def _at_source(self, record: PupilRecord) -> LearnerSchoolEnrolment | None:
        """The pupil's registration at the source school: its latest there, if any."""
        found = None
        for enrolment in record.enrolments:
            school = self._school(enrolment.school_info_ref_id, f"enrolment {enrolment.ref_id}")
            if (school.la_id, school.establishment_id) == self._source and (
                found is None or enrolment.entry_date > found.entry_date
            ):
                found = enrolment
        return found

    def _basic(self, record: PupilRecord) -> str:
        learner = record.learner
        preferred = next((n for n in learner.names if n.type is NameType.PREFERRED), None)
        former = next((n for n in learner.names if n.type is NameType.FORMER), None)
        current = self._at_source(record)
        parts = [
            *(leaf(_I4, "FormerUPN", upn) for upn in learner.former_upns),
            leaf(_I4, "PreferredSurname", preferred and preferred.family_name),
            leaf(_I4, "FormerSurname", former and former.family_name),
            leaf(_I4, "PreferredForename", preferred and preferred.given_name),
            leaf(_I4, "FormerForename", former and former.given_name),
            leaf(_I4, "MiddleNames", learner.legal_name.middle_names),
            leaf(_I4, "NCyearActual", current and current.nc_year),
            leaf(_I4, "Ethnicity", learner.ethnicity),
            leaf(_I4, "EthnicitySource", learner.ethnicity_source),
        ]
        if learner.languages:
            parts.append(f"{_I4}<Languages>\n")
            for language in learner.languages:
                parts += [
                    f"{_I5}<Type>\n",
                    leaf(_I6, "LanguageType", language.type),
                    leaf(_I6, "Language", language.code),
                    f"{_I5}</Type>\n",
                ]
            parts.append(f"{_I4}</Languages>\n")
        parts += [
            leaf(_I4, "MedicalFlag", learner.medical_flag),
            leaf(
                _I4,
                "EnrolStatus",
                current and current.membership_type,
            ),
        ]
        return _section(_I3, "BasicDetails", parts)

    def _attendance(self, record: PupilRecord) -> str:
        parts = []
        for summary in record.attendance:
            school = self._school(summary.school_info_ref_id, f"attendance {summary.ref_id}")
            parts += [
                f"{_I4}<YearData>\n",
                leaf(_I5, "Year", summary.academic_year),
                leaf(_I5, "LEA", school.la_id),
                leaf(_I5, "Estab", school.establishment_id),
                leaf(_I5, "SchoolName", school.school_name),
                leaf(_I5, "SessionsPossible", summary.sessions_possible),
                leaf(_I5, "SessionsAuthorised", summary.sessions_authorised_absence),
                leaf(_I5, "SessionsUnauthorised", summary.sessions_unauthorised_absence),
                leaf(
                    _I5,
                    "AttendanceStartDate",
                    summary.start_date,
                ),
                f"{_I4}</YearData>\n",
            ]
        return _section(_I3, "Attendance", parts)

    def _history(self, record: PupilRecord) -> str:
        parts = []
        for enrolment in record.enrolments:
            school = self._school(enrolment.school_info_ref_id, f"enrolment {enrolment.ref_id}")
            parts += [
                f"{_I4}<School>\n",
                leaf(_I5, "LEA", school.la_id),
                leaf(_I5, "Estab", school.establishment_id),
                leaf(_I5, "SchoolName", school.school_name),
                leaf(_I5, "EntryDate", enrolment.entry_date),
                leaf(_I5, "LeavingDate", enrolment.exit_date),
                f"{_I4}</School>\n",
            ]
        return _section(_I3, "SchoolHistory", parts)


def _section(indent: str, tag: str, parts: list[str]) -> str:
    body = "".join(parts)
    return f"{indent}<{tag}>\n{body}{indent}</{tag}>\n" if body else ""


def _address(address: Address | None, indent: str) -> str:
    if address is None:
        return ""
    inner = indent + "  "
    bs7666 = _section(
        inner,
        "BS7666Address",
        [
            leaf(inner + "  ", "SAON", address.saon),
            leaf(inner + "  ", "PAON", address.paon),
            leaf(inner + "  ", "Street", address.street),
            leaf(inner + "  ", "Locality", address.locality),
            leaf(inner + "  ", "Town", address.town),
            leaf(inner + "  ", "UniquePropertyReferenceNumber", address.uprn),
        ],
    )
    return _section(
        indent,
        "Address",
        [bs7666, leaf(inner, "County", address.county), leaf(inner, "PostCode", address.post_code)],
    )


def _phones(phones: list[PhoneNumber], indent: str) -> str:
    inner = indent + "  "
    parts = []
    for phone in phones:
        parts += [
            f"{inner}<Phone>\n",
            leaf(inner + "  ", "TelephoneType", phone.type),
            leaf(inner + "  ", "PhoneNo", phone.number),
            f"{inner}</Phone>\n",
        ]
    return _section(indent, "Phones", parts)


def _contacts(record: PupilRecord) -> str:
    parts = []
    for contact, link in record.contacts:
        name = next((n for n in contact.names if n.type is NameType.LEGAL), contact.names[0])
        same_address = contact.address is not None and contact.address == record.learner.address
        parts += [
            f"{_I4}<Contact>\n",
            leaf(_I5, "Order", link.contact_priority),
            leaf(_I5, "Title", name.title),
            leaf(_I5, "Surname", name.family_name),
            leaf(_I5, "Forename", name.given_name),
            leaf(_I5, "MiddleNames", name.middle_names),
            leaf(_I5, "Relationship", link.relationship),
            leaf(_I5, "Responsibility", link.parental_responsibility),
            leaf(_I5, "AddressAsPupil", True) if same_address else _address(contact.address, _I5),
            _phones(contact.phone_numbers, _I5),
            leaf(_I5, "Email", contact.email),
            f"{_I4}</Contact>\n",
        ]
    return _section(_I3, "Contacts", parts)


def _fsm(record: PupilRecord) -> str:
    parts = []
    for history in record.fsm:
        for instance in history.instances:
            # Universal infant free school meals are not FSM eligibility: a CTF has no place
            # for them.
            if instance.type is not FSMType.ELIGIBLE:
                continue
            parts += [
                f"{_I4}<FSMinstance>\n",
                leaf(_I5, "FSMstartDate", instance.start_date),
                leaf(_I5, "FSMendDate", instance.end_date),
                f"{_I4}</FSMinstance>\n",
            ]
    return _section(_I3, "FSMhistory", parts)


def _sen(record: PupilRecord) -> str:
    parts = []
    for history in record.sen:
        for instance in history.instances:
            needs = []
            for need in instance.needs:
                needs += [
                    f"{_I6}<SENneed>\n",
                    leaf(_I7, "SENtype", need.type),
                    leaf(_I7, "SENtypeRank", need.rank),
                    f"{_I6}</SENneed>\n",
                ]
            parts += [
                f"{_I4}<SEN>\n",
                leaf(_I5, "StartDate", instance.start_date),
                leaf(_I5, "SENprovision", instance.provision),
                _section(_I5, "SENneeds", needs),
                f"{_I4}</SEN>\n",
            ]
    return _section(_I3, "SENhistory", parts)


def _assessments(record: PupilRecord) -> str:
    stages: dict[str, list[str]] = {}
    for result in record.assessments:
        stages.setdefault(result.stage, []).extend(
            [
                f"{_I5}<StageAssessment>\n",
                leaf(_I6, "Locale", result.locale),
                leaf(_I6, "Year", result.year),
                leaf(_I6, "Subject", result.subject),
                leaf(_I6, "Method", result.method),
                leaf(_I6, "Component", result.component),
                leaf(_I6, "ResultStatus", result.result_status),
                leaf(_I6, "ResultQualifier", result.result_qualifier),
                leaf(_I6, "Result", result.result),
                f"{_I5}</StageAssessment>\n",
            ]
        )
    parts = []
    for stage, body in stages.items():
        parts += [f"{_I4}<KeyStage>\n", leaf(_I5, "Stage", stage), *body, f"{_I4}</KeyStage>\n"]
    return _section(_I3, "StageAssessments", parts)
