"""Deliberately broken adapters: the sifxml adapter, each with one fault the kit must catch.

:data:`BROKEN` maps each clause to adapters that break it and nothing else; the tests assert that
the kit FAILS each one on its clause and on no other.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Literal

from adapters.sifxml import SPEC as SIFXML
from sif_core.adapter import AdapterSpec, ReadContext, WriteContext
from sif_core.codec import dumps_json, write_collection
from sif_core.model import (
    LearnerContact,
    LearnerPersonal,
    LearnerSchoolEnrolment,
    SIFObject,
    new_refid,
)
from sif_core.problems import Problem

Items = Iterator[SIFObject | Problem]


def _variant(name: str, **changes: object) -> AdapterSpec:
    return replace(SIFXML, name=f"broken-{name}", **changes)  # type: ignore[arg-type]


def _says_yes(path: Path, head: bytes) -> bool:
    return True


def _raises_on_empty(path: Path, head: bytes) -> bool:
    if not head:
        raise ValueError("nothing to look at")
    return SIFXML.detect(path, head)


_NOT_STAFF = tuple(t for t in SIFXML.reads if t != "WorkforcePersonal")
_NO_CONTACT_LINKS = tuple(t for t in SIFXML.writes if t != "LearnerContact")


def _random_contact_link_refids(path: Path, context: ReadContext) -> Items:
    for item in SIFXML.read(path, context):
        if isinstance(item, LearnerContact):
            item = item.model_copy(update={"ref_id": new_refid()})
        yield item


_NOWHERE = "0" * 32


def _enrolments_of_nobody(path: Path, context: ReadContext) -> Items:
    for item in SIFXML.read(path, context):
        if isinstance(item, LearnerSchoolEnrolment):
            item = item.model_copy(update={"learner_personal_ref_id": _NOWHERE})
        yield item


def _holds_everything(path: Path, context: ReadContext) -> Items:
    return iter(list(SIFXML.read(path, context)))


_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(\[.*?\])?\s*>", re.DOTALL)


def _ignores_doctypes(path: Path, context: ReadContext) -> Items:
    data = path.read_bytes()
    if b"<!DOCTYPE" not in data:
        yield from SIFXML.read(path, context)
        return
    with tempfile.TemporaryDirectory() as folder:
        stripped = Path(folder) / path.name
        stripped.write_bytes(_DOCTYPE.sub(b"", data))
        yield from SIFXML.read(stripped, context)


def _refuses_doctypes_vaguely(path: Path, context: ReadContext) -> Items:
    if b"<!DOCTYPE" in path.read_bytes()[:4096]:
        raise ValueError("cannot read this file")
    yield from SIFXML.read(path, context)


def _drops_bad_records(path: Path, context: ReadContext) -> Items:
    return (item for item in SIFXML.read(path, context) if not isinstance(item, Problem))


def _vague_problems(path: Path, context: ReadContext) -> Items:
    for item in SIFXML.read(path, context):
        yield replace(item, field=None) if isinstance(item, Problem) else item


def _stops_at_bad_record(path: Path, context: ReadContext) -> Items:
    for item in SIFXML.read(path, context):
        if isinstance(item, Problem):
            raise ValueError(f"bad record: {item.message}")
        yield item


def _forgets_ethnicity(objects: Iterable[SIFObject], target: Path, context: WriteContext) -> None:
    assert SIFXML.write is not None
    SIFXML.write(
        (
            o.model_copy(update={"ethnicity": None}) if isinstance(o, LearnerPersonal) else o
            for o in objects
        ),
        target,
        context,
    )


def _writes_in_place(objects: Iterable[SIFObject], target: Path, context: WriteContext) -> None:
    with target.open("wb") as stream:
        if target.suffix == ".ndjson":
            for obj in objects:
                stream.write(dumps_json(obj))
        else:
            fmt: Literal["xml", "json"] = "json" if target.suffix == ".json" else "xml"
            write_collection(objects, stream, fmt, mixed=True)


#: By clause: each broken adapter and a text its FAILED result must hold (the reason found).
BROKEN: dict[str, list[tuple[AdapterSpec, str]]] = {
    "ADP-1": [
        (_variant("metadata", supplier=" ", description="", version="latest"), "supplier is empty")
    ],
    "ADP-2": [
        (
            _variant("detect-yes", detect=_says_yes),
            "empty file named school.json: detect() says yes",
        ),
        (_variant("detect-raises", detect=_raises_on_empty), "detect() raised ValueError"),
    ],
    "ADP-3": [
        (
            _variant("undeclared-type", reads=_NOT_STAFF, writes=_NOT_STAFF),
            "reads ['WorkforcePersonal'] but does not declare them",
        )
    ],
    "ADP-4": [
        (
            _variant("random-refids", read=_random_contact_link_refids, writes=_NO_CONTACT_LINKS),
            "read again: LearnerContact",
        )
    ],
    "ADP-5": [
        (_variant("dangling-refs", read=_enrolments_of_nobody), "resolves to no LearnerPersonal")
    ],
    "ADP-6": [(_variant("holds-everything", read=_holds_everything), "keeps what it reads")],
    "ADP-7": [
        (_variant("ignores-doctype", read=_ignores_doctypes), "without refusing it"),
        (_variant("vague-refusal", read=_refuses_doctypes_vaguely), "rather than HostileXMLError"),
    ],
    "ADP-8": [
        (_variant("drops-bad-records", read=_drops_bad_records), "no error Problem gives"),
        (_variant("vague-problems", read=_vague_problems), "does not name the field"),
        (_variant("stops-at-bad-record", read=_stops_at_bad_record), "raised ValueError"),
    ],
    "ADP-9": [
        (
            _variant("forgets-ethnicity", write=_forgets_ethnicity),
            "differs at LearnerPersonal.Ethnicity",
        )
    ],
    "ADP-10": [(_variant("writes-in-place", write=_writes_in_place), "was left behind")],
}
