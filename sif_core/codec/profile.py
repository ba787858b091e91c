"""sifbridge's SIF profile: the namespace and the root elements of a document.

A document holds one object (root ``LearnerPersonal``), one collection of a single type (root
``LearnerPersonals``, its children ``LearnerPersonal``), or objects of several types in order
(root :data:`MIXED_ROOT`, ``SIFObjects``). Every XML document the codec writes puts
:data:`SIF_NAMESPACE` on its root as the default namespace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from sif_core.errors import CodecError
from sif_core.model import COLLECTIONS, OBJECT_TYPES, SIFObject

__all__ = [
    "MIXED_ROOT",
    "SIF_NAMESPACE",
    "RawRecord",
    "check_root",
    "collection_member",
    "collection_root",
    "describe_record",
]

#: The XML namespace of sifbridge's SIF-UK-style profile (version 1).
SIF_NAMESPACE: Final = "urn:sifbridge:sif-uk:1"

#: The root element of a document holding objects of several types, in the order written.
MIXED_ROOT: Final = "SIFObjects"


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One object element as read, before validation.

    ``element`` is the element name found, ``content`` its Goessner-notation content,
    ``root`` the document's root element and ``line`` where the record starts (when known).
    """

    element: str
    content: Any
    root: str
    line: int | None = None


def check_root(root: str, *, source: str, namespace: str | None = None) -> None:
    """Raise :class:`CodecError` unless ``root`` can be the root of a SIF document.

    ``namespace`` is the default namespace declared on an XML root (``None`` when absent: a
    document without a namespace is read as this profile).
    """
    if namespace is not None and namespace != SIF_NAMESPACE:
        raise CodecError(
            f"the root element {root} is in namespace {namespace!r}; sifbridge reads documents "
            f"of its SIF profile {SIF_NAMESPACE!r} (or without a namespace)",
            source=source,
        )
    if root in OBJECT_TYPES or root in COLLECTIONS or root == MIXED_ROOT:
        return
    raise CodecError(
        f"not a SIF document: the root element {root!r} is neither an object type, a "
        f"collection (e.g. LearnerPersonals) nor {MIXED_ROOT}; if this is an MIS export, "
        "read it with the adapter for its format",
        source=source,
    )


def collection_member(root: str) -> str | None:
    """The element a collection root holds (``LearnerPersonal`` for ``LearnerPersonals``)."""
    cls = COLLECTIONS.get(root)
    return cls.object_name if cls is not None else None


def describe_record(element: str, ordinal: int, content: Any) -> str:
    """Name a record so a person can find it: ``LearnerPersonal 3 (RefId ..., UPN ...)``.

    Only identifiers are named (RefId, UPN, LocalId), never names or dates of birth.
    """
    label = f"{element} {ordinal}"
    if not isinstance(content, dict):
        return label
    keys = (("@RefId", "RefId"), ("UPN", "UPN"), ("LocalId", "LocalId"))
    found = [
        f"{label_name} {value}"
        for key, label_name in keys
        if isinstance(value := content.get(key), str) and value
    ]
    return f"{label} ({', '.join(found)})" if found else label


def collection_root(objects: list[SIFObject]) -> str:
    """The root element for ``objects``: their collection, or :data:`MIXED_ROOT`."""
    types = {type(obj) for obj in objects}
    if len(types) == 1:
        return types.pop().collection_name
    return MIXED_ROOT
