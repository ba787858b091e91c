"""CommandReporter's XML: ``<SuperStarReport><Record>...</Record>...</SuperStarReport>``.

Records are streamed one at a time by the hardened parser's element stream
(:func:`sif_core.codec.safexml.iter_elements`: entities refused, errors located), so a report of
any size is read in constant memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Final
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

from adapters.sims.captions import caption_of, element_name
from sif_core.codec.safexml import iter_elements
from sif_core.errors import MalformedDocumentError

__all__ = ["RECORD", "ROOT", "iter_record_cells", "iter_records", "write_report"]

ROOT = "SuperStarReport"
RECORD = "Record"

# Parsed 8 KiB at a time: fewer records in flight when the collector runs (it walks them all),
# so streaming takes about a fifth less time than with the default 64 KiB.
_CHUNK: Final = 1 << 13
# Element names remembered per read with their captions' cells; a report has a few dozen.
_NAMES_KEPT: Final = 4096


def iter_records(path: Path) -> Iterator[dict[str, str] | str]:
    """Each ``Record`` of the report as ``{caption: text}`` (empty elements left out).

    A record that cannot be read as captions and text (nested elements, a repeated caption)
    comes as a string saying what is wrong with it, in its place, so the caller can report it
    and go on. Raises :class:`MalformedDocumentError` for XML that is not well formed or is not a
    CommandReporter report, and :class:`HostileXMLError` for entity declarations.
    """
    for element in _elements(path):
        yield _record(element)


def iter_record_cells(path: Path, columns: Mapping[str, int]) -> Iterator[list[str] | str]:
    """Each ``Record`` as cells: the text of caption ``c`` at ``columns[c]``, ``""`` where the
    record has no such caption; other captions are left out. The same records, strings and
    errors as :func:`iter_records`, without a dict per record."""
    width = max(columns.values(), default=-1) + 1
    cells_of = _Cells(columns, width)
    for element in _elements(path):
        yield cells_of(element)


class _Cells:
    """A record's cells, by element name: each name is decoded once (and refused when another
    name already stands for its caption, as ``_x0020_`` and ``_x00000020_`` both stand for a
    space); a record that is not plainly one element per caption is read by :func:`_record`,
    which says what is wrong with it."""

    def __init__(self, columns: Mapping[str, int], width: int) -> None:
        self.columns = columns
        self.width = width
        self.slots: dict[str, int] = {}  # element name: cell index, -1 for a caption not read
        self.names: dict[str, str] = {}  # caption: the element name it was decoded from

    def _learn(self, name: str) -> int | None:
        if len(self.slots) >= _NAMES_KEPT:
            return None
        caption = caption_of(name)
        if self.names.setdefault(caption, name) != name:
            return None
        slot = self.slots[name] = self.columns.get(caption, -1)
        return slot

    def __call__(self, element: Element) -> list[str] | str:
        slots = self.slots
        cells = [""] * self.width
        others: set[str] | None = None
        for child in element:
            name = child.tag
            slot = slots.get(name)
            if slot is None:
                slot = self._learn(name)
                if slot is None:
                    return self._slowly(element)
            if len(child):
                return self._slowly(element)
            if slot >= 0:
                if cells[slot]:
                    return self._slowly(element)  # a caption repeated after its value
                text = child.text
                if text:
                    cells[slot] = text.strip()
            else:
                if others is None:
                    others = set()
                elif name in others:
                    return self._slowly(element)
                if (child.text or "").strip():
                    others.add(name)
        text = element.text
        if text and text.strip():
            return _TEXT_IN_RECORD
        return cells

    def _slowly(self, element: Element) -> list[str] | str:
        record = _record(element)
        if isinstance(record, str):
            return record
        cells = [""] * self.width
        for caption, value in record.items():
            index = self.columns.get(caption)
            if index is not None:
                cells[index] = value.strip()
        return cells


def _elements(path: Path) -> Iterator[Element]:
    with path.open("rb") as stream:
        for trail, element in iter_elements(stream, source=str(path), chunk_size=_CHUNK):
            if trail != (ROOT,) or element.tag != RECORD:
                raise MalformedDocumentError(
                    f"not a SIMS CommandReporter report: expected <{ROOT}><{RECORD}>, found "
                    f"<{trail[0]}><{element.tag}>",
                    source=str(path),
                )
            yield element


_TEXT_IN_RECORD: Final = "the Record holds text instead of one element per caption"


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
        return _TEXT_IN_RECORD
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
