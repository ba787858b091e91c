"""A learner's attendance, special educational needs, free school meals and assessment results."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from sif_core.model.base import XML_ATTRIBUTE, SIFObject, SIFPart, Text
from sif_core.model.codes import FSMType, SENNeedType, SENProvision
from sif_core.model.identifiers import RefId

__all__ = [
    "FSMInstance",
    "LearnerAssessmentResult",
    "LearnerAttendanceSummary",
    "LearnerFSMHistory",
    "LearnerSENHistory",
    "SENInstance",
    "SENNeed",
]

Year = Annotated[int, Field(ge=1900, le=2100)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_\-]{1,12}$")]


class LearnerAttendanceSummary(SIFObject):
    """Sessions possible and missed by one learner at one school in one academic year."""

    learner_personal_ref_id: RefId = Field(alias="LearnerPersonalRefId")
    school_info_ref_id: RefId = Field(alias="SchoolInfoRefId")
    #: The year the academic year starts in (2024 for 2024/25).
    academic_year: Year
    start_date: dt.date | None = None
    sessions_possible: int = Field(ge=0)
    sessions_authorised_absence: int = Field(ge=0)
    sessions_unauthorised_absence: int = Field(ge=0)

    @model_validator(mode="after")
    def _absences_within_possible(self) -> Self:
        missed = self.sessions_authorised_absence + self.sessions_unauthorised_absence
        if missed > self.sessions_possible:
            raise ValueError(
                f"{missed} sessions of absence is more than the {self.sessions_possible} possible"
            )
        return self


class SENNeed(SIFPart):
    """One type of need, ranked (1 is the primary need)."""

    rank: Annotated[int, XML_ATTRIBUTE, Field(ge=1, le=9)]
    type: SENNeedType


class SENInstance(SIFPart):
    """A period of special educational needs provision."""

    start_date: dt.date
    provision: SENProvision
    needs: list[SENNeed] = Field(default_factory=list, alias="SENNeed")


class LearnerSENHistory(SIFObject):
    """A learner's special educational needs history (special category data)."""

    learner_personal_ref_id: RefId = Field(alias="LearnerPersonalRefId")
    instances: list[SENInstance] = Field(min_length=1, alias="SEN")


class FSMInstance(SIFPart):
    """A period of eligibility for free school meals."""

    start_date: dt.date
    end_date: dt.date | None = None
    type: FSMType = FSMType.ELIGIBLE

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("EndDate is before StartDate")
        return self


class LearnerFSMHistory(SIFObject):
    """A learner's free school meals history."""

    learner_personal_ref_id: RefId = Field(alias="LearnerPersonalRefId")
    instances: list[FSMInstance] = Field(min_length=1, alias="FSMInstance")


class LearnerAssessmentResult(SIFObject):
    """One result of a statutory or teacher assessment (CTF ``StageAssessment``)."""

    learner_personal_ref_id: RefId = Field(alias="LearnerPersonalRefId")
    stage: Code
    locale: Code | None = None
    year: Year
    subject: Code
    method: Code
    component: Code
    result_status: Code | None = None
    result_qualifier: Code | None = None
    result: Text
