"""The zone's durable fan-out against the HTTP floor and RabbitMQ, all measured in one run.

Run: ``python -m benchmarks --only zone_throughput`` (``--quick`` for small sizes).

One school publishes ``LearnerPersonal`` adds to a zone served by ``sif zone serve`` (SQLite,
WAL, ``synchronous=FULL``) in batches of 1 and of 100; three subscriber apps long-poll their
queues and acknowledge what they leased. Throughput is events published per second, from the
first publish until every subscriber has acknowledged every event. Latency (publish to
delivery, p50 and p99) is taken from a paced run of single events, 10 ms apart.

Anchors, in the same run: the *HTTP floor*, a no-op Starlette endpoint on the same uvicorn
(one process, requests over one keep-alive session, the body of a one-event batch); and
*RabbitMQ* (persistent messages, publisher confirms per batch, a fan-out exchange to three
durable queues, consumers acknowledging each message; the same event JSON as body).
"""

from __future__ import annotations

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
THROUGHPUT = "Durable fan-out, 1 publisher to 3 acknowledging subscribers"
LATENCY = "Publish-to-delivery latency, single events 10 ms apart"


@dataclass(frozen=True)
class Sizes:
    """How many events each run sends, and how many requests measure the HTTP floor."""

    batch1: int = 1_000
    batch100: int = 10_000
    paced: int = 300
    floor_requests: int = 3_000


QUICK = Sizes(batch1=30, batch100=300, paced=20, floor_requests=100)


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
    zone: BenchZone, items: Sequence[LearnerPersonal], batch: int, gap: float = 0.0
) -> FanOut:
    """Publish ``items`` as adds in batches of ``batch`` and wait for every subscriber."""
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
            deadline = time.monotonic() + 600
            while received < len(items) and time.monotonic() < deadline:
                messages = client.lease(wait=1, max_messages=100)
                now = time.perf_counter()
                for message in messages:
                    assert message.event is not None
                    deliveries.record(index, message.event.ref_id, now)
                client.ack(message.message_id for message in messages)
                received += len(messages)
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


def http_floor(body: bytes, requests_count: int, folder: Path) -> FanOut:
    """Sequential POSTs of ``body`` to the no-op endpoint: requests/s and each round trip."""
    port = free_port()
    log = folder / "floor.log"
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks._http_floor", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            cwd=Path(__file__).resolve().parent.parent,
        )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", process, log)
        session = requests.Session()
        url = f"http://127.0.0.1:{port}/noop"
        headers = {"Content-Type": "application/json", "Authorization": "Bearer floor"}
        for _ in range(20):
            session.post(url, data=body, headers=headers, timeout=30).raise_for_status()
        round_trips = []
        started = time.perf_counter()
        for _ in range(requests_count):
            sent = time.perf_counter()
            session.post(url, data=body, headers=headers, timeout=30).raise_for_status()
            round_trips.append(time.perf_counter() - sent)
        seconds = time.perf_counter() - started
        session.close()
        return FanOut(requests_count, seconds, round_trips)
    finally:
        process.terminate()
        process.wait(timeout=30)


def rows(quick: bool = False) -> list[Row]:
    """Zone events/s at batch 1 and 100 and its latency, each beside its anchors."""
    sizes = QUICK if quick else Sizes()
    everything = list(learners(sizes.batch1 + sizes.batch100 + sizes.paced))
    one = everything[: sizes.batch1]
    hundred = everything[sizes.batch1 : sizes.batch1 + sizes.batch100]
    paced = everything[sizes.batch1 + sizes.batch100 :]
    with tempfile.TemporaryDirectory() as folder:
        floor = http_floor(batch_bodies(one[:1], 1)[0], sizes.floor_requests, Path(folder))
        with BenchZone(Path(folder), free_port(), SUBSCRIBERS) as zone:
            zone_one = zone_fan_out(zone, one, 1)
            zone_hundred = zone_fan_out(zone, hundred, 100)
            zone_paced = zone_fan_out(zone, paced, 1, gap=0.01)
    missing = _rabbit.unavailable()
    rabbit: dict[str, FanOut | None] = {"one": None, "hundred": None, "paced": None}
    if missing is None:
        rabbit = {
            "one": rabbit_fan_out(one, 1),
            "hundred": rabbit_fan_out(hundred, 100),
            "paced": rabbit_fan_out(paced, 1, gap=0.01),
        }
    note = missing or ""
    return [
        *_throughput_rows(zone_one, zone_hundred, floor, rabbit, note),
        *_latency_rows(zone_paced, floor, rabbit["paced"], note),
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
