"""Operating a zone over real HTTP: audit, queue depths, service requests, OpenAPI, the log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator

from .factories import contact, enrolment, learner, school
from .server import ZoneServer, add

NORTHGATE = school("801", "2000", "Northgate Primary")
AMY = learner("801", "2000", 1, "Ashby", "Amy")
AMY_CONTACT, AMY_LINK = contact(AMY, "Ashby")


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ZoneServer]:
    server = ZoneServer(tmp_path_factory.mktemp("operations")).start()
    try:
        reply = server.client("northgate").publish(
            add(NORTHGATE), add(AMY), add(enrolment(AMY, NORTHGATE)), add(AMY_CONTACT),
            add(AMY_LINK),
        )  # fmt: skip
        assert reply.status_code == 200, reply.text
        yield server
    finally:
        server.stop()


def _audit(zone: ZoneServer, **params: Any) -> list[dict[str, Any]]:
    reply = zone.client("admin").get("/admin/audit", **params)
    assert reply.status_code == 200
    entries: list[dict[str, Any]] = reply.json()["entries"]
    return entries


def test_every_query_and_delivery_of_learner_data_is_in_the_audit_log(zone: ZoneServer) -> None:
    la = zone.client("northshire")
    la.drain()
    la.get("/LearnerPersonals", upn=AMY.upn)
    la.get(f"/ContactPersonals/{AMY_CONTACT.ref_id}")
    entries = _audit(zone, party="northshire")
    seen = [(e["operation"], e["objectType"], e["refIds"]) for e in entries]
    assert ("deliver", "LearnerPersonal", [AMY.ref_id]) in seen
    assert ("deliver", "ContactPersonal", [AMY_CONTACT.ref_id]) in seen
    assert ("query", "LearnerPersonal", [AMY.ref_id]) in seen
    assert ("query", "ContactPersonal", [AMY_CONTACT.ref_id]) in seen
    query = next(
        e for e in entries if e["operation"] == "query" and e["objectType"] == "LearnerPersonal"
    )
    assert query["detail"] == "page 1; filters: upn"
    assert str(AMY.upn) not in str(entries)  # the filter is named, its value (personal data) is not
    assert all(e["at"].endswith("Z") for e in entries)


def test_only_an_administrator_reads_the_audit_log_and_queue_depths(zone: ZoneServer) -> None:
    for path in ("/admin/audit", "/admin/queues"):
        reply = zone.client("northshire").get(path)
        assert reply.status_code == 403
        assert reply.json()["error"]["right"] == "admin"


def test_the_administrator_sees_queue_depth_and_oldest_age(zone: ZoneServer) -> None:
    queues = {q["party"]: q for q in zone.client("admin").get("/admin/queues").json()["queues"]}
    transport = queues["transport"]  # never read its queue: SchoolInfo, Amy, her enrolment
    assert transport["depth"] == 3
    assert transport["leased"] == 0
    assert transport["oldestAgeSeconds"] >= 0
    assert queues["northgate"] == {
        "party": "northgate", "depth": 0, "leased": 0, "oldestAgeSeconds": None,
    }  # fmt: skip


def test_a_service_request_reaches_the_provider_and_the_answer_comes_back(zone: ZoneServer) -> None:
    northgate, lrs = zone.client("northgate"), zone.client("lrs")
    sent = northgate.session.post(
        northgate.base + "/services/uln/requests", json={"learner": AMY.ref_id}, timeout=10
    )
    assert sent.status_code == 202
    request_id = sent.json()["requestId"]
    (incoming,) = lrs.lease()
    assert incoming["kind"] == "request"
    assert incoming["request"]["body"] == {"learner": AMY.ref_id}
    assert incoming["request"]["requester"] == "northgate"
    path = f"/services/uln/requests/{request_id}/response"
    stolen = zone.client("riverside").session.post(northgate.base + path, json={}, timeout=10)
    assert stolen.status_code == 403
    answered = lrs.session.post(lrs.base + path, json={"uln": "1000000043"}, timeout=10)
    assert answered.status_code == 200
    assert lrs.ack([incoming]).ok
    (response,) = northgate.lease()
    assert response["kind"] == "response"
    assert response["response"]["requestId"] == request_id
    assert response["response"]["body"] == {"uln": "1000000043"}
    twice = lrs.session.post(lrs.base + path, json={}, timeout=10)
    assert twice.status_code == 409
    status = northgate.get(f"/services/uln/requests/{request_id}").json()
    assert status["status"] == "answered"


def test_a_party_without_the_right_cannot_use_a_service(zone: ZoneServer) -> None:
    la = zone.client("northshire")
    reply = la.session.post(la.base + "/services/uln/requests", json={}, timeout=10)
    assert reply.status_code == 403
    assert reply.json()["error"]["right"] == "create"
    missing = la.session.post(la.base + "/services/tarot/requests", json={}, timeout=10)
    assert missing.status_code == 404


def _validator(document: dict[str, Any], name: str) -> Draft202012Validator:
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    return Draft202012Validator(schema)


def test_openapi_describes_the_replies_the_zone_really_sends(zone: ZoneServer) -> None:
    document = requests.get(zone.url + "/openapi.json", timeout=10).json()
    assert document["openapi"] == "3.1.0"
    assert "/api/zones/{zone}/events" in document["paths"]
    northgate = zone.client("northgate")
    published = northgate.publish(add(learner("801", "2000", 2, "Brook", "Ben")))
    _validator(document, "PublishReply").validate(published.json())
    _validator(document, "EventBatch").validate({"events": [add(AMY), add(AMY_LINK)]})
    messages = zone.client("transport").session.get(zone.client("transport").base + "/queue")
    _validator(document, "QueueReply").validate(messages.json())
    learner_schema = _validator(document, "LearnerPersonal")
    for message in messages.json()["messages"]:
        if message["event"]["objectType"] == "LearnerPersonal":
            learner_schema.validate(message["event"]["object"])
    error = zone.client("northshire").get("/admin/queues").json()
    _validator(document, "Error").validate(error)


def test_the_server_log_holds_no_personal_data(zone: ZoneServer) -> None:
    zone.client("northgate").get(f"/LearnerPersonals/{AMY.ref_id}")
    assert zone.client("northgate").get(f"/LearnerPersonals/{AMY.upn}").status_code == 404
    assert zone.client("northgate").get(f"/{AMY.upn}").status_code == 404
    zone.client("northgate").get("/LearnerPersonals", upn=AMY.upn, localId="ADM0001")
    bad = add(learner("801", "2000", 9, "Zebedee", "Xanthe"))
    bad["object"]["Email"] = "not-an-address"
    assert zone.client("northgate").publish(bad).status_code == 422
    log = zone.log.read_text()
    assert "GET /api/zones/north/LearnerPersonals/{ref_id} 200" in log
    assert "GET /api/zones/north/{collection} 404" in log
    personal = [
        AMY.upn, AMY.ref_id, "Ashby", "Amy", "Xanthe", "Zebedee", "NT1 2AB", "Mill Lane",
        "2015-03-", "not-an-address", "ADM0001",
    ]  # fmt: skip
    assert [value for value in personal if value and value in log] == []


def test_healthz_needs_no_credentials_and_reports_each_zones_marker(zone: ZoneServer) -> None:
    reply = requests.get(zone.url + "/healthz", timeout=5)
    assert reply.json()["status"] == "ok"
    assert int(reply.json()["zones"]["north"]) > 0
