"""Code sets with the DfE's values.

Each enumeration's values are exactly the codes that appear in CTF, census and SIF UK files, so a
value read from a file is the member's value and the member's value is what is written out.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ContactRelationship",
    "EnrolmentStatus",
    "Ethnicity",
    "EthnicitySource",
    "ExitType",
    "FSMType",
    "NCYear",
    "NameType",
    "PhoneType",
    "SENNeedType",
    "SENProvision",
    "SchoolPhase",
    "Sex",
]


class Ethnicity(StrEnum):
    """DfE extended main ethnicity codes."""

    WBRI = "WBRI"  # White - British
    WIRI = "WIRI"  # White - Irish
    WIRT = "WIRT"  # Traveller of Irish heritage
    WOTH = "WOTH"  # Any other White background
    WROM = "WROM"  # Gypsy / Roma
    MWBC = "MWBC"  # White and Black Caribbean
    MWBA = "MWBA"  # White and Black African
    MWAS = "MWAS"  # White and Asian
    MOTH = "MOTH"  # Any other mixed background
    AIND = "AIND"  # Indian
    APKN = "APKN"  # Pakistani
    ABAN = "ABAN"  # Bangladeshi
    AOTH = "AOTH"  # Any other Asian background
    BCRB = "BCRB"  # Black Caribbean
    BAFR = "BAFR"  # Black - African
    BOTH = "BOTH"  # Any other Black background
    CHNE = "CHNE"  # Chinese
    OOTH = "OOTH"  # Any other ethnic group
    REFU = "REFU"  # Refused
    NOBT = "NOBT"  # Information not yet obtained


class EthnicitySource(StrEnum):
    """Who said what a pupil's ethnicity is."""

    C = "C"  # provided by the child
    P = "P"  # provided by the parent
    S = "S"  # ascribed by the current school
    T = "T"  # ascribed by a previous school


class EnrolmentStatus(StrEnum):
    """A pupil's registration at a school."""

    C = "C"  # current, single registration
    M = "M"  # main, dual registration
    S = "S"  # subsidiary, dual registration
    G = "G"  # guest


class Sex(StrEnum):
    """Sex as recorded by the school (the DfE codes)."""

    M = "M"
    F = "F"


class NCYear(StrEnum):
    """National Curriculum year group (``NCyearActual``)."""

    E1 = "E1"  # early years, first year
    E2 = "E2"
    N1 = "N1"  # nursery
    N2 = "N2"
    R = "R"  # reception
    Y1 = "1"
    Y2 = "2"
    Y3 = "3"
    Y4 = "4"
    Y5 = "5"
    Y6 = "6"
    Y7 = "7"
    Y8 = "8"
    Y9 = "9"
    Y10 = "10"
    Y11 = "11"
    Y12 = "12"
    Y13 = "13"
    Y14 = "14"
    X = "X"  # not following the National Curriculum


class NameType(StrEnum):
    """Which of a person's names this is."""

    LEGAL = "L"
    PREFERRED = "P"
    FORMER = "F"


class PhoneType(StrEnum):
    """Telephone number types used in CTF."""

    HOME = "H"
    WORK = "W"
    MOBILE = "M"
    DAYTIME = "D"
    FAX = "F"


class ContactRelationship(StrEnum):
    """Relationship of a contact to the pupil (CTF ``RelationshipToPupil``)."""

    PARENT = "PAR"
    MOTHER = "MUM"
    FATHER = "DAD"
    STEP_PARENT = "STP"
    CARER = "CAR"
    FOSTER_CARER = "FOC"
    FAMILY_MEMBER = "FAM"
    RELATIVE = "REL"
    CHILDMINDER = "CHM"
    DOCTOR = "DOC"
    SOCIAL_WORKER = "SWR"
    HEAD_TEACHER = "HTC"
    OTHER = "OTH"


class SENProvision(StrEnum):
    """Special educational needs provision."""

    NONE = "N"
    SEN_SUPPORT = "K"
    EHC_PLAN = "E"


class SENNeedType(StrEnum):
    """Primary and secondary types of special educational need."""

    SPLD = "SPLD"  # specific learning difficulty
    MLD = "MLD"  # moderate learning difficulty
    SLD = "SLD"  # severe learning difficulty
    PMLD = "PMLD"  # profound and multiple learning difficulty
    SEMH = "SEMH"  # social, emotional and mental health
    SLCN = "SLCN"  # speech, language and communication needs
    HI = "HI"  # hearing impairment
    VI = "VI"  # visual impairment
    MSI = "MSI"  # multi-sensory impairment
    PD = "PD"  # physical disability
    ASD = "ASD"  # autistic spectrum disorder
    OTH = "OTH"  # other difficulty or disability
    NSA = "NSA"  # SEN support but no specialist assessment of type of need


class FSMType(StrEnum):
    """Why a pupil's free school meals instance exists."""

    ELIGIBLE = "E"  # eligible and claiming
    UNIVERSAL_INFANT = "U"  # universal infant free school meals


class ExitType(StrEnum):
    """Why an enrolment ended (reason for leaving)."""

    TRANSFER = "TRANSFER"  # moved to another school
    ELECTIVE_HOME_EDUCATION = "EHE"
    MOVED_ABROAD = "ABROAD"
    PERMANENT_EXCLUSION = "EXCLUDED"
    END_OF_EDUCATION = "END"
    DUAL_REGISTRATION_ENDED = "DUALEND"
    OTHER = "OTHER"


class SchoolPhase(StrEnum):
    """Phase of education of an establishment."""

    NURSERY = "NS"
    PRIMARY = "PS"
    MIDDLE_DEEMED_PRIMARY = "MP"
    MIDDLE_DEEMED_SECONDARY = "MS"
    SECONDARY = "SS"
    ALL_THROUGH = "AT"
    SPECIAL = "SP"
    PUPIL_REFERRAL_UNIT = "PR"
