"""Is this file a Common Transfer File? Decided from its first bytes, without parsing it."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

__all__ = ["FILE_PATTERNS", "detect"]

#: Phase one of detection: CTFs are XML files (``8012000_CTF_MMMMMMM_001.xml`` by convention).
FILE_PATTERNS = ("*.xml",)

# The first element's name, after the XML declaration, comments, processing instructions and a
# DOCTYPE (the parser refuses a hostile one later; detection never parses).
_FIRST_ELEMENT = re.compile(r"<([A-Za-z_][A-Za-z0-9_.\-]*)[\s/>]")
_SKIPPED = re.compile(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>|\s+", re.DOTALL)


def detect(path: Path, head: bytes) -> bool:
    """True when ``head`` (the file's first bytes) starts a document whose root is ``CTfile``.

    An admissions file (``ATfile``), a SIF document or anything that is not XML is declined.
    """
    text = _decode(head)
    position = 0
    while True:
        skipped = _SKIPPED.match(text, position)
        if skipped is None or skipped.end() == position:
            break
        position = skipped.end()
    match = _FIRST_ELEMENT.match(text, position)
    return match is not None and match.group(1) == "CTfile"


def _decode(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="replace")
    # The structure of the prolog is ASCII in every encoding a CTF arrives in.
    return head.removeprefix(codecs.BOM_UTF8).decode("latin-1")
