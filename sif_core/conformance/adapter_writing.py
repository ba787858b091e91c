"""Checks of ADP-9 and ADP-10: the write then read round trip, and nothing half-written."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from sif_core.conformance.adapter_session import ADAPTER_CHECKS, AdapterSession
from sif_core.conformance.checks import CheckFailed, KitError
from sif_core.conformance.reading import differences
from sif_core.model import SIFObject

__all__ = ["SourceFailedError"]


@ADAPTER_CHECKS.check("ADP-9.round-trip", "What it writes reads back as the same objects")
def round_trip(session: AdapterSession) -> str:
    writes = set(session.claimed_writes)
    found: list[str] = []
    count = 0
    for sample in session.samples:
        written = [obj for obj in session.read(sample).objects if obj.object_name in writes]
        if not written:
            continue
        target = session.scratch("round-trip") / sample.name
        session.write(written, target)
        if not target.exists():
            found.append(f"{sample.name}: write() left no {target.name}")
            continue
        again = session.read(target)
        found += [f"{sample.name}: reading what it wrote: {p}" for p in again.errors]
        back = [obj for obj in again.objects if obj.object_name in writes]
        found += [f"{sample.name}: {line}" for line in differences(written, back)]
        count += len(written)
    if found:
        raise CheckFailed("what the adapter writes does not read back the same", found)
    if not count:
        raise KitError("no sample holds an object of a type the adapter claims to write")
    return f"{count} object(s) written and read back unchanged"


class SourceFailedError(Exception):
    """What the kit's object stream raises part way through a write, on purpose."""


def _failing(objects: list[SIFObject]) -> Iterator[SIFObject]:
    yield from objects[: len(objects) // 2]
    raise SourceFailedError("the conformance kit's objects failed part way, on purpose")


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        if path.is_file()
        else "folder"
        for path in sorted(folder.rglob("*"))
    }


def _changes(before: dict[str, str], after: dict[str, str]) -> Iterable[str]:
    for name in sorted(set(before) | set(after)):
        if name not in after:
            yield f"{name} was removed"
        elif name not in before:
            yield f"{name} was left behind"
        elif before[name] != after[name]:
            yield f"{name} was changed"


@ADAPTER_CHECKS.check(
    "ADP-10.failed-write-leaves-folder", "A failed write leaves its folder as it was"
)
def failed_write_leaves_folder(session: AdapterSession) -> str:
    objects = list(session.synthetic_objects(20))
    if len(objects) < 2:
        raise KitError("too few synthetic objects of the claimed types to fail part way")
    found = []
    for existing in (False, True):
        folder = session.scratch("failed-write")
        target = folder / session.target_name
        if existing:
            session.write(objects, target)
        before = _snapshot(folder)
        state = "with an earlier target" if existing else "empty"
        try:
            session.write(_failing(objects), target)
        except CheckFailed:
            pass  # the error reached the caller, as it must
        else:
            found.append(f"{state} folder: write() returned although its objects failed")
        found += [f"{state} folder: {change}" for change in _changes(before, _snapshot(folder))]
    if found:
        raise CheckFailed("a failed write does not leave the folder as it was", found)
    return "failed writes raised and left both an empty folder and an earlier target untouched"
