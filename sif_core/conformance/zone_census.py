"""Checks of ZON-11: the approval gate of census returns.

The kit's school submits census returns of collections of this run's own (``Kit RUNID ...``);
the kit's LA stands for every party a return is released to. Until the school approves a
version, the LA may see that it is pending and nothing else: not its objects, not a delivery on
its queue, not a row of the funding summary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from sif_core.conformance.checks import CheckFailed
from sif_core.conformance.zone_client import Reply
from sif_core.conformance.zone_session import ZONE_CHECKS, KitLearner, ZoneSession, require

__all__ = ["CENSUS_SERVICE"]

#: The service named by the queue messages that deliver an approved return.
CENSUS_SERVICE: Final = "census"


@dataclass(frozen=True)
class _Version:
    """One census return version, as the zone described it to the school."""

    return_id: str
    version: object
    status: str
    content_hash: str | None

    @classmethod
    def of(cls, reply: Reply) -> _Version:
        body = reply.body if isinstance(reply.body, dict) else {}
        return_id = body.get("returnId")
        if not isinstance(return_id, str) or not return_id:
            raise CheckFailed(f"{reply.what}: the reply names no returnId", [str(body)[:200]])
        digest = body.get("contentHash")
        return cls(return_id, body.get("version"), str(body.get("status")), digest and str(digest))


def _collection(session: ZoneSession, name: str) -> str:
    return f"Kit {session.run_id} {name}"


def _submit(session: ZoneSession, role: str, collection: str) -> _Version:
    """Submit (the school) or prepare (the LA) a return of the kit's school: a new draft."""
    document: dict[str, Any] = {
        "collection": collection,
        "referenceDate": dt.date.today().isoformat(),
    }
    if role != "school":
        document["school"] = session.config.school_laestab
    reply = session.client(role).call(
        "POST", "/census-returns", what="submit a census return", document=document
    )
    reply.expect(201)
    submitted = _Version.of(reply)
    require(
        submitted.status == "draft",
        f"{reply.what}: a new return is {submitted.status!r}, not a draft",
    )
    return submitted


def _path(found: _Version, tail: str = "") -> str:
    return f"/census-returns/{found.return_id}{tail}"


def _approve(session: ZoneSession, role: str, found: _Version) -> Reply:
    document = {"contentHash": found.content_hash} if found.content_hash else {}
    return session.client(role).call(
        "POST", _path(found, "/approve"), what="approve a census return", document=document
    )


def _status(session: ZoneSession, role: str, found: _Version) -> Reply:
    return session.client(role).request("GET", _path(found), what="read a census return")


def _objects(session: ZoneSession, role: str, found: _Version) -> Reply:
    return session.client(role).request(
        "GET", _path(found, "/objects"), what="read a census return's objects"
    )


def _ref_ids(body: Any) -> set[str]:
    """The RefIds of the objects of a return's snapshot or of its delivery."""
    items = body.get("objects") if isinstance(body, dict) else None
    return {
        str(item["object"].get("@RefId"))
        for item in items or ()
        if isinstance(item, dict) and isinstance(item.get("object"), dict)
    }


def _funding_row(session: ZoneSession, collection: str) -> dict[str, Any] | None:
    """The kit school's row in the LA's funding summary of ``collection``, if any."""
    reply = (
        session.client("la")
        .request(
            "GET",
            "/funding-summary",
            what="read the funding summary",
            params={"collection": collection},
        )
        .expect(200)
    )
    rows = reply.body.get("schools") if isinstance(reply.body, dict) else None
    if not isinstance(rows, list):
        raise CheckFailed(f"{reply.what}: the reply has no schools list", [str(reply.body)[:200]])
    school = session.config.school_laestab
    return next((r for r in rows if isinstance(r, dict) and r.get("school") == school), None)


def _delivery_of(found: _Version) -> Any:
    def about(message: dict[str, Any]) -> bool:
        request = message.get("request")
        if message.get("kind") != "request" or not isinstance(request, dict):
            return False
        body = request.get("body")
        return (
            request.get("service") == CENSUS_SERVICE
            and isinstance(body, dict)
            and body.get("returnId") == found.return_id
        )

    return about


def _deliveries(session: ZoneSession, found: _Version, *, expected: bool) -> list[dict[str, Any]]:
    """The LA's deliveries of ``found``: waited for until one comes when ``expected``, else
    the whole delivery wait (nothing must come)."""
    got = session.collect_messages(
        ["la"], _delivery_of(found), (lambda got: bool(got["la"])) if expected else lambda _: False
    )
    return got["la"]


def _learners(kits: list[KitLearner]) -> set[str]:
    return {kit.learner.ref_id for kit in kits}


@ZONE_CHECKS.check("ZON-11.draft-withheld", "A draft return reaches no one but its school")
def draft_withheld(session: ZoneSession) -> str:
    kits = session.published_learners(2)
    collection = _collection(session, "draft")
    draft = _submit(session, "school", collection)
    own = _objects(session, "school", draft).expect(200)
    missing = _learners(kits) - _ref_ids(own.body)
    require(
        not missing,
        "the control failed: the school's own draft does not hold its new learners",
        {"missing": sorted(missing)},
    )
    found = []
    seen = _status(session, "la", draft)
    body = seen.body if isinstance(seen.body, dict) else {}
    if seen.status != 200 or body.get("status") != "draft":
        found.append(
            f"the LA cannot see that the return is pending: {seen.status}, "
            f"status {body.get('status')!r}"
        )
    if body.get("counts") not in (None, {}):
        found.append("the LA's view of the draft holds its counts")
    read = _objects(session, "la", draft)
    if read.status != 403:
        found.append(f"the LA reading the draft's objects: {read.status}, not 403")
    other = _status(session, "other_school", draft)
    if other.status != 404:
        found.append(f"another school reading the draft: {other.status}, not 404")
    row = _funding_row(session, collection)
    if row is not None:
        found.append(f"the LA's funding summary counts the draft: {row}")
    found += [
        f"the LA's queue holds the draft: message {m.get('messageId')}"
        for m in _deliveries(session, draft, expected=False)
    ]
    if found:
        raise CheckFailed("a census return reached the LA before the school approved it", found)
    return (
        "the LA sees the draft pending, and neither reads, receives nor counts it; another "
        "school does not see it"
    )


@ZONE_CHECKS.check("ZON-11.only-the-school-approves", "Only the school approves; that releases it")
def only_the_school_approves(session: ZoneSession) -> str:
    kits = session.published_learners(2)
    collection = _collection(session, "approve")
    draft = _submit(session, "school", collection)
    refused = _approve(session, "la", draft)
    found = []
    if refused.status != 403:
        found.append(f"the LA approving: {refused.status}, not 403")
    elif "approve" not in refused.error_text().split():
        found.append(f"the LA's 403 does not name the approve right: {refused.error_text()}")
    after = _status(session, "school", draft).expect(200)
    if not isinstance(after.body, dict) or after.body.get("status") != "draft":
        found.append("the return is no longer a draft after the LA's approval was refused")
    if found:
        raise CheckFailed("someone other than the school can approve its census return", found)
    approved = _approve(session, "school", draft).expect(200)
    body: dict[str, Any] = approved.body if isinstance(approved.body, dict) else {}
    attested = body.get("attestation")
    attestation: dict[str, Any] = attested if isinstance(attested, dict) else {}
    school_id = session.config.party("school").id
    if body.get("status") != "approved":
        found.append(f"the school's approval left the return {body.get('status')!r}")
    if attestation.get("approvedBy") != school_id:
        found.append(f"the attestation names {attestation.get('approvedBy')!r}, not {school_id}")
    delivered = _deliveries(session, draft, expected=True)
    if not delivered:
        found.append("the LA did not receive the approved return")
    else:
        got = _ref_ids(delivered[0]["request"]["body"])
        missing = sorted(_learners(kits) - got)
        found += [f"the delivered return lacks learner {ref}" for ref in missing]
    row = _funding_row(session, collection)
    if row is None or row.get("returnId") != draft.return_id:
        found.append(f"the LA's funding summary does not count the approved return: {row}")
    read = _objects(session, "la", draft)
    if read.status != 200:
        found.append(f"the LA reading the approved return's objects: {read.status}, not 200")
    if found:
        raise CheckFailed("the school's approval did not release the return to the LA", found)
    return (
        "the LA's approval was refused with 403 naming the right; the school's released the "
        "return to the LA: delivered, readable and counted"
    )


@ZONE_CHECKS.check(
    "ZON-11.change-needs-approval-again", "A later change is a new draft needing approval"
)
def change_needs_approval_again(session: ZoneSession) -> str:
    session.published_learners(1)
    collection = _collection(session, "change")
    first = _submit(session, "school", collection)
    _approve(session, "school", first).expect(200)
    require(
        bool(_deliveries(session, first, expected=True)),
        "the control failed: the LA did not receive the approved first version",
    )
    [added] = session.published_learners(1)
    second = _submit(session, "la", collection)
    found = []
    if second.return_id == first.return_id:
        found.append("the changed return kept the approved version's id")
    refused = _approve(session, "la", second)
    if refused.status != 403:
        found.append(f"the LA approving the draft it prepared: {refused.status}, not 403")
    row = _funding_row(session, collection)
    if row is None or row.get("returnId") != first.return_id:
        found.append(f"before approval, the funding summary does not count version 1: {row}")
    found += [
        f"the LA's queue holds the new draft: message {m.get('messageId')}"
        for m in _deliveries(session, second, expected=False)
    ]
    own = _objects(session, "school", second).expect(200)
    if added.learner.ref_id not in _ref_ids(own.body):
        found.append(f"the new draft does not hold the learner {added.learner.ref_id} added")
    if found:
        raise CheckFailed("a change to an approved return was released without approval", found)
    _approve(session, "school", second).expect(200)
    row = _funding_row(session, collection)
    if row is None or row.get("returnId") != second.return_id:
        raise CheckFailed(
            "once approved, the new version is not what the funding summary counts", [str(row)]
        )
    if not _deliveries(session, second, expected=True):
        raise CheckFailed("once approved, the new version did not reach the LA")
    return (
        "the LA's new draft of a changed return was withheld, not counted and not its to "
        "approve, until the school approved it"
    )
