"""Checks of ZON-12: pupil transfer, refused destinations and the lost-pupils area.

The kit's school transfers learners it published with their whole record (enrolment, contacts,
SEN and FSM histories); the kit's other school receives them, and its third school must receive
nothing. A learner sent to ``MMM`` (destination unknown) waits in the lost-pupils area for a
school that enrols a pupil with that UPN.
"""

from __future__ import annotations

import time
from typing import Any

from sif_core.conformance.checks import CheckFailed
from sif_core.conformance.zone_client import Event, Reply, add
from sif_core.conformance.zone_session import (
    ZONE_CHECKS,
    Collected,
    KitLearner,
    ZoneSession,
    names,
    require,
)
from sif_core.model import LearnerSchoolEnrolment

__all__: list[str] = []

#: Where a transfer must not arrive: the leaving school itself and a school not involved.
_BYSTANDERS = ("school", "third_school")


def _transfer(session: ZoneSession, kit: KitLearner, destination: str) -> Reply:
    return session.client("school").call(
        "POST",
        "/transfers",
        what=f"transfer to {destination}",
        document={"upn": kit.learner.upn, "to": destination},
    )


def _published_record(session: ZoneSession) -> tuple[KitLearner, dict[tuple[str, str], Any]]:
    """A new learner's whole record, published by the school; and what a transfer of it must
    deliver: each object by (type, RefId), the school's SchoolInfo included."""
    kit = session.new_record()
    session.publish("school", [add(obj) for obj in kit.record])
    expected: dict[tuple[str, str], Any] = {
        (obj.object_name, obj.ref_id): obj for obj in kit.record
    }
    school = session.school("school")
    expected[("SchoolInfo", school.ref_id)] = school
    # What publishing sent them (the SchoolInfo, directory data every school may receive) is
    # not the transfer's doing.
    session.drain(["other_school", *_BYSTANDERS])
    return kit, expected


def _delivered(
    session: ZoneSession, receiver: str, expected: dict[tuple[str, str], Any]
) -> Collected:
    """Lease the receiver's and the bystanders' queues until the receiver holds the record."""
    wanted = set(expected)

    def arrived(got: Collected) -> bool:
        return wanted <= {(e.object_type, e.ref_id) for e in got[receiver]}

    refs = {ref for _, ref in wanted}
    return session.collect([receiver, *_BYSTANDERS], refs, arrived)


def _record_problems(
    receiver: str, events: list[Event], expected: dict[tuple[str, str], Any]
) -> list[str]:
    got = {(e.object_type, e.ref_id): e for e in events}
    found = [
        f"{receiver} did not receive {kind} {ref}"
        for kind, ref in sorted(set(expected) - got.keys())
    ]
    learner = next((e for e in events if e.object_type == "LearnerPersonal"), None)
    if learner is not None:
        upn = expected[("LearnerPersonal", learner.ref_id)].upn
        if (learner.content or {}).get("UPN") != upn:
            found.append(f"the learner {receiver} received does not carry the UPN")
    return found


def _bystander_problems(got: Collected) -> list[str]:
    # A school's SchoolInfo is directory data that every school may receive.
    return [
        f"{role} received {line}"
        for role in _BYSTANDERS
        for line in names(e for e in got[role] if e.object_type != "SchoolInfo")
    ]


def _status_seen(session: ZoneSession, role: str, transfer_id: str) -> tuple[int, str | None]:
    reply = session.client(role).request("GET", f"/transfers/{transfer_id}", what="read a transfer")
    status = reply.body.get("status") if isinstance(reply.body, dict) else None
    return reply.status, str(status) if status is not None else None


def _transfer_id(reply: Reply) -> str:
    transfer_id = reply.body.get("transferId") if isinstance(reply.body, dict) else None
    if not isinstance(transfer_id, str) or not transfer_id:
        raise CheckFailed(f"{reply.what}: the reply names no transferId", [str(reply.body)[:200]])
    return transfer_id


@ZONE_CHECKS.check(
    "ZON-12.whole-record-delivered", "The whole record reaches the receiving school only"
)
def whole_record_delivered(session: ZoneSession) -> str:
    for role in ("other_school", *_BYSTANDERS):
        session.school(role)
    kit, expected = _published_record(session)
    started = _transfer(session, kit, session.config.laestab("other_school")).expect(201)
    transfer_id = _transfer_id(started)
    got = _delivered(session, "other_school", expected)
    found = _record_problems("other_school", got["other_school"], expected)
    found += _bystander_problems(got)
    if found:
        raise CheckFailed(
            "the transferred record did not reach exactly the receiving school", found
        )
    deadline = time.monotonic() + session.config.timing.delivery_wait_seconds
    while True:
        seen = {
            role: _status_seen(session, role, transfer_id) for role in ("school", "other_school")
        }
        if all(status == (200, "complete") for status in seen.values()):
            break
        if time.monotonic() > deadline:
            raise CheckFailed(
                "once the receiving school acknowledged the record, the transfer is not complete "
                "for both schools to see",
                [f"{role}: {status}" for role, status in seen.items()],
            )
        time.sleep(0.2)
    outsider, _ = _status_seen(session, "third_school", transfer_id)
    if outsider != 404:
        raise CheckFailed(f"a school not involved reads the transfer: {outsider}, not 404")
    return (
        f"{len(expected)} objects reached the receiving school and no other; the transfer is "
        "complete for both schools once acknowledged"
    )


@ZONE_CHECKS.check(
    "ZON-12.unknown-destination-refused", "A destination not in the zone: 422, nothing sent"
)
def unknown_destination_refused(session: ZoneSession) -> str:
    for role in ("other_school", *_BYSTANDERS):
        session.school(role)
    kit, expected = _published_record(session)
    absent = session.config.absent_laestab
    reply = _transfer(session, kit, absent)
    found = []
    code = reply.body.get("error", {}).get("code") if isinstance(reply.body, dict) else None
    if reply.status != 422 or code != "destination-not-in-zone":
        said = f" {reply.error_text()}" if reply.status >= 400 else ""
        found.append(f"{reply.what}: {reply.status}{said}; expected 422 destination-not-in-zone")
    listed = session.client("school").request("GET", "/transfers", what="list transfers")
    transfers = listed.body.get("transfers") if isinstance(listed.body, dict) else None
    found += [
        f"the refused transfer is listed as {t.get('status')!r}"
        for t in transfers or ()
        if isinstance(t, dict) and t.get("learnerRefId") == kit.learner.ref_id
    ]
    refs = {ref for _, ref in expected}
    got = session.collect(["other_school", *_BYSTANDERS], refs, lambda got: False)
    found += [
        f"{role} received {line}"
        for role, events in got.items()
        for line in names(e for e in events if e.object_type != "SchoolInfo")
    ]
    if found:
        raise CheckFailed("a transfer to a school not in the zone was not refused cleanly", found)
    return f"the transfer to {absent}, not in the zone, was refused with 422; nothing was sent"


def _enrol_at(session: ZoneSession, role: str, kit: KitLearner) -> None:
    """Publish, as school ``role``, its own record of the kit's learner: same UPN, its own
    RefIds, a current enrolment there."""
    key = f"{kit.learner.ref_id}/{role}"
    learner = kit.learner.model_copy(
        update={"ref_id": session.refid("LearnerPersonal", key), "local_id": f"{role}-join"}
    )
    enrolment = LearnerSchoolEnrolment(
        ref_id=session.refid("LearnerSchoolEnrolment", key),
        learner_personal_ref_id=learner.ref_id,
        school_info_ref_id=session.school(role).ref_id,
        membership_type=kit.enrolment.membership_type,
        entry_date=kit.enrolment.entry_date,
    )
    session.publish(role, [add(learner), add(enrolment)])


def _claim(session: ZoneSession, role: str, kit: KitLearner) -> Reply:
    return session.client(role).call(
        "POST", "/lost-pupils/claims", what="claim a lost pupil", document={"upn": kit.learner.upn}
    )


@ZONE_CHECKS.check(
    "ZON-12.lost-pupil-claimed", "MMM: kept for a school that enrols the pupil to claim"
)
def lost_pupil_claimed(session: ZoneSession) -> str:
    for role in ("other_school", *_BYSTANDERS):
        session.school(role)
    kit, expected = _published_record(session)
    transfer_id = _transfer_id(_transfer(session, kit, "MMM").expect(201))
    searched = (
        session.client("la")
        .request(
            "GET", "/lost-pupils", what="search lost pupils", params={"upn": kit.learner.upn or ""}
        )
        .expect(200)
    )
    pupils = searched.body.get("lostPupils") if isinstance(searched.body, dict) else None
    require(
        any(isinstance(p, dict) and p.get("transferId") == transfer_id for p in pupils or ()),
        "the LA's search of the lost-pupils area does not find the pupil sent to MMM",
        {"found": pupils},
    )
    found = []
    for role in ("third_school", "other_school"):
        refused = _claim(session, role, kit)
        if refused.status != 403:
            found.append(
                f"{role}, which enrols no pupil with that UPN, claimed: {refused.status}, not 403"
            )
    if found:
        raise CheckFailed("a lost pupil can be claimed by a school that does not enrol them", found)
    _enrol_at(session, "other_school", kit)
    claimed = _claim(session, "other_school", kit).expect(200)
    listed = claimed.body.get("claimed") if isinstance(claimed.body, dict) else None
    if not any(isinstance(t, dict) and t.get("transferId") == transfer_id for t in listed or ()):
        found.append(f"the claim does not name transfer {transfer_id}: {listed}")
    got = _delivered(session, "other_school", expected)
    found += _record_problems("other_school", got["other_school"], expected)
    found += _bystander_problems(got)
    if found:
        raise CheckFailed("the claimed record did not reach exactly the claiming school", found)
    return (
        "the pupil sent to MMM was found by the LA, refused to schools that do not enrol them, "
        f"and its {len(expected)} objects reached the school that enrolled and claimed them"
    )
