"""Census returns: the school holds the approve button, never the LA or the DfE.

A return is a collection name (``Spring 2025``), a reference date (census day) and a snapshot,
taken by the zone from what the school has published: its ``SchoolInfo``, the enrolments at the
school that are current on the reference date, those learners' ``LearnerPersonal``, FSM and SEN
histories, and their attendance at the school. Submitting makes a **draft** (version 1, 2, ...;
submitting the same content again changes nothing). The school may submit; so may its LA, which
prepares a draft for it.

Until the school approves it, the LA and the DfE see that a draft is pending and nothing of it:
no objects, no counts. Approval is the school's alone (everyone else gets 403, whatever rights
the zone file gives them): it freezes the version with an attestation (who, when, the content
hash), works out its counts (:mod:`~zone_server.workflows.funding`), and delivers the return to
the school's LA and to the DfE as ``census`` requests on their queues, each through the
receiver's data-minimisation profile. A later submission makes a new draft that needs approval
again; the approved version keeps counting until then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any, Final

from zone_server.acl import AccessPolicy, Forbidden, Party
from zone_server.config import PartyKind
from zone_server.scope import Scope
from zone_server.store import ObjectQuery, Store, StoredObject, StoreTransaction
from zone_server.store.workflows import CensusReturn, SnapshotObject
from zone_server.workflows import (
    WorkflowConflict,
    WorkflowInvalid,
    WorkflowNotFound,
    is_current,
    la_parties,
    school_party,
)
from zone_server.workflows.funding import count_return

__all__ = [
    "CENSUS_SERVICE",
    "approve",
    "content_hash",
    "may_see_content",
    "may_see_return",
    "submit",
    "take_snapshot",
]

#: The service name under which approved returns arrive on the LA's and the DfE's queues.
CENSUS_SERVICE: Final = "census"
_COLLECTION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _\-/]{0,79}$")
_PAGE: Final = 1000
_ABOUT_LEARNERS: Final = ("LearnerPersonal", "LearnerFSMHistory", "LearnerSENHistory")


def _pages(store: Store, zone: str, object_type: str, school: str) -> Iterator[StoredObject]:
    scope = None if object_type == "SchoolInfo" else Scope(schools=frozenset({school}))
    page, after, total = 1, None, None
    while True:
        # Each page continues after the last (and keeps the first page's count), so taking a
        # snapshot of a large school costs each page once rather than every page before it.
        query = ObjectQuery(
            object_type, scope, school=school, page=page, page_size=_PAGE, after=after, total=total
        )
        result = store.query(zone, query)
        yield from result.objects
        if page * _PAGE >= result.total or result.last_key is None:
            return
        page, after, total = page + 1, result.last_key, result.total


def take_snapshot(
    store: Store, zone: str, school: str, reference_date: dt.date
) -> tuple[str | None, list[SnapshotObject]]:
    """The school's SchoolInfo RefId and what its return for ``reference_date`` holds."""
    infos = [
        o
        for o in _pages(store, zone, "SchoolInfo", school)
        if o.content is not None
        and f"{o.content.get('LAId')}{o.content.get('EstablishmentId')}" == school
    ]
    school_refs = {o.ref_id for o in infos}
    taken = [SnapshotObject(o.object_type, o.ref_id, o.content or {}) for o in infos]
    learners: set[str] = set()
    for enrolment in _pages(store, zone, "LearnerSchoolEnrolment", school):
        content = enrolment.content or {}
        if content.get("SchoolInfoRefId") in school_refs and is_current(content, reference_date):
            learners.add(str(content.get("LearnerPersonalRefId")))
            taken.append(SnapshotObject(enrolment.object_type, enrolment.ref_id, content))
    for object_type in _ABOUT_LEARNERS:
        for obj in _pages(store, zone, object_type, school):
            content = obj.content or {}
            learner = obj.ref_id if object_type == "LearnerPersonal" else None
            learner = learner or content.get("LearnerPersonalRefId")
            if learner in learners:
                taken.append(SnapshotObject(object_type, obj.ref_id, content))
    for summary in _pages(store, zone, "LearnerAttendanceSummary", school):
        content = summary.content or {}
        if (
            content.get("LearnerPersonalRefId") in learners
            and content.get("SchoolInfoRefId") in school_refs
        ):
            taken.append(SnapshotObject(summary.object_type, summary.ref_id, content))
    taken.sort(key=lambda o: (o.object_type, o.ref_id))
    return (min(school_refs) if school_refs else None), taken


def content_hash(objects: list[SnapshotObject]) -> str:
    """``sha256:`` and the hex SHA-256 of the snapshot's canonical JSON."""
    digest = hashlib.sha256()
    for obj in objects:
        line = [obj.object_type, obj.ref_id, obj.content]
        digest.update(json.dumps(line, sort_keys=True, separators=(",", ":")).encode() + b"\n")
    return "sha256:" + digest.hexdigest()


def _return_school(policy: AccessPolicy, zone: str, party: Party, school: str | None) -> Party:
    """The school party whose return ``party`` submits."""
    if party.kind is PartyKind.SCHOOL:
        if school is not None and school != party.claim_key:
            raise Forbidden(f"{party.id} submits its own census return, not {school}'s")
        assert party.claim_key is not None
        school = party.claim_key
    elif party.kind is PartyKind.LA:
        if school is None:
            raise WorkflowInvalid(
                "an LA prepares a draft for one of its schools: give school (7-digit LAESTAB)"
            )
        if not party.scope.covers(school):
            raise Forbidden(f"{party.id} may prepare drafts only for its own schools")
    else:
        raise Forbidden(
            f"{party.id} may not submit census returns: a school submits its own, and its LA "
            "may prepare a draft for it"
        )
    found = school_party(policy, zone, school)
    if found is None:
        raise WorkflowNotFound(f"no school {school} is in zone {zone}")
    return found


def submit(
    store: Store,
    policy: AccessPolicy,
    zone: str,
    party: Party,
    *,
    collection: str,
    reference_date: str,
    school: str | None = None,
) -> tuple[CensusReturn, bool]:
    """Submit (or prepare, for an LA) a draft; returns it and whether it is a new version."""
    if not _COLLECTION.match(collection):
        raise WorkflowInvalid(
            "collection is 1 to 80 letters, digits, spaces, '-', '_' or '/' (e.g. Spring 2025)"
        )
    try:
        on = dt.date.fromisoformat(reference_date)
    except ValueError:
        raise WorkflowInvalid("referenceDate is a date, yyyy-mm-dd (census day)") from None
    owner = _return_school(policy, zone, party, school)
    assert owner.claim_key is not None
    school_ref, objects = take_snapshot(store, zone, owner.claim_key, on)
    if school_ref is None:
        raise WorkflowInvalid(
            f"the zone holds no SchoolInfo of {owner.claim_key}: the school publishes it (and "
            "its pupils) before a return can be taken"
        )
    digest = content_hash(objects)
    with store.transaction() as tx:
        versions = tx.census_returns(zone, collection=collection, school=owner.claim_key)
        latest = versions[-1] if versions else None
        if (
            latest is not None
            and latest.status != "superseded"
            and latest.content_hash == digest
            and latest.reference_date == reference_date
        ):
            return latest, False
        created = tx.add_census_return(
            zone,
            school=owner.claim_key,
            school_party=owner.id,
            collection=collection,
            reference_date=reference_date,
            prepared_by=party.id,
            content_hash=digest,
            objects=objects,
        )
        tx.audit(
            zone,
            party.id,
            "census-draft",
            None,
            [],
            f"return {created.return_id}: {collection} v{created.version} for "
            f"{owner.claim_key}, {len(objects)} object(s), {digest}",
        )
    return created, True


def may_see_return(party: Party, found: CensusReturn) -> bool:
    """The school, and the LAs and the DfE whose scope covers it, see a return's status."""
    if party.kind is PartyKind.SCHOOL:
        return party.claim_key == found.school
    return party.kind in (PartyKind.LA, PartyKind.DFE) and party.scope.covers(found.school)


def may_see_content(party: Party, found: CensusReturn) -> bool:
    """The school sees every version's content; the LA and the DfE only approved ones."""
    if not may_see_return(party, found):
        return False
    return party.kind is PartyKind.SCHOOL or found.status != "draft"


def _delivery(party: Party, found: CensusReturn, objects: list[SnapshotObject]) -> dict[str, Any]:
    return {
        "returnId": found.return_id,
        "school": found.school,
        "collection": found.collection,
        "referenceDate": found.reference_date,
        "version": found.version,
        "attestation": {
            "approvedBy": found.approved_by,
            "approvedAt": found.approved_at,
            "contentHash": found.content_hash,
        },
        "counts": found.counts,
        "objects": [
            {"objectType": o.object_type, "object": party.minimise(o.object_type, o.content)}
            for o in objects
        ],
    }


def approve(
    tx: StoreTransaction,
    policy: AccessPolicy,
    zone: str,
    party: Party,
    return_id: str,
    *,
    expected_hash: str | None = None,
) -> tuple[CensusReturn, list[str]]:
    """Approve a draft as its school; returns it and the parties it was delivered to.

    :class:`Forbidden` for anyone but the school, :class:`WorkflowConflict` when the version
    is already approved, superseded, or its content is not ``expected_hash``.
    """
    found = tx.census_return(zone, return_id)
    if found is None or not may_see_return(party, found):
        raise WorkflowNotFound(f"no census return {return_id} that {party.id} may see")
    if party.kind is not PartyKind.SCHOOL:
        raise Forbidden(
            f"{party.id} may not approve census returns: only the school ({found.school}) "
            "approves its own return; an LA may prepare a draft for it",
            right="approve",
        )
    if found.status == "approved":
        raise WorkflowConflict(f"version {found.version} of this return is approved already")
    if found.status == "superseded":
        raise WorkflowConflict(
            f"version {found.version} was replaced by a later version: approve the latest"
        )
    if expected_hash is not None and expected_hash != found.content_hash:
        raise WorkflowConflict(
            f"the return's content is {found.content_hash}, not the {expected_hash} you "
            "reviewed; review it again before approving"
        )
    objects = tx.census_objects(zone, return_id)
    school_ref = next((o.ref_id for o in objects if o.object_type == "SchoolInfo"), "")
    counts = count_return(objects, found.reference_date, school_ref)
    approved = tx.approve_census_return(zone, return_id, by=party.id, counts=counts)
    tx.audit(
        zone,
        party.id,
        "census-approved",
        None,
        [],
        f"return {return_id}: {found.collection} v{found.version}, {found.content_hash}",
    )
    receivers = la_parties(policy, zone, found.school[:3]) + [
        p for p in policy.members(zone) if p.kind is PartyKind.DFE
    ]
    for receiver in receivers:
        tx.create_service_request(
            zone, CENSUS_SERVICE, party.id, receiver.id, _delivery(receiver, approved, objects)
        )
        tx.audit(
            zone,
            receiver.id,
            "census-delivered",
            None,
            [],
            f"return {return_id} queued for {receiver.id}",
        )
    return approved, [receiver.id for receiver in receivers]
