"""Checks of ADP-6 to ADP-8: streaming memory, hostile XML and precise Problems for bad records."""

from __future__ import annotations

import gc
import re
import tracemalloc
from pathlib import Path
from typing import Final

from sif_core.conformance.adapter_session import ADAPTER_CHECKS, AdapterSession
from sif_core.conformance.checks import CheckFailed, KitError, NotApplicable
from sif_core.conformance.reading import ReadResult
from sif_core.errors import HostileXMLError
from sif_core.model import (
    LearnerPersonal,
    SIFObject,
    is_temporary_upn,
    upn_problem,
)
from sif_core.model.identifiers import UPN_CHECK_LETTERS
from sif_core.problems import Problem

__all__ = ["LARGE_PUPILS", "SMALL_PUPILS", "STREAMING_ALLOWANCE"]

#: Sizes of the synthetic inputs whose reads are compared (pupils).
SMALL_PUPILS: Final = 50
LARGE_PUPILS: Final = 250
#: A streaming read's peak may grow by at most this share of what holding the extra objects of
#: the larger input would cost. A read that holds them grows by 1.0 or more; the built-in
#: adapters grow by less than 0.2 (sets of keys seen, buffers).
STREAMING_ALLOWANCE: Final = 0.5


class _Traced:
    """tracemalloc around one measurement, leaving it as it was found."""

    def __enter__(self) -> _Traced:
        self.was_tracing = tracemalloc.is_tracing()
        if not self.was_tracing:
            tracemalloc.start()
        gc.collect()
        self.base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        return self

    def peak(self) -> int:
        return tracemalloc.get_traced_memory()[1] - self.base

    def current(self) -> int:
        return tracemalloc.get_traced_memory()[0] - self.base

    def __exit__(self, *exc: object) -> None:
        if not self.was_tracing:
            tracemalloc.stop()


def _streamed_peak(session: AdapterSession, source: Path) -> tuple[int, int]:
    """(peak bytes, items) of reading ``source`` while keeping nothing."""
    with _Traced() as traced:
        items = sum(1 for _ in session.read_lazily(source))
        return traced.peak(), items


def _held_cost(session: AdapterSession, source: Path) -> tuple[int, int]:
    """(bytes, items) that holding every item of ``source`` costs."""
    with _Traced() as traced:
        held = list(session.read_lazily(source))
        cost = traced.current()
        count = len(held)
        del held
        return cost, count


def _mb(size: float) -> str:
    return f"{size / 1e6:.2f} MB"


@ADAPTER_CHECKS.check("ADP-6.streaming", "Reading a larger input does not hold what it reads")
def streaming(session: AdapterSession) -> str:
    if not session.claims("writes"):
        raise KitError(
            "not measured: the kit makes inputs of two sizes with the adapter's write(), and "
            "this adapter claims no writing"
        )
    small = session.synthetic_input(SMALL_PUPILS)
    large = session.synthetic_input(LARGE_PUPILS)
    held, held_items = _held_cost(session, small)
    small_peak, small_items = _streamed_peak(session, small)
    large_peak, large_items = _streamed_peak(session, large)
    if held_items == 0 or large_items < 2 * small_items:
        raise KitError(
            f"the synthetic inputs read as {small_items} and {large_items} item(s): too few to "
            "compare"
        )
    per_item = held / held_items
    extra = large_items - small_items
    allowance = STREAMING_ALLOWANCE * per_item * extra
    growth = large_peak - small_peak
    evidence = [
        f"{SMALL_PUPILS} pupils: {small_items} items, peak {_mb(small_peak)}",
        f"{LARGE_PUPILS} pupils: {large_items} items, peak {_mb(large_peak)}",
        f"holding one item costs {per_item:.0f} bytes; the {extra} extra items would cost "
        f"{_mb(per_item * extra)}",
    ]
    share = growth / (per_item * extra)
    if growth > allowance:
        raise CheckFailed(
            f"the peak grew by {_mb(growth)} for {extra} more items ({share:.0%} of holding "
            f"them; at most {STREAMING_ALLOWANCE:.0%} allowed): read() keeps what it reads",
            evidence,
        )
    return (
        f"the peak grew by {_mb(growth)} for {extra} more items, {share:.0%} of what holding "
        "them would cost"
    )


_DECLARATION = re.compile(rb"^(\xef\xbb\xbf)?\s*<\?xml[^>]*\?>")
_ROOT = re.compile(rb"<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)[\s/>]")


def _hostile(sample: Path, doctype: bytes, folder: Path) -> Path:
    data = sample.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise NotApplicable(f"{sample.name} is UTF-16: the kit inserts DOCTYPEs into UTF-8 only")
    if b"<!DOCTYPE" in data[:4096]:
        raise KitError(f"{sample.name} has a DOCTYPE already; give samples without one")
    declaration = _DECLARATION.match(data)
    at = (
        declaration.end()
        if declaration
        else len(b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b"")
    )
    root = _ROOT.search(data, at)
    if root is None:
        raise KitError(f"{sample.name}: the kit finds no root element in it")
    hostile = folder / sample.name
    hostile.write_bytes(
        data[:at] + b"\n" + doctype.replace(b"ROOT", root.group(1)) + b"\n" + data[at:]
    )
    return hostile


def _refusal(session: AdapterSession, path: Path, what: str) -> str | None:
    """Why reading ``path`` was not refused as it must be, or ``None`` when it was."""
    yielded = 0
    try:
        for _ in session.spec.read(path, session.context()):
            yielded += 1
    except HostileXMLError as error:
        if yielded:
            return f"{what}: {yielded} item(s) were yielded before the refusal"
        if path.name not in str(error):
            return f"{what}: HostileXMLError does not name the file: {error}"
        return None
    except Exception as error:  # refused, but not for the reason the clause demands
        return (
            f"{what}: refused with {type(error).__name__} rather than HostileXMLError: "
            f"{str(error)[:200]}"
        )
    return f"{what}: read {yielded} item(s) without refusing it"


def _check_hostile(session: AdapterSession, label: str, doctype: bytes) -> str:
    if not session.xml_samples:
        raise KitError("the statement claims XML but no sample is XML; add an XML sample")
    found = []
    for sample in session.xml_samples:
        folder = session.scratch("hostile")
        (folder / "sif-kit.dtd").write_text('<!ENTITY sifkit "SIF-KIT-EXTERNAL">\n')
        reason = _refusal(session, _hostile(sample, doctype, folder), f"{sample.name} {label}")
        if reason:
            found.append(reason)
    if found:
        raise CheckFailed(f"a document with {label} is not refused with HostileXMLError", found)
    return f"{len(session.xml_samples)} XML sample(s) with {label} refused with HostileXMLError"


@ADAPTER_CHECKS.check("ADP-7.entities-refused", "A document declaring entities is refused")
def entities_refused(session: AdapterSession) -> str:
    laughs = b"".join(
        b'<!ENTITY lol%d "&lol%d;&lol%d;&lol%d;&lol%d;">' % (n, n - 1, n - 1, n - 1, n - 1)
        for n in range(1, 6)
    )
    doctype = b'<!DOCTYPE ROOT [<!ENTITY lol0 "lol">' + laughs + b"]>"
    return _check_hostile(session, "entity declarations", doctype)


@ADAPTER_CHECKS.check("ADP-7.external-dtd-refused", "A document naming an external DTD is refused")
def external_dtd_refused(session: AdapterSession) -> str:
    return _check_hostile(session, "an external DTD", b'<!DOCTYPE ROOT SYSTEM "sif-kit.dtd">')


def _wrong_upn(upn: str) -> str:
    letter = next(c for c in UPN_CHECK_LETTERS if c != upn[0])
    return letter + upn[1:]


def _victims(objects: list[SIFObject], files: list[bytes]) -> list[LearnerPersonal]:
    unique = []
    for obj in objects:
        if (
            isinstance(obj, LearnerPersonal)
            and obj.upn
            and not is_temporary_upn(obj.upn)
            and any(obj.upn.encode() in data for data in files)
        ):
            unique.append(obj)
    upns = [obj.upn for obj in unique]
    once = [obj for obj in unique if upns.count(obj.upn) == 1]
    # Two learners well apart, neither the first record (a header row is often special).
    return [once[index] for index in (2, 6) if index < len(once)]


def _files(target: Path) -> list[Path]:
    if target.is_dir():
        return sorted(p for p in target.rglob("*") if p.is_file())
    return [target]


def _names_source(problem: Problem, target: Path) -> bool:
    source = Path(problem.source)
    return source == target or target in source.parents or source.name == target.name


@ADAPTER_CHECKS.check(
    "ADP-8.bad-records", "Two pupils with wrong UPNs are named precisely; others read"
)
def bad_records(session: AdapterSession) -> str:
    if not session.claims("writes") or "LearnerPersonal" not in session.claimed_writes:
        raise NotApplicable("the kit damages learners it writes; this adapter writes none")
    target = session.synthetic_input(20)
    baseline = session.read(target)
    if baseline.errors:
        raise KitError(
            f"the adapter's own output of 20 synthetic pupils reads with "
            f"{len(baseline.errors)} error Problem(s) (see ADP-9)"
        )
    paths = _files(target)
    victims = _victims(baseline.objects, [p.read_bytes() for p in paths])
    if len(victims) < 2:
        raise NotApplicable("the written files do not hold the learners' UPNs as text")
    expected = {}
    for victim in victims:
        assert victim.upn is not None
        wrong = _wrong_upn(victim.upn)
        expected[wrong] = upn_problem(wrong) or "wrong check letter"
        for path in paths:
            path.write_bytes(path.read_bytes().replace(victim.upn.encode(), wrong.encode()))
    damaged = session.read(target)
    return _judge(baseline, damaged, target, list(expected.values()))


def _judge(baseline: ReadResult, damaged: ReadResult, target: Path, reasons: list[str]) -> str:
    found = []
    learners = len(baseline.of_type("LearnerPersonal"))
    remaining = len(damaged.of_type("LearnerPersonal"))
    if remaining != learners - len(reasons):
        found.append(
            f"{remaining} of {learners} learners read; expected {learners - len(reasons)}"
            " (all but the damaged ones)"
        )
    named_records = []
    for reason in reasons:
        matching = [p for p in damaged.errors if reason in p.message]
        if not matching:
            found.append(f"no error Problem gives the reason {reason!r}")
            continue
        problem = matching[0]
        if not _names_source(problem, target):
            found.append(f"the Problem names the source {problem.source!r}, not {target.name}")
        if not problem.record.strip():
            found.append("the Problem does not name the record")
        if not (problem.field or "").strip():
            found.append("the Problem does not name the field")
        named_records.append(problem.record)
    if len(set(named_records)) < len(named_records):
        found.append(f"two damaged records are both named {named_records[0]!r}")
    if found:
        raise CheckFailed("bad records are not reported precisely", found)
    return (
        f"{len(reasons)} damaged record(s) each named with file, record, field and reason; "
        f"the other {remaining} learner(s) read"
    )


@ADAPTER_CHECKS.check(
    "ADP-8.reference-bad-samples", "The statement's bad samples are reported as stated"
)
def reference_bad_samples(session: AdapterSession) -> str:
    bad = session.statement.bad_samples
    if not bad:
        if session.claims("writes") and "LearnerPersonal" in session.claimed_writes:
            raise NotApplicable("the statement lists no bad samples")
        raise KitError(
            "not verified: the adapter writes no learners for the kit to damage and "
            "the statement lists no [[bad_samples]]"
        )
    found = []
    for sample in bad:
        path = session.samples_dir / sample.path
        if not path.exists():
            raise KitError(f"the bad sample {sample.path} is not in {session.samples_dir}")
        result = session.read(path)
        if not result.errors:
            found.append(f"{sample.path}: no error Problem")
            continue
        if not any(
            _as_stated(problem, sample.record, sample.field, sample.reason)
            for problem in result.errors
        ):
            found.append(
                f"{sample.path}: no Problem says record {sample.record!r}, field "
                f"{sample.field!r}, reason {sample.reason!r}; got: "
                f"{result.errors[0].record}: {result.errors[0].field}"
            )
        if not result.objects:
            found.append(f"{sample.path}: no other record was read")
    if found:
        raise CheckFailed("bad samples are not reported as the statement says", found)
    return f"{len(bad)} bad sample(s) reported as stated"


def _as_stated(problem: Problem, record: str | None, field: str | None, reason: str | None) -> bool:
    return (
        (record is None or record in problem.record)
        and (field is None or field.lower() in (problem.field or "").lower())
        and (reason is None or reason.lower() in problem.message.lower())
    )
