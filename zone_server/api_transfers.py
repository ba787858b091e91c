"""Transfers and the lost-pupils area over HTTP.

- ``POST .../transfers`` ``{"upn": "...", "to": "8012001" | "MMM" | "XXX"}`` (the leaving
  school): 201 with the transfer, ``delivered`` to the destination's queue or ``lost``.
  422 ``destination-not-in-zone`` for a LAESTAB that is not a school of the zone.
- ``GET .../transfers`` and ``GET .../transfers/{id}``: transfers the caller may see (its own
  as either school; an LA's or the DfE's within their scope), with their status
  (``delivered``, ``complete`` once the destination acknowledged every message, ``lost``).
- ``GET .../lost-pupils?upn=&surname=&dateOfBirth=`` (LAs: pupils who left their schools; the
  DfE: all): the records waiting to be claimed.
- ``POST .../lost-pupils/claims`` ``{"upn": "..."}`` (a school that enrols that UPN): the
  records are delivered to its queue; 403 for a school that does not enrol the pupil.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from zone_server.render import iso_time
from zone_server.store.workflows import Transfer
from zone_server.web import (
    ApiError,
    caller,
    json_body,
    json_reply,
    run_step,
    store_call,
    text_member,
)
from zone_server.workflows import lost_pupils, transfer

__all__ = ["claim_lost", "describe", "list_transfers", "search_lost", "show", "start"]


def describe(found: Transfer) -> dict[str, Any]:
    """A transfer as the API shows it."""
    return {
        "transferId": found.transfer_id,
        "upn": found.upn,
        "learnerRefId": found.learner_ref,
        "from": found.source_school,
        "fromParty": found.source_party,
        "to": found.destination,
        "toParty": found.destination_party,
        "status": found.status,
        "objects": found.object_count,
        "createdAt": iso_time(found.created_at),
        "deliveredAt": iso_time(found.delivered_at) if found.delivered_at else None,
        "completedAt": iso_time(found.completed_at) if found.completed_at else None,
        "claimedBy": found.claimed_by,
    }


async def start(request: Request) -> Response:
    """Transfer a learner of the calling school."""
    state, zone, party = caller(request)
    document = await json_body(request, state)
    upn = text_member(document, "upn", required=True)
    destination = text_member(document, "to", required=True)
    assert upn is not None
    assert destination is not None

    def step() -> Transfer:
        with state.store.transaction() as tx:
            return transfer.start_transfer(
                tx, state.policy, zone, party, upn=upn.upper(), destination=destination
            )

    try:
        started = await run_step(step)
    except ApiError as error:
        await store_call(
            state.store.record_audit,
            zone,
            party.id,
            "transfer-refused",
            None,
            [],
            f"{error.status} {error.code}",
        )
        raise
    if started.destination_party is not None:
        state.notifier.notify(zone, frozenset({started.destination_party}))
    return json_reply(describe(started), status=201)


async def list_transfers(request: Request) -> Response:
    """The transfers the caller may see, newest first."""
    state, zone, party = caller(request)

    def step() -> list[Transfer]:
        with state.store.transaction() as tx:
            return lost_pupils.visible_transfers(tx, zone, party)

    found = await run_step(step)
    return json_reply({"transfers": [describe(t) for t in found]})


async def show(request: Request) -> Response:
    """One transfer, for a party that may see it."""
    state, zone, party = caller(request)
    transfer_id = request.path_params["transfer_id"]

    def step() -> Transfer | None:
        with state.store.transaction() as tx:
            return tx.transfer(zone, transfer_id)

    found = await run_step(step)
    if found is None or not lost_pupils.visible_transfer(party, found):
        raise ApiError(404, "not-found", f"no transfer {transfer_id} that {party.id} may see")
    return json_reply(describe(found))


async def search_lost(request: Request) -> Response:
    """Lost-pupil records the caller (an LA or the DfE) may search."""
    state, zone, party = caller(request)
    params = request.query_params
    unknown = sorted(set(params) - {"upn", "surname", "dateOfBirth"})
    if unknown:
        raise ApiError(400, "bad-request", f"unknown parameter {unknown[0]!r}")

    def step() -> list[lost_pupils.LostPupil]:
        with state.store.transaction() as tx:
            found = lost_pupils.search(
                tx,
                zone,
                party,
                upn=params.get("upn", "").upper() or None,
                surname=params.get("surname"),
                date_of_birth=params.get("dateOfBirth"),
            )
            tx.audit(
                zone,
                party.id,
                "query",
                "LearnerPersonal",
                [pupil.transfer.learner_ref for pupil in found],
                f"lost pupils; filters: {', '.join(sorted(params)) or 'none'}",
            )
            return found

    found = await run_step(step)
    return json_reply(
        {
            "lostPupils": [
                {
                    **describe(pupil.transfer),
                    "givenName": pupil.given_name,
                    "familyName": pupil.family_name,
                    "dateOfBirth": pupil.date_of_birth,
                    "sex": pupil.sex,
                }
                for pupil in found
            ]
        }
    )


async def claim_lost(request: Request) -> Response:
    """Claim the lost-pupil records of a UPN the calling school enrols."""
    state, zone, party = caller(request)
    document = await json_body(request, state)
    upn = text_member(document, "upn", required=True)
    assert upn is not None

    def step() -> list[Transfer]:
        with state.store.transaction() as tx:
            return lost_pupils.claim(tx, zone, party, upn.upper())

    try:
        claimed = await run_step(step)
    except ApiError as error:
        if error.status == 403:
            # The refusal is audited even though the claim's transaction was rolled back.
            await store_call(
                state.store.record_audit,
                zone,
                party.id,
                "lost-pupil-claim-refused",
                None,
                [],
                "the school enrols no pupil with that UPN",
            )
        raise
    state.notifier.notify(zone, frozenset({party.id}))
    return json_reply({"claimed": [describe(t) for t in claimed]})
