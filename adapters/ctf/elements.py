"""Reading values out of CTF elements: text, children by name, booleans."""

from __future__ import annotations

from xml.etree.ElementTree import Element

__all__ = ["children", "text", "truth"]


def text(element: Element | None) -> str | None:
    """The element's text without surrounding spaces; ``None`` when absent or empty.

    Real files carry empty elements (``<LeavingDate/>``, ``<LeavingDate></LeavingDate>``): an
    empty element means the same as a missing one.
    """
    if element is None:
        return None
    value = element.text
    if value is None:
        return None
    value = value.strip()
    return value or None


def children(element: Element | None) -> dict[str, Element]:
    """The element's children by tag (the first of each tag); empty for a missing element."""
    if element is None:
        return {}
    found: dict[str, Element] = {}
    for child in element:
        found.setdefault(child.tag, child)
    return found


_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


def truth(value: str | None) -> bool | str | None:
    """A CTF boolean (``true``/``false``, or ``1``/``0`` as XML Schema allows) as ``bool``.

    Anything else is returned unchanged, so that validation reports it against the right field.
    """
    if value is None:
        return None
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return value
