"""The store behind the zone: publish in one transaction, durable leased queues, queries, audit.

Every test runs on each backend of the ``make_store`` fixture, through the store interface.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sif_core.model import LearnerPersonal
from zone_server.acl import DIRECTORY_TYPES, AccessPolicy, Forbidden
from zone_server.publishing import (
    IdempotencyConflict,
    PublishOutcome,
    ReferenceProblems,
    ZoneEvent,
    publish,
)
from zone_server.scope import Scope
from zone_server.store import ObjectQuery, Store
from zone_server.wire import content_of

from .conftest import StoreFactory, add, change, delete
from .factories import enrolment, learner, school, sen_history

AUDITED = frozenset({"LearnerPersonal", "LearnerSchoolEnrolment", "LearnerSENHistory"})
NORTHGATE = school("801", "2000", "Northgate Primary")
RIVERSIDE = school("801", "2001", "Riverside Academy")
EASTBAY = school("802", "3000", "Eastbay School")


def _school_publishes(
    store: Store, policy: AccessPolicy, party: str, *pupils: LearnerPersonal
) -> None:
    at = {"northgate": NORTHGATE, "riverside": RIVERSIDE, "eastbay": EASTBAY}[party]
    events = [add(at)]
    for pupil in pupils:
        events += [add(pupil), add(enrolment(pupil, at))]
    publish(store, policy, "north", policy.parties[party], events)


def _lease(store: Store, party: str, limit: int = 100, lease_seconds: float = 60) -> list[str]:
    messages = store.lease(
        "north", party, limit=limit, lease_seconds=lease_seconds, audited_types=AUDITED
    )
    return [f"{m.event.action} {m.event.object_type} {m.event.ref_id}" for m in messages if m.event]


def test_an_la_receives_its_schools_events_and_nothing_of_another_las_school(
    store: Store, policy: AccessPolicy
) -> None:
    amy = learner("801", "2000", 1, "Ashby", "Amy")
    ben = learner("801", "2001", 2, "Brook", "Ben")
    cat = learner("802", "3000", 3, "Cole", "Cat")
    _school_publishes(store, policy, "northgate", amy)
    _school_publishes(store, policy, "riverside", ben)
    _school_publishes(store, policy, "eastbay", cat)
    received = _lease(store, "northshire")
    learners = [line for line in received if "LearnerPersonal" in line]
    assert learners == [f"add LearnerPersonal {amy.ref_id}", f"add LearnerPersonal {ben.ref_id}"]
    # Every school's SchoolInfo is directory data, delivered to every subscriber.
    assert sum("SchoolInfo" in line for line in received) == 3
    assert not any(cat.ref_id in line for line in received)
    assert _lease(store, "northgate") == []  # schools hold no subscribe right here


def test_a_school_may_not_change_another_schools_learner_and_nothing_is_stored(
    store: Store, policy: AccessPolicy
) -> None:
    amy = learner("801", "2000", 1, "Ashby", "Amy")
    _school_publishes(store, policy, "northgate", amy)
    _lease(store, "northshire")
    marker = store.marker("north")
    renamed = amy.model_copy(update={"local_id": "STOLEN"})
    with pytest.raises(Forbidden, match="belongs to a school outside riverside's scope"):
        publish(
            store, policy, "north", policy.parties["riverside"], [add(RIVERSIDE), change(renamed)]
        )
    assert store.marker("north") == marker
    assert _lease(store, "northshire") == []
    stored = store.get("north", "LearnerPersonal", amy.ref_id, None)
    assert stored is not None
    assert stored.content == content_of(amy)
    assert store.get("north", "SchoolInfo", RIVERSIDE.ref_id, None) is None


def test_a_school_may_publish_only_its_own_schoolinfo(store: Store, policy: AccessPolicy) -> None:
    with pytest.raises(Forbidden, match="only its own SchoolInfo"):
        publish(store, policy, "north", policy.parties["northgate"], [add(RIVERSIDE)])


def test_an_enrolment_at_another_school_is_refused(store: Store, policy: AccessPolicy) -> None:
    amy = learner("801", "2000", 1, "Ashby", "Amy")
    _school_publishes(store, policy, "riverside")
    with pytest.raises(
        Forbidden, match="for school 8012001: that school is outside northgate's scope"
    ):
        publish(
            store, policy, "north", policy.parties["northgate"],
            [add(NORTHGATE), add(amy), add(enrolment(amy, RIVERSIDE))],
        )  # fmt: skip


def test_data_about_an_unknown_learner_is_listed_as_a_problem_and_nothing_is_stored(
    store: Store, policy: AccessPolicy
) -> None:
    amy = learner("801", "2000", 1, "Ashby", "Amy")
    with pytest.raises(ReferenceProblems) as caught:
        publish(
            store, policy, "north", policy.parties["northgate"],
            [add(NORTHGATE), add(enrolment(amy, NORTHGATE)), add(sen_history(amy))],
        )  # fmt: skip
    assert [(p.index, p.field) for p in caught.value.problems] == [
        (1, "LearnerPersonalRefId"),
        (2, "LearnerPersonalRefId"),
    ]
    assert store.marker("north") == 0
    assert store.get("north", "SchoolInfo", NORTHGATE.ref_id, None) is None


def test_a_learner_published_by_the_dfe_reaches_a_school_once_enrolled_there(
    store: Store, policy: AccessPolicy
) -> None:
    # LearnerPersonal has no school field: membership comes from the publisher and enrolments.
    amy = learner("801", "2000", 1, "Ashby", "Amy")
    _school_publishes(store, policy, "northgate")
    dfe = policy.parties["dfe"]
    publish(store, policy, "north", dfe, [add(amy), add(sen_history(amy))])
    northgate = policy.parties["northgate"].scope
    assert store.get("north", "LearnerPersonal", amy.ref_id, northgate) is None
    publish(store, policy, "north", dfe, [add(enrolment(amy, NORTHGATE))])
    assert store.get("north", "LearnerPersonal", amy.ref_id, northgate) is not None
    assert store.get("north", "LearnerSENHistory", sen_history(amy).ref_id, northgate) is not None
    riverside = policy.parties["riverside"].scope
    assert store.get("north", "LearnerPersonal", amy.ref_id, riverside) is None


def test_a_retried_publish_with_the_same_key_replays_the_reply_and_delivers_once(
    store: Store, policy: AccessPolicy
) -> None:
    amy = learner("801", "2000", 1, "Ashby", "Amy")
    events = [add(NORTHGATE), add(amy)]
    party = policy.parties["northgate"]
    first = publish(store, policy, "north", party, events, idempotency_key="k1", request_hash="h")
    again = publish(store, policy, "north", party, events, idempotency_key="k1", request_hash="h")
    assert again.replayed
    assert again.reply == first.reply
    assert len(_lease(store, "northshire")) == 2
    with pytest.raises(IdempotencyConflict):
        publish(store, policy, "north", party, events[:1], idempotency_key="k1", request_hash="x")


def test_an_idempotency_key_is_remembered_for_its_days_then_forgotten(
    make_store: StoreFactory, policy: AccessPolicy
) -> None:
    now = [1000.0]
    store = make_store(clock=lambda: now[0])
    amy = learner("801", "2000", 1, "Ashby", "Amy")
    party = policy.parties["northgate"]
    day = 86400.0

    def send(events: list[ZoneEvent], key: str, digest: str) -> PublishOutcome:
        return publish(
            store,
            policy,
            "north",
            party,
            events,
            idempotency_key=key,
            request_hash=digest,
            idempotency_seconds=7 * day,
        )

    first = send([add(NORTHGATE), add(amy)], "k1", "h")
    now[0] += 6 * day
    assert send([add(NORTHGATE), add(amy)], "k1", "h").replayed
    with pytest.raises(IdempotencyConflict):
        send([change(amy)], "k1", "other")
    send([change(amy)], "k2", "h2")  # remembered from day 6

    now[0] += 2 * day  # day 8: k1 is forgotten, k2 is not
    reused = send([change(amy.model_copy(update={"local_id": "A2"}))], "k1", "other")
    assert not reused.replayed
    assert reused.reply != first.reply
    assert send([change(amy)], "k2", "h2").replayed
    assert send([change(amy.model_copy(update={"local_id": "A2"}))], "k1", "other").replayed


def test_an_unacknowledged_message_comes_back_after_its_lease(
    make_store: StoreFactory, policy: AccessPolicy
) -> None:
    now = [1000.0]
    store = make_store(clock=lambda: now[0])
    _school_publishes(store, policy, "northgate", learner("801", "2000", 1, "Ashby", "Amy"))
    first = store.lease("north", "northshire", limit=10, lease_seconds=30, audited_types=AUDITED)
    assert len(first) == 3
    now[0] += 29
    assert (
        store.lease("north", "northshire", limit=10, lease_seconds=30, audited_types=AUDITED) == []
    )
    store.ack("north", "northshire", [first[0].message_id])
    now[0] += 2
    again = store.lease("north", "northshire", limit=10, lease_seconds=30, audited_types=AUDITED)
    assert [m.message_id for m in again] == [m.message_id for m in first[1:]]
    assert all(m.delivery_count == 2 for m in again)


def test_events_about_one_object_are_delivered_in_order_never_overtaking(
    store: Store, policy: AccessPolicy
) -> None:
    amy = learner("801", "2000", 1, "Ashby", "Amy")
    ben = learner("801", "2000", 2, "Brook", "Ben")
    party = policy.parties["northgate"]
    publish(store, policy, "north", party, [add(amy)])
    publish(store, policy, "north", party, [change(amy.model_copy(update={"local_id": "A2"}))])
    publish(store, policy, "north", party, [add(ben)])
    first = store.lease("north", "northshire", limit=1, lease_seconds=60, audited_types=AUDITED)
    assert [m.event.action for m in first if m.event] == ["add"]
    # Amy's change waits behind her leased add; Ben's add is independent and may go ahead.
    second = store.lease("north", "northshire", limit=10, lease_seconds=60, audited_types=AUDITED)
    assert [m.event.ref_id for m in second if m.event] == [ben.ref_id]
    store.ack("north", "northshire", [first[0].message_id])
    third = store.lease("north", "northshire", limit=10, lease_seconds=60, audited_types=AUDITED)
    assert [(m.event.action, m.event.ref_id) for m in third if m.event] == [("change", amy.ref_id)]


def test_queues_leases_and_objects_survive_closing_and_reopening_the_store(
    make_store: StoreFactory, policy: AccessPolicy
) -> None:
    store = make_store()
    amy = learner("801", "2000", 1, "Ashby", "Amy")
    _school_publishes(store, policy, "northgate", amy)
    leased = store.lease("north", "northshire", limit=1, lease_seconds=600, audited_types=AUDITED)
    store.close()
    reopened = make_store()
    assert reopened.get("north", "LearnerPersonal", amy.ref_id, None) is not None
    stats = {s.party: s for s in reopened.queue_stats("north")}
    assert stats["northshire"].depth == 3
    assert stats["northshire"].leased == 1
    rest = reopened.lease("north", "northshire", limit=10, lease_seconds=60, audited_types=AUDITED)
    assert leased[0].message_id not in [m.message_id for m in rest]
    assert len(rest) == 2


def test_acknowledging_removes_only_the_partys_own_delivered_messages(
    store: Store, policy: AccessPolicy
) -> None:
    _school_publishes(store, policy, "northgate", learner("801", "2000", 1, "Ashby", "Amy"))
    la = store.lease("north", "northshire", limit=10, lease_seconds=60, audited_types=AUDITED)
    transport_ids = [
        m.message_id
        for m in store.lease(
            "north", "transport", limit=10, lease_seconds=60, audited_types=AUDITED
        )
    ]
    assert store.ack("north", "northshire", transport_ids) == []
    assert store.ack("north", "northshire", [m.message_id for m in la]) == sorted(
        m.message_id for m in la
    )
    assert {s.party for s in store.queue_stats("north")} == {"transport"}


def test_queries_page_through_one_schools_learners_only(store: Store, policy: AccessPolicy) -> None:
    pupils = [learner("801", "2000", n, f"Family{n}", "Kim") for n in range(1, 8)]
    _school_publishes(store, policy, "northgate", *pupils)
    _school_publishes(store, policy, "riverside", learner("801", "2001", 9, "Other", "Lee"))
    scope = policy.parties["northgate"].scope
    pages = [
        store.query("north", ObjectQuery("LearnerPersonal", scope, page=n, page_size=3))
        for n in (1, 2, 3)
    ]
    assert [len(p.objects) for p in pages] == [3, 3, 1]
    assert {p.total for p in pages} == {7}
    seen = [obj.ref_id for page in pages for obj in page.objects]
    assert sorted(seen) == sorted(p.ref_id for p in pupils)
    la = store.query("north", ObjectQuery("LearnerPersonal", policy.parties["northshire"].scope))
    assert la.total == 8


def test_queries_filter_by_upn_local_id_and_school(store: Store, policy: AccessPolicy) -> None:
    amy = learner("801", "2000", 1, "Ashby", "Amy")
    ben = learner("801", "2001", 2, "Brook", "Ben")
    _school_publishes(store, policy, "northgate", amy)
    _school_publishes(store, policy, "riverside", ben)
    la = policy.parties["northshire"].scope

    def refs(**filters: str) -> list[str]:
        page = store.query("north", ObjectQuery("LearnerPersonal", la, **filters))  # type: ignore[arg-type]
        return [obj.ref_id for obj in page.objects]

    assert refs(upn=ben.upn or "") == [ben.ref_id]
    assert refs(local_id="ADM0001") == [amy.ref_id]
    assert refs(school="8012001") == [ben.ref_id]
    assert refs(school="8023000") == []


def test_changes_since_a_marker_include_changes_and_deletions_only(
    store: Store, policy: AccessPolicy
) -> None:
    amy = learner("801", "2000", 1, "Ashby", "Amy")
    ben = learner("801", "2000", 2, "Brook", "Ben")
    cal = learner("801", "2000", 3, "Cole", "Cal")
    _school_publishes(store, policy, "northgate", amy, ben, cal)
    marker = store.marker("north")
    party = policy.parties["northgate"]
    publish(store, policy, "north", party, [change(amy.model_copy(update={"local_id": "NEW"}))])
    publish(store, policy, "north", party, [delete(ben)])
    page = store.query("north", ObjectQuery("LearnerPersonal", party.scope, changes_since=marker))
    assert [obj.ref_id for obj in page.objects] == [amy.ref_id]
    assert page.deleted_ref_ids == [ben.ref_id]
    assert page.marker == store.marker("north") > marker
    live = store.query("north", ObjectQuery("LearnerPersonal", party.scope))
    assert sorted(obj.ref_id for obj in live.objects) == sorted([amy.ref_id, cal.ref_id])


def test_every_delivery_of_learner_data_is_audited_with_its_refids(
    store: Store, policy: AccessPolicy
) -> None:
    amy = learner("801", "2000", 1, "Ashby", "Amy")
    _school_publishes(store, policy, "northgate", amy)
    _lease(store, "northshire")
    entries = store.audit_log("north", party="northshire")
    delivered = {(e.operation, e.object_type): e.ref_ids for e in entries}
    assert delivered[("deliver", "LearnerPersonal")] == [amy.ref_id]
    assert ("deliver", "LearnerSchoolEnrolment") in delivered
    assert not any(t in DIRECTORY_TYPES for _, t in delivered)
    published = store.audit_log("north", party="northgate")
    assert ("publish", "LearnerPersonal") in {(e.operation, e.object_type) for e in published}


def test_a_service_request_goes_to_the_provider_and_its_response_back_to_the_requester(
    store: Store,
) -> None:
    with store.transaction() as tx:
        request = tx.create_service_request("north", "uln", "northgate", "lrs", {"n": 1})
    to_provider = store.lease("north", "lrs", limit=5, lease_seconds=60, audited_types=AUDITED)
    assert [(m.kind, m.service_request.request_id) for m in to_provider if m.service_request] == [
        ("request", request.request_id)
    ]
    with store.transaction() as tx:
        tx.answer_service_request("north", request.request_id, {"uln": "1000000043"})
    back = store.lease("north", "northgate", limit=5, lease_seconds=60, audited_types=AUDITED)
    assert len(back) == 1
    assert back[0].kind == "response"
    assert back[0].service_request is not None
    assert back[0].service_request.response == {"uln": "1000000043"}


def test_the_sqlite_store_keeps_everything_in_one_wal_mode_file(tmp_path: Path) -> None:
    import sqlite3

    from zone_server.store.sqlite import open_sqlite

    store = open_sqlite(f"sqlite:{tmp_path / 'zone.db'}")
    try:
        with sqlite3.connect(tmp_path / "zone.db") as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        store.close()


def test_a_scope_reaching_nothing_sees_nothing(store: Store, policy: AccessPolicy) -> None:
    _school_publishes(store, policy, "northgate", learner("801", "2000", 1, "Ashby", "Amy"))
    assert store.query("north", ObjectQuery("LearnerPersonal", Scope())).total == 0
