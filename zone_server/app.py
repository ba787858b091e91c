"""The zone's Starlette application: its routes, its errors and its (personal-data-free) log."""

from __future__ import annotations

import contextlib
import logging
import re
import time
import traceback
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sif_core.model import COLLECTIONS
from zone_server import api_admin, api_events, api_objects, api_queue, api_services
from zone_server.acl import AccessPolicy
from zone_server.api_workflows import workflow_routes
from zone_server.auth import Authenticator
from zone_server.config import ZoneFile
from zone_server.openapi import openapi_document
from zone_server.store import Store
from zone_server.web import ApiError, ZoneState, error_reply, json_reply, state_of, store_call

__all__ = ["create_app"]

logger = logging.getLogger("zone_server")
_PLAIN_NAME = re.compile(r"^[a-z0-9][a-z0-9\-]{0,62}$")


def _loggable_path(scope: Scope) -> str:
    """The route that served a request, with only names that cannot be personal data filled in.

    A client may put anything in a path (a UPN by mistake), so the log shows the route template;
    the zone, a known collection and a service name are filled in, RefIds and the rest are not.
    """
    route = scope.get("route")
    template = getattr(route, "path", None)
    if not isinstance(template, str):
        return "(no route)"
    params = scope.get("path_params", {})
    for name, value in params.items():
        if (name in ("zone", "service") and _PLAIN_NAME.match(str(value))) or (
            name == "collection" and value in COLLECTIONS
        ):
            template = template.replace("{" + name + "}", str(value))
    return template


class _SafeLog:
    """Logs one line per request (method, route, status, time, party) and turns any unexpected
    error into a 500 whose log names only the exception type and code lines, never its message
    (messages of validation errors can quote personal data)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500, "sent": False}

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                status["sent"] = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as error:
            frames = "".join(traceback.format_tb(error.__traceback__))
            logger.error("internal error: %s raised at\n%s", type(error).__name__, frames)
            if not status["sent"]:
                message = "the zone hit an internal error; it is logged, nothing was half-stored"
                reply = error_reply(ApiError(500, "internal-error", message))
                await reply(scope, receive, watch)
        finally:
            logger.info(
                "%s %s %s %.1fms party=%s",
                scope["method"],
                _loggable_path(scope),
                status["code"],
                (time.perf_counter() - started) * 1000,
                scope.get("sif.party", "-"),
            )


async def _api_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)
    return error_reply(error)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    code = {404: "not-found", 405: "method-not-allowed"}.get(error.status_code, "error")
    return error_reply(ApiError(error.status_code, code, f"{error.detail}: {request.url.path}"))


async def _health(request: Request) -> Response:
    state = state_of(request)
    markers = {
        zone: await store_call(state.store.marker, zone) for zone in sorted(state.policy.zones)
    }
    # The longest long poll is public, so clients can keep within it without a refusal.
    wait = state.zone_file.server.max_wait_seconds
    return json_reply({"status": "ok", "zones": markers, "maxWaitSeconds": wait})


async def _openapi(request: Request) -> Response:
    return json_reply(openapi_document())


def create_app(zone_file: ZoneFile, store: Store) -> Starlette:
    """The zone application over ``store``; the application closes the store when it stops."""
    policy = AccessPolicy(zone_file)
    state = ZoneState(
        zone_file=zone_file,
        policy=policy,
        store=store,
        authenticator=Authenticator(policy, max_age_seconds=zone_file.server.hmac_max_age_seconds),
    )
    zone = "/api/zones/{zone}"
    routes = [
        Route("/healthz", _health),
        Route("/openapi.json", _openapi),
        Route(f"{zone}/events", api_events.publish_events, methods=["POST"]),
        Route(f"{zone}/queue", api_queue.read_queue, methods=["GET", "POST"]),
        Route(f"{zone}/queue/ack", api_queue.acknowledge, methods=["POST"]),
        Route(f"{zone}/services/{{service}}/requests", api_services.send_request, methods=["POST"]),
        Route(f"{zone}/services/{{service}}/requests/{{request_id}}", api_services.request_status),
        Route(
            f"{zone}/services/{{service}}/requests/{{request_id}}/response",
            api_services.answer_request,
            methods=["POST"],
        ),
        *workflow_routes(zone),
        Route(f"{zone}/admin/queues", api_admin.queues),
        Route(f"{zone}/admin/audit", api_admin.audit_log),
        Route(f"{zone}/{{collection}}", api_objects.query_objects),
        Route(f"{zone}/{{collection}}/{{ref_id}}", api_objects.get_object),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            store.close()

    handlers: dict[Any, Any] = {ApiError: _api_error, HTTPException: _http_error}
    app = Starlette(
        routes=routes,
        middleware=[Middleware(_SafeLog)],
        exception_handlers=handlers,
        lifespan=lifespan,
    )
    app.state.zone = state
    return app
