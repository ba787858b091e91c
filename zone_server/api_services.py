"""Service requests: a consumer asks a named service; the provider answers through the zone.

- ``POST .../services/{service}/requests`` (``create`` on the service): the JSON body goes on the
  provider's queue as a ``request`` message; 202 with the ``requestId``.
- ``POST .../services/{service}/requests/{requestId}/response`` (the provider only): the JSON
  body goes on the requester's queue as a ``response`` message, correlated by ``requestId``.
- ``GET .../services/{service}/requests/{requestId}`` (requester or provider): its status.

An answer to a ULN request the zone made for a school (``POST .../uln-requests``) must be
shaped as :mod:`zone_server.workflows.uln` documents; the ULNs it gives are set on the school's
learners in the same transaction.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from sif_core.errors import CodecError
from zone_server.render import iso_time
from zone_server.store import ServiceRequest, Store
from zone_server.web import ApiError, caller, json_reply, read_body, store_call
from zone_server.wire import parse_json
from zone_server.workflows import WorkflowRefusal, uln

__all__ = ["answer_request", "request_status", "send_request"]


async def _json_object(request: Request, limit: int) -> dict[str, Any]:
    body = await read_body(request, limit)
    try:
        document = parse_json(body)
    except CodecError as error:
        raise ApiError(400, "malformed", str(error)) from None
    if not isinstance(document, dict):
        raise ApiError(400, "malformed", "a service request or response is a JSON object")
    return document


def _describe(found: ServiceRequest) -> dict[str, Any]:
    return {
        "requestId": found.request_id,
        "service": found.service,
        "requester": found.requester,
        "provider": found.provider,
        "status": found.status,
        "createdAt": iso_time(found.created_at),
        "answeredAt": iso_time(found.answered_at) if found.answered_at else None,
    }


async def send_request(request: Request) -> Response:
    """Route a request to the party providing the service."""
    state, zone, party = caller(request)
    service = request.path_params["service"]
    provider = state.policy.provider_of(zone, service)
    if provider is None:
        raise ApiError(404, "unknown-service", f"no party provides service {service!r} in {zone}")
    if not state.policy.may_request(party, service):
        raise ApiError(
            403,
            "forbidden",
            f"{party.id} may not send requests to {service}: it lacks the create right on it",
            right="create",
        )
    document = await _json_object(request, state.zone_file.server.max_body_bytes)

    def create() -> ServiceRequest:
        with state.store.transaction() as tx:
            created = tx.create_service_request(zone, service, party.id, provider.id, document)
            tx.audit(zone, party.id, "service-request", None, [], f"{service} {created.request_id}")
            return created

    created = await store_call(create)
    state.notifier.notify(zone, frozenset({provider.id}))
    return json_reply(_describe(created), status=202)


async def answer_request(request: Request) -> Response:
    """Store the provider's response and queue it for the requester."""
    state, zone, party = caller(request)
    document = await _json_object(request, state.zone_file.server.max_body_bytes)
    request_id = request.path_params["request_id"]
    service = request.path_params["service"]
    receivers: set[str] = set()

    def answer() -> ServiceRequest:
        with state.store.transaction() as tx:
            found = tx.service_request(zone, request_id)
            _check(found, service, request_id)
            assert found is not None
            if found.provider != party.id:
                raise ApiError(
                    403, "forbidden", f"only {found.provider} answers request {request_id}",
                    right="provide",
                )  # fmt: skip
            if found.status != "pending":
                raise ApiError(409, "already-answered", f"request {request_id} has its response")
            answer_to_uln = None
            if uln.is_uln_request(found):
                try:
                    answer_to_uln = uln.parse_answer(document)
                except WorkflowRefusal as error:
                    raise ApiError(400, "malformed", error.message) from None
            answered = tx.answer_service_request(zone, request_id, document)
            tx.audit(zone, party.id, "service-response", None, [], f"{service} {request_id}")
            if answer_to_uln is not None:
                receivers.update(uln.apply_answer(tx, state.policy, zone, answered, answer_to_uln))
            return answered

    answered = await store_call(answer)
    state.notifier.notify(zone, frozenset({answered.requester, *receivers}))
    return json_reply(_describe(answered))


async def request_status(request: Request) -> Response:
    """A request's status, for its requester or its provider."""
    state, zone, party = caller(request)
    request_id = request.path_params["request_id"]
    found = await store_call(_lookup, state.store, zone, request_id)
    _check(found, request.path_params["service"], request_id)
    assert found is not None
    if party.id not in (found.requester, found.provider):
        raise ApiError(404, "not-found", f"no request {request_id} of {party.id}")
    return json_reply(_describe(found))


def _lookup(store: Store, zone: str, request_id: str) -> ServiceRequest | None:
    return store.service_request(zone, request_id)


def _check(found: ServiceRequest | None, service: str, request_id: str) -> None:
    if found is None or found.service != service:
        raise ApiError(404, "not-found", f"no request {request_id} to service {service}")
