"""Pupil transfer end to end on a real zone: delivery, completion on acknowledgement, the
lost-pupils area, claims, and the refusals."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sif_core.model import LearnerPersonal, SchoolInfo
from tests.zone.factories import contact, learner, sen_history
from tests.zone.server import add, events_of
from tests.zone.stores import BACKENDS

from .zone import (
    EASTBAY,
    NORTHGATE,
    RIVERSIDE,
    WorkflowZone,
    conforms,
    enrolled,
    operations,
    workflow_zone,
)

AMY = learner("801", "2000", 1, "Ashby", "Amy")
BEN = learner("801", "2000", 2, "Brook", "Ben")
CAL = learner("801", "2000", 3, "Carter", "Cal")
DEV = learner("801", "2000", 4, "Dawson", "Dev")


def _record(pupil: LearnerPersonal, at: SchoolInfo) -> list[dict[str, Any]]:
    person, link = contact(pupil, pupil.legal_name.family_name or "")
    return [
        add(pupil),
        add(enrolled(pupil, at)),
        add(person),
        add(link),
        add(sen_history(pupil)),
    ]


@pytest.fixture(scope="module", params=BACKENDS)
def zone(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkflowZone]:
    with workflow_zone(request, tmp_path_factory.mktemp("transfer")) as server:
        northgate = server.client("northgate")
        batch = [add(NORTHGATE)]
        for pupil in (AMY, BEN, CAL, DEV):
            batch += _record(pupil, NORTHGATE)
        assert northgate.publish(*batch).status_code == 200
        for party, at in (("riverside", RIVERSIDE), ("eastbay", EASTBAY)):
            assert server.client(party).publish(add(at)).status_code == 200
        for party in ("northshire", "riverside", "eastbay"):
            server.client(party).drain()
        yield server


def _transfer(zone: WorkflowZone, upn: str | None, to: str, party: str = "northgate") -> Any:
    return zone.client(party).session.post(
        zone.client(party).base + "/transfers", json={"upn": upn, "to": to}, timeout=30
    )


def test_transfer_delivers_the_whole_record_and_completes_when_acknowledged(
    zone: WorkflowZone,
) -> None:
    reply = _transfer(zone, AMY.upn, "8012001")
    assert reply.status_code == 201, reply.text
    started = reply.json()
    conforms(zone, "Transfer", started)
    assert started["status"] == "delivered"
    assert (started["from"], started["to"], started["toParty"]) == (
        "8012000",
        "8012001",
        "riverside",
    )

    riverside = zone.client("riverside")
    messages = riverside.lease()
    received = events_of(messages)
    person, link = contact(AMY, "Ashby")
    assert {(kind, ref) for _, kind, ref in received} == {
        ("SchoolInfo", NORTHGATE.ref_id),
        ("LearnerPersonal", AMY.ref_id),
        ("LearnerSchoolEnrolment", enrolled(AMY, NORTHGATE).ref_id),
        ("ContactPersonal", person.ref_id),
        ("LearnerContact", link.ref_id),
        ("LearnerSENHistory", sen_history(AMY).ref_id),
    }
    assert {action for action, _, _ in received} == {"add"}
    assert {m["event"]["publisher"] for m in messages} == {"northgate"}
    learner_event = next(m for m in messages if m["event"]["objectType"] == "LearnerPersonal")
    assert learner_event["event"]["object"]["UPN"] == AMY.upn

    transfer_id = started["transferId"]
    assert zone.client("northgate").get(f"/transfers/{transfer_id}").json()["status"] == "delivered"
    riverside.ack(messages[:-1]).raise_for_status()
    assert riverside.get(f"/transfers/{transfer_id}").json()["status"] == "delivered"
    riverside.ack(messages[-1:]).raise_for_status()
    conforms(zone, "Transfers", riverside.get("/transfers").json())
    for party in ("northgate", "riverside", "northshire"):
        seen = zone.client(party).get(f"/transfers/{transfer_id}").json()
        assert seen["status"] == "complete", party
        assert seen["completedAt"] is not None
    assert zone.client("eastbay").get(f"/transfers/{transfer_id}").status_code == 404
    assert zone.client("eastshire").get(f"/transfers/{transfer_id}").status_code == 404

    steps = [e for e in zone.audit() if transfer_id in e["detail"] or e["party"] == "riverside"]
    assert {"transfer", "transfer-queued", "deliver", "transfer-complete"} <= set(operations(steps))


def test_destination_not_in_the_zone_fails_clearly_and_sends_nothing(zone: WorkflowZone) -> None:
    before = zone.client("northgate").get("/transfers").json()["transfers"]
    reply = _transfer(zone, BEN.upn, "8019999")
    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["code"] == "destination-not-in-zone"
    assert "8019999" in error["message"]
    assert "MMM" in error["message"]
    assert zone.client("northgate").get("/transfers").json()["transfers"] == before
    assert "transfer-refused" in operations(zone.audit())


def test_bad_destinations_and_unknown_pupils_are_refused(zone: WorkflowZone) -> None:
    assert _transfer(zone, BEN.upn, "north").json()["error"]["code"] == "bad-destination"
    assert _transfer(zone, BEN.upn, "8012000").json()["error"]["code"] == "bad-destination"
    assert _transfer(zone, "Z801200001001", "8012001").json()["error"]["code"] == "bad-upn"
    unknown = _transfer(zone, learner("801", "2000", 99, "Nobody", "No").upn, "8012001")
    assert unknown.status_code == 404
    assert "push the pupil" in unknown.json()["error"]["message"]
    # A school transfers only its own pupils; an LA transfers nobody.
    assert _transfer(zone, BEN.upn, "8012000", party="riverside").status_code == 404
    assert _transfer(zone, BEN.upn, "8012001", party="northshire").status_code == 403


def test_unknown_destination_goes_to_the_lost_pupils_area_searchable_within_scope(
    zone: WorkflowZone,
) -> None:
    reply = _transfer(zone, CAL.upn, "MMM")
    assert reply.status_code == 201
    assert (reply.json()["status"], reply.json()["to"]) == ("lost", "MMMMMMM")
    for party in ("riverside", "eastbay"):
        assert zone.client(party).lease() == []

    found = zone.client("northshire").get("/lost-pupils", upn=CAL.upn).json()["lostPupils"]
    assert [(p["upn"], p["familyName"], p["from"]) for p in found] == [
        (CAL.upn, "Carter", "8012000")
    ]
    assert zone.client("dfe").get("/lost-pupils", surname="carter").json()["lostPupils"]
    assert zone.client("eastshire").get("/lost-pupils").json()["lostPupils"] == []
    assert zone.client("eastbay").get("/lost-pupils").status_code == 403


def test_a_lost_pupil_is_claimable_only_by_a_school_that_enrols_that_upn(
    zone: WorkflowZone,
) -> None:
    assert _transfer(zone, DEV.upn, "MMMM").status_code == 201
    eastbay = zone.client("eastbay")

    def claim() -> Any:
        return eastbay.session.post(
            eastbay.base + "/lost-pupils/claims", json={"upn": DEV.upn}, timeout=30
        )

    refused = claim()
    assert refused.status_code == 403
    assert "enrols a pupil with that UPN" in refused.json()["error"]["message"]
    assert eastbay.lease() == []
    assert "lost-pupil-claim-refused" in operations(zone.audit())

    # Eastbay's MIS enrols Dev under its own RefIds; its agent pushes that, then it claims.
    arrived = DEV.model_copy(update={"ref_id": "E" * 32, "local_id": "EB0001"})
    assert eastbay.publish(add(arrived), add(enrolled(arrived, EASTBAY))).status_code == 200
    claimed = claim()
    assert claimed.status_code == 200, claimed.text
    [record] = claimed.json()["claimed"]
    assert (record["status"], record["claimedBy"], record["toParty"]) == (
        "delivered",
        "eastbay",
        "eastbay",
    )
    received = events_of(eastbay.lease())
    assert ("add", "LearnerPersonal", DEV.ref_id) in received
    assert zone.client("northshire").get("/lost-pupils", upn=DEV.upn).json()["lostPupils"] == []
    assert claim().status_code == 404  # nothing left to claim


def test_a_transfer_to_another_la_is_seen_by_both_las(zone: WorkflowZone) -> None:
    reply = _transfer(zone, BEN.upn, "8023000")
    assert reply.status_code == 201
    assert reply.json()["toParty"] == "eastbay"
    transfer_id = reply.json()["transferId"]
    for party in ("northshire", "eastshire", "dfe"):
        assert zone.client(party).get(f"/transfers/{transfer_id}").status_code == 200, party
    assert zone.client("riverside").get(f"/transfers/{transfer_id}").status_code == 404


def test_the_server_log_names_no_pupil(zone: WorkflowZone) -> None:
    zone.client("northshire").get("/lost-pupils", upn=CAL.upn, surname="Carter")
    _transfer(zone, DEV.upn, "8019999")
    log = zone.log.read_text()
    assert "POST /api/zones/north/transfers 422" in log
    personal = [AMY.upn, CAL.upn, DEV.upn, "Ashby", "Carter", "Dawson", AMY.ref_id]
    assert [value for value in personal if value and value in log] == []
