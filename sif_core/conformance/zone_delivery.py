"""Checks of ZON-4 to ZON-7: fan-out, redelivery after the lease, idempotent publish, order."""

from __future__ import annotations

import json
import time
from collections import defaultdict

from sif_core.conformance.checks import CheckFailed
from sif_core.conformance.zone_client import Event, change
from sif_core.conformance.zone_session import (
    ZONE_CHECKS,
    Collected,
    ZoneSession,
    names,
    require,
)

__all__: list[str] = []


def _messages_by_ref(events: list[Event]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for event in events:
        found[event.ref_id].add(event.message_id)
    return found


@ZONE_CHECKS.check("ZON-4.fan-out", "An event is queued once for each entitled party, no other")
def fan_out(session: ZoneSession) -> str:
    kits = session.published_learners(3)
    ours = {ref for kit in kits for ref in (kit.learner.ref_id, kit.enrolment.ref_id)}
    entitled = ("la", "app")

    def everyone_has_all(got: Collected) -> bool:
        return all(ours <= {e.ref_id for e in got[role]} for role in entitled)

    got = session.collect([*entitled, "school", "reader"], ours, everyone_has_all)
    found = []
    for role in entitled:
        delivered = _messages_by_ref(got[role])
        found += [
            f"{role} did not receive the event about {ref}"
            for ref in sorted(ours)
            if ref not in delivered
        ]
        found += [
            f"{role} received the event about {ref} {len(ids)} times"
            for ref, ids in sorted(delivered.items())
            if len(ids) > 1
        ]
    for role, why in (("school", "the publisher"), ("reader", "without subscribe")):
        found += [f"{role} ({why}) received {line}" for line in names(got[role])]
    if found:
        raise CheckFailed("events are not fanned out once to exactly the entitled parties", found)
    return (
        f"{len(ours)} events reached the LA and the app once each, and neither the "
        "publisher nor the reader"
    )


def _lease_until(session: ZoneSession, role: str, ref_id: str, seconds: float) -> Event | None:
    """Lease ``role``'s queue until the event about ``ref_id`` comes; acknowledge the others."""
    client = session.client(role)
    deadline = time.monotonic() + seconds
    while True:
        found = None
        events = client.lease()
        others = [e.message_id for e in events if e.ref_id != ref_id]
        if others:
            client.ack(others)
        found = next((e for e in events if e.ref_id == ref_id), None)
        if found is not None or time.monotonic() > deadline:
            return found
        time.sleep(0.25)


@ZONE_CHECKS.check(
    "ZON-5.redelivered-after-lease",
    "An unacknowledged message comes back; an acknowledged one does not",
)
def redelivered_after_lease(session: ZoneSession) -> str:
    timing = session.config.timing
    [kit] = session.published_learners(1)
    ref_id = kit.learner.ref_id
    first = _lease_until(session, "la", ref_id, timing.delivery_wait_seconds)
    if first is None:
        raise CheckFailed(f"the LA never received the event about learner {ref_id}")
    leased_at = time.monotonic()
    again = _lease_until(session, "la", ref_id, timing.lease_wait_seconds)
    if again is None:
        raise CheckFailed(
            f"the unacknowledged event was not delivered again within "
            f"{timing.lease_wait_seconds:g} s (timing.lease_wait_seconds)",
        )
    lease = time.monotonic() - leased_at
    found = []
    if again.event_id != first.event_id:
        found.append(f"another event came back ({again.event_id}, not {first.event_id})")
    if again.delivery_count <= first.delivery_count:
        found.append(f"its delivery count is {again.delivery_count}, first {first.delivery_count}")
    session.client("la").ack([again.message_id])
    time.sleep(lease * 1.5 + 0.5)
    ghost = _lease_until(session, "la", ref_id, 0)
    if ghost is not None:
        session.client("la").ack([ghost.message_id])
        found.append("the acknowledged message was delivered once more")
    if found:
        raise CheckFailed("redelivery after the lease is not right", found)
    return (
        f"delivered again {lease:.1f} s after the first lease, with delivery count "
        f"{again.delivery_count}; not after it was acknowledged"
    )


@ZONE_CHECKS.check(
    "ZON-6.idempotent-publish",
    "A repeated Idempotency-Key changes nothing; reused for other content: 409",
)
def idempotent_publish(session: ZoneSession) -> str:
    [kit, stranger] = session.new_learners(2)
    key = f"sif-kit-{session.run_id}-{kit.learner.local_id}"
    body = json.dumps({"events": kit.events()}).encode()
    client = session.client("school")
    first = client.publish([], key=key, body=body).expect(200)
    again = client.publish([], key=key, body=body).expect(200)
    found = []
    ids = [_event_ids(first), _event_ids(again)]
    if not ids[0] or ids[0] != ids[1]:
        found.append(f"the repeat returned event ids {ids[1]}, the first {ids[0]}")
    ours = {kit.learner.ref_id, kit.enrolment.ref_id}
    got = session.collect(["la"], ours, lambda got: ours <= {e.ref_id for e in got["la"]})
    delivered = _messages_by_ref(got["la"])
    found += [
        f"the LA received the event about {ref} {len(delivered.get(ref, ()))} times"
        for ref in sorted(ours)
        if len(delivered.get(ref, ())) != 1
    ]
    other = json.dumps({"events": stranger.events()}).encode()
    conflict = client.publish([], key=key, body=other)
    if conflict.status != 409:
        found.append(f"other content with the same key answered {conflict.status}, not 409")
    stored = client.get("LearnerPersonal", stranger.learner.ref_id)
    if stored.status != 404:
        found.append("the other content was stored all the same")
    if found:
        raise CheckFailed("publishing is not idempotent", found)
    return "the repeat returned the same event ids and queued nothing; other content got 409"


def _event_ids(reply: object) -> list[str]:
    body = getattr(reply, "body", None)
    events = body.get("events") if isinstance(body, dict) else None
    if not isinstance(events, list):
        raise CheckFailed("a publish reply holds no events list", [str(body)[:200]])
    return [str(event.get("eventId")) for event in events if isinstance(event, dict)]


@ZONE_CHECKS.check("ZON-7.order-per-object", "Events about one object arrive in publishing order")
def order_per_object(session: ZoneSession) -> str:
    [kit, other] = session.published_learners(2)
    versions = [f"{kit.learner.local_id}-v{n}" for n in (1, 2, 3)]
    sequence = [kit.learner.local_id or "", *versions]
    for number, version in enumerate(versions):
        session.publish("school", [change(kit.learner.model_copy(update={"local_id": version}))])
        if number == 0:
            session.publish(
                "school", [change(other.learner.model_copy(update={"local_id": "interleaved"}))]
            )
    target = kit.learner.ref_id

    def all_arrived(got: Collected) -> bool:
        return sum(1 for e in got["la"] if e.ref_id == target) >= len(sequence)

    got = session.collect(["la"], {target}, all_arrived)
    seen = [str((e.content or {}).get("LocalId", "?")) for e in got["la"]]
    require(
        len(seen) >= len(sequence),
        "the LA did not receive every event about the learner",
        {"published": sequence, "received": seen},
    )
    if seen != sequence:
        raise CheckFailed(
            "events about one learner arrived out of order",
            [f"published: {sequence}", f"received:  {seen}"],
        )
    return f"{len(sequence)} events about one learner arrived in publishing order"
