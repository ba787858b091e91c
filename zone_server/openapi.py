"""The zone's OpenAPI 3.1 document, served at ``/openapi.json``.

Object schemas are generated from the pydantic models (through the codec's JSON Schema export);
the envelopes around them are described here, and the tests check real replies against them.
"""

from __future__ import annotations

import functools
from typing import Any

from sif_core import __version__
from sif_core.model import OBJECT_TYPES
from zone_server.openapi_workflows import workflow_paths, workflow_schemas
from zone_server.wire import object_schemas

__all__ = ["openapi_document"]

_REF = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _string(description: str = "") -> dict[str, Any]:
    return {"type": "string", **({"description": description} if description else {})}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _envelopes() -> dict[str, Any]:
    any_object = {"oneOf": [_ref(name) for name in OBJECT_TYPES]}
    action = {"enum": ["add", "change", "delete"]}
    object_type = {"enum": list(OBJECT_TYPES)}
    return {
        "Event": _object(
            {
                "action": action,
                "objectType": object_type,
                "refId": _string("the RefId (required for a delete without object)"),
                "object": any_object,
            },
            ["action", "objectType"],
        ),
        "EventBatch": _object(
            {"events": {"type": "array", "items": _ref("Event"), "minItems": 1}}, ["events"]
        ),
        "PublishReply": _object(
            {
                "events": {
                    "type": "array",
                    "items": _object(
                        {
                            "eventId": _string(),
                            "action": action,
                            "objectType": object_type,
                            "refId": _string(),
                        }
                    ),
                },
                "changesSinceMarker": _string(),
            },
            ["events", "changesSinceMarker"],
        ),
        "QueueMessage": _object(
            {
                "messageId": _string("acknowledge with this id"),
                "kind": {"enum": ["event", "request", "response"]},
                "deliveryCount": {"type": "integer", "minimum": 1},
                "leaseExpires": _string("when the message comes back unless acknowledged"),
                "event": _object(
                    {
                        "eventId": _string(),
                        "action": action,
                        "objectType": object_type,
                        "refId": _string(),
                        "publisher": _string(),
                        "publishedAt": _string(),
                        "object": {
                            "type": "object",
                            "description": "the object through the receiver's profile",
                        },
                    }
                ),
                "request": {"type": "object"},
                "response": {"type": "object"},
            },
            ["messageId", "kind", "deliveryCount", "leaseExpires"],
        ),
        "QueueReply": _object(
            {
                "messages": {"type": "array", "items": _ref("QueueMessage")},
                "acknowledged": {
                    "type": "array",
                    "items": _string(),
                    "description": "POST only: the ids of ack removed",
                },
                "unknown": {
                    "type": "array",
                    "items": _string(),
                    "description": "POST only: the ids of ack not removed (not leased to the "
                    "caller, or acknowledged already)",
                },
            },
            ["messages"],
        ),
        "LeaseAck": _object(
            {
                "ack": {
                    "type": "array",
                    "items": _string(),
                    "description": "message ids to acknowledge before leasing",
                }
            }
        ),
        "Health": _object(
            {
                "status": {"enum": ["ok"]},
                "zones": {"type": "object", "description": "each zone's changes-since marker"},
                "maxWaitSeconds": {
                    "type": "number",
                    "description": "the longest long poll (queue wait) the zone allows",
                },
            },
            ["status", "zones", "maxWaitSeconds"],
        ),
        "Ack": _object({"messageIds": {"type": "array", "items": _string()}}, ["messageIds"]),
        "AckReply": _object(
            {
                "acknowledged": {"type": "array", "items": _string()},
                "unknown": {"type": "array", "items": _string()},
            }
        ),
        "ServiceRequestStatus": _object(
            {
                "requestId": _string(),
                "service": _string(),
                "requester": _string(),
                "provider": _string(),
                "status": {"enum": ["pending", "answered"]},
                "createdAt": _string(),
                "answeredAt": {"type": ["string", "null"]},
            }
        ),
        "Error": _object(
            {
                "error": _object(
                    {
                        "status": {"type": "integer"},
                        "code": _string(),
                        "message": _string("what is wrong and what to do"),
                        "right": _string("the missing right (403)"),
                        "events": {
                            "type": "array",
                            "description": "each refused event and its problems (422)",
                        },
                    },
                    ["status", "code", "message"],
                )
            },
            ["error"],
        ),
    }


def _reply(description: str, schema: str | None = None) -> dict[str, Any]:
    reply: dict[str, Any] = {"description": description}
    if schema is not None:
        reply["content"] = {"application/json": {"schema": _ref(schema)}}
    return reply


_ERRORS = {
    "400": _reply("malformed request", "Error"),
    "401": _reply("no valid credentials", "Error"),
    "403": _reply("a right is missing (named) or outside the caller's scope", "Error"),
    "404": _reply("unknown zone, object type or object", "Error"),
}


def _parameter(name: str, where: str, description: str, schema: Any = None) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema or {"type": "string"},
    }


_ZONE = _parameter("zone", "path", "the zone id")


def _paths() -> dict[str, Any]:
    zone = "/api/zones/{zone}"
    bodies = {
        "application/json": {"schema": _ref("EventBatch")},
        "application/xml": {"schema": {"type": "string", "description": "<events> document"}},
    }
    collection_params = [
        _ZONE,
        _parameter("collection", "path", "a collection: " + ", ".join(
            cls.collection_name for cls in OBJECT_TYPES.values()
        )),
        _parameter("navigationPage", "query", "page number, the first is 1", {"type": "integer"}),
        _parameter("navigationPageSize", "query", "page size, at most 1000", {"type": "integer"}),
        _parameter("navigationId", "query", "the previous page's navigationId: this page "
                   "continues from it (no recount)"),
        _parameter("upn", "query", "only learners with this UPN"),
        _parameter("localId", "query", "only objects with this LocalId"),
        _parameter("school", "query", "only objects of this school (7-digit LAESTAB)"),
        _parameter("changesSinceMarker", "query", "only what changed after this marker"),
    ]  # fmt: skip
    queue_params = [
        _ZONE,
        _parameter(
            "wait",
            "query",
            "seconds, at most the zone's maxWaitSeconds (/healthz)",
            {"type": "number"},
        ),
        _parameter("max", "query", "most messages", {"type": "integer"}),
        _parameter(
            "linger",
            "query",
            "seconds (at most 5, never more than wait) to let messages gather before leasing "
            "and after a long poll is woken, so single events come in batches",
            {"type": "number"},
        ),
    ]
    leased = _reply("leased messages", "QueueReply")
    leased["headers"] = {
        "messageCount": {"schema": {"type": "integer"}},
        "maxWaitSeconds": {
            "description": "the longest wait this zone allows",
            "schema": {"type": "number"},
        },
    }
    return {
        "/healthz": {"get": {"summary": "Liveness and store check", "security": [],
                             "responses": {"200": _reply("the zone is up", "Health")}}},
        f"{zone}/events": {"post": {
            "summary": "Publish a batch of events (one transaction)",
            "parameters": [_ZONE, _parameter("Idempotency-Key", "header", "retry safely")],
            "requestBody": {"required": True, "content": bodies},
            "responses": {"200": _reply("stored and fanned out", "PublishReply"), **_ERRORS,
                          "409": _reply("idempotency key reused", "Error"),
                          "413": _reply("body over the limit", "Error"),
                          "422": _reply("objects with problems; nothing stored", "Error")},
        }},
        f"{zone}/queue": {"get": {
            "summary": "Lease messages from the caller's queue (long poll)",
            "parameters": queue_params,
            "responses": {"200": leased, **_ERRORS},
        }, "post": {
            "summary": "Acknowledge the messages named, then lease (long poll): one request "
                       "per batch for a consumer",
            "parameters": queue_params,
            "requestBody": {"required": False,
                            "content": {"application/json": {"schema": _ref("LeaseAck")}}},
            "responses": {"200": leased, **_ERRORS},
        }},
        f"{zone}/queue/ack": {"post": {
            "summary": "Acknowledge delivered messages",
            "parameters": [_ZONE],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": _ref("Ack")}}},
            "responses": {"200": _reply("removed", "AckReply"), **_ERRORS},
        }},
        f"{zone}/services/{{service}}/requests": {"post": {
            "summary": "Send a request to the party providing a service",
            "parameters": [_ZONE, _parameter("service", "path", "the service name")],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"type": "object"}}}},
            "responses": {"202": _reply("queued for the provider", "ServiceRequestStatus"),
                          **_ERRORS},
        }},
        f"{zone}/services/{{service}}/requests/{{requestId}}": {"get": {
            "summary": "A request's status (requester or provider)",
            "parameters": [_ZONE, _parameter("service", "path", "the service"),
                           _parameter("requestId", "path", "the request")],
            "responses": {"200": _reply("status", "ServiceRequestStatus"), **_ERRORS},
        }},
        f"{zone}/services/{{service}}/requests/{{requestId}}/response": {"post": {
            "summary": "Answer a request (the provider); queued for the requester",
            "parameters": [_ZONE, _parameter("service", "path", "the service"),
                           _parameter("requestId", "path", "the request")],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"type": "object"}}}},
            "responses": {"200": _reply("answered", "ServiceRequestStatus"), **_ERRORS,
                          "409": _reply("already answered", "Error")},
        }},
        **workflow_paths(zone, _ZONE, _ERRORS),
        f"{zone}/admin/queues": {"get": {
            "summary": "Queue depth and oldest message age per party (admin)",
            "parameters": [_ZONE], "responses": {"200": _reply("queues"), **_ERRORS}}},
        f"{zone}/admin/audit": {"get": {
            "summary": "The audit log (admin)",
            "parameters": [_ZONE, _parameter("after", "query", "entries after this id"),
                           _parameter("party", "query", "one party's entries"),
                           _parameter("limit", "query", "at most (1-1000)")],
            "responses": {"200": _reply("entries"), **_ERRORS}}},
        f"{zone}/{{collection}}": {"get": {
            "summary": "Query objects (SIF 3 paging, filters, changes since a marker)",
            "parameters": collection_params,
            "responses": {"200": {"description": "a page; see the navigation* headers",
                                  "content": {"application/json": {"schema": {"type": "object"}},
                                              "application/xml": {"schema": {"type": "string"}}}},
                          **_ERRORS},
        }},
        f"{zone}/{{collection}}/{{refId}}": {"get": {
            "summary": "One object by RefId",
            "parameters": [*collection_params[:2], _parameter("refId", "path", "the RefId")],
            "responses": {"200": _reply("the object"), **_ERRORS},
        }},
    }  # fmt: skip


@functools.cache
def openapi_document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "sifbridge zone",
            "version": __version__,
            "description": "Events, durable queues, queries and service requests between "
            "schools, local authorities, the DfE and services, and the workflows built on them "
            "(transfers, lost pupils, dual registration, ULN requests, census returns). Bodies "
            "are SIF JSON (Goessner notation) or SIF XML.",
        },
        "security": [{"bearer": []}, {"sifHmac": []}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "sifHmac": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "SIF_HMACSHA256 base64(partyId:base64(HMAC-SHA256(sha256("
                    "token), partyId:timestamp))) with a timestamp header",
                },
            },
            "schemas": {**object_schemas(), **_envelopes(), **workflow_schemas()},
        },
    }
