"""CommandReporter's XML: ``<SuperStarReport><Record>...</Record>...</SuperStarReport>``.

Records are streamed one at a time by the hardened parser's element stream
(:func:`sif_core.codec.safexml.iter_elements`: entities refused, errors located), so a report of
any size is read in constant memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

from adapters.sims.captions import caption_of, element_name
from sif_core.codec.safexml import iter_elements
from sif_core.errors import MalformedDocumentError

__all__ = ["RECORD", "ROOT", "iter_records", "write_report"]

ROOT = "SuperStarReport"
RECORD = "Record"


def iter_records(path: Path) -> Iterator[dict[str, str] | str]:
    """Each ``Record`` of the report as ``{caption: text}`` (empty elements left out).

    A record that cannot be read as captions and text (nested elements, a repeated caption)
    comes as a string saying what is wrong with it, in its place, so the caller can report it
    and go on. Raises :class:`MalformedDocumentError` for XML that is not well formed or is not a
    CommandReporter report, and :class:`HostileXMLError` for entity declarations.
    """
    with path.open("rb") as stream:
        for trail, element in iter_elements(stream, source=str(path)):
            if trail != (ROOT,) or element.tag != RECORD:
                raise MalformedDocumentError(
                    f"not a SIMS CommandReporter report: expected <{ROOT}><{RECORD}>, found "
                    f"<{trail[0]}><{element.tag}>",
                    source=str(path),
                )
            yield _record(element)


def _record(element: Element) -> dict[str, str] | str:
    record: dict[str, str] = {}
    for child in element:
        caption = caption_of(child.tag)
        if len(child):
            return f"the caption {caption!r} holds elements instead of a value"
        if caption in record:
            return f"the caption {caption!r} appears more than once in the Record"
        text = (child.text or "").strip()
        if text:
            record[caption] = text
    if (element.text or "").strip():
        return "the Record holds text instead of one element per caption"
    return record


def write_report(stream: IO[str], header: Iterable[str], rows: Iterable[list[str]]) -> None:
    """Write rows under ``header`` (captions) as a CommandReporter XML report."""
    names = [element_name(caption) for caption in header]
    stream.write('<?xml version="1.0" encoding="utf-8"?>\n')
    stream.write(f"<{ROOT}>\n")
    for row in rows:
        stream.write(f"  <{RECORD}>\n")
        for name, value in zip(names, row, strict=True):
            if value:
                stream.write(f"    <{name}>{escape(value)}</{name}>\n")
        stream.write(f"  </{RECORD}>\n")
    stream.write(f"</{ROOT}>\n")
