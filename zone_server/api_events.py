"""``POST /api/zones/{zone}/events``: a provider publishes a batch of events."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from zone_server.acl import Forbidden
from zone_server.envelope import BadEnvelope, read_events
from zone_server.publishing import EventProblem, IdempotencyConflict, ReferenceProblems, publish
from zone_server.web import (
    ApiError,
    body_is_xml,
    caller,
    forbidden,
    json_reply,
    read_body,
    store_call,
)

__all__ = ["publish_events"]

_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


async def publish_events(request: Request) -> Response:
    """Check rights, scope and every object, then store and fan out in one transaction.

    Replies 200 with the event ids (the same ids again for a retry with the same
    ``Idempotency-Key``), 400 for a malformed batch, 403 naming a missing right or the scope
    broken, 409 for a key reused with other content, 413 for a body over the limit and 422
    listing each object's problems. Nothing is stored unless the reply is 200.
    """
    state, zone, party = caller(request)
    key = request.headers.get("idempotency-key")
    if key is not None and not _KEY.match(key):
        raise ApiError(400, "bad-request", "Idempotency-Key is 1 to 200 printable ASCII characters")
    xml = body_is_xml(request)
    body = await read_body(request, state.zone_file.server.max_body_bytes)
    try:
        events, problems = read_events(body, xml=xml)
    except BadEnvelope as error:
        raise ApiError(400, "malformed", str(error)) from None
    try:
        for event in events:
            state.policy.require_event_right(party, event.action, event.object_type)
    except Forbidden as error:
        raise forbidden(error) from None
    if problems:
        raise _unprocessable(problems)
    request_hash = hashlib.sha256((b"xml" if xml else b"json") + b"\0" + body).hexdigest()
    try:
        outcome = await store_call(
            publish,
            state.store,
            state.policy,
            zone,
            party,
            events,
            idempotency_key=key,
            request_hash=request_hash,
            dual_registration_window=state.zone_file.server.dual_registration_window_seconds,
            idempotency_seconds=state.zone_file.server.idempotency_days * 86400,
        )
    except Forbidden as error:
        raise forbidden(error) from None
    except ReferenceProblems as error:
        raise _unprocessable(error.problems) from None
    except IdempotencyConflict as error:
        raise ApiError(409, "idempotency-conflict", str(error)) from None
    state.notifier.notify(zone, outcome.recipients)
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else {}
    return json_reply(outcome.reply, headers=headers)


def _unprocessable(problems: Sequence[EventProblem]) -> ApiError:
    by_event: dict[int, dict[str, Any]] = {}
    for problem in problems:
        entry = by_event.setdefault(
            problem.index,
            {
                "index": problem.index,
                "objectType": problem.object_type,
                "refId": problem.ref_id,
                "problems": [],
            },
        )
        entry["problems"].append({"field": problem.field, "message": problem.message})
    return ApiError(
        422,
        "invalid-objects",
        f"{len(by_event)} event(s) cannot be accepted; nothing was stored",
        events=[by_event[index] for index in sorted(by_event)],
    )
