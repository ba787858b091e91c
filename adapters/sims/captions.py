"""Report captions as XML element names and back, the way CommandReporter encodes them.

A caption such as ``Legal Surname`` cannot be an element name, so each character an XML name
cannot hold is written as ``_xHHHH_`` (its UTF-16 code unit in hex): ``Legal_x0020_Surname``,
``Middle_x0020_Name_x0028_s_x0029_``. An underscore that would read as the start of such an
escape is itself escaped (``_x005F_``).
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["caption_of", "element_name"]

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{8}|[0-9A-Fa-f]{4})_")
_LOOKS_ESCAPED = re.compile(r"x[0-9A-Fa-f]{4}_")


@lru_cache(maxsize=1024)
def caption_of(element: str) -> str:
    """The caption an element name stands for (``Legal_x0020_Surname`` -> ``Legal Surname``)."""
    if "_x" not in element:
        return element
    decoded = _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), element)
    # Characters beyond the Basic Multilingual Plane arrive as two escaped UTF-16 surrogates.
    return decoded.encode("utf-16", "surrogatepass").decode("utf-16")


def _name_char(char: str, first: bool) -> bool:
    if char.isascii() and char.isalpha():
        return True
    if first:
        return False
    return char.isascii() and (char.isdigit() or char in "-.")


def element_name(caption: str) -> str:
    """The element name CommandReporter gives ``caption`` (``Legal Surname`` ->
    ``Legal_x0020_Surname``)."""
    out: list[str] = []
    for index, char in enumerate(caption):
        if char == "_":
            escaped = _LOOKS_ESCAPED.match(caption, index + 1) is not None
            out.append("_x005F_" if escaped else "_")
        elif _name_char(char, first=index == 0):
            out.append(char)
        elif ord(char) > 0xFFFF:
            pair = char.encode("utf-16-be")
            out.append(f"_x{pair[:2].hex().upper()}__x{pair[2:].hex().upper()}_")
        else:
            out.append(f"_x{ord(char):04X}_")
    return "".join(out)
