"""The PostgreSQL zone store against the SQLite store, the same work in the same run.

Run: ``SIF_BENCH_POSTGRES_DSN=postgresql://postgres@127.0.0.1:5432/test python -m benchmarks
--only zone_postgres`` (``SIF_TEST_POSTGRES_DSN`` is used when the first is not set; without
either the rows say so and are unchecked).

In-process, no HTTP: one school publishes ``LearnerPersonal`` adds in transactions of 100 to a
fresh store; then three subscriber apps each lease (100 at a time) and acknowledge their whole
queue. Figures are events stored per second and messages delivered (leased and acknowledged)
per second. Each round uses a new SQLite file and a new PostgreSQL schema (dropped after); the
two backends take turns and each one's best round counts (the machine may be shared).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks._harness import Row
from benchmarks._zone import (
    PUBLISHER,
    ZONE,
    learners,
    party_tokens,
    subscriber_ids,
    zone_event,
    zone_text,
)
from zone_server.acl import AccessPolicy
from zone_server.api_queue import AUDITED_TYPES
from zone_server.config import load_zone_file
from zone_server.publishing import ZoneEvent, publish
from zone_server.store import Store
from zone_server.store.sqlite import SQLiteStore

__all__ = ["rows"]

SUBSCRIBERS = 3
TABLE = "Zone store: PostgreSQL beside SQLite (in-process, batches of 100)"


@dataclass(frozen=True)
class Round:
    """One backend's round: events stored per second, messages delivered per second."""

    published: float
    delivered: float


def dsn() -> str | None:
    """The PostgreSQL server to measure, from the environment."""
    found = os.environ.get("SIF_BENCH_POSTGRES_DSN") or os.environ.get("SIF_TEST_POSTGRES_DSN")
    return found.strip() if found else None


@contextlib.contextmanager
def postgres_store(server: str) -> Iterator[Store]:
    """A store in a new schema of ``server``, dropped afterwards."""
    import psycopg
    from psycopg import sql

    from zone_server.store.postgres_store import PostgresStore

    schema = f"sif_bench_{uuid.uuid4().hex}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    store = None
    try:
        joiner = "&" if "?" in server else "?"
        store = PostgresStore(f"{server}{joiner}options=-csearch_path%3D{schema}")
        yield store
    finally:
        if store is not None:
            store.close()
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@contextlib.contextmanager
def sqlite_store() -> Iterator[Store]:
    """A store in a new SQLite file, removed afterwards."""
    with tempfile.TemporaryDirectory() as folder:
        store = SQLiteStore(Path(folder) / "zone.db")
        try:
            yield store
        finally:
            store.close()


def measure(store: Store, policy: AccessPolicy, events: list[ZoneEvent]) -> Round:
    """Publish ``events`` in batches of 100, then drain every subscriber's queue."""
    party = policy.parties[PUBLISHER]
    started = time.perf_counter()
    for at in range(0, len(events), 100):
        publish(store, policy, ZONE, party, events[at : at + 100])
    published = time.perf_counter() - started
    started = time.perf_counter()
    delivered = 0
    for subscriber in subscriber_ids(SUBSCRIBERS):
        while leased := store.lease(
            ZONE, subscriber, limit=100, lease_seconds=60, audited_types=AUDITED_TYPES
        ):
            store.ack(ZONE, subscriber, [message.message_id for message in leased])
            delivered += len(leased)
    assert delivered == SUBSCRIBERS * len(events), "every subscriber gets every event"
    return Round(len(events) / published, delivered / (time.perf_counter() - started))


def rows(quick: bool = False) -> list[Row]:
    """Events stored and messages delivered per second on PostgreSQL, beside SQLite's."""
    count, rounds = (300, 1) if quick else (2_000, 3)
    events = [zone_event(pupil) for pupil in learners(count)]
    server = dsn()
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "zone.toml"
        config.write_text(zone_text(party_tokens(SUBSCRIBERS), SUBSCRIBERS), encoding="utf-8")
        policy = AccessPolicy(load_zone_file(config))
    backends: dict[str, Callable[[], contextlib.AbstractContextManager[Store]]] = {
        "sqlite": sqlite_store
    }
    if server:
        backends["postgresql"] = lambda: postgres_store(server)
    found: dict[str, list[Round]] = {name: [] for name in backends}
    for _ in range(rounds):
        for name, opened in backends.items():
            with opened() as store:
                found[name].append(measure(store, policy, events))
    note = "" if server else "set SIF_BENCH_POSTGRES_DSN to measure PostgreSQL"
    postgres = found.get("postgresql", [])
    sqlite = found["sqlite"]
    return [
        Row.rate(
            TABLE, "publish.vs-sqlite", f"PostgreSQL, {count} events stored",
            max((r.published for r in postgres), default=None), "events/s",
            "SQLite store", max(r.published for r in sqlite), note,
        ),
        Row.rate(
            TABLE, "deliver.vs-sqlite", f"PostgreSQL, {SUBSCRIBERS * count} messages delivered",
            max((r.delivered for r in postgres), default=None), "messages/s",
            "SQLite store", max(r.delivered for r in sqlite), note,
        ),
    ]  # fmt: skip
