"""The event envelope: how a batch of events is written in SIF JSON and SIF XML.

SIF JSON::

    {"events": [
      {"action": "add", "objectType": "LearnerPersonal", "object": {"@RefId": "...", ...}},
      {"action": "delete", "objectType": "LearnerPersonal", "refId": "..."}
    ]}

SIF XML (namespace ``urn:sifbridge:sif-uk:1``)::

    <events xmlns="urn:sifbridge:sif-uk:1">
      <event action="add"><LearnerPersonal RefId="...">...</LearnerPersonal></event>
      <event action="delete"><LearnerPersonal RefId="..."/></event>
    </events>

``object`` is the object's content in Goessner notation without its element name; ``add`` and
``change`` carry the whole object, ``delete`` only its RefId.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from sif_core.errors import CodecError
from sif_core.model import OBJECT_TYPES
from sif_core.problems import problems_from_validation_error
from zone_server.publishing import EventProblem, ZoneEvent
from zone_server.wire import content_of, object_from, parse_json, parse_xml

__all__ = ["BadEnvelope", "read_events"]

_REFID = re.compile(r"^[0-9A-F]{32}$")
_ACTIONS = ("add", "change", "delete")


class BadEnvelope(Exception):  # noqa: N818 - becomes a 400
    """The body is not an event batch at all (malformed, or not shaped like the envelope)."""


@dataclass(frozen=True, slots=True)
class _RawEvent:
    action: Any
    object_type: Any
    ref_id: Any
    content: Any


def read_events(body: bytes, *, xml: bool) -> tuple[list[ZoneEvent], list[EventProblem]]:
    """Read and validate a batch: the events, and every problem of every event.

    Raises :class:`BadEnvelope` when the body is not a batch at all.
    """
    try:
        raw = _raw_from_xml(body) if xml else _raw_from_json(body)
    except CodecError as error:
        raise BadEnvelope(str(error)) from None
    if not raw:
        raise BadEnvelope("the batch holds no events")
    events: list[ZoneEvent] = []
    problems: list[EventProblem] = []
    for index, item in enumerate(raw):
        event = _validate(index, item, problems)
        if event is not None:
            events.append(event)
    return events, problems


def _raw_from_json(body: bytes) -> list[_RawEvent]:
    document = parse_json(body)
    if not isinstance(document, dict) or not isinstance(document.get("events"), list):
        raise BadEnvelope('a SIF JSON batch is an object {"events": [...]}')
    raw = []
    for item in document["events"]:
        if not isinstance(item, dict):
            raise BadEnvelope("each member of events is an object with action and objectType")
        raw.append(
            _RawEvent(
                item.get("action"), item.get("objectType"), item.get("refId"), item.get("object")
            )
        )
    return raw


def _raw_from_xml(body: bytes) -> list[_RawEvent]:
    document = parse_xml(body)
    root, content = next(iter(document.items()))
    if root != "events":
        raise BadEnvelope(f"a SIF XML batch has the root element events, not {root}")
    items = content.get("event") if isinstance(content, dict) else None
    if items is None:
        return []
    raw = []
    for item in items if isinstance(items, list) else [items]:
        if not isinstance(item, dict):
            raise BadEnvelope("each event element holds one object element")
        action = item.get("@action")
        elements = [(k, v) for k, v in item.items() if not k.startswith(("@", "#"))]
        if len(elements) != 1:
            raise BadEnvelope("each event element holds exactly one object element")
        object_type, object_content = elements[0]
        object_content = object_content if object_content is not None else {}
        ref_id = object_content.get("@RefId") if isinstance(object_content, dict) else None
        raw.append(_RawEvent(action, object_type, ref_id, object_content))
    return raw


def _validate(index: int, item: _RawEvent, problems: list[EventProblem]) -> ZoneEvent | None:
    object_type = item.object_type if isinstance(item.object_type, str) else ""
    ref_id = item.ref_id if isinstance(item.ref_id, str) else None

    def problem(field: str | None, message: str) -> None:
        problems.append(EventProblem(index, object_type, ref_id, field, message))

    if item.action not in _ACTIONS:
        problem("action", f"action must be add, change or delete, not {item.action!r}")
        return None
    if object_type not in OBJECT_TYPES:
        problem("objectType", f"unknown object type {item.object_type!r}")
        return None
    if item.action == "delete":
        if ref_id is None and isinstance(item.content, dict):
            ref_id = item.content.get("@RefId")
        if not isinstance(ref_id, str) or not _REFID.match(ref_id):
            problem("refId", "a delete names the object's RefId (32 upper-case hex characters)")
            return None
        return ZoneEvent("delete", object_type, ref_id, None, None)
    if not isinstance(item.content, dict):
        problem("object", f"an {item.action} event carries the whole object")
        return None
    ref_id = ref_id or item.content.get("@RefId")
    try:
        obj = object_from(object_type, item.content)
    except ValidationError as error:
        for found in problems_from_validation_error(error, source="body", record=object_type):
            problem(found.field, found.message)
        return None
    if item.ref_id is not None and item.ref_id != obj.ref_id:
        problem("refId", f"refId {item.ref_id} differs from the object's RefId {obj.ref_id}")
        return None
    return ZoneEvent(item.action, object_type, obj.ref_id, obj, content_of(obj))
