"""The SIF-UK-style object model: pydantic models, code sets and identifiers.

Every top-level object type is listed in :data:`OBJECT_TYPES` by its element name and in
:data:`COLLECTIONS` by its collection name (``LearnerPersonals``).
"""

from __future__ import annotations

from typing import Final

from sif_core.model.base import XML_ATTRIBUTE, XML_TEXT, SIFObject, SIFPart, Text, XmlPlacement
from sif_core.model.codes import (
    ContactRelationship,
    EnrolmentStatus,
    Ethnicity,
    EthnicitySource,
    ExitType,
    FSMType,
    NameType,
    NCYear,
    PhoneType,
    SchoolPhase,
    SENNeedType,
    SENProvision,
    Sex,
)
from sif_core.model.history import (
    FSMInstance,
    LearnerAssessmentResult,
    LearnerAttendanceSummary,
    LearnerFSMHistory,
    LearnerSENHistory,
    SENInstance,
    SENNeed,
)
from sif_core.model.identifiers import (
    TEMPORARY_ULN,
    ULN,
    UPN,
    URN,
    EstablishmentNumber,
    LANumber,
    RefId,
    deterministic_refid,
    is_temporary_uln,
    is_temporary_upn,
    new_refid,
    uln_problem,
    upn_check_letter,
    upn_problem,
)
from sif_core.model.learner import (
    ContactPersonal,
    LearnerContact,
    LearnerPersonal,
    LearnerSchoolEnrolment,
)
from sif_core.model.parts import Address, Language, Name, PhoneNumber
from sif_core.model.school import LAInfo, SchoolInfo
from sif_core.model.workforce import WorkforcePersonal

__all__ = [
    "COLLECTIONS",
    "OBJECT_TYPES",
    "TEMPORARY_ULN",
    "ULN",
    "UPN",
    "URN",
    "XML_ATTRIBUTE",
    "XML_TEXT",
    "Address",
    "ContactPersonal",
    "ContactRelationship",
    "EnrolmentStatus",
    "EstablishmentNumber",
    "Ethnicity",
    "EthnicitySource",
    "ExitType",
    "FSMInstance",
    "FSMType",
    "LAInfo",
    "LANumber",
    "Language",
    "LearnerAssessmentResult",
    "LearnerAttendanceSummary",
    "LearnerContact",
    "LearnerFSMHistory",
    "LearnerPersonal",
    "LearnerSENHistory",
    "LearnerSchoolEnrolment",
    "NCYear",
    "Name",
    "NameType",
    "PhoneNumber",
    "PhoneType",
    "RefId",
    "SENInstance",
    "SENNeed",
    "SENNeedType",
    "SENProvision",
    "SIFObject",
    "SIFPart",
    "SchoolInfo",
    "SchoolPhase",
    "Sex",
    "Text",
    "WorkforcePersonal",
    "XmlPlacement",
    "deterministic_refid",
    "is_temporary_uln",
    "is_temporary_upn",
    "new_refid",
    "uln_problem",
    "upn_check_letter",
    "upn_problem",
]

#: Every top-level object type, in the order a consumer should apply them (referenced first).
OBJECT_TYPES: Final[dict[str, type[SIFObject]]] = {
    cls.object_name: cls
    for cls in (
        LAInfo,
        SchoolInfo,
        LearnerPersonal,
        ContactPersonal,
        LearnerContact,
        LearnerSchoolEnrolment,
        WorkforcePersonal,
        LearnerAttendanceSummary,
        LearnerSENHistory,
        LearnerFSMHistory,
        LearnerAssessmentResult,
    )
}

#: The same types by collection name (``LearnerPersonals``), as SIF 3 paths spell them.
COLLECTIONS: Final[dict[str, type[SIFObject]]] = {
    cls.collection_name: cls for cls in OBJECT_TYPES.values()
}
