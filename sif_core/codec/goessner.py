"""Objects to and from Goessner notation, the dict form shared by SIF XML and SIF JSON.

An object's content is a dict keyed by wire names: attributes as ``@Name``, element text beside
attributes as ``#text``, child elements by name. A list field is the list of its repeated element
(left out when empty), an absent value is left out, an enumeration is its code, a date is ISO
``yyyy-mm-dd``. Booleans and integers stay JSON booleans and numbers; the XML writer spells them
``true``/``false`` and decimal digits.

Reading is forgiving about the shapes xmltodict produces: one repeat of a list element arrives as
a single dict (or string) rather than a list, an element with text only arrives as a string, and
an empty element as ``None`` (the same as an absent one).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sif_core.model import OBJECT_TYPES, XML_ATTRIBUTE, XML_TEXT, SIFObject, SIFPart

__all__ = ["from_goessner", "to_goessner"]

ATTRIBUTE_PREFIX = "@"
TEXT_KEY = "#text"


@dataclass(frozen=True, slots=True)
class WireField:
    """Where one model field goes on the wire."""

    name: str  # the Python field name
    alias: str  # the wire name (element or attribute name)
    key: str  # the Goessner key: ``@Alias``, ``#text`` or ``Alias``
    is_list: bool
    part: type[SIFPart] | None  # the part model of a structured field


@functools.cache
def wire_fields(cls: type[SIFPart]) -> tuple[WireField, ...]:
    """The wire layout of ``cls``: attributes first, then element text, then child elements."""
    fields: list[tuple[int, WireField]] = []
    for name, info in cls.model_fields.items():
        alias = info.alias or name
        if any(marker is XML_ATTRIBUTE for marker in info.metadata):
            rank, key = 0, ATTRIBUTE_PREFIX + alias
        elif any(marker is XML_TEXT for marker in info.metadata):
            rank, key = 1, TEXT_KEY
        else:
            rank, key = 2, alias
        is_list, part = _shape(info.annotation)
        fields.append((rank, WireField(name, alias, key, is_list, part)))
    return tuple(field for _, field in sorted(fields, key=lambda pair: pair[0]))


def _shape(annotation: Any) -> tuple[bool, type[SIFPart] | None]:
    """Whether an annotation is a list, and the part model it holds (if any)."""
    is_list = typing.get_origin(annotation) is list
    candidates = [annotation]
    while candidates:
        current = candidates.pop()
        if isinstance(current, type) and issubclass(current, SIFPart):
            return is_list, current
        origin = typing.get_origin(current)
        if origin in (list, typing.Union, types.UnionType):
            candidates.extend(typing.get_args(current))
    return is_list, None


def to_goessner(obj: SIFPart) -> dict[str, Any]:
    """The content of ``obj``'s element in Goessner notation (see the module docstring)."""
    content: dict[str, Any] = {}
    for field in wire_fields(type(obj)):
        value = getattr(obj, field.name)
        if value is None or (field.is_list and not value):
            continue
        if field.is_list:
            content[field.key] = [_wire_value(item) for item in value]
        else:
            content[field.key] = _wire_value(value)
    return content


def _wire_value(value: Any) -> Any:
    if isinstance(value, SIFPart):
        return to_goessner(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def from_goessner(object_name: str, content: Mapping[str, Any] | Any) -> SIFObject:
    """Build the object named ``object_name`` from its Goessner-notation content.

    Raises :class:`pydantic.ValidationError` (every problem, with wire paths such as
    ``Name[0].GivenName``) when the content is not a valid object, and :class:`KeyError` when
    ``object_name`` is not an object type.
    """
    cls = OBJECT_TYPES[object_name]
    document: Any = content
    if content is None:
        document = {}  # an empty element
    elif isinstance(content, dict | Mapping) and "@xmlns" in content:
        # xmltodict leaves the root's namespace declaration among the attributes.
        document = {key: value for key, value in content.items() if key != "@xmlns"}
    return cls.model_validate(model_input(cls, document))


def model_input(cls: type[SIFPart], content: Any) -> Any:
    """Turn Goessner content into the alias-keyed input pydantic validates for ``cls``.

    Keys that belong to no field (or a misplaced attribute, text or element) are kept under a
    name that matches no field, so validation reports them as not permitted: ``@Name`` for an
    attribute, ``#text`` for text, ``<Name>`` for an element that must be an attribute.
    """
    by_key, misplaced = _input_layout(cls)
    if isinstance(content, str) and TEXT_KEY in by_key:
        content = {TEXT_KEY: content}
    # dict first: it is what JSON decodes to, and the Mapping ABC check is slow.
    if not isinstance(content, dict | Mapping):
        return content
    result: dict[str, Any] = {}
    for key, value in content.items():
        spec = by_key.get(key)
        if spec is None:
            result[f"<{key}>" if key in misplaced else key] = value
            continue
        if value is None:
            continue
        alias, is_list, part = spec
        if is_list:
            items = value if isinstance(value, list) else [value]
            if part is None:
                result[alias] = list(items)
            else:
                result[alias] = [model_input(part, item) for item in items]
        elif part is None:
            result[alias] = value
        else:
            result[alias] = model_input(part, value)
    return result


@functools.cache
def _input_layout(
    cls: type[SIFPart],
) -> tuple[Mapping[str, tuple[str, bool, type[SIFPart] | None]], frozenset[str]]:
    """:func:`wire_keys` with each field as ``(alias, is_list, part)``, unpacked for each key."""
    by_key, misplaced = wire_keys(cls)
    fields = {key: (field.alias, field.is_list, field.part) for key, field in by_key.items()}
    return fields, misplaced


@functools.cache
def wire_keys(cls: type[SIFPart]) -> tuple[Mapping[str, WireField], frozenset[str]]:
    """``cls``'s fields by Goessner key, and the keys to rename out of the way (``<Name>``)."""
    layout = wire_fields(cls)
    # Python field names are accepted by pydantic too (validate_by_name); on the wire only the
    # wire names are, so both kinds of stray key are renamed out of the way.
    misplaced = {field.alias for field in layout if field.key != field.alias} | {
        field.name for field in layout if field.name != field.alias
    }
    return {field.key: field for field in layout}, frozenset(misplaced)
