"""What every route shares: the zone's state, errors as HTTP replies, bodies, formats, callers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from sif_core.errors import CodecError
from zone_server.acl import AccessPolicy, Forbidden, Party
from zone_server.auth import Authenticator, Unauthorized
from zone_server.config import ZoneFile
from zone_server.leasing import LeaseBatcher
from zone_server.store import Store
from zone_server.wire import JSON_TYPE, XML_TYPE, dump_json, parse_json
from zone_server.workflows import WorkflowRefusal

__all__ = [
    "ApiError",
    "Notifier",
    "ZoneState",
    "caller",
    "error_reply",
    "json_body",
    "json_reply",
    "read_body",
    "run_step",
    "state_of",
    "store_call",
    "text_member",
    "wants_xml",
]

T = TypeVar("T")


class ApiError(Exception):
    """An error that becomes an HTTP reply: ``{"error": {"status", "code", "message", ...}}``."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra
        super().__init__(message)


def error_reply(error: ApiError) -> Response:
    """The JSON reply for ``error`` (errors are JSON whatever the request's format)."""
    body = {"error": {"status": error.status, "code": error.code, "message": error.message}}
    body["error"].update(error.extra)
    headers = {}
    if error.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="sif-zone", SIF_HMACSHA256 realm="sif-zone"'
    return Response(dump_json(body), error.status, headers, media_type=JSON_TYPE)


def json_reply(document: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON reply."""
    return Response(dump_json(document), status, headers, media_type=JSON_TYPE)


class Notifier:
    """Wakes long polls when a party's queue gains messages (within this server process)."""

    def __init__(self) -> None:
        self._events: dict[tuple[str, str], asyncio.Event] = {}

    def event(self, zone: str, party: str) -> asyncio.Event:
        """The event a long poll of ``party`` waits on."""
        return self._events.setdefault((zone, party), asyncio.Event())

    def notify(self, zone: str, parties: frozenset[str]) -> None:
        """Wake every long poll of ``parties``."""
        for party in parties:
            self.event(zone, party).set()


@dataclass
class ZoneState:
    """Everything the routes need, kept on the application."""

    zone_file: ZoneFile
    policy: AccessPolicy
    store: Store
    authenticator: Authenticator
    notifier: Notifier = field(default_factory=Notifier)
    leases: LeaseBatcher = field(init=False)

    def __post_init__(self) -> None:
        self.leases = LeaseBatcher(self.store)


def state_of(request: Request) -> ZoneState:
    """The zone state of the application serving ``request``."""
    state: ZoneState = request.app.state.zone
    return state


def caller(request: Request) -> tuple[ZoneState, str, Party]:
    """Authenticate the request and check its zone: ``(state, zone id, party)``.

    401 without valid credentials, 404 for an unknown zone, 403 for a zone the party is not in.
    """
    state = state_of(request)
    try:
        party = state.authenticator.authenticate(request.headers)
    except Unauthorized as error:
        raise ApiError(401, "unauthorized", str(error)) from None
    request.scope["sif.party"] = party.id
    zone = request.path_params["zone"]
    if zone not in state.policy.zones:
        raise ApiError(404, "unknown-zone", f"there is no zone {zone!r} on this server")
    if zone not in party.zones:
        raise ApiError(403, "not-a-member", f"{party.id} is not a member of zone {zone}")
    return state, zone, party


def forbidden(error: Forbidden) -> ApiError:
    """The 403 for an access-control refusal, naming the missing right when there is one."""
    extra = {"right": error.right} if error.right else {}
    return ApiError(403, "forbidden", error.message, **extra)


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ApiError(400, "bad-request", "Content-Length is not a number")
        if int(declared) > limit:
            raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        "too-large",
        f"the body is larger than this server's limit of {limit} bytes; send smaller batches",
    )


def body_is_xml(request: Request) -> bool:
    """True when the request body is SIF XML (else SIF JSON); 415 for other types."""
    media = request.headers.get("content-type", JSON_TYPE).split(";")[0].strip().lower()
    if media in ("application/xml", "text/xml"):
        return True
    if media in (JSON_TYPE, ""):
        return False
    raise ApiError(
        415, "unsupported-media-type", f"send {JSON_TYPE} (SIF JSON) or {XML_TYPE} (SIF XML)"
    )


def wants_xml(request: Request) -> bool:
    """True when the caller asks for SIF XML (``Accept: application/xml``)."""
    accept = request.headers.get("accept", "").lower()
    return ("application/xml" in accept or "text/xml" in accept) and JSON_TYPE not in accept


async def store_call(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a (blocking) store call in a worker thread."""
    return await run_in_threadpool(function, *args, **kwargs)


async def json_body(request: Request, state: ZoneState) -> dict[str, Any]:
    """The request's JSON object body; an empty body is ``{}`` (400 when it is not an object)."""
    body = await read_body(request, state.zone_file.server.max_body_bytes)
    try:
        document = parse_json(body) if body.strip() else {}
    except CodecError as error:
        raise ApiError(400, "malformed", str(error)) from None
    if not isinstance(document, dict):
        raise ApiError(400, "malformed", "the body is a JSON object")
    return document


def text_member(document: dict[str, Any], name: str, *, required: bool = False) -> str | None:
    """A text member of a JSON body; 400 naming it when missing (if required) or not text."""
    value = document.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, "malformed", f"{name} is required and is text")
    return value.strip()


async def run_step(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a (blocking) workflow step in a worker thread; its refusals become HTTP errors."""
    try:
        return await store_call(function, *args, **kwargs)
    except Forbidden as error:
        raise forbidden(error) from None
    except WorkflowRefusal as error:
        raise ApiError(error.status, error.code, error.message) from None
