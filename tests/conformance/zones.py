"""Zones for the zone suite: our own (`sif zone serve` in a subprocess) and broken ones.

A broken zone is our zone's application wrapped in middleware that breaks one behaviour, served
by uvicorn in a thread on a real port; the kit reaches both only over HTTP.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sif_core.conformance.zone_config import KitConfig, create_kit_config, zone_fragment
from zone_server.app import create_app
from zone_server.config import load_zone_file
from zone_server.store.sqlite import SQLiteStore

from ..zone.server import ZoneServer
from ..zone.zonefile import write_zone

ZONE = "north"


def kit_for(folder: Path) -> KitConfig:
    """A kit configuration with fresh tokens for the tests' zone, whose lease is one second."""
    return create_kit_config(
        folder / "kit.toml", zone=ZONE, lease_wait=6, delivery_wait=3, settle=0.2
    )


@contextmanager
def own_zone(folder: Path, kit: KitConfig) -> Iterator[str]:
    """Our zone, as `sif zone serve` runs it, with the kit's parties added; yields its URL."""
    server = ZoneServer(folder, lease_seconds=1)
    with server.config.open("a", encoding="utf-8") as stream:
        stream.write(zone_fragment(kit))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


Middleware = Callable[[ASGIApp], ASGIApp]


@contextmanager
def served(
    folder: Path, kit: KitConfig, middleware: Middleware, fragment: str = ""
) -> Iterator[str]:
    """Our zone's application wrapped in ``middleware``, on a real port; yields its URL."""
    config = write_zone(folder, lease_seconds=1)
    with config.open("a", encoding="utf-8") as stream:
        stream.write(fragment or zone_fragment(kit))
    zone_file = load_zone_file(config)
    app = middleware(create_app(zone_file, SQLiteStore(folder / "zone.db")))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the broken zone did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()


def _header(scope: Scope, name: bytes) -> bytes | None:
    return next((v for k, v in scope["headers"] if k == name), None)


def _with_header(scope: Scope, name: bytes, value: bytes | None) -> Scope:
    headers = [(k, v) for k, v in scope["headers"] if k != name]
    if value is not None:
        headers.append((name, value))
    return {**scope, "headers": headers}


def _bearer(kit: KitConfig, role: str) -> bytes:
    return f"Bearer {kit.party(role).token}".encode()


class _Rewrite:
    """Middleware that may change each HTTP request's scope and each JSON reply's body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def request(self, scope: Scope) -> Scope:
        return scope

    def reply(self, scope: Scope, body: Any) -> Any:
        return body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = self.request(scope)
        start: Message = {}
        chunks: list[bytes] = []

        async def hold(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            if body and start["status"] == 200:
                body = json.dumps(self.reply(scope, json.loads(body))).encode()
            headers = [(k, v) for k, v in start["headers"] if k != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, hold)


def _is_queue(scope: Scope) -> bool:
    return str(scope["path"]).endswith("/queue") and scope["method"] == "GET"


def lets_strangers_in(kit: KitConfig) -> Middleware:
    """ZON-1: a request without credentials is taken as the reader's."""

    class Broken(_Rewrite):
        def request(self, scope: Scope) -> Scope:
            if _header(scope, b"authorization") is None:
                return _with_header(scope, b"authorization", _bearer(kit, "reader"))
            return scope

    return Broken


def lets_the_reader_publish(kit: KitConfig) -> Middleware:
    """ZON-2: the reader's publishes are taken as the school's."""

    class Broken(_Rewrite):
        def request(self, scope: Scope) -> Scope:
            if scope["method"] == "POST" and _header(scope, b"authorization") == _bearer(
                kit, "reader"
            ):
                return _with_header(scope, b"authorization", _bearer(kit, "school"))
            return scope

    return Broken


def lets_schools_read_each_other(kit: KitConfig) -> Middleware:
    """ZON-3: the other school's queries are answered as the school's."""

    class Broken(_Rewrite):
        def request(self, scope: Scope) -> Scope:
            other = _header(scope, b"authorization") == _bearer(kit, "other_school")
            if other and scope["method"] == "GET" and "/queue" not in scope["path"]:
                return _with_header(scope, b"authorization", _bearer(kit, "school"))
            return scope

    return Broken


def _messages(scope: Scope, body: Any, keep: Callable[[dict[str, Any]], bool]) -> Any:
    if _is_queue(scope) and isinstance(body, dict) and "messages" in body:
        return {**body, "messages": [m for m in body["messages"] if keep(m)]}
    return body


def loses_enrolments_for_the_app(kit: KitConfig) -> Middleware:
    """ZON-4: the app's queue replies leave out enrolment events."""

    class Broken(_Rewrite):
        def reply(self, scope: Scope, body: Any) -> Any:
            if _header(scope, b"authorization") != _bearer(kit, "app"):
                return body
            return _messages(
                scope,
                body,
                lambda m: m.get("event", {}).get("objectType") != "LearnerSchoolEnrolment",
            )

    return Broken


def never_redelivers(kit: KitConfig) -> Middleware:
    """ZON-5: queue replies leave out messages delivered before."""

    class Broken(_Rewrite):
        def reply(self, scope: Scope, body: Any) -> Any:
            return _messages(scope, body, lambda m: m.get("deliveryCount", 1) == 1)

    return Broken


def forgets_idempotency_keys(kit: KitConfig) -> Middleware:
    """ZON-6: the Idempotency-Key header never reaches the zone."""

    class Broken(_Rewrite):
        def request(self, scope: Scope) -> Scope:
            return _with_header(scope, b"idempotency-key", None)

    return Broken


def reverses_queue_replies(kit: KitConfig) -> Middleware:
    """ZON-7: each queue reply lists its messages last first."""

    class Broken(_Rewrite):
        def reply(self, scope: Scope, body: Any) -> Any:
            if _is_queue(scope) and isinstance(body, dict) and "messages" in body:
                return {**body, "messages": body["messages"][::-1]}
            return body

    return Broken


def _without_parameter(scope: Scope, name: str) -> Scope:
    query = parse_qsl(scope["query_string"].decode())
    kept = urlencode([(k, v) for k, v in query if k != name]).encode()
    return {**scope, "query_string": kept}


def always_serves_page_one(kit: KitConfig) -> Middleware:
    """ZON-8: navigationPage is ignored."""

    class Broken(_Rewrite):
        def request(self, scope: Scope) -> Scope:
            return _without_parameter(scope, "navigationPage")

    return Broken


def ignores_change_markers(kit: KitConfig) -> Middleware:
    """ZON-9: changesSinceMarker is ignored."""

    class Broken(_Rewrite):
        def request(self, scope: Scope) -> Scope:
            return _without_parameter(scope, "changesSinceMarker")

    return Broken


def as_it_is(kit: KitConfig) -> Middleware:
    """Nothing broken (with a zone file that leaves out the app's profile, for ZON-10)."""
    return lambda app: app


def without_the_apps_profile(kit: KitConfig) -> str:
    """ZON-10: the kit's fragment with the app's profile left out."""
    return zone_fragment(kit).replace('profile = "sif-kit-minimal"\n', "")


#: By clause: how the zone is broken, and the zone file fragment to use (default: the kit's).
BROKEN_ZONES: dict[str, tuple[Callable[[KitConfig], Middleware], Callable[[KitConfig], str]]] = {
    "ZON-1": (lets_strangers_in, zone_fragment),
    "ZON-2": (lets_the_reader_publish, zone_fragment),
    "ZON-3": (lets_schools_read_each_other, zone_fragment),
    "ZON-4": (loses_enrolments_for_the_app, zone_fragment),
    "ZON-5": (never_redelivers, zone_fragment),
    "ZON-6": (forgets_idempotency_keys, zone_fragment),
    "ZON-7": (reverses_queue_replies, zone_fragment),
    "ZON-8": (always_serves_page_one, zone_fragment),
    "ZON-9": (ignores_change_markers, zone_fragment),
    "ZON-10": (as_it_is, without_the_apps_profile),
}
