"""A party's durable queue: ``GET .../queue?wait=SECONDS&max=N`` and ``POST .../queue/ack``."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from sif_core.errors import CodecError
from sif_core.model import OBJECT_TYPES
from zone_server.acl import DIRECTORY_TYPES
from zone_server.render import queue_reply
from zone_server.web import ApiError, caller, json_reply, read_body, store_call, wants_xml
from zone_server.wire import JSON_TYPE, XML_TYPE, parse_json

__all__ = ["AUDITED_TYPES", "acknowledge", "read_queue"]

#: Deliveries of these types are written to the audit log (everything about people).
AUDITED_TYPES: Final = frozenset(OBJECT_TYPES) - DIRECTORY_TYPES
#: A lost wake-up (another process, an expired lease) is noticed within this many seconds.
_RECHECK_SECONDS: Final = 1.0


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
    object is shown through the caller's profile.
    """
    state, zone, party = caller(request)
    settings = state.zone_file.server
    wait = _number(request, "wait", 0, 0, settings.max_wait_seconds)
    limit = int(_number(request, "max", 100, 1, 1000))
    deadline = time.monotonic() + wait
    wake = state.notifier.event(zone, party.id)
    while True:
        wake.clear()
        messages = await store_call(
            state.store.lease,
            zone,
            party.id,
            limit=limit,
            lease_seconds=settings.lease_seconds,
            audited_types=AUDITED_TYPES,
        )
        remaining = deadline - time.monotonic()
        if messages or remaining <= 0:
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=min(remaining, _RECHECK_SECONDS))
    xml = wants_xml(request)
    return Response(
        queue_reply(party, messages, xml=xml),
        200,
        {"messageCount": str(len(messages))},
        media_type=XML_TYPE if xml else JSON_TYPE,
    )


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
    if not isinstance(ids, list) or not all(
        isinstance(i, str | int) and str(i).isdigit() for i in ids
    ):
        raise ApiError(400, "malformed", 'send {"messageIds": ["12", ...]}')
    wanted = sorted({int(i) for i in ids})
    removed = await store_call(state.store.ack, zone, party.id, wanted)
    return json_reply(
        {
            "acknowledged": [str(i) for i in removed],
            "unknown": [str(i) for i in wanted if i not in set(removed)],
        }
    )
