"""The workflow part of the store interface, on each backend (SQLite, and PostgreSQL when
SIF_TEST_POSTGRES_DSN names a server): transfers completing on acknowledgement, census versions,
dual registration lookups."""

from __future__ import annotations

import datetime as dt

import pytest

from zone_server.store import NewEvent, ObjectIndex, Store
from zone_server.store.workflows import SnapshotObject
from zone_server.workflows import census

OBJECTS = [
    SnapshotObject("LearnerPersonal", "A" * 32, {"@RefId": "A" * 32}),
    SnapshotObject("LearnerSchoolEnrolment", "B" * 32, {"@RefId": "B" * 32}),
]


def _deliver(store: Store) -> str:
    with store.transaction() as tx:
        transfer = tx.create_transfer(
            "north", upn="H801200001001", learner_ref="A" * 32, source_party="northgate",
            source_school="8012000", destination="8012001", objects=OBJECTS,
        )  # fmt: skip
        for obj in OBJECTS:
            event = tx.append_event(
                "north", "northgate", NewEvent("add", obj.object_type, obj.ref_id, obj.content)
            )
            tx.enqueue_transfer_event(transfer.transfer_id, "riverside", event.event_id)
        tx.mark_transfer_delivered("north", transfer.transfer_id, "riverside", claimed_by=None)
    return transfer.transfer_id


def test_a_transfer_completes_only_when_every_message_is_acknowledged(store: Store) -> None:
    transfer_id = _deliver(store)
    leased = store.lease(
        "north", "riverside", limit=10, lease_seconds=60, audited_types=frozenset()
    )
    assert len(leased) == 2
    store.ack("north", "riverside", [leased[0].message_id])
    with store.transaction() as tx:
        found = tx.transfer("north", transfer_id)
        assert found is not None
        assert found.status == "delivered"
    store.ack("north", "riverside", [leased[1].message_id])
    with store.transaction() as tx:
        done = tx.transfer("north", transfer_id)
        assert done is not None
        assert done.status == "complete"
        assert done.completed_at is not None
    assert [e.operation for e in store.audit_log("north")] == ["transfer-complete"]


def test_a_transfer_keeps_its_record_whatever_happens_later(store: Store) -> None:
    transfer_id = _deliver(store)
    with store.transaction() as tx:
        assert tx.transfer_objects("north", transfer_id) == OBJECTS
        assert tx.transfer_objects("other-zone", transfer_id) == []
        assert [t.transfer_id for t in tx.transfers("north", upn="H801200001001")] == [transfer_id]
        assert tx.transfers("north", status="lost") == []


def test_census_versions_count_up_and_supersede(store: Store) -> None:
    with store.transaction() as tx:
        first = tx.add_census_return(
            "north", school="8012000", school_party="northgate", collection="Spring 2025",
            reference_date="2025-01-16", prepared_by="northgate", content_hash="sha256:1",
            objects=OBJECTS,
        )  # fmt: skip
        approved = tx.approve_census_return("north", first.return_id, by="northgate", counts={})
        second = tx.add_census_return(
            "north", school="8012000", school_party="northgate", collection="Spring 2025",
            reference_date="2025-01-16", prepared_by="northshire", content_hash="sha256:2",
            objects=OBJECTS[:1],
        )  # fmt: skip
        third = tx.add_census_return(
            "north", school="8012000", school_party="northgate", collection="Spring 2025",
            reference_date="2025-01-16", prepared_by="northgate", content_hash="sha256:3",
            objects=[],
        )  # fmt: skip
        versions = tx.census_returns("north", collection="Spring 2025")
        assert approved.status == "approved"
        assert (second.version, third.version) == (2, 3)
        assert [(v.version, v.status) for v in versions] == [
            (1, "approved"),
            (2, "superseded"),
            (3, "draft"),
        ]
        tx.approve_census_return("north", third.return_id, by="northgate", counts={"pupils": 0})
        statuses = [v.status for v in tx.census_returns("north", school="8012000")]
        assert statuses == ["superseded", "superseded", "approved"]
        assert tx.census_objects("north", second.return_id) == OBJECTS[:1]


def test_dual_registrations_are_found_by_learner_and_by_school(store: Store) -> None:
    with store.transaction() as tx:
        link = tx.add_dual_registration(
            "north", "H801200001001", ("A" * 32, "8012000"), ("C" * 32, "8012001")
        )
        assert link.other("A" * 32) == ("C" * 32, "8012001")
        assert tx.dual_registrations("north", learner_ref="C" * 32) == [link]
        assert tx.dual_registrations("north", school="8012001") == [link]
        assert tx.dual_registrations("north", school="8023000") == []
        tx.end_dual_registration("north", link.link_id, "the enrolment ended")
        assert tx.dual_registrations("north", learner_ref="A" * 32) == []
        [ended] = tx.dual_registrations("north", active_only=False)
        assert (ended.active, ended.end_reason) == (False, "the enrolment ended")


def test_a_census_snapshot_holds_every_object_of_the_school_however_many_pages_it_takes(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    school, info_ref = "8012000", "C" * 32
    learners = [f"{n:032X}" for n in range(1, 12)]
    with store.transaction() as tx:
        info = {"@RefId": info_ref, "LAId": "801", "EstablishmentId": "2000"}
        event = tx.append_event("north", "northgate", NewEvent("add", "SchoolInfo", info_ref, info))
        tx.put_object(event, ObjectIndex(), frozenset({school}))
        for number, ref in enumerate(learners, start=1):
            content = {"@RefId": ref, "LocalId": str(number)}
            event = tx.append_event(
                "north", "northgate", NewEvent("add", "LearnerPersonal", ref, content)
            )
            tx.put_object(event, ObjectIndex(learner_ref=ref), frozenset({school}))
            enrolment_ref = f"E{number:031X}"
            enrolment = {
                "@RefId": enrolment_ref,
                "LearnerPersonalRefId": ref,
                "SchoolInfoRefId": info_ref,
                "EntryDate": "2024-09-01",
            }
            event = tx.append_event(
                "north",
                "northgate",
                NewEvent("add", "LearnerSchoolEnrolment", enrolment_ref, enrolment),
            )
            tx.put_object(event, ObjectIndex(learner_ref=ref), frozenset({school}))
    whole = census.take_snapshot(store, "north", school, dt.date(2025, 1, 16))
    monkeypatch.setattr(census, "_PAGE", 2)
    paged = census.take_snapshot(store, "north", school, dt.date(2025, 1, 16))
    assert paged == whole
    assert whole[0] == info_ref
    taken = {(o.object_type, o.ref_id) for o in whole[1]}
    assert {("LearnerPersonal", ref) for ref in learners} <= taken
    assert len([o for o in whole[1] if o.object_type == "LearnerSchoolEnrolment"]) == 11
