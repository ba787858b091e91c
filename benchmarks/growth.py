"""How time and memory grow as pupils, subscribers and stored events each grow tenfold.

Run: ``python -m benchmarks --only growth`` (``--quick`` for small sizes).

Each row sets the figure at the larger size against what it would be if cost grew linearly
from the smaller size (ten times as much), or, for the cost of one operation as the store
fills, against staying flat (the same as at the smaller size). A ratio of 1.00 is exactly
linear (or flat); above 1 is better than that; the note names anything worse than linear.
Measured in-process on the zone's SQLite store (no HTTP), so only the zone's own work counts.

Besides time and peak memory, publishing a school counts the database pages its transactions
write (deterministic, unlike time on a shared machine), and the stored-events table reads a
whole collection page by page as a client does with ``navigationId``, beside what one page costs
at the start, halfway by continuing, and halfway by number alone.
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
from zone_server.scope import Scope
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

_WAL_HEADER = 32
_WAL_FRAME = 24 + 4096  # frame header and one page (SQLite's default page size)
#: Why publishing writes more pages per event as a school grows (docs/performance.md, Growth).
SCATTER = (
    "random RefIds put each insert of a transaction on a page of its own in each of the ten or "
    "so B-trees keyed by them, as the tables outgrow 100 inserts a page-set: at most ~11 pages "
    "an event, so linear again beyond a few thousand pupils"
)


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


@dataclass(frozen=True)
class Published:
    """A school published: best of two runs' seconds, peak bytes, events, and the database
    pages its transactions wrote (write-ahead log frames, counted with checkpoints off)."""

    seconds: float
    peak: int
    events: int
    pages: int


def _wal_frames(folder: Path) -> int:
    wal = folder / "zone.db-wal"
    return (wal.stat().st_size - _WAL_HEADER) // _WAL_FRAME if wal.exists() else 0


def publish_school(folder: Path, pupils: int) -> Published:
    """Publish a school of ``pupils`` pupils to three subscribers, 100 events a transaction."""
    laestab, school, others = _school_events(pupils)

    def once(place: Path, *, count_pages: bool = False) -> int:
        zone = LocalZone(place, 3, laestab=laestab, subscribed="*")
        try:
            zone.publish(school)
            if count_pages:
                # The log then keeps every page each commit writes (it is copied back at close).
                zone.store._conn().execute("PRAGMA wal_autocheckpoint = 0")
            before = _wal_frames(place)
            zone.publish(others)
            return _wal_frames(place) - before
        finally:
            zone.close()

    runs = iter(range(3))
    seconds, _ = best_of(lambda: once(folder / f"school-{pupils}-{next(runs)}"), runs=2)
    peak, _ = traced_peak(lambda: once(folder / f"school-{pupils}-traced"))
    pages = once(folder / f"school-{pupils}-pages", count_pages=True)
    return Published(seconds, peak, len(others) + 1, pages)


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

    seconds, _ = best_of(compare, runs=5)
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


def _read_all(zone: LocalZone, scope: Scope) -> tuple[int, int]:
    """Read every learner within ``scope`` page by page as a client does (each page continuing
    from the one before, as ``navigationId`` makes it): how many were read, and the count the
    first page gave."""
    page = zone.store.query(ZONE, ObjectQuery("LearnerPersonal", scope))
    read, total = len(page.objects), page.total
    while page.last_key is not None:
        query = ObjectQuery("LearnerPersonal", scope, after=page.last_key, total=total)
        page = zone.store.query(ZONE, query)
        read += len(page.objects)
    return read, total


def operations(folder: Path, stored: int) -> dict[str, float]:
    """Seconds of one publish, lease, acknowledgement, page and changes-since with ``stored``
    events in the store (best of five each); of reading every learner page by page (best of
    two), and the peak bytes of that read and of the publish."""
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
        middle = stored // 200  # the page of 100 halfway through the learners
        figures["first_page"] = timed(
            lambda: zone.store.query(ZONE, ObjectQuery("LearnerPersonal", scope))
        )
        figures["page"] = timed(
            lambda: zone.store.query(
                ZONE,
                ObjectQuery(
                    "LearnerPersonal",
                    scope,
                    page=middle,
                    after=f"{(middle - 1) * 100 - 1:032X}",
                    total=stored,
                ),
            )
        )
        figures["numbered_page"] = timed(
            lambda: zone.store.query(ZONE, ObjectQuery("LearnerPersonal", scope, page=middle))
        )
        read_seconds, (read, total) = best_of(lambda: _read_all(zone, scope), runs=2)
        if read != total or read < stored:
            raise AssertionError(f"read {read} learners page by page, of {total}")
        figures["read_all"] = read_seconds
        figures["read_all_peak"], _ = traced_peak(lambda: _read_all(zone, scope))
        extra = [zone_event(learner) for learner in learners(100, seed=stored + 13)]
        figures["publish_peak"], _ = traced_peak(lambda: zone.publish(extra))
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
        few_pupils, many_pupils = publish_school(folder, small), publish_school(folder, large)
        what = f"publish {large:,} pupils ({many_pupils.events:,} events) to 3 subscribers"
        s_per_event = few_pupils.pages / few_pupils.events
        l_per_event = many_pupils.pages / many_pupils.events
        pages = _linear(
            PUPILS,
            "pupils.publish.pages",
            f"{what}: database pages written",
            few_pupils.pages * many_pupils.events / few_pupils.events / TENFOLD,
            many_pupils.pages,
            "pages",
        )
        result += [
            _linear(
                PUPILS, "pupils.publish.time", what, few_pupils.seconds, many_pupils.seconds, "s"
            ),
            replace(
                pages,
                note=f"{pages.note}: {s_per_event:.1f} then {l_per_event:.1f} pages per event "
                f"({SCATTER})",
            ),
            _linear(
                PUPILS,
                "pupils.publish.memory",
                what,
                few_pupils.peak / 2**20,
                many_pupils.peak / 2**20,
                "MiB",
            ),
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
            ("page", "a page of 100 learners halfway through, continuing the page before"),
            ("changes", "changes since the last 100 events"),
        ):
            what = f"{label}, {more:,} events stored"
            result.append(
                _flat(STORED, f"stored.{name}", what, before[name] * 1000, after[name] * 1000, "ms")
            )
        for name, label, why in (
            ("first_page", "the first page of 100 learners", "it counts them all, once a read"),
            (
                "numbered_page",
                "page 'halfway' by number alone (no navigationId)",
                "it counts them all and skips the pages before",
            ),
        ):
            row = _flat(
                STORED,
                f"stored.{name}",
                f"{label}, {more:,} events stored",
                before[name] * 1000,
                after[name] * 1000,
                "ms",
            )
            result.append(replace(row, note=f"{row.note}: {why}"))
        what = f"read all {more:,} learners page by page (navigationId)"
        result += [
            _linear(
                STORED,
                "stored.read_all.time",
                what,
                before["read_all"],
                after["read_all"],
                "s",
            ),
            _flat(
                STORED,
                "stored.read_all.memory",
                what,
                before["read_all_peak"] / 2**20,
                after["read_all_peak"] / 2**20,
                "MiB",
            ),
            _flat(
                STORED,
                "stored.publish.memory",
                f"publish 100 learners to 3 subscribers, {more:,} events stored",
                before["publish_peak"] / 2**20,
                after["publish_peak"] / 2**20,
                "MiB",
            ),
        ]
    return result
