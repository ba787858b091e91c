"""What the workflows keep, on each backend: dual registrations kept in step through publishes,
conflicts until resolved, remembered field changes, ULN reviews, lost transfers until claimed."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from sif_core.model import (
    Address,
    EnrolmentStatus,
    LearnerPersonal,
    PhoneNumber,
    PhoneType,
    SIFObject,
)
from tests.zone.factories import contact, learner
from tests.zone.zonefile import write_zone
from zone_server.acl import AccessPolicy
from zone_server.config import load_zone_file
from zone_server.publishing import ZoneEvent, publish
from zone_server.store import Store
from zone_server.store.workflows import SnapshotObject
from zone_server.wire import content_of

from .zone import NORTHGATE, RIVERSIDE, enrolled

AVA = learner("801", "2000", 1, "Adams", "Ava")
AVA_AT_PRU = AVA.model_copy(update={"ref_id": "1" * 32, "local_id": "PRU001"})


def _add(obj: SIFObject) -> ZoneEvent:
    return _event("add", obj)


def _event(action: Literal["add", "change"], obj: SIFObject) -> ZoneEvent:
    return ZoneEvent(action, obj.object_name, obj.ref_id, obj, content_of(obj))


def _moved(pupil: LearnerPersonal, street: str) -> LearnerPersonal:
    address = Address(paon="9", street=street, town="Northtown", post_code="NT9 9ZZ")
    return pupil.model_copy(update={"address": address})


def _linked_zone(store: Store, tmp_path: Path) -> AccessPolicy:
    """Ava at Northgate (main) and at the PRU (subsidiary), each with her parent Pat Adams."""
    policy = AccessPolicy(load_zone_file(write_zone(tmp_path)))
    person, link = contact(AVA, "Adams")
    pru_person = person.model_copy(update={"ref_id": "C" * 32})
    pru_link = link.model_copy(
        update={
            "ref_id": "D" * 32,
            "learner_personal_ref_id": AVA_AT_PRU.ref_id,
            "contact_personal_ref_id": pru_person.ref_id,
        }
    )
    northgate, riverside = policy.parties["northgate"], policy.parties["riverside"]
    main = [NORTHGATE, AVA, enrolled(AVA, NORTHGATE, EnrolmentStatus.M), person, link]
    publish(store, policy, "north", northgate, [_add(obj) for obj in main])
    pru = [RIVERSIDE, AVA_AT_PRU, enrolled(AVA_AT_PRU, RIVERSIDE, EnrolmentStatus.S)]
    publish(store, policy, "north", riverside, [_add(obj) for obj in [*pru, pru_person, pru_link]])
    return policy


def _content(store: Store, object_type: str, ref_id: str) -> dict[str, object]:
    found = store.get("north", object_type, ref_id, None)
    assert found is not None
    assert found.content is not None
    return found.content


def test_a_change_at_one_school_reaches_the_linked_record_and_a_clash_is_flagged(
    store: Store, tmp_path: Path
) -> None:
    policy = _linked_zone(store, tmp_path)
    with store.transaction() as tx:
        [link] = tx.dual_registrations("north", learner_ref=AVA.ref_id)
        assert link.other(AVA.ref_id) == (AVA_AT_PRU.ref_id, "8012001")
        assert [o.ref_id for o in tx.learners_by_upn("north", str(AVA.upn))] == sorted(
            [AVA.ref_id, AVA_AT_PRU.ref_id]
        )
    moved = _moved(AVA, "Station Road")
    publish(store, policy, "north", policy.parties["northgate"], [_event("change", moved)])
    assert (
        _content(store, "LearnerPersonal", AVA_AT_PRU.ref_id)["Address"]
        == content_of(moved)["Address"]
    )
    # The PRU, not yet up to date with that, types another address the same day.
    clash = _moved(AVA_AT_PRU, "Canal Street")
    publish(store, policy, "north", policy.parties["riverside"], [_event("change", clash)])
    assert _content(store, "LearnerPersonal", AVA.ref_id)["Address"] == content_of(moved)["Address"]
    with store.transaction() as tx:
        [conflict] = tx.dual_conflicts("north")
        assert (conflict.object_type, conflict.field) == ("LearnerPersonal", "Address")
        assert conflict.earlier[:2] == (AVA.ref_id, "8012000")
        assert conflict.later[:2] == (AVA_AT_PRU.ref_id, "8012001")
        change = tx.field_change(
            "north", link.link_id, AVA_AT_PRU.ref_id, "LearnerPersonal.Address"
        )
        assert change is not None
        assert change.value == content_of(clash)["Address"]
        assert change.synced is False


def test_a_parents_new_phone_reaches_the_same_parent_at_the_other_school(
    store: Store, tmp_path: Path
) -> None:
    policy = _linked_zone(store, tmp_path)
    person, _ = contact(AVA, "Adams")
    phoned = person.model_copy(
        update={"phone_numbers": [PhoneNumber(type=PhoneType.MOBILE, number="07700 900123")]}
    )
    publish(store, policy, "north", policy.parties["northgate"], [_event("change", phoned)])
    assert (
        _content(store, "ContactPersonal", "C" * 32).get("PhoneNumber")
        == content_of(phoned)["PhoneNumber"]
    )
    with store.transaction() as tx:
        [pointing] = tx.learner_contacts_of("north", "C" * 32)
        assert pointing.ref_id == "D" * 32
        assert tx.dual_conflicts("north") == []


def test_a_conflict_stays_open_until_resolved_and_is_kept_afterwards(store: Store) -> None:
    with store.transaction() as tx:
        flagged = tx.add_dual_conflict(
            "north", "L" * 32, "LearnerPersonal", "Name",
            ("A" * 32, "8012000", [{"FamilyName": "Ng"}]), ("B" * 32, "8012001", None),
        )  # fmt: skip
    with store.transaction() as tx:
        assert tx.dual_conflicts("north") == [flagged]
        assert flagged.earlier == ("A" * 32, "8012000", [{"FamilyName": "Ng"}])
        resolved = tx.resolve_dual_conflict("north", flagged.conflict_id, "northshire")
        assert resolved is not None
        assert (resolved.status, resolved.resolved_by) == ("resolved", "northshire")
        assert tx.resolve_dual_conflict("north", "no-such-conflict", "northshire") is None
        assert tx.dual_conflicts("north") == []
        assert tx.dual_conflicts("north", status=None) == [resolved]
        assert tx.dual_conflicts("south", status=None) == []


def test_only_the_latest_change_of_a_field_is_remembered(store: Store) -> None:
    with store.transaction() as tx:
        tx.record_field_change(
            "north", "L" * 32, "A" * 32, "LearnerPersonal.Email", value="a@x.uk", before=None,
            synced=True,
        )  # fmt: skip
        tx.record_field_change(
            "north", "L" * 32, "A" * 32, "LearnerPersonal.Email", value=None, before="a@x.uk",
            synced=False,
        )  # fmt: skip
    with store.transaction() as tx:
        latest = tx.field_change("north", "L" * 32, "A" * 32, "LearnerPersonal.Email")
        assert latest is not None
        assert (latest.value, latest.before, latest.synced) == (None, "a@x.uk", False)
        assert tx.field_change("north", "L" * 32, "B" * 32, "LearnerPersonal.Email") is None


def test_uln_reviews_are_listed_oldest_first_per_zone(store: Store) -> None:
    with store.transaction() as tx:
        first = tx.add_uln_review(
            "north", request_id="R1", school="8012000", learner_ref="A" * 32,
            outcome="possible-match", code="WSRC0004", message="one possible match",
        )  # fmt: skip
    with store.transaction() as tx:
        second = tx.add_uln_review(
            "north", request_id="R2", school="8012001", learner_ref="B" * 32,
            outcome="error", code=None, message="the LRS did not answer",
        )  # fmt: skip
        assert tx.uln_reviews("north") == [first, second]
        assert tx.uln_reviews("south") == []


def test_a_lost_pupils_record_waits_until_a_school_claims_it(store: Store) -> None:
    record = [SnapshotObject("LearnerPersonal", "A" * 32, {"@RefId": "A" * 32, "UPN": "X"})]
    with store.transaction() as tx:
        lost = tx.create_transfer(
            "north", upn="H801200001001", learner_ref="A" * 32, source_party="northgate",
            source_school="8012000", destination="MMMMMMM", objects=record,
        )  # fmt: skip
    with store.transaction() as tx:
        assert [t.transfer_id for t in tx.transfers("north", status="lost")] == [lost.transfer_id]
        claimed = tx.mark_transfer_delivered(
            "north", lost.transfer_id, "riverside", claimed_by="riverside"
        )
        assert (claimed.status, claimed.destination_party, claimed.claimed_by) == (
            "delivered", "riverside", "riverside",
        )  # fmt: skip
        assert tx.transfers("north", status="lost") == []
        assert tx.transfer_objects("north", lost.transfer_id) == record
