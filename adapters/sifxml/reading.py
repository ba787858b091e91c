"""Recognising and reading SIF documents: XML and JSON through the codec, NDJSON line by line."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from pydantic import ValidationError

from sif_core.adapter import Problem, ReadContext
from sif_core.codec import MIXED_ROOT, iter_document
from sif_core.codec.document import validate_records
from sif_core.codec.goessner import from_goessner
from sif_core.codec.jsonstream import MAX_RECORD_CHARS
from sif_core.codec.profile import RawRecord
from sif_core.errors import CodecError
from sif_core.model import COLLECTIONS, OBJECT_TYPES, SIFObject

__all__ = ["FILE_PATTERNS", "FORMATS", "NDJSON_SUFFIXES", "detect", "read"]

FORMATS = ("sif-xml", "sif-json", "ndjson")
FILE_PATTERNS = ("*.xml", "*.json", "*.ndjson", "*.jsonl")
NDJSON_SUFFIXES = (".ndjson", ".jsonl")

#: Element names (or first JSON keys) a SIF document can start with.
_ROOTS = frozenset({*OBJECT_TYPES, *COLLECTIONS, MIXED_ROOT})
_UTF8_BOM = b"\xef\xbb\xbf"
#: Progress is reported every so many lines (and at the end), not for each.
_PROGRESS_LINES = 1000
# The first start tag: "<" then a name, skipping the prolog (<?xml ...?>, <!-- -->, <!DOCTYPE>).
_FIRST_TAG = re.compile(r"<(?:[A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)[\s/>]")
_FIRST_KEY = re.compile(r'\s*\{\s*"([^"\\]{1,64})"\s*:')
# An NDJSON line that is plainly one object: only JSON's own white space, a name without escapes.
_PLAIN_START = re.compile(r'[ \t\n\r]*\{[ \t\n\r]*"([^"\\]{1,64})"[ \t\n\r]*:[ \t\n\r]*')
_PLAIN_END = re.compile(r"[ \t\n\r]*\}[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _text(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="ignore")
    return head.removeprefix(_UTF8_BOM).decode("utf-8", errors="ignore")


def detect(path: Path, head: bytes) -> bool:
    """True when the document starts with a SIF root: an object, a collection or SIFObjects."""
    text = _text(head).lstrip()
    match = _FIRST_TAG.search(text) if text.startswith("<") else _FIRST_KEY.match(text)
    return match is not None and match.group(1) in _ROOTS


def read(source: Path, context: ReadContext) -> Iterator[SIFObject | Problem]:
    """Yield every object of the document, and a Problem for each record that is not valid."""
    if source.suffix.lower() in NDJSON_SUFFIXES:
        yield from _read_ndjson(source, context)
        return
    # The codec does not say how far into the file it is: progress counts records read.
    count = 0
    for count, item in enumerate(iter_document(source, source=str(source)), start=1):
        yield item
        if count % 1000 == 0:
            context.progress(count, None)
    context.progress(count, count)


def _read_ndjson(source: Path, context: ReadContext) -> Iterator[SIFObject | Problem]:
    total = source.stat().st_size
    done = 0
    name = str(source)
    with source.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            done += len(line)
            if not line.strip():
                continue
            if number == 1:
                line = line.removeprefix(_UTF8_BOM)
            # Most lines are plainly one valid object: built here, with no generator per line.
            record = _plain_record(line)
            if record is not None:
                try:
                    yield from_goessner(record.element, record.content)
                except ValidationError:
                    # Read again the general way, which names every problem.
                    yield from _read_line(line, number, name)
            else:
                yield from _read_line(line, number, name)
            if number % _PROGRESS_LINES == 0:
                context.progress(done, total)
    context.progress(done, total)


def _read_line(line: bytes, number: int, source: str) -> Iterator[SIFObject | Problem]:
    """One NDJSON line: a bad line is a Problem for that line, never the end of the file."""
    record = _plain_record(line)
    if record is None:  # a plain record starts with an object type's name, as checked here
        first_key = _FIRST_KEY.match(_text(line))
        if first_key is None or first_key.group(1) not in OBJECT_TYPES:
            message = 'each line must hold one object, as {"LearnerPersonal": {...}}'
            yield Problem(source, f"line {number}", None, message, line=number)
            return
    try:
        if record is not None:
            items = validate_records(iter((record,)), source=source)
        else:
            items = iter_document(line, source=source)
        for item in items:
            yield replace(item, line=number) if isinstance(item, Problem) else item
    except CodecError as error:
        yield Problem(source, f"line {number}", None, error.message, line=number)


def _plain_record(line: bytes) -> RawRecord | None:
    """The record of a line that is plainly one object (``{"Type": {...}}``), decoded at once.

    The codec's streaming JSON reader, set up for every line, cost more than the line's object
    itself; a line this does not recognise (not UTF-8, escapes in the name, anything after the
    object) is left to it, so its errors are the same as ever.
    """
    if len(line) > MAX_RECORD_CHARS:
        return None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    start = _PLAIN_START.match(text)
    if start is None or start.group(1) not in OBJECT_TYPES:
        return None
    try:
        content, end = _DECODER.raw_decode(text, start.end())
    except ValueError:
        return None
    if _PLAIN_END.fullmatch(text, end) is None:
        return None
    name = start.group(1)
    return RawRecord(name, content, name, 1)
