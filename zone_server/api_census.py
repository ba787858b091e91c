"""Census returns and the funding summary over HTTP.

- ``POST .../census-returns`` ``{"collection": "Spring 2025", "referenceDate": "2025-01-16"}``
  (the school; an LA adds ``"school": "8012000"`` to prepare a draft for one of its schools):
  201 with a new draft version, or 200 with the latest version when nothing changed.
- ``GET .../census-returns?collection=`` and ``.../census-returns/{id}``: versions and their
  status. The LA and the DfE see a draft as pending: no counts, no objects.
- ``GET .../census-returns/{id}/objects``: the snapshot (the school always; the LA and the DfE
  once approved). Audited.
- ``POST .../census-returns/{id}/approve`` ``{"contentHash": "sha256:..."}`` (optional: the
  hash the approver reviewed): the school only; 403 for the LA and the DfE, and the refused
  attempt is audited.
- ``GET .../funding-summary?collection=``: counts of approved returns only.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from zone_server.acl import Party
from zone_server.render import iso_time
from zone_server.store.workflows import CensusReturn, SnapshotObject
from zone_server.web import (
    ApiError,
    ZoneState,
    caller,
    json_body,
    json_reply,
    run_step,
    store_call,
    text_member,
)
from zone_server.workflows import census
from zone_server.workflows.funding import funding_summary

__all__ = ["approve", "describe", "funding", "list_returns", "objects", "show", "submit"]


def describe(found: CensusReturn, *, full: bool) -> dict[str, Any]:
    """A return version as the API shows it; ``full`` adds its hash, counts and attestation."""
    document: dict[str, Any] = {
        "returnId": found.return_id,
        "school": found.school,
        "collection": found.collection,
        "referenceDate": found.reference_date,
        "version": found.version,
        "status": found.status,
        "preparedBy": found.prepared_by,
        "createdAt": iso_time(found.created_at),
    }
    if full:
        document["contentHash"] = found.content_hash
        document["objects"] = found.object_count
        document["counts"] = found.counts
        document["attestation"] = (
            {
                "approvedBy": found.approved_by,
                "approvedAt": iso_time(found.approved_at),
                "contentHash": found.content_hash,
            }
            if found.approved_at is not None
            else None
        )
    return document


async def submit(request: Request) -> Response:
    """Submit a draft (a school) or prepare one (its LA)."""
    state, zone, party = caller(request)
    document = await json_body(request, state)
    collection = text_member(document, "collection", required=True)
    reference_date = text_member(document, "referenceDate", required=True)
    assert collection is not None
    assert reference_date is not None
    created, new = await run_step(
        census.submit,
        state.store,
        state.policy,
        zone,
        party,
        collection=collection,
        reference_date=reference_date,
        school=text_member(document, "school"),
    )
    return json_reply(describe(created, full=True), status=201 if new else 200)


async def list_returns(request: Request) -> Response:
    """The return versions the caller may see."""
    state, zone, party = caller(request)
    collection = request.query_params.get("collection")

    def step() -> list[CensusReturn]:
        with state.store.transaction() as tx:
            return tx.census_returns(zone, collection=collection)

    found = [r for r in await run_step(step) if census.may_see_return(party, r)]
    return json_reply(
        {"censusReturns": [describe(r, full=census.may_see_content(party, r)) for r in found]}
    )


async def _visible(request: Request) -> tuple[ZoneState, str, Party, CensusReturn]:
    state, zone, party = caller(request)
    return_id = request.path_params["return_id"]

    def step() -> CensusReturn | None:
        with state.store.transaction() as tx:
            return tx.census_return(zone, return_id)

    found = await run_step(step)
    if found is None or not census.may_see_return(party, found):
        raise ApiError(404, "not-found", f"no census return {return_id} that {party.id} may see")
    return state, zone, party, found


async def show(request: Request) -> Response:
    """One return version (a draft shows the LA and the DfE only that it is pending)."""
    _, _, party, found = await _visible(request)
    return json_reply(describe(found, full=census.may_see_content(party, found)))


async def objects(request: Request) -> Response:
    """A return's snapshot, for the school, or for the LA and the DfE once it is approved."""
    state, zone, party, found = await _visible(request)
    if not census.may_see_content(party, found):
        raise ApiError(
            403,
            "not-approved",
            f"version {found.version} of this return is a draft: {party.id} receives it once "
            "the school approves it",
        )

    def step() -> list[SnapshotObject]:
        with state.store.transaction() as tx:
            taken: list[SnapshotObject] = tx.census_objects(zone, found.return_id)
            tx.audit(
                zone,
                party.id,
                "query",
                None,
                [o.ref_id for o in taken],
                f"census return {found.return_id}",
            )
            return taken

    taken = await run_step(step)
    return json_reply(
        {
            "returnId": found.return_id,
            "objects": [
                {"objectType": o.object_type, "object": party.minimise(o.object_type, o.content)}
                for o in taken
            ],
        }
    )


async def approve(request: Request) -> Response:
    """Approve a draft: the school's button alone."""
    state, zone, party = caller(request)
    document = await json_body(request, state)
    expected = text_member(document, "contentHash")
    return_id = request.path_params["return_id"]

    def step() -> tuple[CensusReturn, list[str]]:
        with state.store.transaction() as tx:
            return census.approve(tx, state.policy, zone, party, return_id, expected_hash=expected)

    try:
        approved, receivers = await run_step(step)
    except ApiError as error:
        if error.status == 403:
            # Refused approvals are on record even though nothing else was stored.
            await store_call(
                state.store.record_audit,
                zone,
                party.id,
                "census-approve-refused",
                None,
                [],
                f"return {return_id}: {party.id} is not the school",
            )
        raise
    state.notifier.notify(zone, frozenset(receivers))
    return json_reply({**describe(approved, full=True), "deliveredTo": receivers})


async def funding(request: Request) -> Response:
    """The funding summary of a collection: approved returns only."""
    state, zone, party = caller(request)
    collection = request.query_params.get("collection")
    if not collection:
        raise ApiError(400, "bad-request", "give the collection: ?collection=Spring 2025")

    def step() -> dict[str, Any]:
        with state.store.transaction() as tx:
            return funding_summary(
                party, collection, tx.census_returns(zone, collection=collection)
            )

    return json_reply(await run_step(step))
