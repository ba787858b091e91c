"""Parts shared by several objects: names, addresses, phone numbers, languages."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from sif_core.model.base import XML_ATTRIBUTE, XML_TEXT, SIFPart, Text
from sif_core.model.codes import NameType, PhoneType

__all__ = [
    "POSTCODE_PATTERN",
    "Address",
    "Email",
    "Language",
    "Name",
    "PhoneNumber",
    "PostCode",
]

#: A UK postcode in upper case with its single space (``SW1A 1AA``).
POSTCODE_PATTERN = r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$"

PostCode = Annotated[str, StringConstraints(pattern=POSTCODE_PATTERN)]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
UPRN = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,12}$")]


class Name(SIFPart):
    """One of a person's names; ``type`` says whether it is legal, preferred or former."""

    type: Annotated[NameType, XML_ATTRIBUTE]
    title: Text | None = None
    given_name: Text | None = None
    middle_names: Text | None = None
    family_name: Text | None = None

    @model_validator(mode="after")
    def _has_a_name(self) -> Self:
        if self.given_name is None and self.family_name is None:
            raise ValueError("a name needs a given name or a family name")
        return self


class Address(SIFPart):
    """A postal address in BS7666 style, with the property's UPRN where known."""

    saon: Text | None = Field(default=None, alias="SAON")
    paon: Text | None = Field(default=None, alias="PAON")
    street: Text | None = None
    locality: Text | None = None
    town: Text | None = None
    county: Text | None = None
    post_code: PostCode | None = Field(default=None, alias="PostCode")
    uprn: UPRN | None = Field(default=None, alias="UPRN")

    @model_validator(mode="after")
    def _has_a_place(self) -> Self:
        if self.paon is None and self.saon is None and self.street is None:
            raise ValueError("an address needs a house name or number (PAON or SAON) or a street")
        return self


class PhoneNumber(SIFPart):
    """A telephone number as the school recorded it (spaces kept)."""

    type: Annotated[PhoneType, XML_ATTRIBUTE]
    number: Annotated[
        str,
        XML_TEXT,
        StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9][0-9 ()\-]{5,24}$"),
    ]


class Language(SIFPart):
    """A language of the person: ``type`` F first, H home, M main; ``code`` the DfE code."""

    type: Annotated[str, XML_ATTRIBUTE, StringConstraints(pattern=r"^[FHMT]$")]
    code: Annotated[str, XML_TEXT, StringConstraints(pattern=r"^[A-Z]{3,4}$")]
