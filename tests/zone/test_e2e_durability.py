"""Nothing answered is ever lost: restarts, SIGKILL, retries, leases and order, over real HTTP."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from .factories import learner, school
from .server import ZoneServer, add, change, events_of

NORTHGATE = school("801", "2000", "Northgate Primary")


def test_a_restart_keeps_every_queue_lease_and_object(tmp_path: Path) -> None:
    zone = ZoneServer(tmp_path, lease_seconds=120).start()
    pupils = [learner("801", "2000", n, f"Family{n}", "Sam") for n in range(1, 4)]
    try:
        assert zone.client("northgate").publish(add(NORTHGATE), *map(add, pupils)).ok
        leased = zone.client("northshire").lease(most=2)
        zone.stop()
        zone.start()
        # The two leased messages stay leased through the restart; the other two are waiting.
        rest = zone.client("northshire").lease()
        assert {m["messageId"] for m in rest}.isdisjoint(m["messageId"] for m in leased)
        assert len(leased) + len(rest) == 4
        assert zone.client("northshire").ack(leased + rest).json()["unknown"] == []
        refs = zone.client("northgate").get("/LearnerPersonals").json()
        assert len(refs["LearnerPersonals"]["LearnerPersonal"]) == 3
    finally:
        zone.stop()


@pytest.mark.slow
def test_sigkill_after_publishes_were_answered_loses_none_of_them(tmp_path: Path) -> None:
    zone = ZoneServer(tmp_path).start()
    answered: list[str] = []
    stop = threading.Event()

    def publish_until_killed() -> None:
        client = zone.client("northgate")
        n = 0
        while not stop.is_set():
            n += 1
            pupil = learner("801", "2000", n, f"Family{n}", "Kit")
            try:
                reply = client.publish(add(pupil), key=f"batch-{n}")
            except requests.RequestException:  # refused, or the reply cut off by the kill
                return
            if reply.status_code == 200:
                answered.append(pupil.ref_id)

    try:
        assert zone.client("northgate").publish(add(NORTHGATE)).ok
        publisher = threading.Thread(target=publish_until_killed)
        publisher.start()
        deadline = time.monotonic() + 10
        while len(answered) < 30 and time.monotonic() < deadline:
            time.sleep(0.02)
        zone.stop(signal.SIGKILL)  # mid-stream: no shutdown, no flushing
        stop.set()
        publisher.join(timeout=30)
        assert len(answered) >= 30
        zone.start()
        received = {ref for _, kind, ref in events_of(zone.client("northshire").drain())
                    if kind == "LearnerPersonal"}  # fmt: skip
        assert set(answered) <= received
    finally:
        stop.set()
        zone.stop()


def test_a_retried_publish_with_the_same_key_returns_the_same_ids_and_delivers_once(
    tmp_path: Path,
) -> None:
    zone = ZoneServer(tmp_path).start()
    try:
        northgate = zone.client("northgate")
        batch = (add(NORTHGATE), add(learner("801", "2000", 1, "Ashby", "Amy")))
        first = northgate.publish(*batch, key="monday-export-1")
        again = northgate.publish(*batch, key="monday-export-1")
        assert first.status_code == again.status_code == 200
        assert again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
        assert len(zone.client("northshire").drain()) == 2
        other = northgate.publish(add(NORTHGATE), key="monday-export-1")
        assert other.status_code == 409
    finally:
        zone.stop()


def test_an_unacknowledged_message_is_delivered_again_after_its_lease(tmp_path: Path) -> None:
    zone = ZoneServer(tmp_path, lease_seconds=1).start()
    try:
        assert zone.client("northgate").publish(add(NORTHGATE)).ok
        la = zone.client("northshire")
        (first,) = la.lease()
        assert la.lease() == []  # still leased
        time.sleep(1.2)
        (again,) = la.lease()
        assert again["messageId"] == first["messageId"]
        assert again["deliveryCount"] == 2
        assert la.ack([again]).json()["acknowledged"] == [again["messageId"]]
        time.sleep(1.2)
        assert la.lease() == []
    finally:
        zone.stop()


def test_changes_to_one_learner_arrive_in_order_even_across_redelivery(tmp_path: Path) -> None:
    zone = ZoneServer(tmp_path, lease_seconds=1).start()
    amy = learner("801", "2000", 1, "Ashby", "Amy")
    try:
        northgate = zone.client("northgate")
        assert northgate.publish(add(NORTHGATE), add(amy)).ok
        for n in range(2, 5):
            assert northgate.publish(change(amy.model_copy(update={"local_id": f"V{n}"}))).ok
        la = zone.client("northshire")
        first = la.lease(most=2)  # SchoolInfo and Amy's add; her changes wait behind the add
        assert [e[0] for e in events_of(first)] == ["add", "add"]
        assert la.lease() == []
        time.sleep(1.2)  # the lease ends unacknowledged: everything comes back, still in order
        again = la.lease()
        versions = [
            m["event"]["object"].get("LocalId") for m in again if m["event"]["refId"] == amy.ref_id
        ]
        assert versions == ["ADM0001", "V2", "V3", "V4"]
    finally:
        zone.stop()


def test_a_long_poll_returns_as_soon_as_an_event_arrives(tmp_path: Path) -> None:
    zone = ZoneServer(tmp_path).start()
    try:
        got: dict[str, Any] = {}

        def poll() -> None:
            started = time.monotonic()
            got["messages"] = zone.client("northshire").lease(wait=5)
            got["seconds"] = time.monotonic() - started

        poller = threading.Thread(target=poll)
        poller.start()
        time.sleep(0.5)
        assert zone.client("northgate").publish(add(NORTHGATE)).ok
        poller.join(timeout=10)
        assert len(got["messages"]) == 1
        assert got["seconds"] < 2.5
    finally:
        zone.stop()
