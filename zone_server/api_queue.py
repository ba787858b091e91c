"""A party's durable queue: ``GET .../queue?wait=SECONDS&max=N`` (or ``POST``, acknowledging
messages in the same request) and ``POST .../queue/ack``."""

from __future__ import annotations

import asyncio
import time
from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from sif_core.errors import CodecError
from sif_core.model import OBJECT_TYPES
from zone_server.acl import DIRECTORY_TYPES
from zone_server.render import AckOutcome, queue_reply
from zone_server.store import LeaseRequest
from zone_server.web import (
    ApiError,
    caller,
    json_body,
    json_reply,
    read_body,
    store_call,
    wants_xml,
)
from zone_server.wire import JSON_TYPE, XML_TYPE, parse_json

__all__ = ["AUDITED_TYPES", "MAX_WAIT_HEADER", "acknowledge", "read_queue"]

#: Deliveries of these types are written to the audit log (everything about people).
AUDITED_TYPES: Final = frozenset(OBJECT_TYPES) - DIRECTORY_TYPES
#: The reply header naming the longest ``wait`` this zone allows, in seconds.
MAX_WAIT_HEADER: Final = "maxWaitSeconds"
#: A lost wake-up (another process, an expired lease) is noticed within this many seconds.
_RECHECK_SECONDS: Final = 1.0
#: The longest ``linger`` a lease may ask for, in seconds (and never beyond its ``wait``).
_MAX_LINGER_SECONDS: Final = 5.0


def _number(request: Request, name: str, default: float, low: float, high: float) -> float:
    text = request.query_params.get(name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ApiError(400, "bad-request", f"{name} must be a number, not {text!r}") from None
    if not low <= value <= high:
        raise ApiError(400, "bad-request", f"{name} must be between {low:g} and {high:g}")
    return value


async def read_queue(request: Request) -> Response:
    """Lease up to ``max`` messages, waiting up to ``wait`` seconds for the first to arrive.

    Leased messages come back after the zone's lease time unless acknowledged. Each event's
    object is shown through the caller's profile. ``POST`` does the same after first
    acknowledging the messages its body names (``{"ack": ["12", "13"]}``), so a consumer's
    loop costs one request per batch; the reply then lists the ids ``acknowledged`` and those
    ``unknown``, as ``POST .../queue/ack`` does. Leases asked for at the same moment (the long
    polls one publish wakes) are served together (:mod:`zone_server.leasing`).

    ``linger`` (seconds, at most 5, never beyond ``wait``) trades a little latency for fewer
    requests: the zone waits that long before leasing, and again once a long poll is woken, so
    events published one at a time come in one reply. A queue whose last reply was full has a
    backlog and is leased at once.
    """
    state, zone, party = caller(request)
    settings = state.zone_file.server
    wait = _number(request, "wait", 0, 0, settings.max_wait_seconds)
    limit = int(_number(request, "max", 100, 1, 1000))
    linger = _number(request, "linger", 0, 0, min(settings.max_wait_seconds, _MAX_LINGER_SECONDS))
    ack: list[int] | None = None
    if request.method == "POST":
        document = await json_body(request, state)
        ack = _message_ids(document.get("ack", []), 'send {"ack": ["12", ...]}')
    deadline = time.monotonic() + wait
    wake = state.notifier.event(zone, party.id)
    acknowledged: AckOutcome | None = None
    linger = min(linger, wait)
    backlog = state.leases.backlog
    if linger and (zone, party.id) not in backlog:
        # Let messages published one at a time gather, to go in this one reply.
        await asyncio.sleep(linger)
    while True:
        wake.clear()
        outcome = await state.leases.lease(
            LeaseRequest(
                zone,
                party.id,
                limit=limit,
                lease_seconds=settings.lease_seconds,
                audited_types=AUDITED_TYPES,
                ack=tuple(ack) if ack and acknowledged is None else (),
            )
        )
        if ack is not None and acknowledged is None:
            acknowledged = _outcome(ack, outcome.acknowledged)
        messages = outcome.messages
        remaining = deadline - time.monotonic()
        if messages or remaining <= 0:
            break
        try:
            await asyncio.wait_for(wake.wait(), timeout=min(remaining, _RECHECK_SECONDS))
        except TimeoutError:
            continue
        if linger:  # woken by a first message: let more gather
            await asyncio.sleep(max(0.0, min(linger, deadline - time.monotonic())))
    if len(messages) >= limit:
        backlog.add((zone, party.id))
    else:
        backlog.discard((zone, party.id))
    xml = wants_xml(request)
    return Response(
        queue_reply(party, messages, xml=xml, acknowledged=acknowledged),
        200,
        {"messageCount": str(len(messages)), MAX_WAIT_HEADER: f"{settings.max_wait_seconds:g}"},
        media_type=XML_TYPE if xml else JSON_TYPE,
    )


def _message_ids(ids: object, hint: str) -> list[int]:
    """Message ids (digit strings or integers), sorted and without repeats; 400 otherwise."""
    if not isinstance(ids, list) or not all(
        isinstance(i, str | int) and not isinstance(i, bool) and str(i).isdigit() for i in ids
    ):
        raise ApiError(400, "malformed", hint)
    return sorted({int(i) for i in ids})


def _outcome(wanted: list[int], removed: list[int]) -> AckOutcome:
    gone = set(removed)
    return [str(i) for i in removed], [str(i) for i in wanted if i not in gone]


async def acknowledge(request: Request) -> Response:
    """Remove delivered messages: body ``{"messageIds": ["12", "13"]}``.

    Replies with the ids removed and those that were not (not this party's, never delivered,
    or acknowledged already).
    """
    state, zone, party = caller(request)
    body = await read_body(request, state.zone_file.server.max_body_bytes)
    try:
        document = parse_json(body)
    except CodecError as error:
        raise ApiError(400, "malformed", str(error)) from None
    ids = document.get("messageIds") if isinstance(document, dict) else None
    wanted = _message_ids(ids, 'send {"messageIds": ["12", ...]}')
    removed = await store_call(state.store.ack, zone, party.id, wanted)
    acknowledged, unknown = _outcome(wanted, removed)
    return json_reply({"acknowledged": acknowledged, "unknown": unknown})
