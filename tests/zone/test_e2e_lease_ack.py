"""Over real HTTP: a lease that acknowledges what the party holds (``POST .../queue``), the
zone's longest long poll made public, and long polls woken together served together."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sif_core.client import ZoneClient as ProductClient

from .factories import enrolment, learner, school
from .server import ZoneServer, add, change
from .zonefile import TOKENS

NORTHGATE = school("801", "2000", "Northgate Primary")
PUPILS = [learner("801", "2000", n, f"Family{n}", f"Given{n}") for n in range(1, 7)]


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ZoneServer]:
    server = ZoneServer(tmp_path_factory.mktemp("lease-ack")).start()
    try:
        reply = server.client("northgate").publish(add(NORTHGATE))
        assert reply.status_code == 200, reply.text
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def empty_queues(zone: ZoneServer) -> None:
    for party in ("northshire", "transport"):
        zone.client(party).drain()


def _lease(
    zone: ZoneServer, party: str, ack: list[str], **params: Any
) -> tuple[requests.Response, dict[str, Any]]:
    client = zone.client(party)
    reply = client.session.post(
        client.base + "/queue", json={"ack": ack}, params={"max": 100, **params}, timeout=30
    )
    return reply, reply.json()


def _audit(zone: ZoneServer, party: str) -> list[tuple[str, str | None, list[str]]]:
    reply = zone.client("admin").get("/admin/audit", party=party, limit=1000)
    assert reply.status_code == 200
    return [(e["operation"], e["objectType"], e["refIds"]) for e in reply.json()["entries"]]


def test_a_lease_acknowledges_what_the_party_held_and_leases_what_came_next(
    zone: ZoneServer,
) -> None:
    northgate = zone.client("northgate")
    first, second = PUPILS[0], PUPILS[1]
    assert northgate.publish(add(first)).status_code == 200
    reply, document = _lease(zone, "northshire", [])
    assert reply.status_code == 200
    [held] = document["messages"]
    assert held["event"]["refId"] == first.ref_id
    assert (document["acknowledged"], document["unknown"]) == ([], [])

    assert northgate.publish(add(second)).status_code == 200
    reply, document = _lease(zone, "northshire", [held["messageId"], "999999"])

    assert document["acknowledged"] == [held["messageId"]]
    assert document["unknown"] == ["999999"]
    assert [m["event"]["refId"] for m in document["messages"]] == [second.ref_id]
    assert reply.headers["messageCount"] == "1"
    reply, document = _lease(zone, "northshire", [m["messageId"] for m in document["messages"]])
    assert document["messages"] == []
    assert len(document["acknowledged"]) == 1
    assert zone.client("northshire").lease() == []  # nothing came back: both acknowledged
    delivered = [entry for entry in _audit(zone, "northshire") if entry[0] == "deliver"]
    assert ("deliver", "LearnerPersonal", [first.ref_id]) in delivered
    assert ("deliver", "LearnerPersonal", [second.ref_id]) in delivered


def test_objects_leased_as_stored_text_equal_what_was_published_and_profiles_still_apply(
    zone: ZoneServer,
) -> None:
    pupil = PUPILS[2]
    published = add(pupil)
    assert "MedicalFlag" in published["object"]
    assert zone.client("northgate").publish(published).status_code == 200

    _, whole = _lease(zone, "northshire", [])
    _, minimised = _lease(zone, "transport", [])

    [la_message] = whole["messages"]
    [app_message] = minimised["messages"]
    assert la_message["event"]["object"] == published["object"]
    assert "MedicalFlag" not in app_message["event"]["object"]  # the transport profile
    assert app_message["event"]["object"]["@RefId"] == pupil.ref_id
    for party, message in (("northshire", la_message), ("transport", app_message)):
        _, document = _lease(zone, party, [message["messageId"]])
        assert document["acknowledged"] == [message["messageId"]]


def test_a_lease_in_sif_xml_lists_what_it_acknowledged(zone: ZoneServer) -> None:
    pupil = PUPILS[3]
    assert zone.client("northgate").publish(add(pupil)).status_code == 200
    la = zone.client("northshire")
    [held] = la.lease()
    reply = la.session.post(
        la.base + "/queue",
        json={"ack": [held["messageId"]]},
        headers={"Accept": "application/xml"},
        timeout=30,
    )
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/xml")
    assert f'<acknowledged id="{held["messageId"]}"' in reply.text
    assert "<unknown" not in reply.text


@pytest.mark.parametrize(
    "body",
    [{"ack": "12"}, {"ack": ["twelve"]}, {"ack": [True]}, {"ack": [{"id": 1}]}, ["12"]],
)
def test_a_lease_with_a_malformed_ack_is_refused_and_leases_nothing(
    zone: ZoneServer, body: Any
) -> None:
    la = zone.client("northshire")
    reply = la.session.post(la.base + "/queue", json=body, timeout=30)
    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "malformed"


def test_the_zone_says_how_long_a_long_poll_may_be(zone: ZoneServer) -> None:
    health = requests.get(zone.url + "/healthz", timeout=30).json()
    assert health["maxWaitSeconds"] == 5
    la = zone.client("northshire")
    reply = la.session.get(la.base + "/queue", timeout=30)
    assert reply.headers["maxWaitSeconds"] == "5"
    too_long = la.session.get(la.base + "/queue", params={"wait": 6}, timeout=30)
    assert too_long.status_code == 400  # a client that does not ask is still told


def test_the_client_keeps_its_long_poll_within_the_zone_s_limit_and_acknowledges_by_leasing(
    zone: ZoneServer,
) -> None:
    client = ProductClient(f"{zone.url}/api/zones/north", TOKENS["northshire"])
    assert client.max_wait_seconds() == 5
    pupil = PUPILS[4]
    assert zone.client("northgate").publish(add(pupil)).status_code == 200

    held = client.lease(wait=60)  # longer than the zone allows: shortened, not refused
    assert [m.event.ref_id for m in held if m.event] == [pupil.ref_id]
    assert held.acknowledged is None
    assert held.max_wait_seconds == 5
    empty = client.lease(wait=0, ack=[m.message_id for m in held])

    assert empty == []
    assert empty.acknowledged is not None
    assert empty.acknowledged.acknowledged == tuple(m.message_id for m in held)
    assert client.ack([held[0].message_id]).unknown == (held[0].message_id,)
    client.close()


def test_long_polls_woken_by_one_publish_each_receive_it_and_each_delivery_is_audited(
    zone: ZoneServer,
) -> None:
    pupil = PUPILS[5]
    school_event = add(enrolment(pupil, NORTHGATE))
    received: dict[str, list[dict[str, Any]]] = {}
    started = threading.Barrier(3)

    def poll(party: str) -> None:
        client = zone.client(party)
        started.wait(timeout=10)
        received[party] = client.lease(wait=5)
        client.ack(received[party]).raise_for_status()

    pollers = [threading.Thread(target=poll, args=(p,)) for p in ("northshire", "transport")]
    for thread in pollers:
        thread.start()
    started.wait(timeout=10)
    reply = zone.client("northgate").publish(add(pupil), school_event)
    assert reply.status_code == 200, reply.text
    for thread in pollers:
        thread.join(timeout=30)

    for party in ("northshire", "transport"):
        refs = [m["event"]["refId"] for m in received[party]]
        assert pupil.ref_id in refs, party
        assert ("deliver", "LearnerPersonal", [pupil.ref_id]) in [
            entry for entry in _audit(zone, party) if entry[2] == [pupil.ref_id]
        ]


LATER = [learner("801", "2000", n, f"Family{n}", f"Given{n}") for n in range(7, 14)]


def _publish_one_at_a_time(zone: ZoneServer, pupils: list[Any], gap: float) -> None:
    northgate = zone.client("northgate")
    for pupil in pupils:
        assert northgate.publish(add(pupil)).status_code == 200
        time.sleep(gap)


def test_a_lingering_long_poll_gathers_events_published_one_at_a_time_into_one_reply(
    zone: ZoneServer,
) -> None:
    client = ProductClient(f"{zone.url}/api/zones/north", TOKENS["northshire"])
    got: dict[str, Any] = {}

    def poll(linger: float) -> None:
        started = time.monotonic()
        got["messages"] = client.lease(wait=5, linger=linger)
        got["seconds"] = time.monotonic() - started

    # Past the linger before leasing, the long poll waits; the first event wakes it and the
    # next two, published within the linger, join the same reply.
    poller = threading.Thread(target=poll, args=(1.0,))
    poller.start()
    time.sleep(1.5)
    _publish_one_at_a_time(zone, LATER[:3], gap=0.15)
    poller.join(timeout=30)
    assert [m.event.ref_id for m in got["messages"] if m.event] == [p.ref_id for p in LATER[:3]]
    assert got["seconds"] >= 2.4  # the first linger, the wait, the linger after waking
    client.ack(m.message_id for m in got["messages"])

    # Without linger the reply goes as soon as the first event is there.
    poller = threading.Thread(target=poll, args=(0.0,))
    poller.start()
    time.sleep(0.5)
    _publish_one_at_a_time(zone, LATER[3:5], gap=0.3)
    poller.join(timeout=30)
    assert [m.event.ref_id for m in got["messages"] if m.event] == [LATER[3].ref_id]
    client.close()


def test_a_lingering_lease_on_a_queue_with_a_backlog_is_answered_at_once(
    zone: ZoneServer,
) -> None:
    _publish_one_at_a_time(zone, LATER[5:7], gap=0)
    la = zone.client("northshire")
    la.drain()
    northgate = zone.client("northgate")
    for pupil in LATER[5:7]:  # changes this time: three waiting messages
        assert northgate.publish(change(pupil)).status_code == 200
    assert northgate.publish(add(enrolment(LATER[5], NORTHGATE))).status_code == 200

    def lease() -> tuple[list[dict[str, Any]], float]:
        started = time.monotonic()
        reply = la.session.get(
            la.base + "/queue", params={"wait": 3, "max": 2, "linger": 1}, timeout=30
        )
        assert reply.status_code == 200, reply.text
        return reply.json()["messages"], time.monotonic() - started

    first, lingered = lease()  # the zone does not know of the backlog yet
    assert len(first) == 2
    assert lingered >= 1.0
    rest, at_once = lease()  # the last reply was full: no lingering
    assert len(rest) == 1
    assert at_once < 0.9
    la.ack(first + rest).raise_for_status()


@pytest.mark.parametrize("linger", ["6", "-1", "soon"])
def test_a_linger_out_of_range_is_refused(zone: ZoneServer, linger: str) -> None:
    la = zone.client("northshire")
    reply = la.session.get(la.base + "/queue", params={"wait": "5", "linger": linger}, timeout=30)
    assert reply.status_code == 400
    assert "linger" in reply.json()["error"]["message"]
