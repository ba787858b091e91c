"""What every SIF object and part of one shares: naming, text rules and XML placement markers.

Fields are snake_case in Python and PascalCase on the wire (``date_of_birth`` <-> ``DateOfBirth``);
an explicit alias is given where SIF spells a name otherwise (``UPN``, ``URN``). A list field's
alias is the name of the element that repeats (``Name``, ``PhoneNumber``), SIF-UK style without a
wrapper element.

Two markers, placed in a field's ``Annotated`` metadata, tell the codecs where a field goes:
:data:`XML_ATTRIBUTE` makes it an XML attribute (``@Name`` in SIF JSON) and :data:`XML_TEXT` makes
it the element's text beside attributes (``#text`` in SIF JSON).
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_pascal

from sif_core.model.identifiers import RefId

__all__ = [
    "XML_ATTRIBUTE",
    "XML_TEXT",
    "SIFObject",
    "SIFPart",
    "Text",
    "XmlPlacement",
]


class XmlPlacement:
    """Marks a field as an XML attribute or as element text (see :data:`XML_ATTRIBUTE`)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __repr__(self) -> str:
        return f"XmlPlacement({self.kind!r})"


XML_ATTRIBUTE: Final = XmlPlacement("attribute")
XML_TEXT: Final = XmlPlacement("text")

Text = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, pattern=r"^[^\x00-\x1f\x7f\ufffe\uffff]*$"
    ),
]
"""Text in a SIF object: at least one character, no surrounding spaces, nothing XML cannot hold.

An empty element and a missing one mean the same in SIF XML, so the model has no empty strings:
an absent value is ``None``.
"""


class SIFPart(BaseModel):
    """A structured part of an object (a name, an address, a phone number)."""

    model_config = ConfigDict(
        alias_generator=to_pascal,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="forbid",
        frozen=True,
        use_enum_values=False,
    )


class SIFObject(SIFPart):
    """A top-level SIF object: it has a RefId and a collection name (``LearnerPersonals``)."""

    #: The element name of one object, e.g. ``LearnerPersonal``. Defaults to the class name.
    object_name: ClassVar[str]
    #: The element name of a collection, e.g. ``LearnerPersonals``.
    collection_name: ClassVar[str]

    ref_id: Annotated[RefId, XML_ATTRIBUTE] = Field(alias="RefId")

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.object_name = cls.__name__
        cls.collection_name = _plural(cls.__name__)


def _plural(name: str) -> str:
    if name.endswith("y") and name[-2:-1] not in tuple("aeiou"):
        return name[:-1] + "ies"
    return name + "s"
