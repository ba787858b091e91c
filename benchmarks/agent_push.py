"""Push agent: an export with 1% of pupils changed, against a full re-send of the same export.

Run: ``python -m benchmarks --only agent_push`` (``--quick``: 1,000 pupils instead of 20,000),
or ``python -m benchmarks.agent_push [PUPILS]``.

One school's export (every object type of :class:`~sif_core.testing.Synth`, as SIF XML) is
written twice: as it was yesterday, and today, after 1% of the pupils moved house. A real zone
(``sif zone serve``, SQLite, with the school and its subscribing LA) runs on a free port.

- Anchor: today's export pushed with an empty snapshot, i.e. a full re-send, every object.
- Measured: today's export pushed through the snapshot a push of yesterday's export leaves
  (recorded from yesterday's export without sending it again: the zone already holds the same
  objects from the anchor), so only the changes go.

Both read and validate the whole export; the figures are wall time and request bytes (bodies).
"""

from __future__ import annotations

import random
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from benchmarks._harness import Row
from sif_core.adapter import WriteContext
from sif_core.agent import PushReport, PushSettings, dry_run, push
from sif_core.changes import Change, Snapshot
from sif_core.client import ZoneClient
from sif_core.model import Address, LearnerPersonal, SIFObject
from sif_core.plugins import get_plugin_host
from sif_core.testing import Synth
from tests.zone.server import ZoneServer
from tests.zone.zonefile import local_authority, party, server, zone_file, zones
from zone_server.tokens import hash_token

TOKENS = {"school": "school.bench-token-0123456789abcdef", "la": "la.bench-token-0123456789abcdef"}
#: One pupil in this many moves house between the two exports (1%).
CHANGE_EVERY = 100


def _zone_file(laestab: str) -> str:
    return zone_file(
        server(storage="sqlite:zone.db", max_body_bytes=10485760),
        zones("bench", "Benchmark"),
        party(
            {"*": ["provide", "query"]},
            id="school",
            name="The school",
            kind="school",
            la=laestab[:3],
            establishment=laestab[3:],
            token_hash=hash_token(TOKENS["school"]),
        ),
        local_authority("la", laestab[:3], "Its LA", TOKENS["la"]),
    )


@contextmanager
def zone_server(folder: Path, laestab: str) -> Iterator[str]:
    """A zone server on a free port; yields its zone URL."""
    zone = ZoneServer(folder, text=_zone_file(laestab), tokens=TOKENS)
    previous = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is threading.main_thread():
        # A run stopped with SIGTERM (a timeout) must not leave its zone server behind.
        signal.signal(signal.SIGTERM, _exit_on_term)
    try:
        zone.start()
        yield f"{zone.url}/api/zones/bench"
    finally:
        zone.stop(timeout=60)
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, previous)


def _exit_on_term(number: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + number)


def exports(synth: Synth, folder: Path) -> tuple[Path, Path, int]:
    """The export before and after 1% of pupils moved house, and how many moved."""
    sifxml = get_plugin_host().adapter("sifxml")
    assert sifxml.write is not None
    rng = random.Random(1)
    moved = 0

    def after() -> Iterator[SIFObject]:
        nonlocal moved
        learners = 0
        for obj in synth.iter_objects():
            if isinstance(obj, LearnerPersonal):
                learners += 1
                if learners % CHANGE_EVERY == 0:
                    moved += 1
                    number = str(rng.randint(1, 200))
                    address = Address(paon=number, street="Quarry Lane", town="Northby")
                    obj = obj.model_copy(update={"address": address})
            yield obj

    before_path, after_path = folder / "before.xml", folder / "after.xml"
    sifxml.write(synth.iter_objects(), before_path, WriteContext())
    sifxml.write(after(), after_path, WriteContext())
    return before_path, after_path, moved


def timed_push(zone_url: str, export: Path, state: Path) -> tuple[PushReport, float]:
    settings = PushSettings(
        adapter=get_plugin_host().adapter("sifxml"), input=export, source_system="bench"
    )
    client = ZoneClient(zone_url, TOKENS["school"], timeout=300)
    started = time.perf_counter()
    with Snapshot(state, {"zone": zone_url, "source": "bench"}) as snapshot:
        report = push(settings, client=client, snapshot=snapshot)
    return report, time.perf_counter() - started


def record_as_sent(export: Path, state: Path, zone_url: str) -> int:
    """Fill the snapshot ``state`` as a push of ``export`` would have left it; how many objects."""
    settings = PushSettings(
        adapter=get_plugin_host().adapter("sifxml"), input=export, source_system="bench"
    )
    with Snapshot(state, {"zone": zone_url, "source": "bench"}) as snapshot:
        waiting: list[Change] = []

        def record(change: Change) -> None:
            waiting.append(change)
            if len(waiting) >= 5_000:
                snapshot.commit(snapshot.record_pending(b"", waiting))
                waiting.clear()

        report = dry_run(settings, {}, on_change=record)
        snapshot.commit(snapshot.record_pending(b"", waiting))
    return report.events


def rows(quick: bool = False, pupils: int | None = None) -> list[Row]:
    """Time, bytes and events of the changes-only push beside the full re-send."""
    pupils = pupils or (1_000 if quick else 20_000)
    synth = Synth(pupils=pupils, seed=1, schools=1)
    with tempfile.TemporaryDirectory(prefix="bench-agent-push-") as name:
        folder = Path(name)
        before, after, moved = exports(synth, folder)
        size = after.stat().st_size / 2**20
        with zone_server(folder, synth.schools[0].laestab) as zone_url:
            full, full_time = timed_push(zone_url, after, folder / "full.sqlite")
            record_as_sent(before, folder / "diff.sqlite", zone_url)
            diff, diff_time = timed_push(zone_url, after, folder / "diff.sqlite")
    table = f"Push of {pupils:,} pupils ({size:.0f} MiB SIF XML), {moved} moved house (1%)"
    return [
        Row.cost(table, "time", "changes only: time", diff_time, "s",
                 "full re-send", full_time),
        Row.cost(table, "bytes", "changes only: bytes sent", diff.bytes_sent, "B",
                 "full re-send", full.bytes_sent),
        Row.cost(table, "events", "changes only: events", diff.events, "",
                 "full re-send", full.events),
    ]  # fmt: skip


def main() -> None:
    """Print the rows (``python -m benchmarks.agent_push [PUPILS]``)."""
    pupils = int(sys.argv[1]) if len(sys.argv) > 1 else None
    for row in rows(pupils=pupils):
        ratio = "-" if row.ratio is None else f"{row.ratio:,.1f}x"
        print(f"{row.label}: {row.figure:,.1f} {row.unit}; {row.anchor_label}: "
              f"{row.anchor:,.1f} {row.unit}; ratio {ratio} {row.note}")  # fmt: skip


if __name__ == "__main__":
    main()
