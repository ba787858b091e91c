"""Local authorities and schools."""

from __future__ import annotations

from pydantic import Field

from sif_core.model.base import SIFObject, Text
from sif_core.model.codes import SchoolPhase
from sif_core.model.identifiers import URN, EstablishmentNumber, LANumber, RefId
from sif_core.model.parts import Address

__all__ = ["LAInfo", "SchoolInfo"]


class LAInfo(SIFObject):
    """A local authority."""

    la_id: LANumber = Field(alias="LAId")
    la_name: Text = Field(alias="LAName")


class SchoolInfo(SIFObject):
    """A school (an establishment) within a local authority."""

    la_info_ref_id: RefId | None = Field(default=None, alias="LAInfoRefId")
    la_id: LANumber = Field(alias="LAId")
    establishment_id: EstablishmentNumber = Field(alias="EstablishmentId")
    urn: URN | None = Field(default=None, alias="URN")
    school_name: Text
    phase: SchoolPhase | None = None
    school_type: Text | None = None
    address: Address | None = None

    @property
    def laestab(self) -> str:
        """The 7-digit LA and establishment number (``LLLEEEE``)."""
        return self.la_id + self.establishment_id
