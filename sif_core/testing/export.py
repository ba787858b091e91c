"""Writing a synthetic set to a folder: one folder per school, one collection file per type.

The layout, for ``--format sif-xml``::

    OUT/
      synth.json                  what was generated: seed, pupils, and per school the counts
      8014001/                    one folder per school (its LAESTAB): that school's export
        LAInfos.xml  SchoolInfos.xml  WorkforcePersonals.xml  LearnerPersonals.xml
        ContactPersonals.xml  LearnerContacts.xml  LearnerSchoolEnrolments.xml
        LearnerAttendanceSummaries.xml  LearnerSENHistories.xml  LearnerFSMHistories.xml
        LearnerAssessmentResults.xml

A type with no objects at a school has no file. Everything is written into a hidden folder
beside ``OUT`` and renamed into place at the end, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from sif_core import __version__
from sif_core.codec import Format, write_collection
from sif_core.model import LearnerPersonal, SchoolInfo, SIFObject
from sif_core.testing.synth import Synth

__all__ = [
    "MANIFEST_NAME",
    "OutputExistsError",
    "SchoolExport",
    "SchoolWriter",
    "collection_writer",
    "export_synthetic_set",
    "write_by_type",
]

MANIFEST_NAME: Final = "synth.json"
_BATCH: Final = 256
#: Batches a type's writer may fall behind by; bounds memory whatever the size of the school.
_QUEUE_BATCHES: Final = 16

#: Writes one school's objects into its folder; returns how many objects of each type it wrote.
SchoolWriter = Callable[[Iterable[SIFObject], Path], Mapping[str, int]]


class OutputExistsError(Exception):
    """The output folder already holds files and overwriting was not asked for."""


@dataclass(frozen=True)
class SchoolExport:
    """What was written for one school: its folder (final location) and objects per type."""

    school: SchoolInfo
    folder: Path
    counts: Mapping[str, int]


class _Finished:
    """Marks the end of a type's stream."""


class _AbandonedError(Exception):
    """Raised inside a type's writer when the export fails elsewhere."""


_DONE: Final = _Finished()


class _TypeStream:
    """One type's collection file, written by its own thread from batches of objects.

    :func:`write_collection` pulls objects from an iterable, and one pass over a school's objects
    feeds every type's file at once, so each file gets a thread that pulls from a bounded queue.
    """

    def __init__(self, path: Path, fmt: Format) -> None:
        self.path = path
        self.fmt = fmt
        self.pending: list[SIFObject] = []
        self.queue: queue.Queue[list[SIFObject] | _Finished | _AbandonedError] = queue.Queue(
            _QUEUE_BATCHES
        )
        self.error: BaseException | None = None
        self.written = 0
        self.thread = threading.Thread(target=self._run, name=f"write {path.name}", daemon=True)
        self.thread.start()

    def _objects(self) -> Iterator[SIFObject]:
        while True:
            item = self.queue.get()
            if isinstance(item, _Finished):
                return
            if isinstance(item, _AbandonedError):
                raise item
            yield from item

    def _run(self) -> None:
        try:
            self.written = write_collection(self._objects(), self.path, self.fmt)
        except BaseException as error:  # handed to the producing thread by _put and finish
            self.error = error

    def add(self, obj: SIFObject) -> None:
        self.pending.append(obj)
        if len(self.pending) >= _BATCH:
            self._put(self.pending)
            self.pending = []

    def _put(self, item: list[SIFObject] | _Finished | _AbandonedError) -> None:
        while self.thread.is_alive():
            with contextlib.suppress(queue.Full):
                self.queue.put(item, timeout=0.1)
                return
        if self.error is not None:
            raise self.error

    def finish(self) -> None:
        if self.pending:
            self._put(self.pending)
            self.pending = []
        self._put(_DONE)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def abandon(self) -> None:
        """Stop the writer (it removes its partial file) without raising its own error."""
        while self.thread.is_alive():
            with contextlib.suppress(queue.Full):
                self.queue.put(_AbandonedError("the export failed"), timeout=0.1)
                break
        self.thread.join()


def write_by_type(objects: Iterable[SIFObject], folder: Path, fmt: Format) -> dict[str, int]:
    """Write ``objects`` of any types as one collection file per type in ``folder``, streaming.

    Files are named by collection (``LearnerPersonals.xml``); returns the count per object type.
    Each file is complete or absent: on any failure every file of this call is removed.
    """
    streams: dict[type[SIFObject], _TypeStream] = {}
    try:
        for obj in objects:
            kind = type(obj)
            stream = streams.get(kind)
            if stream is None:
                stream = streams[kind] = _TypeStream(folder / f"{kind.collection_name}.{fmt}", fmt)
            stream.add(obj)
        for stream in streams.values():
            stream.finish()
    except BaseException:
        for stream in streams.values():
            stream.abandon()
            with contextlib.suppress(FileNotFoundError):
                stream.path.unlink()
        raise
    return {kind.object_name: stream.written for kind, stream in streams.items()}


def collection_writer(fmt: Format) -> SchoolWriter:
    """A :data:`SchoolWriter` writing SIF XML (``"xml"``) or SIF JSON (``"json"``) files by type."""

    def write(objects: Iterable[SIFObject], folder: Path) -> Mapping[str, int]:
        return write_by_type(objects, folder, fmt)

    return write


def _counting_pupils(
    objects: Iterable[SIFObject], on_pupil: Callable[[], None]
) -> Iterator[SIFObject]:
    for obj in objects:
        if isinstance(obj, LearnerPersonal):
            on_pupil()
        yield obj


def export_synthetic_set(
    synth: Synth,
    target: Path,
    write: SchoolWriter,
    *,
    format_name: str,
    overwrite: bool = False,
    on_pupil: Callable[[], None] = lambda: None,
) -> list[SchoolExport]:
    """Write every school of ``synth`` into its own folder under ``target``, all or nothing.

    ``target`` must not exist or be empty unless ``overwrite``, which replaces it whole (raises
    :class:`OutputExistsError`). ``on_pupil`` is called once per pupil record written.
    """
    if target.exists() and not target.is_dir():
        raise OutputExistsError(f"{target} is a file, not a folder")
    if target.is_dir() and any(target.iterdir()) and not overwrite:
        raise OutputExistsError(
            f"{target} already holds files; choose a new folder or pass --overwrite to replace it"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    )
    try:
        exports = []
        for school in synth.schools:
            folder = staging / school.laestab
            folder.mkdir()
            counts = write(_counting_pupils(synth.iter_objects(school), on_pupil), folder)
            exports.append(SchoolExport(school, target / school.laestab, dict(counts)))
        manifest = _manifest(synth, format_name, exports)
        (staging / MANIFEST_NAME).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        )
        _move_into_place(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return exports


def _manifest(synth: Synth, format_name: str, exports: list[SchoolExport]) -> dict[str, object]:
    return {
        "generator": f"sif synth (sifbridge {__version__})",
        "seed": synth.seed,
        "pupils": synth.pupils,
        "academic_year": synth.calendar.year,
        "format": format_name,
        "schools": [
            {
                "laestab": export.school.laestab,
                "urn": export.school.urn,
                "name": export.school.school_name,
                "phase": export.school.phase.value if export.school.phase else None,
                "source_system": synth.source_system(export.school),
                "folder": export.folder.name,
                "objects": dict(export.counts),
            }
            for export in exports
        ],
    }


def _move_into_place(staging: Path, target: Path) -> None:
    if not target.exists():
        os.replace(staging, target)
        return
    # Move the old folder aside first: the new one then appears in one rename.
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    os.replace(target, old / target.name)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)
