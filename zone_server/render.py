"""What the zone sends back: queue messages and object collections, in SIF JSON or SIF XML.

Every object passes through the receiving party's profile here, at the moment it leaves the zone,
so a profile change takes effect for messages already queued.

A queue reply in SIF JSON::

    {"messages": [
      {"messageId": "12", "kind": "event", "deliveryCount": 1, "leaseExpires": "...Z",
       "event": {"eventId": "7", "action": "change", "objectType": "LearnerPersonal",
                 "refId": "...", "publisher": "northgate", "publishedAt": "...Z",
                 "object": {"@RefId": "...", ...}}},
      {"messageId": "13", "kind": "request", ..., "request": {"requestId": "...",
       "service": "uln", "requester": "northgate", "body": {...}}},
      {"messageId": "14", "kind": "response", ..., "response": {"requestId": "...",
       "service": "uln", "provider": "lrs", "body": {...}}}
    ]}

In SIF XML each message is ``<message id kind deliveryCount leaseExpires>`` holding an
``<event id action objectType refId publisher publishedAt>`` with the object's element inside
(nothing for a delete), or a ``<request>``/``<response>`` whose ``<body>`` is the JSON text.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any

from sif_core.model import OBJECT_TYPES
from zone_server.acl import Party
from zone_server.store import QueueMessage, StoredEvent, StoredObject
from zone_server.wire import dump_json, dump_xml

__all__ = ["AckOutcome", "collection", "iso_time", "queue_reply", "single_object"]

#: The message ids an acknowledgement removed, and those it did not (as text).
AckOutcome = tuple[list[str], list[str]]


@functools.lru_cache(maxsize=4096)
def iso_time(moment: float) -> str:
    """A UTC time in ISO 8601 with a ``Z``."""
    # Cached: a queue reply names the same few times (one lease's expiry, a batch's
    # publication) on every message.
    return (
        dt.datetime.fromtimestamp(moment, dt.UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def _event(party: Party | None, event: StoredEvent, *, with_object: bool = True) -> dict[str, Any]:
    """The event as ``party`` may see it (``None``: as it is), its object left out unless
    ``with_object``."""
    document: dict[str, Any] = {
        "eventId": str(event.event_id),
        "action": event.action,
        "objectType": event.object_type,
        "refId": event.ref_id,
        "publisher": event.publisher,
        "publishedAt": iso_time(event.published_at),
    }
    if with_object and event.content is not None:
        content = event.content
        document["object"] = (
            content if party is None else party.minimise(event.object_type, content)
        )
    return document


def _message(
    party: Party | None, message: QueueMessage, *, with_object: bool = True
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "messageId": str(message.message_id),
        "kind": message.kind,
        "deliveryCount": message.delivery_count,
        "leaseExpires": iso_time(message.leased_until),
    }
    request = message.service_request
    if message.event is not None:
        document["event"] = _event(party, message.event, with_object=with_object)
    elif request is not None and message.kind == "request":
        document["request"] = {
            "requestId": request.request_id,
            "service": request.service,
            "requester": request.requester,
            "createdAt": iso_time(request.created_at),
            "body": request.request,
        }
    elif request is not None:
        document["response"] = {
            "requestId": request.request_id,
            "service": request.service,
            "provider": request.provider,
            "answeredAt": iso_time(request.answered_at or request.created_at),
            "body": request.response,
        }
    return document


def queue_reply(
    party: Party,
    messages: list[QueueMessage],
    *,
    xml: bool,
    acknowledged: AckOutcome | None = None,
) -> bytes:
    """The body of a queue reply holding ``messages``, as ``party`` may see them; with
    ``acknowledged`` (the ids removed, and those that were not, of a lease that acknowledged
    messages too) also ``acknowledged`` and ``unknown`` lists of message ids."""
    extra: dict[str, list[str]] = {}
    if acknowledged is not None:
        extra = {"acknowledged": acknowledged[0], "unknown": acknowledged[1]}
    if xml:
        documents = [_message(party, message) for message in messages]
        return dump_xml(
            "messages",
            {"message": [_message_xml(doc) for doc in documents], **_ack_xml(extra)},
        )
    if party.profile is not None:
        return dump_json({"messages": [_message(party, m) for m in messages], **extra})
    # No profile: each stored object's JSON text goes into the reply as it is, never decoded.
    parts = [_message_json(message) for message in messages]
    tail = dump_json(extra)[1:] if extra else b"}"
    return b'{"messages":[' + b",".join(parts) + b"]" + (b"," if extra else b"") + tail


def _message_json(message: QueueMessage) -> bytes:
    """One message as SIF JSON, the event's stored JSON text spliced in unchanged."""
    event = message.event
    text = event.content_json if event is not None else None
    if event is None or text is None:
        return dump_json(_message(None, message))
    document = _message(None, message, with_object=False)
    # The event is the document's last member: its object goes in before the two braces.
    return dump_json(document)[:-2] + b',"object":' + text.encode() + b"}}"


def _ack_xml(extra: dict[str, list[str]]) -> dict[str, Any]:
    return {name: [{"@id": i} for i in ids] for name, ids in extra.items() if ids}


def _message_xml(document: dict[str, Any]) -> dict[str, Any]:
    element: dict[str, Any] = {
        "@id": document["messageId"],
        "@kind": document["kind"],
        "@deliveryCount": str(document["deliveryCount"]),
        "@leaseExpires": document["leaseExpires"],
    }
    if "event" in document:
        event = document["event"]
        inner = {f"@{k}": v for k, v in event.items() if k not in ("eventId", "object")}
        inner["@id"] = event["eventId"]
        if "object" in event:
            inner[event["objectType"]] = _xml_values(event["object"])
        element["event"] = inner
    for kind in ("request", "response"):
        if kind in document:
            part = document[kind]
            inner = {f"@{k}": v for k, v in part.items() if k != "body"}
            inner["body"] = {"@contentType": "application/json", "#text": json.dumps(part["body"])}
            element[kind] = inner
    return element


def _xml_values(node: Any) -> Any:
    """Goessner content with XML spellings of booleans and numbers."""
    if isinstance(node, dict):
        return {key: _xml_values(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_xml_values(item) for item in node]
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, int | float):
        return str(node)
    return node


def collection(party: Party, object_type: str, objects: list[StoredObject], *, xml: bool) -> bytes:
    """A SIF collection (``LearnerPersonals``) of ``objects`` as ``party`` may see them."""
    name = OBJECT_TYPES[object_type].collection_name
    members = [party.minimise(object_type, obj.content or {}) for obj in objects]
    if not xml:
        return dump_json({name: {object_type: members}})
    return dump_xml(name, {object_type: [_xml_values(m) for m in members]})


def single_object(party: Party, obj: StoredObject, *, xml: bool) -> bytes:
    """One object, as ``party`` may see it."""
    content = party.minimise(obj.object_type, obj.content or {})
    if not xml:
        return dump_json({obj.object_type: content})
    return dump_xml(obj.object_type, _xml_values(content))
