"""The benchmarks' zone: one school publishing learners to subscriber apps, served for real.

Not a benchmark itself: ``zone_throughput`` serves it with ``sif zone serve`` on a free port,
``growth`` opens its store in-process.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import requests

from sif_core.codec import to_goessner
from sif_core.model import LearnerPersonal, SIFObject
from sif_core.testing import Synth
from sif_core.zone_wire import canonical_json, encode_batch, encode_event
from tests.zone.zonefile import party, server, zone_file, zones
from zone_server.acl import AccessPolicy
from zone_server.api_queue import AUDITED_TYPES
from zone_server.config import load_zone_file
from zone_server.publishing import ZoneEvent, publish
from zone_server.store.sqlite import SQLiteStore
from zone_server.tokens import hash_token

__all__ = [
    "PUBLISHER",
    "ZONE",
    "BenchZone",
    "LocalZone",
    "batch_bodies",
    "event_json",
    "learners",
    "party_tokens",
    "subscriber_ids",
    "wait_until_up",
    "zone_event",
    "zone_text",
]

#: The publishing school's party id.
PUBLISHER = "school"
ZONE = "bench"
SIF = Path(sys.executable).parent / "sif"


def subscriber_ids(count: int) -> list[str]:
    """The ids of ``count`` subscriber apps."""
    return [f"sub-{n}" for n in range(1, count + 1)]


def zone_text(
    tokens: dict[str, str],
    subscribers: int,
    *,
    laestab: str = "8012000",
    subscribed: str = "LearnerPersonal",
) -> str:
    """A zone file: school ``PUBLISHER`` (``laestab``) and ``subscribers`` apps scoped to its
    LA that subscribe to ``subscribed`` (an object type or ``*``); ``tokens`` maps every party
    id to its token."""
    la = laestab[:3]
    return zone_file(
        server(
            storage="sqlite:zone.db",
            max_body_bytes=16777216,
            lease_seconds=60,
            max_wait_seconds=5,
        ),
        zones(ZONE, "Benchmark zone"),
        party(
            {"*": ["provide"]},
            id=PUBLISHER,
            name="Publishing school",
            kind="school",
            la=la,
            establishment=laestab[3:],
            token_hash=hash_token(tokens[PUBLISHER]),
        ),
        *(
            party(
                {subscribed: ["subscribe"]},
                id=subscriber,
                name=f"Subscriber {subscriber}",
                kind="app",
                scope={"las": [la]},
                token_hash=hash_token(tokens[subscriber]),
            )
            for subscriber in subscriber_ids(subscribers)
        ),
    )


def party_tokens(subscribers: int) -> dict[str, str]:
    """Fresh tokens for the publisher and ``subscribers`` subscribers."""
    parties = [PUBLISHER, *subscriber_ids(subscribers)]
    return {party: f"{party}.{secrets.token_hex(16)}" for party in parties}


def learners(count: int, seed: int = 1) -> Iterator[LearnerPersonal]:
    """``count`` distinct synthetic learners (a different ``seed`` gives other RefIds)."""
    synth = Synth(pupils=count, seed=seed, schools=1)
    for pupil in synth.iter_pupils():
        yield pupil.learner


def event_json(learner: LearnerPersonal) -> bytes:
    """One ``add`` event of ``learner`` as a member of a SIF JSON batch."""
    return encode_event(
        "add", "LearnerPersonal", learner.ref_id, canonical_json(to_goessner(learner))
    )


def batch_bodies(items: list[LearnerPersonal], size: int) -> list[bytes]:
    """Request bodies of ``size`` add events each."""
    return [
        encode_batch([event_json(item) for item in items[start : start + size]])
        for start in range(0, len(items), size)
    ]


def zone_event(obj: SIFObject) -> ZoneEvent:
    """An ``add`` of ``obj`` as the zone holds it once the envelope is validated."""
    return ZoneEvent("add", obj.object_name, obj.ref_id, obj, to_goessner(obj))


class LocalZone:
    """The benchmarks' zone opened in-process (no HTTP): its policy and a SQLite store in
    ``folder``, to time publishing and leasing by themselves. Close it when done."""

    def __init__(
        self,
        folder: Path,
        subscribers: int,
        *,
        laestab: str = "8012000",
        subscribed: str = "LearnerPersonal",
    ) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        config = folder / "zone.toml"
        text = zone_text(
            party_tokens(subscribers), subscribers, laestab=laestab, subscribed=subscribed
        )
        config.write_text(text, encoding="utf-8")
        self.policy = AccessPolicy(load_zone_file(config))
        self.store = SQLiteStore(folder / "zone.db")
        self.subscribers = subscriber_ids(subscribers)

    def publish(self, events: list[ZoneEvent], batch: int = 100) -> None:
        """Publish ``events`` as the school, ``batch`` events to a transaction."""
        party = self.policy.parties[PUBLISHER]
        for start in range(0, len(events), batch):
            publish(self.store, self.policy, ZONE, party, events[start : start + batch])

    def drain(self, party: str, batch: int = 100) -> int:
        """Lease and acknowledge everything on ``party``'s queue; how many messages."""
        count = 0
        while True:
            messages = self.store.lease(
                ZONE, party, limit=batch, lease_seconds=60, audited_types=AUDITED_TYPES
            )
            if not messages:
                return count
            self.store.ack(ZONE, party, [message.message_id for message in messages])
            count += len(messages)

    def close(self) -> None:
        self.store.close()


class BenchZone:
    """``sif zone serve`` over a zone file of ``subscribers`` subscribers in ``folder``.

    Use as a context manager; ``url`` is the zone's API address, ``tokens`` the parties' tokens.
    """

    def __init__(self, folder: Path, port: int, subscribers: int = 3) -> None:
        self.folder = folder
        self.port = port
        self.subscribers = subscriber_ids(subscribers)
        self.tokens = party_tokens(subscribers)
        self.config = folder / "zone.toml"
        self.config.write_text(zone_text(self.tokens, subscribers), encoding="utf-8")
        self.log = folder / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/zones/{ZONE}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def __enter__(self) -> BenchZone:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [SIF, "zone", "serve", "--config", str(self.config), "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        wait_until_up(f"http://127.0.0.1:{self.port}/healthz", self.process, self.log)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
        self.process = None


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait (up to a minute) until ``url`` answers 200; the log's tail if ``process`` dies."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()[-2000:]}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within 60 s")
