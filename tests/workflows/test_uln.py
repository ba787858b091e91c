"""ULN requests end to end: a school's learners go to the LRS connector, which asks the LRS
simulator; found and new ULNs reach the school's learners, everything else its review list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from adapters.lrs.client import LRSClient, LRSSettings
from adapters.lrs.connector import serve_requests
from adapters.lrs.simulator import KnownLearner, LRSSimulator
from sif_core.client import ZoneClient as SifZoneClient
from sif_core.model import LearnerPersonal, uln_problem
from tests.zone.factories import learner
from tests.zone.server import ZoneClient, add
from tests.zone.stores import BACKENDS

from .zone import NORTHGATE, TOKENS, WorkflowZone, enrolled, operations, workflow_zone

KNOWN = learner("801", "2000", 1, "Khan", "Kit")
NEW = learner("801", "2000", 2, "Newby", "Nell")
HOMELESS = learner("801", "2000", 3, "Nomad", "Noor").model_copy(update={"address": None})
TWIN = learner("801", "2000", 4, "Twine", "Tam")
MAYBE = learner("801", "2000", 5, "Mayhew", "Max")
HAS = learner("801", "2000", 6, "Holder", "Hal").model_copy(update={"uln": "1000000043"})
PUPILS = (KNOWN, NEW, HOMELESS, TWIN, MAYBE, HAS)


def _known(pupil: LearnerPersonal, uln: str, given: str | None = None) -> KnownLearner:
    return KnownLearner(
        uln=uln,
        given_name=given or pupil.legal_name.given_name or "",
        family_name=pupil.legal_name.family_name or "",
        date_of_birth=pupil.date_of_birth.isoformat(),
        sex=pupil.sex.value,
    )


LRS_KNOWS = [
    _known(KNOWN, "1000000043"),
    _known(TWIN, "1000000051"),
    _known(TWIN, "1000000078"),
    _known(MAYBE, "1000000086", given="Maxine"),
]


@pytest.fixture(scope="module", params=BACKENDS)
def zone(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkflowZone]:
    with workflow_zone(request, tmp_path_factory.mktemp("uln")) as server:
        batch = [add(NORTHGATE)]
        for pupil in PUPILS:
            batch += [add(pupil), add(enrolled(pupil, NORTHGATE))]
        assert server.client("northgate").publish(*batch).status_code == 200
        server.client("northshire").drain()
        yield server


@pytest.fixture(scope="module")
def simulator(zone: WorkflowZone) -> Iterator[LRSSimulator]:
    """A simulator for each zone (each backend's): it remembers the learners it registers."""
    running = LRSSimulator(LRS_KNOWS).start()
    yield running
    running.stop()


def _connector_pass(zone: WorkflowZone, simulator: LRSSimulator) -> Any:
    settings = LRSSettings(simulator.url, "10012345", "sifbridge", "secret")
    client = SifZoneClient(f"{zone.url}/api/zones/north", TOKENS["lrs"])
    with LRSClient(settings) as lrs:
        return serve_requests(client, lrs)


def _post(client: ZoneClient, path: str, body: dict[str, Any]) -> Any:
    return client.session.post(client.base + path, json=body, timeout=30)


def _learner(client: ZoneClient, pupil: LearnerPersonal) -> dict[str, Any]:
    found: dict[str, Any] = client.get(f"/LearnerPersonals/{pupil.ref_id}").json()[
        "LearnerPersonal"
    ]
    return found


def test_found_and_registered_ulns_reach_the_school_the_rest_its_review_list(
    zone: WorkflowZone, simulator: LRSSimulator
) -> None:
    northgate = zone.client("northgate")
    sent = _post(northgate, "/uln-requests", {"missing": True})
    assert sent.status_code == 202, sent.text
    assert sent.json()["provider"] == "lrs"
    assert sent.json()["learners"] == 5
    assert sent.json()["skipped"] == []  # Hal has a ULN, so he was never a candidate

    report = _connector_pass(zone, simulator)
    assert report.requests == 1
    assert dict(report.outcomes) == {
        "found": 1,
        "registered": 1,
        "not-registered": 1,
        "too-many-matches": 1,
        "possible-match": 1,
    }
    assert ("register", "WSRC0005") in simulator.calls

    assert _learner(northgate, KNOWN)["ULN"] == "1000000043"
    new_uln = _learner(northgate, NEW)["ULN"]
    assert uln_problem(new_uln) is None
    for pupil in (HOMELESS, TWIN, MAYBE):
        assert "ULN" not in _learner(northgate, pupil)

    messages = northgate.drain()
    changed = {
        m["event"]["refId"]: m["event"]
        for m in messages
        if m["kind"] == "event" and m["event"]["action"] == "change"
    }
    assert set(changed) == {KNOWN.ref_id, NEW.ref_id}
    assert {e["publisher"] for e in changed.values()} == {"lrs"}
    assert changed[NEW.ref_id]["object"]["ULN"] == new_uln
    [response] = [m for m in messages if m["kind"] == "response"]
    assert response["response"]["requestId"] == sent.json()["requestId"]

    reviews = northgate.get("/uln-reviews").json()["ulnReviews"]
    assert {(r["learnerRefId"], r["outcome"], r["code"]) for r in reviews} == {
        (HOMELESS.ref_id, "not-registered", "WSRC0021"),
        (TWIN.ref_id, "too-many-matches", "WSRC0002"),
        (MAYBE.ref_id, "possible-match", "WSRC0003"),
    }
    assert len(zone.client("northshire").get("/uln-reviews").json()["ulnReviews"]) == 3
    assert zone.client("eastshire").get("/uln-reviews").json()["ulnReviews"] == []
    assert {"uln-request", "uln-applied", "uln-review"} <= set(operations(zone.audit()))

    # Asking again sends only those still without a ULN.
    again = _post(northgate, "/uln-requests", {"missing": True})
    assert again.json()["learners"] == 3


def test_the_zone_checks_every_uln_it_is_given(zone: WorkflowZone) -> None:
    northgate, lrs = zone.client("northgate"), zone.client("lrs")
    lrs.drain()
    sent = _post(northgate, "/uln-requests", {"learnerRefIds": [TWIN.ref_id, HAS.ref_id]})
    assert sent.json()["skipped"] == [{"learnerRefId": HAS.ref_id, "reason": "has a ULN already"}]
    request_id = sent.json()["requestId"]
    path = f"/services/uln/requests/{request_id}/response"

    malformed = _post(lrs, path, {"results": [{"learnerRefId": TWIN.ref_id, "outcome": "maybe"}]})
    assert malformed.status_code == 400
    assert northgate.get(f"/services/uln/requests/{request_id}").json()["status"] == "pending"

    forged = {"learnerRefId": TWIN.ref_id, "outcome": "found", "uln": "1000000042"}
    assert _post(lrs, path, {"results": [forged]}).status_code == 200
    assert "ULN" not in _learner(northgate, TWIN)
    reviews = northgate.get("/uln-reviews").json()["ulnReviews"]
    assert any("not valid" in r["message"] for r in reviews if r["requestId"] == request_id)


def test_uln_requests_are_a_schools_own(zone: WorkflowZone) -> None:
    la = zone.client("northshire")
    assert _post(la, "/uln-requests", {"learnerRefIds": [KNOWN.ref_id]}).status_code == 403
    eastbay = zone.client("eastbay")
    reply = _post(eastbay, "/uln-requests", {"learnerRefIds": [TWIN.ref_id]})
    assert reply.status_code == 200
    assert reply.json()["requestId"] is None
    assert reply.json()["skipped"] == [
        {"learnerRefId": TWIN.ref_id, "reason": "not a learner of eastbay"}
    ]
    assert _post(eastbay, "/uln-requests", {"learnerRefIds": "all"}).status_code == 400
