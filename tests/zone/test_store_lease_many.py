"""``Store.lease_many`` on every backend: several parties' acknowledgements and leases served in
one call, each as ``ack`` and ``lease`` alone would serve it, every delivery audited."""

from __future__ import annotations

import json

from sif_core.model import SIFObject
from zone_server.acl import AccessPolicy
from zone_server.api_queue import AUDITED_TYPES
from zone_server.publishing import publish
from zone_server.store import LeaseRequest, Store

from .conftest import add
from .factories import learner, school

NORTHGATE = school("801", "2000", "Northgate Primary")
PUPILS = [learner("801", "2000", n, f"Family{n}", f"Given{n}") for n in range(1, 4)]


def _request(party: str, *ack: int, limit: int = 100) -> LeaseRequest:
    return LeaseRequest("north", party, limit, 60, AUDITED_TYPES, ack=ack)


def _publish(store: Store, policy: AccessPolicy, *objects: SIFObject) -> None:
    events = [add(obj) for obj in objects]
    publish(store, policy, "north", policy.parties["northgate"], events)


def test_each_party_acknowledges_then_leases_its_own_messages_in_one_call(
    store: Store, policy: AccessPolicy
) -> None:
    _publish(store, policy, NORTHGATE, PUPILS[0])
    first = store.lease_many([_request("northshire"), _request("transport")])
    la_held = [m.message_id for m in first[0].messages]
    app_held = [m.message_id for m in first[1].messages]
    assert la_held
    assert app_held
    assert first[0].acknowledged == first[1].acknowledged == []
    _publish(store, policy, PUPILS[1])

    second = store.lease_many(
        [_request("northshire", *la_held, 999_999), _request("transport", *la_held)]
    )

    assert second[0].acknowledged == sorted(la_held)
    assert second[1].acknowledged == []  # another party's messages are not its to remove
    for outcome in second:
        assert [m.event.ref_id for m in outcome.messages if m.event] == [PUPILS[1].ref_id]
    [again] = store.lease_many([_request("northshire")])
    assert again.messages == []
    app_messages = [m.message_id for m in second[1].messages]
    assert store.ack("north", "transport", app_held + app_messages) == sorted(
        int(i) for i in app_held + app_messages
    )


def test_every_delivery_served_together_is_audited_for_its_party(
    store: Store, policy: AccessPolicy
) -> None:
    _publish(store, policy, NORTHGATE, *PUPILS)

    outcomes = store.lease_many([_request("northshire", limit=2), _request("transport")])

    la_refs = [m.event.ref_id for m in outcomes[0].messages if m.event]
    assert len(outcomes[0].messages) == 2
    delivered = {
        (entry.party, entry.object_type, tuple(entry.ref_ids))
        for entry in store.audit_log("north", limit=1000)
        if entry.operation == "deliver"
    }
    la_learners = tuple(r for r in la_refs if r in {p.ref_id for p in PUPILS})
    assert ("northshire", "LearnerPersonal", la_learners) in delivered
    app_learners = tuple(
        m.event.ref_id
        for m in outcomes[1].messages
        if m.event and m.event.object_type == "LearnerPersonal"
    )
    assert ("transport", "LearnerPersonal", app_learners) in delivered


def test_leased_content_arrives_as_the_stored_text_and_decodes_to_what_was_published(
    store: Store, policy: AccessPolicy
) -> None:
    pupil = PUPILS[2]
    _publish(store, policy, NORTHGATE, pupil)

    [outcome] = store.lease_many([_request("northshire")])

    [event] = [m.event for m in outcome.messages if m.event and m.event.ref_id == pupil.ref_id]
    assert event.content_json is not None
    assert json.loads(event.content_json) == add(pupil).content
    assert event.content == add(pupil).content


def test_a_party_asked_for_twice_in_one_call_is_never_given_a_message_twice(
    store: Store, policy: AccessPolicy
) -> None:
    _publish(store, policy, NORTHGATE, *PUPILS)

    outcomes = store.lease_many([_request("northshire", limit=2), _request("northshire")])

    ids = [m.message_id for outcome in outcomes for m in outcome.messages]
    assert len(ids) == len(set(ids)) == len(PUPILS) + 1
