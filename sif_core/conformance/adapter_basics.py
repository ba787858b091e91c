"""Checks of ADP-1 to ADP-5: metadata, detection, valid objects, RefIds, referential integrity."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from sif_core.conformance.adapter_session import ADAPTER_CHECKS, AdapterSession, head_of
from sif_core.conformance.checks import CheckFailed, CheckWarning
from sif_core.conformance.reading import ReadResult, differences
from sif_core.model import OBJECT_TYPES, SIFObject

__all__: list[str] = []

_VERSION = re.compile(r"^[0-9]+(\.[0-9]+)*\S*$")


def _fail_if(found: list[str], message: str) -> None:
    if found:
        raise CheckFailed(
            message, found[:10] + ([f"... and {len(found) - 10} more"] if len(found) > 10 else [])
        )


@ADAPTER_CHECKS.check("ADP-1.metadata", "The adapter is registered and describes itself")
def metadata(session: AdapterSession) -> str:
    if isinstance(session.spec_or_error, str):
        raise CheckFailed(
            f"the plugin host has no adapter {session.name!r}", [session.spec_or_error]
        )
    spec = session.spec
    found = [
        f"{what} is empty"
        for what, value in (("supplier", spec.supplier), ("description", spec.description))
        if not value.strip()
    ]
    if not _VERSION.match(spec.version):
        found.append(f"version {spec.version!r} is not a version number (1.2.0)")
    if not spec.formats:
        found.append("formats names no format")
    if not spec.reads:
        found.append("reads names no object type")
    _fail_if(found, f"{spec.name}'s metadata is incomplete")
    unreadable = sorted(set(spec.writes) - set(spec.reads))
    if unreadable:
        raise CheckWarning(f"{spec.name} writes {', '.join(unreadable)} but cannot read them back")
    return (
        f"{spec.name} {spec.version} by {spec.supplier} ({spec.distribution}): reads "
        f"{len(spec.reads)} type(s), writes {len(spec.writes)}"
    )


@ADAPTER_CHECKS.check("ADP-1.claims-declared", "What the statement claims, the adapter declares")
def claims_declared(session: AdapterSession) -> str:
    spec = session.spec
    found = [
        f"the statement claims it reads {t}; the adapter does not declare it"
        for t in session.claimed_reads
        if t not in spec.reads
    ]
    found += [
        f"the statement claims it writes {t}; the adapter does not declare it"
        for t in session.claimed_writes
        if t not in spec.writes
    ]
    if session.statement.claims.writes and spec.write is None:
        found.append("the statement claims writing; the adapter has no write()")
    _fail_if(found, "the statement claims more than the adapter declares")
    return (
        f"claims {len(session.claimed_reads)} type(s) read and "
        f"{len(session.claimed_writes)} written, all declared"
    )


@ADAPTER_CHECKS.check("ADP-2.recognises-samples", "Every good sample is recognised")
def recognises_samples(session: AdapterSession) -> str:
    spec = session.spec
    found = []
    for sample in session.samples:
        if not spec.matches_name(sample):
            found.append(f"{sample.name}: file_patterns {list(spec.file_patterns)} do not match")
        elif not session.detect(sample):
            found.append(f"{sample.name}: detect() says no")
    _fail_if(found, "the adapter does not recognise its own samples")
    return f"recognises all {len(session.samples)} sample(s)"


_IMPOSTORS = {
    "empty": b"",
    "binary": bytes(range(256)) * 4,
    "unrelated CSV": b"Name,Comment\r\nnot,an export\r\n",
    "unrelated JSON": b'{"note": "not an export", "items": [1, 2, 3]}\n',
    "unrelated XML": b'<?xml version="1.0" encoding="UTF-8"?>\n<Note><To>nobody</To></Note>\n',
    "unrelated text": "Dear parents, the school fête is on Friday.\n".encode(),
}


@ADAPTER_CHECKS.check("ADP-2.refuses-impostors", "Files that are not its format are refused")
def refuses_impostors(session: AdapterSession) -> str:
    found = []
    tried = 0
    for sample in session.samples:
        for label, content in _IMPOSTORS.items():
            folder = session.scratch("impostor")
            impostor = folder / sample.name
            if sample.is_dir():
                impostor.mkdir()
                if content:
                    (impostor / "notes.txt").write_bytes(content)
            else:
                impostor.write_bytes(content)
            tried += 1
            if session.detect(impostor):
                found.append(
                    f"{label} {'folder' if sample.is_dir() else 'file'} "
                    f"named {sample.name}: detect() says yes"
                )
            shutil.rmtree(folder)
    _fail_if(found, "detect() accepts a file that is not its format")
    return f"refuses all {tried} impostor(s)"


@ADAPTER_CHECKS.check("ADP-2.unambiguous", "No other installed adapter claims the samples")
def unambiguous(session: AdapterSession) -> str:
    others = [spec for name, spec in session.host.adapters().items() if name != session.name]
    found = []
    for sample in session.samples:
        for other in others:
            try:
                said_yes = other.matches_name(sample) and other.detect(sample, head_of(sample))
            except Exception:  # another adapter's fault; it counts as "no", as in the host
                said_yes = False
            if said_yes:
                found.append(
                    f"{sample.name} is also recognised by {other.name} ({other.distribution})"
                )
    if found:
        raise CheckWarning(
            "`sif convert` cannot choose an adapter for these samples by itself", found
        )
    return f"no other of the {len(others)} installed adapter(s) claims the samples"


def _reads(session: AdapterSession) -> Iterable[tuple[Path, ReadResult]]:
    for sample in session.samples:
        yield sample, session.read(sample)


@ADAPTER_CHECKS.check(
    "ADP-3.valid-objects", "Good samples read into valid objects of declared types"
)
def valid_objects(session: AdapterSession) -> str:
    spec = session.spec
    found: list[str] = []
    warnings: list[str] = []
    total = 0
    for sample, result in _reads(session):
        total += len(result.objects)
        if not result.objects:
            found.append(f"{sample.name}: read() yielded no objects")
        found += [
            f"{sample.name}: error Problem: {p.record}: {p.field or '-'}: {p.message}"
            for p in result.errors
        ]
        warnings += [
            f"{sample.name}: warning: {p.record}: {p.field or '-'}: {p.message}"
            for p in result.problems
            if not p.is_error
        ]
        undeclared = sorted({o.object_name for o in result.objects} - set(spec.reads))
        if undeclared:
            found.append(f"{sample.name}: {spec.name} reads {undeclared} but does not declare them")
        found += [f"{sample.name}: {problem}" for problem in _invalid(result.objects)]
    _fail_if(found, "reading the good samples does not give only valid, declared objects")
    if warnings:
        raise CheckWarning("the good samples read with warnings", warnings)
    return f"{total} valid object(s) from {len(session.samples)} sample(s)"


def _invalid(objects: list[SIFObject]) -> Iterable[str]:
    for obj in objects:
        model = OBJECT_TYPES.get(obj.object_name)
        if type(obj) is not model:
            yield f"{obj.object_name} {obj.ref_id} is a {type(obj).__name__}, not the SIF model"
            continue
        try:
            again = model.model_validate(obj.model_dump(by_alias=True))
        except ValidationError as error:  # built without validation, and not valid
            fields = ", ".join(".".join(map(str, e["loc"])) for e in error.errors())
            yield f"{obj.object_name} {obj.ref_id} is not valid: {fields}"
            continue
        if again != obj:
            yield f"{obj.object_name} {obj.ref_id} changes when validated again"


@ADAPTER_CHECKS.check("ADP-3.claimed-types-present", "The samples hold every claimed type")
def claimed_types_present(session: AdapterSession) -> str:
    seen: set[str] = set()
    for _, result in _reads(session):
        seen |= {obj.object_name for obj in result.objects}
    missing = [t for t in session.claimed_reads if t not in seen]
    if missing:
        raise CheckWarning(
            f"no sample holds {', '.join(missing)}: those claims are not verified; add samples "
            "that hold them"
        )
    return f"the samples hold all {len(session.claimed_reads)} claimed type(s)"


@ADAPTER_CHECKS.check(
    "ADP-4.same-twice", "One input read twice, from two paths, gives the same objects"
)
def same_twice(session: AdapterSession) -> str:
    found: list[str] = []
    reordered: list[str] = []
    # The whole folder moves, so that files a sample needs beside it come along.
    elsewhere = session.scratch("copy") / "samples"
    scratch = session.workdir.resolve()

    def beside_scratch(folder: str, names: list[str]) -> list[str]:
        # The kit's scratch folder may lie inside the samples folder: never copy it into itself.
        return [n for n in names if scratch.is_relative_to(Path(folder, n).resolve())]

    shutil.copytree(session.samples_dir, elsewhere, ignore=beside_scratch)
    for sample in session.samples:
        first = session.read(sample).objects
        for label, again in (
            ("read again", session.read(sample).objects),
            ("read from another folder", session.read(elsewhere / sample.name).objects),
        ):
            if again == first:
                continue
            changed = differences(first, again)
            if changed:
                found += [f"{sample.name} {label}: {line}" for line in changed]
            else:
                reordered.append(f"{sample.name} {label}: the same objects in another order")
    _fail_if(
        found,
        "reading one input twice gives different objects (are RefIds made with context.refid()?)",
    )
    if reordered:
        raise CheckWarning("reading one input twice gives its objects in another order", reordered)
    return f"{len(session.samples)} sample(s) read the same three times, from two folders"


@ADAPTER_CHECKS.check("ADP-4.unique-refids", "No two different objects of one type share a RefId")
def unique_refids(session: AdapterSession) -> str:
    found: list[str] = []
    repeated: list[str] = []
    for sample, result in _reads(session):
        by_key: dict[tuple[str, str], list[SIFObject]] = {}
        for obj in result.objects:
            by_key.setdefault((obj.object_name, obj.ref_id), []).append(obj)
        for (object_type, ref_id), same in by_key.items():
            if len(same) < 2:
                continue
            if any(other != same[0] for other in same[1:]):
                found.append(
                    f"{sample.name}: {len(same)} different {object_type} objects have "
                    f"RefId {ref_id}"
                )
            else:
                repeated.append(
                    f"{sample.name}: {object_type} {ref_id} is yielded {len(same)} times"
                )
    _fail_if(found, "different objects share a RefId")
    if repeated:
        raise CheckWarning("the same object is yielded more than once", repeated)
    return "every object's RefId is its own"


def _references(obj: SIFObject) -> Iterable[tuple[str, str, str]]:
    """(field alias, referenced type, RefId) of each reference ``obj`` holds."""
    for name, info in type(obj).model_fields.items():
        alias = info.alias or name
        target = alias.removesuffix("RefId")
        value = getattr(obj, name)
        if alias != "RefId" and alias.endswith("RefId") and isinstance(value, str):
            yield alias, target, value


@ADAPTER_CHECKS.check(
    "ADP-5.references-resolve", "Every RefId an object refers to is in the same read"
)
def references_resolve(session: AdapterSession) -> str:
    reads = set(session.spec.reads)
    found: list[str] = []
    resolved = 0
    unchecked: Counter[str] = Counter()
    for sample, result in _reads(session):
        present = {(obj.object_name, obj.ref_id) for obj in result.objects}
        for obj in result.objects:
            for alias, target, ref_id in _references(obj):
                if target not in reads:
                    unchecked[target] += 1
                elif (target, ref_id) in present:
                    resolved += 1
                else:
                    found.append(
                        f"{sample.name}: {obj.object_name} {obj.ref_id} {alias} "
                        f"{ref_id} resolves to no {target}"
                    )
    _fail_if(found, "objects refer to objects that the read did not yield")
    note = "".join(
        f"; {n} reference(s) to {t} not checked (not read)" for t, n in sorted(unchecked.items())
    )
    return f"{resolved} reference(s) resolve{note}"
