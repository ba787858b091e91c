"""Zones broken on purpose in their workflows (ZON-11 census approval, ZON-12 transfer).

As in :mod:`tests.conformance.zones`, each is our zone's application wrapped in middleware that
breaks one behaviour; the kit reaches it over HTTP only, with both workflows claimed.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sif_core.conformance.zone_config import KitConfig

from .zones import Middleware, _bearer, _header, _Rewrite, _with_header


def _posted_to(scope: Scope, tail: str) -> bool:
    return scope["method"] == "POST" and str(scope["path"]).endswith(tail)


def _destination(scope: Scope, document: Any) -> object:
    """The destination of a transfer request, or ``None`` for any other request."""
    if _posted_to(scope, "/transfers") and isinstance(document, dict):
        return document.get("to")
    return None


class _RequestBody(_Rewrite):
    """Middleware that may also change the JSON body of each POST before the zone reads it."""

    def body(self, scope: Scope, document: Any) -> Any:
        return document

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await super().__call__(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        raw = b"".join(chunks)
        with contextlib.suppress(ValueError):  # not JSON: the zone answers it as it is
            raw = json.dumps(self.body(scope, json.loads(raw))).encode()
        scope = _with_header(scope, b"content-length", str(len(raw)).encode())
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": raw, "more_body": False}

        await super().__call__(scope, replay, send)


def lets_the_la_approve(kit: KitConfig) -> Middleware:
    """ZON-11: the LA's approvals are taken as the school's."""

    class Broken(_Rewrite):
        def request(self, scope: Scope) -> Scope:
            if _posted_to(scope, "/approve") and _header(scope, b"authorization") == _bearer(
                kit, "la"
            ):
                return _with_header(scope, b"authorization", _bearer(kit, "school"))
            return scope

    return Broken


def releases_drafts_at_once(kit: KitConfig) -> Middleware:
    """ZON-11: every return submitted is approved, as the school, before the reply goes out."""

    class Broken:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or not _posted_to(scope, "/census-returns"):
                await self.app(scope, receive, send)
                return
            held: list[Message] = []

            async def hold(message: Message) -> None:
                held.append(message)

            await self.app(scope, receive, hold)
            if held and held[0]["status"] == 201:
                reply = json.loads(b"".join(m.get("body", b"") for m in held[1:]))
                await self.approve(scope, str(reply["returnId"]))
            for message in held:
                await send(message)

        async def approve(self, scope: Scope, return_id: str) -> None:
            path = f"{scope['path']}/{return_id}/approve"
            inner = {
                **scope,
                "path": path,
                "raw_path": path.encode(),
                "query_string": b"",
                "headers": [
                    (b"authorization", _bearer(kit, "school")),
                    (b"content-type", b"application/json"),
                    (b"content-length", b"2"),
                ],
            }

            async def body() -> Message:
                return {"type": "http.request", "body": b"{}", "more_body": False}

            async def discard(message: Message) -> None:
                return None

            await self.app(inner, body, discard)

    return Broken


def sends_transfers_to_the_wrong_school(kit: KitConfig) -> Middleware:
    """ZON-12: a transfer to the other school goes to the third school."""

    class Broken(_RequestBody):
        def body(self, scope: Scope, document: Any) -> Any:
            if _destination(scope, document) == kit.laestab("other_school"):
                return {**document, "to": kit.laestab("third_school")}
            return document

    return Broken


def keeps_absent_destinations_as_lost(kit: KitConfig) -> Middleware:
    """ZON-12: a transfer to a school not in the zone is kept as a lost pupil (MMM)."""

    class Broken(_RequestBody):
        def body(self, scope: Scope, document: Any) -> Any:
            if _destination(scope, document) == kit.absent_laestab:
                return {**document, "to": "MMM"}
            return document

    return Broken


def lets_any_school_claim_lost_pupils(kit: KitConfig) -> Middleware:
    """ZON-12: the third school's claims are taken as the leaving school's, which still enrols
    the pupil (a zone that does not check who enrols the pupil)."""

    class Broken(_Rewrite):
        def request(self, scope: Scope) -> Scope:
            third = _header(scope, b"authorization") == _bearer(kit, "third_school")
            if third and _posted_to(scope, "/lost-pupils/claims"):
                return _with_header(scope, b"authorization", _bearer(kit, "school"))
            return scope

    return Broken


#: By name: the clause each breaks, and how.
WORKFLOW_BROKEN_ZONES: dict[str, tuple[str, Callable[[KitConfig], Middleware]]] = {
    "la-approves": ("ZON-11", lets_the_la_approve),
    "drafts-released": ("ZON-11", releases_drafts_at_once),
    "wrong-school": ("ZON-12", sends_transfers_to_the_wrong_school),
    "absent-destination-kept": ("ZON-12", keeps_absent_destinations_as_lost),
    "anyone-claims": ("ZON-12", lets_any_school_claim_lost_pupils),
}
