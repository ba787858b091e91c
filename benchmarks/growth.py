"""How time and memory grow as pupils, subscribers and stored events each grow tenfold.

Run: ``python -m benchmarks --only growth`` (``--quick`` for small sizes).

Each row sets the figure at the larger size against what it would be if cost grew linearly
from the smaller size (ten times as much), or, for the cost of one operation as the store
fills, against staying flat (the same as at the smaller size). A ratio of 1.00 is exactly
linear (or flat); above 1 is better than that; the note names anything worse than linear.
Measured in-process on the zone's SQLite store (no HTTP), so only the zone's own work counts.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from benchmarks._harness import Row, best_of, traced_peak
from benchmarks._zone import ZONE, LocalZone, learners, zone_event
from sif_core.changes import Diff, content_digest
from sif_core.codec import to_goessner
from sif_core.testing import Synth
from sif_core.zone_wire import canonical_json
from zone_server.api_queue import AUDITED_TYPES
from zone_server.publishing import ZoneEvent
from zone_server.store import NewEvent, ObjectIndex, ObjectQuery

__all__ = ["Sizes", "rows"]

TENFOLD = 10
PUPILS = "Tenfold pupils: one school's whole export"
SUBSCRIBERS = "Tenfold subscribers: learners fanned out, then every queue drained"
STORED = "Tenfold stored events: the cost of one operation as the store fills"


@dataclass(frozen=True)
class Sizes:
    """The smaller size of each dimension (the larger is ten times it)."""

    pupils: int = 100
    subscribers: int = 1
    fan_out_events: int = 1_000
    stored_events: int = 10_000


QUICK = Sizes(pupils=10, subscribers=1, fan_out_events=50, stored_events=500)


def _verdict(ratio: float | None, *, flat: bool) -> str:
    """What a ratio says, allowing a quarter either way for a shared machine's noise."""
    if ratio is None:
        return ""
    if not flat:
        if ratio < 0.8:
            return "WORSE THAN LINEAR"
        return "linear" if ratio < 1.25 else "better than linear"
    if ratio >= 0.67:
        return "flat"
    if ratio >= 0.25:
        return "grows, less than linearly"
    if ratio >= 0.08:
        return "linear in what is stored: each call reads all of it"
    return "WORSE THAN LINEAR"


def _linear(table: str, key: str, what: str, small: float, large: float, unit: str) -> Row:
    row = Row.cost(table, key, what, large, unit, "10x the smaller size (linear)", TENFOLD * small)
    return replace(row, note=_verdict(row.ratio, flat=False))


def _flat(table: str, key: str, what: str, small: float, large: float, unit: str) -> Row:
    row = Row.cost(table, key, what, large, unit, "the same at the smaller size (flat)", small)
    return replace(row, note=_verdict(row.ratio, flat=True))


def _school_events(pupils: int) -> tuple[str, list[ZoneEvent], list[ZoneEvent]]:
    """A synthetic school's laestab, its SchoolInfo event and every other object's event."""
    synth = Synth(pupils=pupils, seed=1, schools=1)
    school = synth.schools[0]
    others = [
        zone_event(obj)
        for obj in synth.iter_objects(school)
        if obj.object_name not in ("LAInfo", "SchoolInfo")
    ]
    return school.laestab, [zone_event(school)], others


def publish_school(folder: Path, pupils: int) -> tuple[float, int, int]:
    """Publish a school of ``pupils`` pupils to three subscribers, 100 events a transaction:
    (best of two runs' seconds, peak bytes, events)."""
    laestab, school, others = _school_events(pupils)

    def once(place: Path) -> None:
        zone = LocalZone(place, 3, laestab=laestab, subscribed="*")
        try:
            zone.publish(school)
            zone.publish(others)
        finally:
            zone.close()

    runs = iter(range(3))
    seconds, _ = best_of(lambda: once(folder / f"school-{pupils}-{next(runs)}"), runs=2)
    peak, _ = traced_peak(lambda: once(folder / f"school-{pupils}-traced"))
    return seconds, peak, len(others) + 1


def diff_school(pupils: int) -> tuple[float, int]:
    """Compare a school's export with a snapshot of itself: (seconds, peak bytes)."""
    synth = Synth(pupils=pupils, seed=1, schools=1)
    objects = list(synth.iter_objects(synth.schools[0]))
    previous = {
        obj.ref_id: (obj.object_name, content_digest(canonical_json(to_goessner(obj))))
        for obj in objects
    }

    def compare() -> int:
        diff = Diff(previous)
        changed = sum(1 for obj in objects if diff.compare(obj) is not None)
        return changed + len(diff.deletions())

    seconds, _ = best_of(compare, runs=2)
    peak, _ = traced_peak(compare)
    return seconds, peak


def fan_out(folder: Path, subscribers: int, events: int) -> tuple[float, int]:
    """Publish ``events`` learners to ``subscribers`` and drain each queue: (best of two
    runs' seconds, peak bytes)."""
    batch = [zone_event(learner) for learner in learners(events)]

    def once(place: Path) -> None:
        zone = LocalZone(place, subscribers)
        try:
            zone.publish(batch)
            for party in zone.subscribers:
                if zone.drain(party) != events:
                    raise AssertionError(f"{party} did not receive all {events} events")
        finally:
            zone.close()

    runs = iter(range(3))
    seconds, _ = best_of(lambda: once(folder / f"fan-{subscribers}-{next(runs)}"), runs=2)
    peak, _ = traced_peak(lambda: once(folder / f"fan-{subscribers}-traced"))
    return seconds, peak


def _fill(zone: LocalZone, count: int) -> None:
    """Store ``count`` learner events (as already delivered: queues stay empty)."""
    template = to_goessner(next(learners(1, seed=7)))
    with zone.store.transaction() as tx:
        for number in range(count):
            ref_id = f"{number:032X}"
            event = tx.append_event(
                ZONE,
                "school",
                NewEvent("add", "LearnerPersonal", ref_id, {**template, "@RefId": ref_id}),
            )
            tx.put_object(event, ObjectIndex(), frozenset({"8012000"}))


def operations(folder: Path, stored: int) -> dict[str, float]:
    """Seconds of one publish, lease, acknowledgement, page and changes-since with ``stored``
    events in the store (best of five each)."""
    zone = LocalZone(folder / f"stored-{stored}", 3)
    try:
        _fill(zone, stored)
        fresh = [zone_event(learner) for learner in learners(500, seed=stored + 11)]
        batches = iter([fresh[start : start + 100] for start in range(0, 500, 100)])
        party = zone.subscribers[0]
        scope = zone.policy.parties[party].scope
        marker = zone.store.marker(ZONE)

        def timed(work: Callable[[], object]) -> float:
            return best_of(work, runs=5)[0]

        figures = {"publish": timed(lambda: zone.publish(next(batches)))}
        figures["lease"] = figures["ack"] = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            messages = zone.store.lease(
                ZONE, party, limit=100, lease_seconds=60, audited_types=AUDITED_TYPES
            )
            leased = time.perf_counter()
            zone.store.ack(ZONE, party, [message.message_id for message in messages])
            figures["lease"] = min(figures["lease"], leased - started)
            figures["ack"] = min(figures["ack"], time.perf_counter() - leased)
        figures["page"] = timed(
            lambda: zone.store.query(ZONE, ObjectQuery("LearnerPersonal", scope, page=3))
        )
        figures["changes"] = timed(
            lambda: zone.store.query(
                ZONE, ObjectQuery("LearnerPersonal", scope, changes_since=marker - 100)
            )
        )
        return figures
    finally:
        zone.close()


def rows(quick: bool = False) -> list[Row]:
    """Time and peak memory at a size and ten times it, for pupils, subscribers, events."""
    sizes = QUICK if quick else Sizes()
    result: list[Row] = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        small, large = sizes.pupils, sizes.pupils * TENFOLD
        s_time, s_peak, _ = publish_school(folder, small)
        l_time, l_peak, l_events = publish_school(folder, large)
        what = f"publish {large:,} pupils ({l_events:,} events) to 3 subscribers"
        result += [
            _linear(PUPILS, "pupils.publish.time", what, s_time, l_time, "s"),
            _linear(PUPILS, "pupils.publish.memory", what, s_peak / 2**20, l_peak / 2**20, "MiB"),
        ]
        s_time, s_peak = diff_school(small)
        l_time, l_peak = diff_school(large)
        what = f"diff {large:,} pupils' export with its snapshot"
        result += [
            _linear(PUPILS, "pupils.diff.time", what, s_time, l_time, "s"),
            _linear(PUPILS, "pupils.diff.memory", what, s_peak / 2**20, l_peak / 2**20, "MiB"),
        ]
        few, many = sizes.subscribers, sizes.subscribers * TENFOLD
        s_time, s_peak = fan_out(folder, few, sizes.fan_out_events)
        l_time, l_peak = fan_out(folder, many, sizes.fan_out_events)
        what = f"{sizes.fan_out_events:,} learners to {many} subscribers"
        result += [
            _linear(SUBSCRIBERS, "subscribers.time", what, s_time, l_time, "s"),
            _linear(SUBSCRIBERS, "subscribers.memory", what, s_peak / 2**20, l_peak / 2**20, "MiB"),
        ]
        fewer, more = sizes.stored_events, sizes.stored_events * TENFOLD
        before, after = operations(folder, fewer), operations(folder, more)
        for name, label in (
            ("publish", "publish 100 learners to 3 subscribers"),
            ("lease", "lease 100 messages"),
            ("ack", "acknowledge 100 messages"),
            ("page", "query a page of 100 learners"),
            ("changes", "changes since the last 100 events"),
        ):
            what = f"{label}, {more:,} events stored"
            result.append(
                _flat(STORED, f"stored.{name}", what, before[name] * 1000, after[name] * 1000, "ms")
            )
    return result
