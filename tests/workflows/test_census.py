"""Census returns end to end on a real zone: the school holds the approve button; the LA and the
DfE see a draft as pending and count nothing from it until the school approves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from sif_core.model import (
    EnrolmentStatus,
    FSMInstance,
    LearnerFSMHistory,
    NCYear,
)
from tests.zone.factories import learner, refid, sen_history
from tests.zone.server import ZoneClient, add, change
from tests.zone.stores import BACKENDS

from .zone import (
    EASTBAY,
    NORTHGATE,
    WorkflowZone,
    conforms,
    enrolled,
    operations,
    workflow_zone,
)

CENSUS_DAY = "2025-01-16"
SPRING = "Spring 2025"
PUPILS = [learner("801", "2000", n, f"Family{n}", f"Given{n}") for n in range(1, 6)]
LEAVER = learner("801", "2000", 6, "Gone", "Already")


def _year(pupil_number: int) -> NCYear:
    return NCYear.Y5 if pupil_number % 2 else NCYear.Y6


def _fsm(number: int) -> LearnerFSMHistory:
    pupil = PUPILS[number - 1]
    return LearnerFSMHistory(
        ref_id=refid("LearnerFSMHistory", pupil.ref_id),
        learner_personal_ref_id=pupil.ref_id,
        instances=[FSMInstance(start_date=dt.date(2024, 9, 1))],
    )


@pytest.fixture(scope="module", params=BACKENDS)
def zone(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkflowZone]:
    with workflow_zone(request, tmp_path_factory.mktemp("census")) as server:
        batch = [add(NORTHGATE)]
        for number, pupil in enumerate(PUPILS, start=1):
            at = enrolled(pupil, NORTHGATE).model_copy(update={"nc_year": _year(number)})
            batch += [add(pupil), add(at)]
        batch += [add(_fsm(1)), add(_fsm(2)), add(sen_history(PUPILS[2]))]
        left = enrolled(LEAVER, NORTHGATE, exit_date=dt.date(2024, 12, 20))
        batch += [add(LEAVER), add(left)]
        assert server.client("northgate").publish(*batch).status_code == 200
        assert server.client("eastbay").publish(add(EASTBAY)).status_code == 200
        server.client("northshire").drain()  # the LA's live feed; the returns come apart
        yield server


def _post(client: ZoneClient, path: str, body: dict[str, Any] | None = None) -> Any:
    return client.session.post(client.base + path, json=body or {}, timeout=30)


def _submit(client: ZoneClient, **extra: str) -> Any:
    return _post(
        client, "/census-returns", {"collection": SPRING, "referenceDate": CENSUS_DAY, **extra}
    )


def _funding(client: ZoneClient) -> dict[str, Any]:
    reply = client.get("/funding-summary", collection=SPRING)
    assert reply.status_code == 200, reply.text
    summary: dict[str, Any] = reply.json()
    return summary


def _ensure_approved(zone: WorkflowZone) -> None:
    """Make sure some version of Northgate's return is approved (whichever test runs first)."""
    northgate = zone.client("northgate")
    if _funding(zone.client("dfe"))["schools"]:
        return
    draft = _submit(northgate).json()
    assert _post(northgate, f"/census-returns/{draft['returnId']}/approve").status_code == 200


def test_only_the_school_approves_and_nothing_counts_until_it_does(zone: WorkflowZone) -> None:
    northgate, la, dfe = (zone.client(p) for p in ("northgate", "northshire", "dfe"))
    empty = _funding(dfe)
    assert empty["schools"] == []
    assert empty["totals"]["pupils"] == 0

    submitted = _submit(northgate)
    assert submitted.status_code == 201, submitted.text
    draft = submitted.json()
    assert (draft["status"], draft["version"], draft["preparedBy"]) == ("draft", 1, "northgate")
    return_id = draft["returnId"]
    assert draft["objects"] == 1 + 2 * len(PUPILS) + 3  # school, pupils + enrolments, histories
    conforms(zone, "CensusReturn", draft)

    # The LA and the DfE see that it is pending, and nothing of it.
    for client in (la, dfe):
        [pending] = client.get("/census-returns").json()["censusReturns"]
        assert pending["status"] == "draft"
        assert "counts" not in pending
        assert "contentHash" not in pending
        refused = client.get(f"/census-returns/{return_id}/objects")
        assert refused.status_code == 403
        assert client.lease() == []
    assert _funding(dfe) == empty
    assert _funding(la) == empty

    # Their approve is refused, although the zone file grants both the approve right.
    for client in (la, dfe):
        reply = _post(client, f"/census-returns/{return_id}/approve")
        assert reply.status_code == 403
        assert "only the school" in reply.json()["error"]["message"]
    assert _funding(dfe) == empty
    refusals = [e for e in zone.audit() if e["operation"] == "census-approve-refused"]
    assert {e["party"] for e in refusals} == {"northshire", "dfe"}

    approved = _post(northgate, f"/census-returns/{return_id}/approve", {
        "contentHash": draft["contentHash"]
    })  # fmt: skip
    assert approved.status_code == 200, approved.text
    attested = approved.json()
    assert attested["status"] == "approved"
    assert attested["attestation"]["approvedBy"] == "northgate"
    assert attested["attestation"]["contentHash"] == draft["contentHash"]
    assert sorted(attested["deliveredTo"]) == ["dfe", "northshire"]

    counted = _funding(dfe)
    assert counted["totals"]["pupils"] == len(PUPILS)  # the leaver left before census day
    assert counted["totals"]["byNCYear"] == {"5": 3, "6": 2}
    assert counted["totals"]["fsmEligible"] == 2
    assert counted["totals"]["senSupport"] == 1
    assert [row["school"] for row in counted["schools"]] == ["8012000"]
    assert _funding(la) == counted
    conforms(zone, "FundingSummary", counted)
    conforms(zone, "CensusReturns", la.get("/census-returns").json())

    for client in (la, dfe):
        [message] = client.lease()
        assert message["kind"] == "request"
        delivered = message["request"]
        assert (delivered["service"], delivered["requester"]) == ("census", "northgate")
        assert delivered["body"]["attestation"]["contentHash"] == draft["contentHash"]
        assert len(delivered["body"]["objects"]) == draft["objects"]
        client.ack([message]).raise_for_status()
        assert client.get(f"/census-returns/{return_id}/objects").status_code == 200
    assert "census-approved" in operations(zone.audit())


def test_a_later_change_makes_a_new_draft_that_needs_approval_again(zone: WorkflowZone) -> None:
    northgate, dfe = zone.client("northgate"), zone.client("dfe")
    _ensure_approved(zone)
    before = _funding(dfe)
    same = _submit(northgate)
    assert same.status_code == 200  # nothing changed: no new version
    assert same.json()["status"] == "approved"

    newcomer = learner("801", "2000", 7, "Newman", "Nia")
    joined = enrolled(newcomer, NORTHGATE, EnrolmentStatus.C)
    assert northgate.publish(add(newcomer), add(joined)).status_code == 200
    # The LA prepares the new draft for its school; only the school may approve it.
    prepared = _submit(zone.client("northshire"), school="8012000")
    assert prepared.status_code == 201, prepared.text
    draft = prepared.json()
    assert (draft["version"], draft["status"], draft["preparedBy"]) == (2, "draft", "northshire")
    assert (
        _post(zone.client("northshire"), f"/census-returns/{draft['returnId']}/approve").status_code
        == 403
    )
    assert _funding(dfe) == before  # version 1 still counts; version 2 does not yet

    wrong = _post(northgate, f"/census-returns/{draft['returnId']}/approve", {
        "contentHash": before["schools"][0]["contentHash"]
    })  # fmt: skip
    assert wrong.status_code == 409
    assert _post(northgate, f"/census-returns/{draft['returnId']}/approve").status_code == 200
    after = _funding(dfe)
    assert after["totals"]["pupils"] == before["totals"]["pupils"] + 1
    assert after["schools"][0]["version"] == 2
    versions = northgate.get("/census-returns", collection=SPRING).json()["censusReturns"]
    assert [(v["version"], v["status"]) for v in versions] == [(1, "superseded"), (2, "approved")]


def test_an_la_sees_nothing_of_another_las_returns(zone: WorkflowZone) -> None:
    northgate, eastshire = zone.client("northgate"), zone.client("eastshire")
    reply = _submit(northgate)
    return_id = reply.json()["returnId"]
    assert eastshire.get("/census-returns").json()["censusReturns"] == []
    assert eastshire.get(f"/census-returns/{return_id}").status_code == 404
    assert _post(eastshire, f"/census-returns/{return_id}/approve").status_code == 404
    assert _funding(eastshire)["schools"] == []
    assert _submit(eastshire, school="8012000").status_code == 403
    assert zone.client("eastbay").get(f"/census-returns/{return_id}").status_code == 404


def test_a_return_needs_a_collection_and_a_census_day(zone: WorkflowZone) -> None:
    northgate = zone.client("northgate")
    bad_date = _post(
        northgate, "/census-returns", {"collection": SPRING, "referenceDate": "16/01/25"}
    )
    assert bad_date.status_code == 422
    assert "yyyy-mm-dd" in bad_date.json()["error"]["message"]
    assert _post(northgate, "/census-returns", {"referenceDate": CENSUS_DAY}).status_code == 400
    nothing = _submit(zone.client("eastbay"))
    assert nothing.status_code == 201  # Eastbay has published its SchoolInfo and no pupils
    assert nothing.json()["objects"] == 1
    assert _submit(zone.client("dfe")).status_code == 403


def test_changes_after_approval_leave_the_approved_version_counting(zone: WorkflowZone) -> None:
    northgate, dfe = zone.client("northgate"), zone.client("dfe")
    _ensure_approved(zone)
    before = _funding(dfe)
    renamed = PUPILS[0].model_copy(update={"local_id": "ADM-CHANGED"})
    assert northgate.publish(change(renamed)).status_code == 200
    assert _submit(northgate).json()["status"] == "draft"
    assert _funding(dfe) == before
