"""Learners, their enrolments and their contacts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Final, Self

from pydantic import Field, StringConstraints, model_validator

from sif_core.model.base import SIFObject, Text
from sif_core.model.codes import (
    ContactRelationship,
    EnrolmentStatus,
    Ethnicity,
    EthnicitySource,
    ExitType,
    NameType,
    NCYear,
    Sex,
)
from sif_core.model.identifiers import ULN, UPN, LANumber, RefId
from sif_core.model.parts import Address, Email, Language, Name, PhoneNumber

__all__ = ["ContactPersonal", "LearnerContact", "LearnerPersonal", "LearnerSchoolEnrolment"]

UCI = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{13}$")]
# Looked up once: reading an enum member off its class costs more than the rest of the check.
_LEGAL: Final = NameType.LEGAL


def _legal_name(names: list[Name]) -> Name | None:
    # A loop rather than next() over a generator: this runs for every learner validated.
    for name in names:
        if name.type is _LEGAL:
            return name
    return None


class LearnerPersonal(SIFObject):
    """A pupil: identifiers, names, date of birth, sex, ethnicity, languages, address."""

    local_id: Text | None = None
    upn: UPN | None = Field(default=None, alias="UPN")
    uln: ULN | None = Field(default=None, alias="ULN")
    uci: UCI | None = Field(default=None, alias="UCI")
    former_upns: list[UPN] = Field(default_factory=list, alias="FormerUPN")
    names: list[Name] = Field(min_length=1, alias="Name")
    date_of_birth: dt.date
    sex: Sex
    ethnicity: Ethnicity | None = None
    ethnicity_source: EthnicitySource | None = None
    languages: list[Language] = Field(default_factory=list, alias="Language")
    address: Address | None = None
    phone_numbers: list[PhoneNumber] = Field(default_factory=list, alias="PhoneNumber")
    email: Email | None = None
    in_care: bool | None = None
    care_authority: LANumber | None = None
    home_la: LANumber | None = Field(default=None, alias="HomeLA")
    medical_flag: bool | None = None

    @model_validator(mode="after")
    def _has_legal_name(self) -> Self:
        if _legal_name(self.names) is None:
            raise ValueError("a learner needs a legal name (a Name with Type L)")
        return self

    @property
    def legal_name(self) -> Name:
        """The learner's legal name (always present)."""
        name = _legal_name(self.names)
        assert name is not None  # guaranteed by validation
        return name


class LearnerSchoolEnrolment(SIFObject):
    """A learner's registration at a school, from entry to exit.

    ``membership_type`` is ``None`` when the source does not record it: a CTF's school history
    lists earlier schools with their dates but says nothing of how the pupil was registered there.
    """

    learner_personal_ref_id: RefId = Field(alias="LearnerPersonalRefId")
    school_info_ref_id: RefId = Field(alias="SchoolInfoRefId")
    membership_type: EnrolmentStatus | None = None
    entry_date: dt.date
    exit_date: dt.date | None = None
    exit_type: ExitType | None = None
    nc_year: NCYear | None = Field(default=None, alias="NCYear")

    @model_validator(mode="after")
    def _exit_after_entry(self) -> Self:
        if self.exit_date is not None and self.exit_date < self.entry_date:
            raise ValueError("ExitDate is before EntryDate")
        return self


class ContactPersonal(SIFObject):
    """A person who can be contacted about learners (a parent, carer or other)."""

    local_id: Text | None = None
    names: list[Name] = Field(min_length=1, alias="Name")
    address: Address | None = None
    phone_numbers: list[PhoneNumber] = Field(default_factory=list, alias="PhoneNumber")
    email: Email | None = None


class LearnerContact(SIFObject):
    """Links a learner to a contact, with the relationship and what the contact may do."""

    learner_personal_ref_id: RefId = Field(alias="LearnerPersonalRefId")
    contact_personal_ref_id: RefId = Field(alias="ContactPersonalRefId")
    relationship: ContactRelationship
    parental_responsibility: bool
    lives_with: bool = False
    emergency_contact: bool = False
    contact_priority: int = Field(ge=1, le=99)
