"""The zone's durable fan-out against the HTTP floor and RabbitMQ, all measured in one run.

Run: ``python -m benchmarks --only zone_throughput`` (``--quick`` for small sizes).

One school publishes ``LearnerPersonal`` adds to a zone served by ``sif zone serve`` (SQLite,
WAL, ``synchronous=FULL``) in batches of 1 and of 100; three subscriber apps long-poll their
queues and acknowledge what they leased. Throughput is events published per second, from the
first publish until every subscriber has acknowledged every event; the systems take turns in
three rounds and each system's best round counts (the machine may be shared). Latency
(publish to delivery, p50 and p99) is taken from a paced run of single events, 10 ms apart.
At batch 1 the run is made twice: with subscribers whose long polls reply as soon as an event is
there, and with subscribers that ask the zone to ``linger`` 50 ms so that events published one
at a time reach them in batches (fewer requests per event, a little latency). One more row
times the publisher alone at batch 1 while the subscribers do not read (each event
still queued for all three): the ceiling a sequential publisher meets at batch 1, whatever the
subscribers cost.

Anchors, in the same run: the *HTTP floor*, a no-op Starlette endpoint on the same uvicorn
(one process, requests over one keep-alive session, the body of a one-event batch); and
*RabbitMQ* (persistent messages, publisher confirms per batch, a fan-out exchange to three
durable queues, consumers acknowledging each message; the same event JSON as body).
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import requests

from benchmarks import _rabbit
from benchmarks._harness import Row, free_port, percentile
from benchmarks._zone import (
    PUBLISHER,
    BenchZone,
    batch_bodies,
    event_json,
    learners,
    wait_until_up,
)
from sif_core.client import ZoneClient
from sif_core.model import LearnerPersonal

__all__ = ["Sizes", "rows"]

SUBSCRIBERS = 3
#: The ``linger`` of the subscribers' long polls in the lingering batch-1 run, in seconds.
LINGER = 0.05
THROUGHPUT = "Durable fan-out, 1 publisher to 3 acknowledging subscribers"
LATENCY = "Publish-to-delivery latency, single events 10 ms apart"


@dataclass(frozen=True)
class Sizes:
    """Events each round sends per batch size, requests measuring the HTTP floor per round,
    rounds (each system's best round counts), and single events for latency."""

    batch1: int = 1_000
    batch100: int = 4_000
    floor_requests: int = 1_000
    rounds: int = 3
    paced: int = 300


QUICK = Sizes(batch1=30, batch100=300, floor_requests=100, rounds=1, paced=20)


@dataclass(frozen=True)
class FanOut:
    """One run: ``events`` delivered to every subscriber in ``seconds``; each copy's latency."""

    events: int
    seconds: float
    latencies: list[float]

    @property
    def per_second(self) -> float:
        return self.events / self.seconds


class _Deliveries:
    """Publish times by message id, and the latency of each copy delivered (thread-safe)."""

    def __init__(self) -> None:
        self.sent_at: dict[str, float] = {}
        self.latencies: list[float] = []
        self._lock = threading.Lock()

    def record(self, subscriber: int, message_id: str, when: float) -> None:
        with self._lock:
            self.latencies.append(when - self.sent_at[message_id])


def zone_fan_out(
    zone: BenchZone,
    items: Sequence[LearnerPersonal],
    batch: int,
    gap: float = 0.0,
    linger: float = 0.0,
) -> FanOut:
    """Publish ``items`` as adds in batches of ``batch`` and wait for every subscriber (whose
    long polls ask the zone to ``linger`` that long for more once woken)."""
    bodies = batch_bodies(list(items), batch)
    ids = [
        [item.ref_id for item in items[start : start + batch]]
        for start in range(0, len(items), batch)
    ]
    deliveries = _Deliveries()
    ready = threading.Barrier(len(zone.subscribers) + 1)
    finished: list[float] = []
    errors: list[BaseException] = []

    def subscribe(index: int, party: str) -> None:
        try:
            client = ZoneClient(zone.url, zone.tokens[party])
            ready.wait(timeout=30)
            received = 0
            held: list[str] = []
            deadline = time.monotonic() + 600
            while received < len(items) and time.monotonic() < deadline:
                # What was leased last time is acknowledged by the next lease, as a consumer
                # of the zone does: one request per batch.
                messages = client.lease(wait=1, max_messages=100, ack=held, linger=linger)
                now = time.perf_counter()
                for message in messages:
                    assert message.event is not None
                    deliveries.record(index, message.event.ref_id, now)
                held = [message.message_id for message in messages]
                received += len(messages)
            client.ack(held)
            if received < len(items):
                raise RuntimeError(f"{party} had {received} of {len(items)} events in 10 minutes")
            finished.append(time.perf_counter())
            client.close()
        except BaseException as error:  # reported in the main thread
            errors.append(error)

    threads = [
        threading.Thread(target=subscribe, args=(index, party), daemon=True)
        for index, party in enumerate(zone.subscribers)
    ]
    for thread in threads:
        thread.start()
    publisher = ZoneClient(zone.url, zone.tokens[PUBLISHER])
    ready.wait(timeout=30)
    started = time.perf_counter()
    for batch_ids, body in zip(ids, bodies, strict=True):
        now = time.perf_counter()
        for ref_id in batch_ids:
            deliveries.sent_at[ref_id] = now
        publisher.publish_encoded(body)
        if gap:
            time.sleep(gap)
    for thread in threads:
        thread.join(timeout=600)
    publisher.close()
    if errors:
        raise RuntimeError(f"a zone subscriber failed: {errors[0]!r}")
    return FanOut(len(items), max(finished) - started, deliveries.latencies)


def zone_publish_alone(zone: BenchZone, items: Sequence[LearnerPersonal]) -> FanOut:
    """Publish ``items`` one event to a request while no subscriber reads (their queues still
    take a copy each): the most a sequential publisher gets from the zone at batch 1, whatever
    the subscribers do. The queues are emptied afterwards, untimed."""
    bodies = batch_bodies(list(items), 1)
    publisher = ZoneClient(zone.url, zone.tokens[PUBLISHER])
    round_trips = []
    started = time.perf_counter()
    for body in bodies:
        sent = time.perf_counter()
        publisher.publish_encoded(body)
        round_trips.append(time.perf_counter() - sent)
    seconds = time.perf_counter() - started
    publisher.close()
    for party in zone.subscribers:
        client = ZoneClient(zone.url, zone.tokens[party])
        while messages := client.lease(max_messages=100):
            client.ack(message.message_id for message in messages)
        client.close()
    return FanOut(len(items), seconds, round_trips)


def rabbit_fan_out(items: Sequence[LearnerPersonal], batch: int, gap: float = 0.0) -> FanOut:
    """The same events through RabbitMQ (see :mod:`benchmarks._rabbit`)."""
    messages = [(item.ref_id, event_json(item)) for item in items]
    batches = [messages[start : start + batch] for start in range(0, len(messages), batch)]
    deliveries = _Deliveries()
    started, ended = _rabbit.fan_out(
        batches,
        queues=SUBSCRIBERS,
        sent_at=deliveries.sent_at,
        on_delivery=deliveries.record,
        gap_seconds=gap,
    )
    return FanOut(len(items), ended - started, deliveries.latencies)


class HttpFloor:
    """The no-op endpoint served by its own uvicorn process (see :mod:`benchmarks._http_floor`);
    use as a context manager."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.log = folder / "floor.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> HttpFloor:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "benchmarks._http_floor", str(self.port)],
                stdout=output,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                cwd=Path(__file__).resolve().parent.parent,
            )
        wait_until_up(f"http://127.0.0.1:{self.port}/healthz", self.process, self.log)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def measure(self, body: bytes, requests_count: int) -> FanOut:
        """Sequential POSTs of ``body`` over one keep-alive session: requests/s, round trips."""
        url = f"http://127.0.0.1:{self.port}/noop"
        headers = {"Content-Type": "application/json", "Authorization": "Bearer floor"}
        with requests.Session() as session:
            for _ in range(20):
                session.post(url, data=body, headers=headers, timeout=30).raise_for_status()
            round_trips = []
            started = time.perf_counter()
            for _ in range(requests_count):
                sent = time.perf_counter()
                session.post(url, data=body, headers=headers, timeout=30).raise_for_status()
                round_trips.append(time.perf_counter() - sent)
            seconds = time.perf_counter() - started
        return FanOut(requests_count, seconds, round_trips)


def _best(runs: list[FanOut]) -> FanOut:
    """The fastest run (the one least disturbed by the machine's other work), with every
    run's latencies."""
    fastest = max(runs, key=lambda run: run.per_second)
    pooled = [latency for run in runs for latency in run.latencies]
    return FanOut(fastest.events, fastest.seconds, pooled)


def rows(quick: bool = False) -> list[Row]:
    """Zone events/s at batch 1 and 100 and its latency, each beside its anchors."""
    sizes = QUICK if quick else Sizes()
    # Events each run of a round sends (each event is a new learner: an add).
    kinds = {
        "one": sizes.batch1,
        "hundred": sizes.batch100,
        "lingering": sizes.batch1,
        "alone": sizes.batch1,
    }
    fresh = iter(learners(sizes.rounds * sum(kinds.values()) + sizes.paced))
    rounds = [
        {kind: list(itertools.islice(fresh, count)) for kind, count in kinds.items()}
        for _ in range(sizes.rounds)
    ]
    paced = list(fresh)
    missing = _rabbit.unavailable()
    runs: dict[str, list[FanOut]] = {name: [] for name in ("floor", *kinds)}
    rabbit_runs: dict[str, list[FanOut]] = {"one": [], "hundred": []}
    with (
        tempfile.TemporaryDirectory() as folder,
        HttpFloor(Path(folder)) as floor,
        BenchZone(Path(folder), free_port(), SUBSCRIBERS) as zone,
    ):
        body = batch_bodies(paced[:1], 1)[0]
        # Rounds interleave the systems, so a busy spell on a shared machine hits them alike.
        for sent in rounds:
            runs["floor"].append(floor.measure(body, sizes.floor_requests))
            runs["one"].append(zone_fan_out(zone, sent["one"], 1))
            runs["hundred"].append(zone_fan_out(zone, sent["hundred"], 100))
            runs["lingering"].append(zone_fan_out(zone, sent["lingering"], 1, linger=LINGER))
            runs["alone"].append(zone_publish_alone(zone, sent["alone"]))
            if missing is None:
                rabbit_runs["one"].append(rabbit_fan_out(sent["one"], 1))
                rabbit_runs["hundred"].append(rabbit_fan_out(sent["hundred"], 100))
        zone_paced = zone_fan_out(zone, paced, 1, gap=0.01)
    rabbit_paced = None if missing else rabbit_fan_out(paced, 1, gap=0.01)
    rabbit = {name: _best(found) if found else None for name, found in rabbit_runs.items()}
    note = missing or ""
    floor_best = _best(runs["floor"])
    return [
        *_throughput_rows(_best(runs["one"]), _best(runs["hundred"]), floor_best, rabbit, note),
        *_lingering_rows(_best(runs["lingering"]), floor_best, rabbit["one"], note),
        _publish_alone_row(_best(runs["alone"]), floor_best),
        *_latency_rows(zone_paced, floor_best, rabbit_paced, note),
    ]


def _rate(run: FanOut | None) -> float | None:
    return None if run is None else run.per_second


def _throughput_rows(
    one: FanOut, hundred: FanOut, floor: FanOut, rabbit: dict[str, FanOut | None], note: str
) -> list[Row]:
    return [
        Row.rate(
            THROUGHPUT,
            "batch1.vs-http-floor",
            f"zone, batch 1 ({one.events:,} events)",
            one.per_second,
            "events/s",
            "no-op HTTP requests/s (same uvicorn)",
            floor.per_second,
        ),
        Row.rate(
            THROUGHPUT,
            "batch1.vs-rabbitmq",
            f"zone, batch 1 ({one.events:,} events)",
            one.per_second,
            "events/s",
            "RabbitMQ, batch 1",
            _rate(rabbit["one"]),
            note,
        ),
        Row.rate(
            THROUGHPUT,
            "batch100.vs-rabbitmq",
            f"zone, batch 100 ({hundred.events:,} events)",
            hundred.per_second,
            "events/s",
            "RabbitMQ, batch 100",
            _rate(rabbit["hundred"]),
            note,
        ),
    ]


def _lingering_rows(
    lingering: FanOut, floor: FanOut, rabbit: FanOut | None, note: str
) -> list[Row]:
    label = (
        f"zone, batch 1, subscribers lingering {LINGER * 1000:g} ms ({lingering.events:,} events)"
    )
    return [
        Row.rate(
            THROUGHPUT,
            "batch1.lingering.vs-http-floor",
            label,
            lingering.per_second,
            "events/s",
            "no-op HTTP requests/s (same uvicorn)",
            floor.per_second,
        ),
        Row.rate(
            THROUGHPUT,
            "batch1.lingering.vs-rabbitmq",
            label,
            lingering.per_second,
            "events/s",
            "RabbitMQ, batch 1",
            _rate(rabbit),
            note,
        ),
    ]


def _publish_alone_row(alone: FanOut, floor: FanOut) -> Row:
    return Row.rate(
        THROUGHPUT,
        "batch1.publish-alone.vs-http-floor",
        f"zone, publishing alone at batch 1 ({alone.events:,} events, queued for 3)",
        alone.per_second,
        "events/s",
        "no-op HTTP requests/s (same uvicorn)",
        floor.per_second,
    )


def _latency_rows(paced: FanOut, floor: FanOut, rabbit: FanOut | None, note: str) -> list[Row]:
    rows = []
    for name, fraction in (("p50", 0.5), ("p99", 0.99)):
        figure = percentile(paced.latencies, fraction) * 1000
        rows.append(
            Row.cost(
                LATENCY,
                f"latency.{name}.vs-http-floor",
                f"zone {name} ({len(paced.latencies):,} deliveries)",
                figure,
                "ms",
                f"no-op HTTP round trip {name}",
                percentile(floor.latencies, fraction) * 1000,
            )
        )
        rows.append(
            Row.cost(
                LATENCY,
                f"latency.{name}.vs-rabbitmq",
                f"zone {name} ({len(paced.latencies):,} deliveries)",
                figure,
                "ms",
                f"RabbitMQ {name}",
                None if rabbit is None else percentile(rabbit.latencies, fraction) * 1000,
                note,
            )
        )
    return rows
