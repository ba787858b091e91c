"""SIF XML elements straight to the input a model validates, without Goessner dicts in between.

Reading SIF XML used to turn every element into Goessner notation (xmltodict) and that into the
alias-keyed dict pydantic validates (:func:`sif_core.codec.goessner.model_input`). Here an
:mod:`xml.etree.ElementTree` element becomes that same dict in one pass, so an object validates
exactly as before: the same objects, and the same errors, with the same wire paths, for a record
that is not valid.

What "the same" covers, element by element (it is what xmltodict made of the element, then
:func:`~sif_core.codec.goessner.model_input`):

- an element with neither attributes nor children is its text with surrounding whitespace
  removed, and an empty one is absent (``None``);
- otherwise its attributes (``@Name``), then its children by name in the order each name first
  occurs (a name that occurs twice is a list), then its own text (``#text``) if any is left once
  whitespace is removed;
- an object element inside a collection is the exception: its own text is dropped and, without
  attributes or children, its text is kept as it is (xmltodict's streaming mode).

Names are local names: an element in the SIF namespace (or in none) is ``LearnerPersonal``; an
element in any other namespace keeps its ``{namespace}name``, so it is reported rather than
silently read as a SIF field.

The common case (every child a known field, no repeats of a single field, no empty list item,
no stray text) takes a fast path; anything else takes the general one, which follows the rules
above literally.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

from sif_core.codec.goessner import ATTRIBUTE_PREFIX, TEXT_KEY, wire_fields, wire_keys
from sif_core.codec.profile import SIF_NAMESPACE
from sif_core.model import SIFPart

__all__ = ["element_content", "goessner_of", "local_name", "object_input"]

_PREFIX = "{" + SIF_NAMESPACE + "}"


def local_name(tag: str) -> str:
    """``LearnerPersonal`` for ``{urn:sifbridge:sif-uk:1}LearnerPersonal`` or ``LearnerPersonal``;
    a tag in another namespace is kept whole (``{urn:other}LearnerPersonal``)."""
    if tag.startswith(_PREFIX):
        return tag[len(_PREFIX) :]
    return tag


#: One child field: its alias, whether it is a list, and the layout of its part model (if any).
#: A plain tuple, as it is unpacked for every element read.
_Child = tuple[str, bool, "_Layout | None"]


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where each wire name of one model goes in its validation input."""

    #: attribute name -> field alias
    attributes: Mapping[str, str]
    #: element tag, both plain and in the SIF namespace -> the child field
    children: Mapping[str, _Child]
    #: the alias of the field that holds the element's own text, if any
    text: str | None
    #: wire names that belong to a field placed elsewhere, and Python field names: kept as
    #: ``<Name>`` so that validation refuses them by that name
    misplaced: frozenset[str]


@functools.cache
def _layout(cls: type[SIFPart]) -> _Layout:
    attributes: dict[str, str] = {}
    children: dict[str, _Child] = {}
    text: str | None = None
    for field in wire_fields(cls):
        if field.key.startswith(ATTRIBUTE_PREFIX):
            attributes[field.alias] = field.alias
        elif field.key == TEXT_KEY:
            text = field.alias
        else:
            child = (field.alias, field.is_list, _layout(field.part) if field.part else None)
            children[field.alias] = children[_PREFIX + field.alias] = child
    _, misplaced = wire_keys(cls)
    return _Layout(attributes, children, text, misplaced)


def object_input(cls: type[SIFPart], element: Element, *, streamed: bool) -> Any:
    """What ``cls.model_validate`` is given for the object ``element``.

    ``streamed`` is True for an object read as a member of a collection (see the module
    docstring), False for a document whose root is the object.
    """
    layout = _layout(cls)
    if streamed:
        if not len(element) and not element.attrib:
            return element.text if element.text else {}
        fast = _fast(layout, element, own_text=False)
        return fast if fast is not None else _general(layout, element, own_text=False)
    value = _part(layout, element)
    if value is None:
        return {}
    if isinstance(value, str) and element.tag.startswith("{"):
        # The root declares its namespace: xmltodict kept that as an attribute (dropped before
        # validation), so the text was ``#text`` in a dict rather than the content itself.
        return {TEXT_KEY: value}
    return value


def _part(layout: _Layout, element: Element) -> Any:
    """The input for a part (or a whole-document object): ``None`` for an empty element."""
    if not len(element) and not element.attrib:
        text = element.text
        if not text or not (text := text.strip()):
            return None
        return {layout.text: text} if layout.text is not None else text
    fast = _fast(layout, element, own_text=True)
    return fast if fast is not None else _general(layout, element, own_text=True)


def _fast(layout: _Layout, element: Element, *, own_text: bool) -> dict[str, Any] | None:
    """The input in the common case, or ``None`` when ``element`` needs :func:`_general`."""
    result: dict[str, Any] = {}
    for name, attribute in element.items():
        alias = layout.attributes.get(name)
        if alias is None:
            return None
        result[alias] = attribute
    if own_text:
        # A part's own text: its text field's value, if it has one and no children; otherwise
        # only layout whitespace may surround its children.
        text = element.text
        if text and not text.isspace():
            if layout.text is None or len(element):
                return None
            result[layout.text] = text.strip()
            return result
    children = layout.children
    empty = False
    for child in element:
        spec = children.get(child.tag)
        if spec is None:
            return None
        if own_text and (tail := child.tail) and not tail.isspace():
            return None
        alias, is_list, part = spec
        if part is None:
            if len(child) or child.keys():
                return None  # a plain field with attributes or children
            text = child.text
            value: Any = (text.strip() or None) if text else None
        else:
            value = _part(part, child)
        if is_list:
            if value is None:
                return None  # an empty list item
            if alias in result:
                result[alias].append(value)
            else:
                result[alias] = [value]
        elif alias in result:
            return None  # a single field given twice
        else:
            if value is None:
                empty = True
            result[alias] = value
    if empty:
        return {key: kept for key, kept in result.items() if kept is not None}
    return result


def _general(layout: _Layout, element: Element, *, own_text: bool) -> dict[str, Any]:
    """The input for any element, following the module docstring's rules literally."""
    result: dict[str, Any] = {}
    for name, value in element.attrib.items():
        alias = layout.attributes.get(name)
        result[alias if alias is not None else ATTRIBUTE_PREFIX + name] = value
    groups: dict[str, list[Element]] = {}
    for child in element:
        groups.setdefault(local_name(child.tag), []).append(child)
    for name, members in groups.items():
        spec = layout.children.get(name)
        if spec is None:
            key = f"<{name}>" if name in layout.misplaced else name
            result[key] = _grouped(members)
            continue
        alias, is_list, part = spec
        if is_list:
            items = [_field_value(part, member) for member in members]
            if len(items) > 1 or items[0] is not None:
                result[alias] = items
        elif len(members) > 1:
            result[alias] = _grouped(members)
        elif (value := _field_value(part, members[0])) is not None:
            result[alias] = value
    if own_text and (text := own_text_of(element)):
        result[layout.text if layout.text is not None else TEXT_KEY] = text
    return result


def _field_value(part: _Layout | None, element: Element) -> Any:
    if part is not None:
        return _part(part, element)
    return goessner_of(element)


def _grouped(members: list[Element]) -> Any:
    values = [goessner_of(member) for member in members]
    return values if len(values) > 1 else values[0]


def own_text_of(element: Element) -> str | None:
    """The element's own text (not its children's), surrounding whitespace removed."""
    pieces = [element.text or "", *(child.tail or "" for child in element)]
    return "".join(pieces).strip() or None


def goessner_of(element: Element) -> Any:
    """The element's content in Goessner notation, as xmltodict would give it."""
    if not len(element) and not element.attrib:
        text = element.text
        return (text.strip() or None) if text else None
    content: dict[str, Any] = {
        ATTRIBUTE_PREFIX + name: value for name, value in element.attrib.items()
    }
    for child in element:
        name = local_name(child.tag)
        value = goessner_of(child)
        if name not in content:
            content[name] = value
        elif isinstance(existing := content[name], list):
            existing.append(value)
        else:
            content[name] = [existing, value]
    if text := own_text_of(element):
        content[TEXT_KEY] = text
    return content


def element_content(element: Element, *, streamed: bool) -> Any:
    """The Goessner content of an object element that is not a known object type (for labels)."""
    if streamed:
        if not len(element) and not element.attrib:
            return element.text or None
        content = goessner_of(element)
        content.pop(TEXT_KEY, None)
        return content
    return goessner_of(element)
