"""`sif zone serve` on a PostgreSQL store, over real HTTP on real ports: nothing answered is lost
across a SIGKILL, and two servers on one schema serve one zone.

Needs SIF_TEST_POSTGRES_DSN (each test makes its own schema); skips without it.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .factories import learner, school
from .server import ZoneServer, add, events_of
from .stores import postgres_schema

NORTHGATE = school("801", "2000", "Northgate Primary")
RIVERSIDE = school("801", "2001", "Riverside Academy")


@pytest.fixture
def storage() -> Iterator[str]:
    """The storage URL of a fresh schema."""
    with postgres_schema() as (_, url):
        yield url


def test_a_zone_on_postgresql_keeps_queues_leases_objects_and_replies_through_sigkill(
    tmp_path: Path, storage: str
) -> None:
    zone = ZoneServer(tmp_path, storage=storage, lease_seconds=120).start()
    pupils = [learner("801", "2000", n, f"Family{n}", "Sam") for n in range(1, 4)]
    batch = (add(NORTHGATE), *map(add, pupils))
    try:
        first = zone.client("northgate").publish(*batch, key="tuesday-export")
        assert first.status_code == 200
        leased = zone.client("northshire").lease(most=2)
        zone.stop(signal.SIGKILL)
        zone.start()
        again = zone.client("northgate").publish(*batch, key="tuesday-export")
        assert again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
        # The two leased messages stay leased through the kill; the other two are waiting,
        # and the replayed publish added nothing.
        rest = zone.client("northshire").lease()
        assert {m["messageId"] for m in rest}.isdisjoint(m["messageId"] for m in leased)
        assert sorted(events_of(leased + rest)) == sorted(
            ("add", obj["objectType"], obj["object"]["@RefId"]) for obj in batch
        )
        assert zone.client("northshire").ack(leased + rest).json()["unknown"] == []
        queues = zone.client("admin").get("/admin/queues").json()["queues"]
        assert next(q for q in queues if q["party"] == "northshire")["depth"] == 0
        found = zone.client("northgate").get("/LearnerPersonals").json()
        assert len(found["LearnerPersonals"]["LearnerPersonal"]) == 3
        assert zone.client("riverside").get("/LearnerPersonals").json() == {
            "LearnerPersonals": {"LearnerPersonal": []}
        }
    finally:
        zone.stop()
    assert not (tmp_path / "zone.db").exists()


def test_two_servers_on_one_schema_serve_one_zone(tmp_path: Path, storage: str) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    one = ZoneServer(tmp_path / "a", storage=storage).start()
    other = ZoneServer(tmp_path / "b", storage=storage).start()
    try:
        got: dict[str, Any] = {}
        # Waits on the other server: it sees the publish within its re-check interval.
        poller = threading.Thread(
            target=lambda: got.update(messages=other.client("northshire").lease(wait=5))
        )
        poller.start()
        assert one.client("riverside").publish(add(RIVERSIDE)).status_code == 200
        poller.join(timeout=15)
        assert events_of(got["messages"]) == [("add", "SchoolInfo", RIVERSIDE.ref_id)]
        acknowledged = one.client("northshire").ack(got["messages"]).json()
        assert acknowledged["acknowledged"] == [got["messages"][0]["messageId"]]
        assert other.client("northshire").lease() == []
    finally:
        one.stop()
        other.stop()
