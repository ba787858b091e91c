"""Small helpers that write CTF XML as indented text, one element a line."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Emit", "leaf", "text_of"]

#: Where the writer sends each finished piece of XML text.
Emit = Callable[[str], object]

_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def text_of(value: object) -> str:
    """The element text for ``value``: booleans as ``true``/``false``, codes by their value,
    dates as ``yyyy-MM-dd``, markup escaped."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).translate(_ESCAPES)


def leaf(indent: str, tag: str, value: object) -> str:
    """``<tag>value</tag>`` on its own line, or nothing when ``value`` is ``None``.

    CTF has no empty elements: a value the objects do not hold is left out, never written empty.
    """
    if value is None:
        return ""
    return f"{indent}<{tag}>{text_of(value)}</{tag}>\n"
