"""CommandReporter's XML: ``<SuperStarReport><Record>...</Record>...</SuperStarReport>``.

Records are streamed: the hardened parser (:func:`sif_core.codec.safexml.parse`) runs in a worker
thread and hands over batches of records through a bounded queue, so a report of any size is
read in constant memory and the reader stays an ordinary generator.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from adapters.sims.captions import caption_of, element_name
from sif_core.codec.safexml import parse
from sif_core.errors import MalformedDocumentError

__all__ = ["RECORD", "ROOT", "iter_records", "write_report"]

ROOT = "SuperStarReport"
RECORD = "Record"
_BATCH = 200
_DONE = object()


class _StoppedError(Exception):
    """The consumer went away: stop parsing."""


def iter_records(path: Path) -> Iterator[dict[str, str] | str]:
    """Each ``Record`` of the report as ``{caption: text}`` (empty elements left out).

    A record that cannot be read as captions and text (nested elements, a repeated caption)
    comes as a string saying what is wrong with it, in its place, so the caller can report it
    and go on. Raises :class:`MalformedDocumentError` for XML that is not well formed or is not a
    CommandReporter report, and :class:`HostileXMLError` for entity declarations.
    """
    batches: queue.Queue[object] = queue.Queue(maxsize=8)
    stop = threading.Event()
    worker = threading.Thread(
        target=_parse_into, args=(path, batches, stop), name="sims-xml", daemon=True
    )
    worker.start()
    try:
        while True:
            batch = batches.get()
            if batch is _DONE:
                return
            if isinstance(batch, BaseException):
                raise batch
            assert isinstance(batch, list)
            yield from batch
    finally:
        stop.set()
        while worker.is_alive():
            with contextlib.suppress(queue.Empty):
                batches.get(timeout=0.05)
        worker.join()


def _parse_into(path: Path, batches: queue.Queue[object], stop: threading.Event) -> None:
    batch: list[dict[str, str] | str] = []

    def put(item: object) -> None:
        while True:
            if stop.is_set():
                raise _StoppedError
            try:
                batches.put(item, timeout=0.05)
                return
            except queue.Full:
                continue

    def on_record(trail: list[Any], item: Any) -> bool:
        root = trail[0][0] if trail else None
        if root != ROOT or trail[-1][0] != RECORD:
            raise MalformedDocumentError(
                f"not a SIMS CommandReporter report: expected <{ROOT}><{RECORD}>, found "
                f"<{root}><{trail[-1][0]}>",
                source=str(path),
            )
        batch.append(_record(item))
        if len(batch) >= _BATCH:
            put(list(batch))
            batch.clear()
        return True

    try:
        with path.open("rb") as stream:
            document = parse(stream, source=str(path), item_depth=2, item_callback=on_record)
        if document and ROOT not in document:
            raise MalformedDocumentError(
                f"not a SIMS CommandReporter report: the root element is <{next(iter(document))}>"
                f", not <{ROOT}>",
                source=str(path),
            )
        if batch:
            put(list(batch))
        put(_DONE)
    except _StoppedError:
        return
    except Exception as error:  # handed to the consumer, which raises it in its own thread
        try:
            put(error)
        except _StoppedError:
            return


def _record(item: Any) -> dict[str, str] | str:
    if item is None:
        return {}
    if not isinstance(item, dict):
        return "the Record holds text instead of one element per caption"
    record: dict[str, str] = {}
    for name, value in item.items():
        if name.startswith("@"):
            continue
        caption = caption_of(name)
        if value is None:
            continue
        if isinstance(value, list):
            return f"the caption {caption!r} appears more than once in the Record"
        if isinstance(value, dict) and all(key.startswith(("@", "#text")) for key in value):
            value = value.get("#text")
            if value is None:
                continue
        if not isinstance(value, str):
            return f"the caption {caption!r} holds elements instead of a value"
        record[caption] = value
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
