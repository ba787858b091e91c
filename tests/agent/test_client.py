"""The zone client against a real zone: typed results, and errors that say what to do."""

from __future__ import annotations

import pytest

from sif_core.client import Event, RetryPolicy, ZoneClient
from sif_core.errors import (
    ZoneAuthenticationError,
    ZoneForbiddenError,
    ZoneNotFoundError,
    ZoneRejectedError,
    ZoneUnreachableError,
)
from sif_core.model import LearnerPersonal, SIFObject
from tests.zone.server import free_port

from .exports import NEW_ADDRESS, first_learner
from .zone import TOKENS, AgentZone


def _school_a_basics(school_a: list[SIFObject]) -> list[Event]:
    """School A's SchoolInfo and learners, as add events."""
    wanted = ("SchoolInfo", "LearnerPersonal")
    return [Event.of("add", obj) for obj in school_a if obj.object_name in wanted]


def test_wrong_token_says_to_check_the_token_and_never_echoes_it(zone: AgentZone) -> None:
    wrong = "school-a.not-the-right-token"
    client = ZoneClient(zone.zone_url, wrong)

    with pytest.raises(ZoneAuthenticationError) as refused:
        client.lease()

    assert refused.value.status == 401
    assert "check that the token is the one `sif zone init` printed" in str(refused.value)
    assert wrong not in str(refused.value)


def test_missing_right_names_the_right_and_who_to_ask(
    zone: AgentZone, school_a: list[SIFObject]
) -> None:
    with pytest.raises(ZoneForbiddenError) as refused:
        zone.party("la").publish(_school_a_basics(school_a)[:1])

    assert refused.value.right == "create"
    assert "la may not publish add events of SchoolInfo" in str(refused.value)
    assert "administrator" in str(refused.value)


def test_zone_down_is_reported_after_every_retry_with_back_off() -> None:
    waits: list[float] = []
    url = f"http://127.0.0.1:{free_port()}/api/zones/north"
    client = ZoneClient(
        url, TOKENS["la"], retry=RetryPolicy(attempts=4, first_delay=0.5), sleep=waits.append
    )

    with pytest.raises(ZoneUnreachableError) as down:
        client.lease()

    assert waits == [0.5, 1.0, 2.0]
    assert "connection refused" in str(down.value)
    assert "after 4 tries; check that the zone server is running" in str(down.value)


def test_a_url_that_is_not_a_zone_is_refused_with_an_example() -> None:
    with pytest.raises(ValueError, match=r"http://127.0.0.1:8080/api/zones/main"):
        ZoneClient("http://127.0.0.1:8080/", "t")


def test_unknown_zone_is_not_found(zone: AgentZone) -> None:
    client = ZoneClient(f"{zone.url}/api/zones/south", TOKENS["la"])

    with pytest.raises(ZoneNotFoundError, match="there is no zone 'south'"):
        client.lease()


def test_a_batch_sent_twice_under_one_key_is_stored_once(
    zone: AgentZone, school_a: list[SIFObject]
) -> None:
    school = zone.party("school-a")
    events = _school_a_basics(school_a)

    first = school.publish(events, idempotency_key="batch-0001")
    again = school.publish(events, idempotency_key="batch-0001")

    assert (first.replayed, again.replayed) == (False, True)
    assert again.events == first.events
    assert len(first.events) == len(events)
    assert len(zone.party("la").lease(max_messages=1000)) == len(events)


def test_a_key_reused_for_other_content_is_refused(
    zone: AgentZone, school_a: list[SIFObject]
) -> None:
    school = zone.party("school-a")
    events = _school_a_basics(school_a)
    school.publish(events[:2], idempotency_key="batch-0002")

    with pytest.raises(ZoneRejectedError) as refused:
        school.publish(events[:3], idempotency_key="batch-0002")

    assert refused.value.status == 409


def test_an_event_about_an_unknown_learner_is_rejected_with_its_problem(
    zone: AgentZone, school_a: list[SIFObject]
) -> None:
    enrolment = next(o for o in school_a if o.object_name == "LearnerSchoolEnrolment")

    with pytest.raises(ZoneRejectedError) as refused:
        zone.party("school-a").publish([Event.of("add", enrolment)])

    assert refused.value.status == 422
    assert refused.value.problems[0]["refId"] == enrolment.ref_id


def test_queries_page_through_everything_and_changes_since_gives_only_the_change(
    zone: AgentZone, school_a: list[SIFObject]
) -> None:
    school = zone.party("school-a")
    published = school.publish(_school_a_basics(school_a))
    learners = [o for o in school_a if isinstance(o, LearnerPersonal)]

    pages = list(zone.party("la").iter_pages("LearnerPersonal", page_size=10))

    assert [page.page for page in pages] == list(range(1, -(-len(learners) // 10) + 1))
    assert {page.count for page in pages} == {len(learners)}
    queried = [obj for page in pages for obj in page.objects()]
    assert sorted(queried, key=lambda o: o.ref_id) == sorted(learners, key=lambda o: o.ref_id)
    pupil = first_learner(school_a)
    school.publish([Event.of("change", pupil.model_copy(update={"address": NEW_ADDRESS}))])
    changes = zone.party("la").changes_since("LearnerPersonal", published.changes_since_marker)
    assert [content["@RefId"] for content in changes.contents] == [pupil.ref_id]
    assert int(changes.marker) > int(published.changes_since_marker)
    found = zone.party("la").query("LearnerPersonal", upn=pupil.upn)
    assert [obj.ref_id for obj in found.objects()] == [pupil.ref_id]


def test_get_of_an_object_outside_the_zone_is_none(zone: AgentZone) -> None:
    assert zone.party("la").get("LearnerPersonal", "0" * 32) is None


def test_service_request_reaches_the_provider_and_the_answer_comes_back(zone: AgentZone) -> None:
    school, lrs = zone.party("school-a"), zone.party("lrs")

    sent = school.request_service("uln", {"upn": "H801200001001"})
    [request] = lrs.lease()
    lrs.answer_service_request("uln", sent.request_id, {"uln": "1000000043"})
    lrs.ack([request.message_id])
    [response] = school.lease()

    assert sent.status == "pending"
    assert request.request is not None
    assert (request.request.request_id, request.request.body) == (
        sent.request_id,
        {"upn": "H801200001001"},
    )
    assert response.response is not None
    assert response.response.body == {"uln": "1000000043"}
    assert school.service_request("uln", sent.request_id).status == "answered"
    assert school.ack([response.message_id]).acknowledged == (response.message_id,)
    assert school.ack([response.message_id]).unknown == (response.message_id,)


def test_hmac_signed_requests_are_accepted(zone: AgentZone) -> None:
    assert zone.party("la", hmac=True).lease() == []


def test_other_routes_are_called_with_the_same_credentials_and_errors(
    zone: AgentZone, school_a: list[SIFObject]
) -> None:
    zone.party("school-a").publish(_school_a_basics(school_a))
    la = zone.party("la")

    document = la.call_json("GET", "/SchoolInfos")
    with pytest.raises(ZoneForbiddenError) as refused:
        la.call_json("GET", "/admin/queues")

    [school] = [o for o in school_a if o.object_name == "SchoolInfo"]
    assert [s["@RefId"] for s in document["SchoolInfos"]["SchoolInfo"]] == [school.ref_id]
    assert refused.value.right == "admin"
