"""What the zone's administrator sees: queue depths and ages, and the audit log."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from zone_server.acl import Forbidden
from zone_server.render import iso_time
from zone_server.web import ApiError, ZoneState, caller, forbidden, json_reply, store_call

__all__ = ["audit_log", "queues"]


def _admin(request: Request) -> tuple[ZoneState, str]:
    state, zone, party = caller(request)
    try:
        state.policy.require_admin(party)
    except Forbidden as error:
        raise forbidden(error) from None
    return state, zone


async def queues(request: Request) -> Response:
    """``GET .../admin/queues``: every member's queue depth, leased count and oldest age."""
    state, zone = _admin(request)
    stats = {s.party: s for s in await store_call(state.store.queue_stats, zone)}
    rows = []
    for member in sorted(state.policy.members(zone), key=lambda p: p.id):
        found = stats.get(member.id)
        rows.append(
            {
                "party": member.id,
                "depth": found.depth if found else 0,
                "leased": found.leased if found else 0,
                "oldestAgeSeconds": round(found.oldest_age_seconds, 3)
                if found and found.oldest_age_seconds is not None
                else None,
            }
        )
    return json_reply({"zone": zone, "queues": rows})


async def audit_log(request: Request) -> Response:
    """``GET .../admin/audit?after=ID&party=P&limit=N``: audit entries, oldest first."""
    state, zone = _admin(request)
    after = request.query_params.get("after", "0")
    limit = request.query_params.get("limit", "100")
    if not after.isdigit() or not limit.isdigit() or not 1 <= int(limit) <= 1000:
        raise ApiError(400, "bad-request", "after is an audit id; limit is 1 to 1000")
    entries = await store_call(
        state.store.audit_log,
        zone,
        after_id=int(after),
        party=request.query_params.get("party"),
        limit=int(limit),
    )
    return json_reply(
        {
            "entries": [
                {
                    "id": str(e.audit_id),
                    "at": iso_time(e.at),
                    "party": e.party,
                    "operation": e.operation,
                    "objectType": e.object_type,
                    "refIds": e.ref_ids,
                    "detail": e.detail,
                }
                for e in entries
            ]
        }
    )
