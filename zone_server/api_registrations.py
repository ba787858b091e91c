"""Dual registrations and ULN requests over HTTP.

- ``GET .../dual-registrations``: the links the caller may see (either school; LAs and the DfE
  within their scope), active and ended.
- ``GET .../dual-registrations/conflicts?status=open|resolved|all``: changes flagged for review;
  ``POST .../dual-registrations/conflicts/{id}/resolve`` (either school or their LA) marks one
  resolved once a person has put both schools' records right.
- ``POST .../uln-requests`` ``{"learnerRefIds": [...]}`` or ``{"missing": true}`` (a school):
  202 with the service request sent to the ULN provider and the learners left out, and why.
- ``GET .../uln-reviews``: ULN results a person must decide (the school's own; its LA's).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from zone_server.acl import Party
from zone_server.config import PartyKind
from zone_server.render import iso_time
from zone_server.scope import Scope
from zone_server.store import ObjectQuery, ServiceRequest
from zone_server.store.workflows import DualConflict, DualRegistration, ULNReview
from zone_server.web import ApiError, ZoneState, caller, json_body, json_reply, run_step
from zone_server.workflows import uln

__all__ = [
    "list_conflicts",
    "list_links",
    "list_uln_reviews",
    "request_ulns",
    "resolve_conflict",
]

_MAX_MISSING = 1000


def _sees(party: Party, *schools: str) -> bool:
    if party.kind is PartyKind.SCHOOL:
        return party.claim_key in schools
    return party.kind in (PartyKind.LA, PartyKind.DFE) and party.scope.covers_any(schools)


def _link(link: DualRegistration) -> dict[str, Any]:
    return {
        "linkId": link.link_id,
        "upn": link.upn,
        "schools": [
            {"school": link.first_school, "learnerRefId": link.first_learner},
            {"school": link.second_school, "learnerRefId": link.second_learner},
        ],
        "active": link.active,
        "createdAt": iso_time(link.created_at),
        "endedAt": iso_time(link.ended_at) if link.ended_at else None,
        "endReason": link.end_reason,
    }


def _conflict(conflict: DualConflict) -> dict[str, Any]:
    def side(part: tuple[str, str, Any]) -> dict[str, Any]:
        return {"refId": part[0], "school": part[1], "value": part[2]}

    return {
        "conflictId": conflict.conflict_id,
        "linkId": conflict.link_id,
        "objectType": conflict.object_type,
        "field": conflict.field,
        "earlier": side(conflict.earlier),
        "later": side(conflict.later),
        "status": conflict.status,
        "createdAt": iso_time(conflict.created_at),
        "resolvedBy": conflict.resolved_by,
    }


async def list_links(request: Request) -> Response:
    """Dual registration links the caller may see."""
    state, zone, party = caller(request)

    def step() -> list[DualRegistration]:
        with state.store.transaction() as tx:
            return tx.dual_registrations(zone, active_only=False)

    links = [
        link for link in await run_step(step) if _sees(party, link.first_school, link.second_school)
    ]
    return json_reply({"dualRegistrations": [_link(link) for link in links]})


def _visible_conflicts(
    state: ZoneState, zone: str, party: Party, status: str | None
) -> list[DualConflict]:
    with state.store.transaction() as tx:
        links = {link.link_id: link for link in tx.dual_registrations(zone, active_only=False)}
        return [
            conflict
            for conflict in tx.dual_conflicts(zone, status=status)
            if conflict.link_id in links
            and _sees(
                party, links[conflict.link_id].first_school, links[conflict.link_id].second_school
            )
        ]


async def list_conflicts(request: Request) -> Response:
    """Conflicting changes flagged for review."""
    state, zone, party = caller(request)
    status = request.query_params.get("status", "open")
    if status not in ("open", "resolved", "all"):
        raise ApiError(400, "bad-request", "status is open, resolved or all")
    found = await run_step(
        _visible_conflicts, state, zone, party, None if status == "all" else status
    )
    return json_reply({"conflicts": [_conflict(c) for c in found]})


async def resolve_conflict(request: Request) -> Response:
    """Mark a conflict resolved (either school, or an LA covering one)."""
    state, zone, party = caller(request)
    conflict_id = request.path_params["conflict_id"]

    def step() -> DualConflict | None:
        visible = _visible_conflicts(state, zone, party, None)
        if party.kind is PartyKind.DFE or conflict_id not in {c.conflict_id for c in visible}:
            return None
        with state.store.transaction() as tx:
            resolved = tx.resolve_dual_conflict(zone, conflict_id, party.id)
            tx.audit(zone, party.id, "dual-registration-resolved", None, [], conflict_id)
            return resolved

    resolved = await run_step(step)
    if resolved is None:
        raise ApiError(404, "not-found", f"no conflict {conflict_id} that {party.id} may resolve")
    return json_reply(_conflict(resolved))


def _missing(state: ZoneState, zone: str, party: Party) -> list[str]:
    assert party.claim_key is not None
    scope = Scope(schools=frozenset({party.claim_key}))
    query = ObjectQuery("LearnerPersonal", scope, school=party.claim_key, page_size=_MAX_MISSING)
    page = state.store.query(zone, query)
    return [o.ref_id for o in page.objects if not (o.content or {}).get("ULN")]


async def request_ulns(request: Request) -> Response:
    """Send the school's learners without a ULN to the ULN provider."""
    state, zone, party = caller(request)
    document = await json_body(request, state)
    given = document.get("learnerRefIds")
    refs: list[str]
    if document.get("missing") is True:
        refs = await run_step(_missing, state, zone, party) if party.claim_key else []
    elif isinstance(given, list) and all(isinstance(r, str) for r in given):
        refs = [str(r) for r in given]
    else:
        raise ApiError(400, "malformed", 'send {"learnerRefIds": ["..."]} or {"missing": true}')

    def step() -> tuple[ServiceRequest | None, list[dict[str, str]]]:
        with state.store.transaction() as tx:
            return uln.request_ulns(tx, state.policy, zone, party, refs)

    sent, skipped = await run_step(step)
    if sent is not None:
        state.notifier.notify(zone, frozenset({sent.provider}))
    return json_reply(
        {
            "requestId": sent.request_id if sent else None,
            "provider": sent.provider if sent else None,
            "learners": len(sent.request["learners"]) if sent else 0,
            "skipped": skipped,
        },
        status=202 if sent else 200,
    )


async def list_uln_reviews(request: Request) -> Response:
    """ULN results waiting for a person to decide."""
    state, zone, party = caller(request)

    def step() -> list[ULNReview]:
        with state.store.transaction() as tx:
            return tx.uln_reviews(zone)

    found = [r for r in await run_step(step) if _sees(party, r.school)]
    return json_reply(
        {
            "ulnReviews": [
                {
                    "reviewId": r.review_id,
                    "requestId": r.request_id,
                    "school": r.school,
                    "learnerRefId": r.learner_ref,
                    "outcome": r.outcome,
                    "code": r.code,
                    "message": r.message,
                    "createdAt": iso_time(r.created_at),
                }
                for r in found
            ]
        }
    )
