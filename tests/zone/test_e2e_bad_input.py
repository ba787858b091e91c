"""Bad input over real HTTP: each gets its status and a reason, and none changes anything stored."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator

import pytest
import requests

from zone_server.auth import hmac_authorization

from .factories import enrolment, learner, school
from .server import ZoneServer, add, delete
from .zonefile import TOKENS

NORTHGATE = school("801", "2000", "Northgate Primary")
AMY = learner("801", "2000", 1, "Ashby", "Amy")


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ZoneServer]:
    server = ZoneServer(tmp_path_factory.mktemp("bad"), max_body_bytes=4096).start()
    try:
        reply = server.client("northgate").publish(add(NORTHGATE), add(AMY))
        assert reply.status_code == 200, reply.text
        server.client("northshire").drain()
        yield server
    finally:
        server.stop()


@pytest.fixture
def unchanged(zone: ZoneServer) -> Iterator[None]:
    """Asserts after the test that nothing stored changed and nobody's queue grew."""
    before = requests.get(zone.url + "/healthz", timeout=5).json()
    yield
    assert requests.get(zone.url + "/healthz", timeout=5).json() == before
    assert zone.client("northshire").lease() == []


def _post(zone: ZoneServer, party: str, body: bytes, content_type: str) -> requests.Response:
    client = zone.client(party)
    return client.session.post(
        client.base + "/events", data=body, headers={"Content-Type": content_type}, timeout=30
    )


@pytest.mark.usefixtures("unchanged")
def test_malformed_json_is_a_400_giving_line_and_column(zone: ZoneServer) -> None:
    reply = _post(zone, "northgate", b'{"events": [\n  {"action": "add",,}]}', "application/json")
    assert reply.status_code == 400
    assert "request body:2:" in reply.json()["error"]["message"]


@pytest.mark.usefixtures("unchanged")
def test_xml_declaring_an_entity_is_refused_with_400(zone: ZoneServer) -> None:
    body = b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY x "boom">]><events><event/></events>'
    reply = _post(zone, "northgate", body, "application/xml")
    assert reply.status_code == 400
    assert "refused" in reply.json()["error"]["message"]


@pytest.mark.usefixtures("unchanged")
def test_a_body_over_the_limit_is_a_413(zone: ZoneServer) -> None:
    reply = _post(zone, "northgate", b" " * 5000, "application/json")
    assert reply.status_code == 413
    assert "4096 bytes" in reply.json()["error"]["message"]


@pytest.mark.usefixtures("unchanged")
def test_a_chunked_body_over_the_limit_is_refused_before_it_is_all_sent(zone: ZoneServer) -> None:
    # No Content-Length: the zone counts as it reads and answers 413 once past the limit,
    # while the client is still sending.
    with socket.create_connection(("127.0.0.1", zone.port), timeout=10) as conn:
        conn.sendall(
            b"POST /api/zones/north/events HTTP/1.1\r\nHost: zone\r\n"
            b"Authorization: Bearer " + TOKENS["northgate"].encode() + b"\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b" " * 3000
        for _ in range(2):
            conn.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        reply = conn.recv(4096)
    assert reply.startswith(b"HTTP/1.1 413")


@pytest.mark.usefixtures("unchanged")
def test_an_unknown_zone_and_an_unknown_object_type_are_404(zone: ZoneServer) -> None:
    client = zone.client("northgate")
    assert client.session.get(zone.url + "/api/zones/south/LearnerPersonals").status_code == 404
    reply = client.get("/Pupils")
    assert reply.status_code == 404
    assert reply.json()["error"]["code"] == "unknown-object-type"


@pytest.mark.usefixtures("unchanged")
def test_publishing_without_the_right_is_a_403_naming_the_right(zone: ZoneServer) -> None:
    reply = zone.client("northshire").publish(delete(AMY))
    assert reply.status_code == 403
    assert reply.json()["error"]["right"] == "delete"
    assert "northshire may not publish delete events of LearnerPersonal" in reply.text


@pytest.mark.usefixtures("unchanged")
def test_invalid_objects_are_a_422_listing_each_objects_problems(zone: ZoneServer) -> None:
    bad_upn = add(learner("801", "2000", 5, "Cole", "Cal"))
    bad_upn["object"]["UPN"] = "Z801200001001"
    no_name = add(learner("801", "2000", 6, "Dee", "Dan"))
    del no_name["object"]["Name"]
    reply = zone.client("northgate").publish(add(AMY), bad_upn, no_name)
    assert reply.status_code == 422
    events = reply.json()["error"]["events"]
    assert [(e["index"], [p["field"] for p in e["problems"]]) for e in events] == [
        (1, ["UPN"]),
        (2, ["Name"]),
    ]
    assert "check letter" in events[0]["problems"][0]["message"]


@pytest.mark.usefixtures("unchanged")
def test_an_enrolment_for_a_learner_not_in_the_zone_is_a_422(zone: ZoneServer) -> None:
    stranger = learner("801", "2000", 8, "Ford", "Fay")
    reply = zone.client("northgate").publish(add(enrolment(stranger, NORTHGATE)))
    assert reply.status_code == 422
    (event,) = reply.json()["error"]["events"]
    assert event["problems"][0]["field"] == "LearnerPersonalRefId"


@pytest.mark.usefixtures("unchanged")
def test_a_wrong_token_is_a_401(zone: ZoneServer) -> None:
    reply = requests.get(
        zone.url + "/api/zones/north/LearnerPersonals",
        headers={"Authorization": "Bearer northgate.not-the-token"},
        timeout=5,
    )
    assert reply.status_code == 401
    assert "Bearer" in reply.headers["WWW-Authenticate"]


@pytest.mark.usefixtures("unchanged")
def test_a_school_publishing_another_schools_learner_is_a_403(zone: ZoneServer) -> None:
    reply = zone.client("riverside").publish(add(AMY))
    assert reply.status_code == 403
    assert "outside riverside's scope" in reply.json()["error"]["message"]


def test_sif_hmacsha256_is_accepted_with_a_fresh_timestamp_and_refused_with_an_old_one(
    zone: ZoneServer,
) -> None:
    url = zone.url + "/api/zones/north/LearnerPersonals"
    now = dt.datetime.now(dt.UTC)
    for moment, status in ((now, 200), (now - dt.timedelta(seconds=301), 401)):
        stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
        headers = {
            "Authorization": hmac_authorization("northgate", TOKENS["northgate"], stamp),
            "timestamp": stamp,
        }
        assert requests.get(url, headers=headers, timeout=5).status_code == status
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    forged = hmac_authorization("northgate", TOKENS["riverside"], stamp)
    reply = requests.get(url, headers={"Authorization": forged, "timestamp": stamp}, timeout=5)
    assert reply.status_code == 401


@pytest.mark.usefixtures("unchanged")
def test_an_unknown_query_parameter_is_a_400_naming_it(zone: ZoneServer) -> None:
    reply = zone.client("northgate").get("/LearnerPersonals", surname="Ashby")
    assert reply.status_code == 400
    assert "'surname'" in reply.json()["error"]["message"]
