"""Hypothesis strategies for every SIF object type and the parts and identifiers inside them.

Identifiers are valid (UPNs with their check letter, permanent and temporary; ULNs with their
check digit), names carry accents, hyphens and apostrophes, free text carries characters XML must
escape and letters from any script, and every optional field is sometimes present and sometimes
absent. :data:`OBJECT_STRATEGIES` has one strategy per type in ``OBJECT_TYPES`` (a test in
``tests/codec/test_roundtrip.py`` keeps it so).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from hypothesis import strategies as st

from sif_core.model import (
    Address,
    ContactPersonal,
    ContactRelationship,
    EnrolmentStatus,
    Ethnicity,
    EthnicitySource,
    ExitType,
    FSMInstance,
    FSMType,
    LAInfo,
    Language,
    LearnerAssessmentResult,
    LearnerAttendanceSummary,
    LearnerContact,
    LearnerFSMHistory,
    LearnerPersonal,
    LearnerSchoolEnrolment,
    LearnerSENHistory,
    Name,
    NameType,
    NCYear,
    PhoneNumber,
    PhoneType,
    SchoolInfo,
    SchoolPhase,
    SENInstance,
    SENNeed,
    SENNeedType,
    SENProvision,
    Sex,
    SIFObject,
    SIFPart,
    WorkforcePersonal,
    upn_check_letter,
)

__all__ = [
    "OBJECT_STRATEGIES",
    "addresses",
    "contact_personals",
    "dates",
    "free_text",
    "la_infos",
    "la_numbers",
    "learner_assessment_results",
    "learner_attendance_summaries",
    "learner_contacts",
    "learner_fsm_histories",
    "learner_personals",
    "learner_school_enrolments",
    "learner_sen_histories",
    "names",
    "person_names",
    "phone_numbers",
    "refids",
    "school_infos",
    "sif_objects",
    "ulns",
    "upns",
    "workforce_personals",
]

T = TypeVar("T")

_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZÉÁÓÜÖØÇŁ"
_LOWER = "abcdefghijklmnopqrstuvwxyzéèêëáàâäíïóôöøúüùçñåæœßł"
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


M = TypeVar("M", bound=SIFPart)


def _model(cls: type[M], **fields: st.SearchStrategy[Any]) -> st.SearchStrategy[M]:
    # Not st.builds: it would also fill the required parameters it sees in the signature,
    # which pydantic spells with the aliases, so every field would be given twice.
    return st.fixed_dictionaries(fields).map(lambda values: cls(**values))


def optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    """``strategy`` or ``None``: an optional field, present or absent."""
    return st.none() | strategy


def refids() -> st.SearchStrategy[str]:
    """RefIds: 32 upper-case hex characters."""
    return st.uuids().map(lambda value: value.hex.upper())


def la_numbers() -> st.SearchStrategy[str]:
    """Three-digit LA numbers."""
    return st.from_regex(r"\A[0-9]{3}\Z")


@st.composite
def upns(draw: st.DrawFn, temporary: bool | None = None) -> str:
    """Valid UPNs with their check letter; temporary ones (a letter at position 13) too."""
    digits = draw(st.from_regex(r"\A[0-9]{11}\Z"))
    is_temporary = draw(st.booleans()) if temporary is None else temporary
    last = draw(st.sampled_from(_UPN_LETTERS) if is_temporary else st.sampled_from("0123456789"))
    body = digits + last
    return upn_check_letter(body) + body


@st.composite
def ulns(draw: st.DrawFn) -> str:
    """Valid, real ULNs with their check digit (never the temporary 9999999999)."""
    first_nine = draw(st.from_regex(r"\A[1-9][0-9]{8}\Z"))
    remainder = sum(int(digit) * (10 - i) for i, digit in enumerate(first_nine)) % 11
    # A remainder of 0 admits no check digit; nudging the last digit by one fixes that.
    if remainder == 0:
        first_nine = first_nine[:8] + str((int(first_nine[8]) + 1) % 10)
        remainder = sum(int(digit) * (10 - i) for i, digit in enumerate(first_nine)) % 11
    return first_nine + str(10 - remainder)


@st.composite
def person_names(draw: st.DrawFn) -> str:
    """Names like ``Zoë``, ``Smith-Jones``, ``O'Brien`` or ``Anne Marie``."""
    words = draw(
        st.lists(
            st.tuples(st.sampled_from(_UPPER), st.text(alphabet=_LOWER, max_size=9)),
            min_size=1,
            max_size=3,
        )
    )
    name = ""
    for first, rest in words:
        if name:
            name += draw(st.sampled_from([" ", "-", "'"]))
        name += first + rest
    return name


def free_text(max_size: int = 40) -> st.SearchStrategy[str]:
    """Text from any script, with characters XML must escape; never blank, no control codes."""
    characters = st.characters(categories=["L", "M", "N", "P", "S", "Zs"]) | st.sampled_from(
        "&<>\"'"
    )
    return st.text(characters, min_size=1, max_size=max_size).map(str.strip).filter(bool)


def dates(
    min_value: dt.date = dt.date(1950, 1, 1), max_value: dt.date = dt.date(2035, 12, 31)
) -> st.SearchStrategy[dt.date]:
    """Dates between 1950 and 2035 by default."""
    return st.dates(min_value=min_value, max_value=max_value)


def _codes() -> st.SearchStrategy[str]:
    return st.from_regex(r"\A[A-Za-z0-9_\-]{1,12}\Z")


@st.composite
def names(draw: st.DrawFn, name_type: NameType | None = None) -> Name:
    """A name with a given name, a family name or both, and optional title and middle names."""
    has_given, has_family = draw(st.sampled_from([(True, True), (True, False), (False, True)]))
    given = draw(person_names()) if has_given else None
    family = draw(person_names()) if has_family else None
    return Name(
        type=name_type if name_type is not None else draw(st.sampled_from(NameType)),
        title=draw(optional(st.sampled_from(["Mr", "Mrs", "Ms", "Miss", "Dr", "Mx"]))),
        given_name=given,
        middle_names=draw(optional(person_names())),
        family_name=family,
    )


@st.composite
def addresses(draw: st.DrawFn) -> Address:
    """BS7666-style addresses with a house number or name, postcodes and UPRNs."""
    paon = draw(optional(st.from_regex(r"\A[1-9][0-9]{0,2}[A-C]?\Z") | free_text(20)))
    street = draw(optional(free_text(30)))
    saon = draw(optional(st.from_regex(r"\AFlat [1-9][0-9]?\Z")))
    if paon is None and street is None and saon is None:
        paon = "1"
    return Address(
        saon=saon,
        paon=paon,
        street=street,
        locality=draw(optional(free_text(20))),
        town=draw(optional(person_names())),
        county=draw(optional(person_names())),
        post_code=draw(optional(st.from_regex(r"\A[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}\Z"))),
        uprn=draw(optional(st.from_regex(r"\A[1-9][0-9]{0,11}\Z"))),
    )


def phone_numbers() -> st.SearchStrategy[PhoneNumber]:
    """UK phone numbers with their spaces, of every type."""
    number = st.from_regex(r"\A(0[1-9][0-9]{3} [0-9]{6}|07[0-9]{3} [0-9]{6}|\+44 [1-9][0-9]{9})\Z")
    return _model(PhoneNumber, type=st.sampled_from(PhoneType), number=number)


def languages() -> st.SearchStrategy[Language]:
    """Languages with DfE codes."""
    return _model(
        Language,
        type=st.sampled_from("FHMT"),
        code=st.sampled_from(["ENG", "POL", "URD", "PAN", "BEN", "ARA", "WEL", "SOM", "ROM"]),
    )


def emails() -> st.SearchStrategy[str]:
    """Plausible email addresses."""
    return st.from_regex(r"\A[a-z][a-z0-9.\-]{0,15}@[a-z][a-z0-9\-]{0,10}\.(sch\.uk|org|com)\Z")


def la_infos() -> st.SearchStrategy[LAInfo]:
    """Local authorities."""
    return _model(LAInfo, ref_id=refids(), la_id=la_numbers(), la_name=free_text())


def school_infos() -> st.SearchStrategy[SchoolInfo]:
    """Schools with LA and establishment numbers, URNs, phases and addresses."""
    return _model(
        SchoolInfo,
        ref_id=refids(),
        la_info_ref_id=optional(refids()),
        la_id=la_numbers(),
        establishment_id=st.from_regex(r"\A[0-9]{4}\Z"),
        urn=optional(st.from_regex(r"\A[0-9]{6}\Z")),
        school_name=free_text(),
        phase=optional(st.sampled_from(SchoolPhase)),
        school_type=optional(free_text(20)),
        address=optional(addresses()),
    )


@st.composite
def learner_personals(draw: st.DrawFn) -> LearnerPersonal:
    """Pupils: a legal name and perhaps others, valid or absent UPNs and ULNs, any details."""
    other_names = draw(st.lists(names(), max_size=2))
    return LearnerPersonal(
        ref_id=draw(refids()),
        local_id=draw(optional(st.from_regex(r"\A[0-9]{1,8}\Z"))),
        upn=draw(optional(upns())),
        uln=draw(optional(ulns())),
        uci=draw(optional(st.from_regex(r"\A[A-Z0-9]{13}\Z"))),
        former_upns=draw(st.lists(upns(), max_size=2)),
        names=[draw(names(NameType.LEGAL)), *other_names],
        date_of_birth=draw(dates(dt.date(1995, 1, 1), dt.date(2025, 12, 31))),
        sex=draw(st.sampled_from(Sex)),
        ethnicity=draw(optional(st.sampled_from(Ethnicity))),
        ethnicity_source=draw(optional(st.sampled_from(EthnicitySource))),
        languages=draw(st.lists(languages(), max_size=2)),
        address=draw(optional(addresses())),
        phone_numbers=draw(st.lists(phone_numbers(), max_size=2)),
        email=draw(optional(emails())),
        in_care=draw(optional(st.booleans())),
        care_authority=draw(optional(la_numbers())),
        home_la=draw(optional(la_numbers())),
        medical_flag=draw(optional(st.booleans())),
    )


@st.composite
def learner_school_enrolments(draw: st.DrawFn) -> LearnerSchoolEnrolment:
    """Enrolments, open or ended on or after their entry date."""
    entry = draw(dates(dt.date(2000, 1, 1)))
    days = draw(optional(st.integers(min_value=0, max_value=5000)))
    return LearnerSchoolEnrolment(
        ref_id=draw(refids()),
        learner_personal_ref_id=draw(refids()),
        school_info_ref_id=draw(refids()),
        membership_type=draw(st.sampled_from(EnrolmentStatus)),
        entry_date=entry,
        exit_date=None if days is None else entry + dt.timedelta(days=days),
        exit_type=draw(optional(st.sampled_from(ExitType))),
        nc_year=draw(optional(st.sampled_from(NCYear))),
    )


def contact_personals() -> st.SearchStrategy[ContactPersonal]:
    """Parents, carers and other contacts."""
    return _model(
        ContactPersonal,
        ref_id=refids(),
        local_id=optional(st.from_regex(r"\A[0-9]{1,8}\Z")),
        names=st.lists(names(), min_size=1, max_size=2),
        address=optional(addresses()),
        phone_numbers=st.lists(phone_numbers(), max_size=3),
        email=optional(emails()),
    )


def learner_contacts() -> st.SearchStrategy[LearnerContact]:
    """Links between learners and contacts, with every flag."""
    return _model(
        LearnerContact,
        ref_id=refids(),
        learner_personal_ref_id=refids(),
        contact_personal_ref_id=refids(),
        relationship=st.sampled_from(ContactRelationship),
        parental_responsibility=st.booleans(),
        lives_with=st.booleans(),
        emergency_contact=st.booleans(),
        contact_priority=st.integers(min_value=1, max_value=99),
    )


def workforce_personals() -> st.SearchStrategy[WorkforcePersonal]:
    """Staff, with teacher and NI numbers sometimes."""
    ni_number = st.from_regex(r"\A[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]\Z").filter(
        lambda value: value[:2] not in {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}
    )
    return _model(
        WorkforcePersonal,
        ref_id=refids(),
        local_id=optional(st.from_regex(r"\A[0-9]{1,8}\Z")),
        school_info_ref_id=optional(refids()),
        names=st.lists(names(), min_size=1, max_size=2),
        teacher_number=optional(st.from_regex(r"\A[0-9]{7}\Z")),
        ni_number=optional(ni_number),
        date_of_birth=optional(dates(dt.date(1950, 1, 1), dt.date(2005, 12, 31))),
        sex=optional(st.sampled_from(Sex)),
        job_title=optional(free_text(30)),
        email=optional(emails()),
    )


@st.composite
def learner_attendance_summaries(draw: st.DrawFn) -> LearnerAttendanceSummary:
    """Attendance where absences never exceed the sessions possible."""
    possible = draw(st.integers(min_value=0, max_value=400))
    authorised = draw(st.integers(min_value=0, max_value=possible))
    return LearnerAttendanceSummary(
        ref_id=draw(refids()),
        learner_personal_ref_id=draw(refids()),
        school_info_ref_id=draw(refids()),
        academic_year=draw(st.integers(min_value=1990, max_value=2035)),
        start_date=draw(optional(dates())),
        sessions_possible=possible,
        sessions_authorised_absence=authorised,
        sessions_unauthorised_absence=draw(
            st.integers(min_value=0, max_value=possible - authorised)
        ),
    )


def learner_sen_histories() -> st.SearchStrategy[LearnerSENHistory]:
    """SEN histories of one or more periods, each with ranked needs or none."""
    need = _model(
        SENNeed, rank=st.integers(min_value=1, max_value=9), type=st.sampled_from(SENNeedType)
    )
    instance = _model(
        SENInstance,
        start_date=dates(),
        provision=st.sampled_from(SENProvision),
        needs=st.lists(need, max_size=3),
    )
    return _model(
        LearnerSENHistory,
        ref_id=refids(),
        learner_personal_ref_id=refids(),
        instances=st.lists(instance, min_size=1, max_size=3),
    )


@st.composite
def _fsm_instances(draw: st.DrawFn) -> FSMInstance:
    start = draw(dates(dt.date(2000, 1, 1)))
    days = draw(optional(st.integers(min_value=0, max_value=3000)))
    return FSMInstance(
        start_date=start,
        end_date=None if days is None else start + dt.timedelta(days=days),
        type=draw(st.sampled_from(FSMType)),
    )


def learner_fsm_histories() -> st.SearchStrategy[LearnerFSMHistory]:
    """Free school meal histories of one or more periods."""
    return _model(
        LearnerFSMHistory,
        ref_id=refids(),
        learner_personal_ref_id=refids(),
        instances=st.lists(_fsm_instances(), min_size=1, max_size=3),
    )


def learner_assessment_results() -> st.SearchStrategy[LearnerAssessmentResult]:
    """Assessment results with codes and free-text results."""
    return _model(
        LearnerAssessmentResult,
        ref_id=refids(),
        learner_personal_ref_id=refids(),
        stage=_codes(),
        locale=optional(_codes()),
        year=st.integers(min_value=1990, max_value=2035),
        subject=_codes(),
        method=_codes(),
        component=_codes(),
        result_status=optional(_codes()),
        result_qualifier=optional(_codes()),
        result=free_text(12),
    )


#: One strategy per object type, keyed by its element name (as ``OBJECT_TYPES`` is).
OBJECT_STRATEGIES: dict[str, st.SearchStrategy[SIFObject]] = {
    "LAInfo": la_infos(),
    "SchoolInfo": school_infos(),
    "LearnerPersonal": learner_personals(),
    "ContactPersonal": contact_personals(),
    "LearnerContact": learner_contacts(),
    "LearnerSchoolEnrolment": learner_school_enrolments(),
    "WorkforcePersonal": workforce_personals(),
    "LearnerAttendanceSummary": learner_attendance_summaries(),
    "LearnerSENHistory": learner_sen_histories(),
    "LearnerFSMHistory": learner_fsm_histories(),
    "LearnerAssessmentResult": learner_assessment_results(),
}


def sif_objects() -> st.SearchStrategy[SIFObject]:
    """An object of any type."""
    return st.one_of(list(OBJECT_STRATEGIES.values()))
