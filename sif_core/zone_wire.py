"""What goes to a zone and what comes back, on the wire of the zone's HTTP API.

Going: :class:`Event` and the SIF JSON batch encoding (:func:`encode_event`,
:func:`encode_batch`). Coming back: typed records of the zone's replies (publish results, queue
messages, query pages, service requests); each ``from_reply`` classmethod reads the zone's
SIF JSON and raises :class:`ValueError` on a reply not shaped as the API promises (the client
turns that into a :class:`~sif_core.errors.ZoneError` naming the URL). :func:`error_for` turns a
zone's error reply into the :class:`~sif_core.errors.ZoneError` that says what to do.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from sif_core.codec import from_goessner, to_goessner
from sif_core.errors import (
    ZoneAuthenticationError,
    ZoneError,
    ZoneForbiddenError,
    ZoneNotFoundError,
    ZoneRejectedError,
    ZoneUnreachableError,
)
from sif_core.model import OBJECT_TYPES, SIFObject

__all__ = [
    "RETRY_STATUSES",
    "AckResult",
    "ChangeSet",
    "Event",
    "LeasedMessages",
    "PublishResult",
    "PublishedEvent",
    "QueryPage",
    "QueueMessage",
    "ReceivedEvent",
    "ServiceMessage",
    "ServiceRequestStatus",
    "canonical_json",
    "encode_batch",
    "encode_event",
    "error_for",
    "event_bytes",
]

Action = Literal["add", "change", "delete"]

#: Replies that mean "busy or briefly down, try again".
RETRY_STATUSES: Final = frozenset({429, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class Event:
    """An event to publish: ``content`` is the object in Goessner notation (``None`` for a
    delete). Build one with :meth:`of` or :meth:`deletion`."""

    action: Action
    object_type: str
    ref_id: str
    content: Mapping[str, Any] | None = None

    @classmethod
    def of(cls, action: Literal["add", "change"], obj: SIFObject) -> Event:
        """An add or change event carrying the whole of ``obj``."""
        return cls(action, obj.object_name, obj.ref_id, to_goessner(obj))

    @classmethod
    def deletion(cls, object_type: str, ref_id: str) -> Event:
        """A delete event, naming the object by type and RefId."""
        return cls("delete", object_type, ref_id)


def canonical_json(content: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON with sorted keys: equal content gives equal bytes."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def encode_event(
    action: Action, object_type: str, ref_id: str, content_json: bytes | None = None
) -> bytes:
    """One member of a SIF JSON event batch; ``content_json`` is the object's JSON (add/change)."""
    head = f'{{"action":"{action}","objectType":"{object_type}",'.encode()
    if action == "delete" or content_json is None:
        return head + f'"refId":"{ref_id}"}}'.encode()
    return head + b'"object":' + content_json + b"}"


def encode_batch(encoded_events: Sequence[bytes]) -> bytes:
    """A SIF JSON batch body from events encoded by :func:`encode_event`."""
    return b'{"events":[' + b",".join(encoded_events) + b"]}"


def event_bytes(event: Event) -> bytes:
    content = None if event.content is None else canonical_json(event.content)
    return encode_event(event.action, event.object_type, event.ref_id, content)


def _text(document: Mapping[str, Any], key: str) -> str:
    value = document.get(key)
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError(f"the reply has no {key}")
    return str(value)


def _optional_text(document: Mapping[str, Any], key: str) -> str | None:
    value = document.get(key)
    return None if value is None else _text(document, key)


def _action(document: Mapping[str, Any]) -> Action:
    action = document.get("action")
    if action == "add":
        return "add"
    if action == "change":
        return "change"
    if action == "delete":
        return "delete"
    raise ValueError(f"unknown event action {action!r}")


@dataclass(frozen=True, slots=True)
class PublishedEvent:
    """One event the zone stored: its id (the zone's sequence) and what it was about."""

    event_id: str
    action: Action
    object_type: str
    ref_id: str


@dataclass(frozen=True, slots=True)
class PublishResult:
    """The zone's answer to a publish.

    ``replayed`` is true when the zone had already stored this batch under the same idempotency
    key and answered from memory (nothing was stored twice). ``bytes_sent`` counts request bodies
    over every attempt; ``attempts`` is how many it took.
    """

    events: tuple[PublishedEvent, ...]
    changes_since_marker: str
    replayed: bool
    bytes_sent: int
    attempts: int

    @classmethod
    def from_reply(
        cls, document: Any, *, replayed: bool, bytes_sent: int, attempts: int
    ) -> PublishResult:
        """Read ``{"events": [...], "changesSinceMarker": "..."}``."""
        if not isinstance(document, dict) or not isinstance(document.get("events"), list):
            raise ValueError("a publish reply is an object with events")
        events = tuple(
            PublishedEvent(
                _text(item, "eventId"),
                _action(item),
                _text(item, "objectType"),
                _text(item, "refId"),
            )
            for item in document["events"]
        )
        marker = _text(document, "changesSinceMarker")
        return cls(events, marker, replayed, bytes_sent, attempts)


@dataclass(frozen=True, slots=True)
class ReceivedEvent:
    """An event delivered from a queue; ``content`` is the object as this party may see it (its
    data-minimisation profile applied), in Goessner notation, and ``None`` for a delete."""

    event_id: str
    action: Action
    object_type: str
    ref_id: str
    publisher: str
    published_at: str
    content: dict[str, Any] | None

    def object(self) -> SIFObject:
        """The event's object, validated; raises :class:`pydantic.ValidationError` when the
        content is not a valid object (a profile may remove a required field) and
        :class:`ValueError` for a delete, which carries no object."""
        if self.content is None:
            raise ValueError(f"a {self.action} event carries no object")
        return from_goessner(self.object_type, self.content)


@dataclass(frozen=True, slots=True)
class ServiceMessage:
    """A service request (on a provider's queue) or its response (on the requester's queue).

    ``party`` is the requester of a request and the provider of a response; ``at`` is when it
    was created or answered.
    """

    request_id: str
    service: str
    party: str
    at: str
    body: dict[str, Any]


@dataclass(frozen=True, slots=True)
class QueueMessage:
    """One leased message. Acknowledge ``message_id`` once it is safely handled; unacknowledged,
    it comes back after its lease (``delivery_count`` then grows).

    ``kind`` is ``event``, ``request`` or ``response`` (with the matching field set), or a kind
    this client does not know yet (a newer zone's workflow delivery); ``document`` is always the
    message as the zone sent it.
    """

    message_id: str
    kind: str
    delivery_count: int
    lease_expires: str
    event: ReceivedEvent | None = None
    request: ServiceMessage | None = None
    response: ServiceMessage | None = None
    document: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_reply(cls, document: Any) -> QueueMessage:
        """Read one member of a queue reply's ``messages``."""
        if not isinstance(document, dict):
            raise ValueError("a queue message is an object")
        kind = document.get("kind")
        count = document.get("deliveryCount")
        if not isinstance(count, int):
            raise ValueError("a queue message has a deliveryCount")
        message_id, lease = _text(document, "messageId"), _text(document, "leaseExpires")
        if not isinstance(kind, str):
            raise ValueError("a queue message has a kind")
        event = _event(document.get("event")) if kind == "event" else None
        request = _service(document.get("request"), "requester") if kind == "request" else None
        response = _service(document.get("response"), "provider") if kind == "response" else None
        return cls(message_id, kind, count, lease, event, request, response, document)


def _event(document: Any) -> ReceivedEvent:
    if not isinstance(document, dict):
        raise ValueError("an event message holds an event object")
    content = document.get("object")
    if content is not None and not isinstance(content, dict):
        raise ValueError("an event's object is a JSON object")
    object_type = _text(document, "objectType")
    if object_type not in OBJECT_TYPES:
        raise ValueError(f"unknown object type {object_type!r}")
    return ReceivedEvent(
        _text(document, "eventId"),
        _action(document),
        object_type,
        _text(document, "refId"),
        _text(document, "publisher"),
        _text(document, "publishedAt"),
        content,
    )


def _service(document: Any, party_key: str) -> ServiceMessage:
    if not isinstance(document, dict) or not isinstance(document.get("body"), dict):
        raise ValueError("a request or response message holds a body object")
    at = _optional_text(document, "createdAt") or _text(document, "answeredAt")
    return ServiceMessage(
        _text(document, "requestId"),
        _text(document, "service"),
        _text(document, party_key),
        at,
        document["body"],
    )


class LeasedMessages(list[QueueMessage]):
    """The messages of one lease, in order (a list); ``acknowledged`` is what the same request
    acknowledged (``None`` when it acknowledged nothing), and ``max_wait_seconds`` the longest
    long poll the zone allows, when it said."""

    def __init__(
        self,
        messages: Iterable[QueueMessage] = (),
        *,
        acknowledged: AckResult | None = None,
        max_wait_seconds: float | None = None,
    ) -> None:
        super().__init__(messages)
        self.acknowledged = acknowledged
        self.max_wait_seconds = max_wait_seconds


@dataclass(frozen=True, slots=True)
class AckResult:
    """Which message ids were removed, and which were not (not leased to this party, or
    acknowledged already)."""

    acknowledged: tuple[str, ...]
    unknown: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QueryPage:
    """One page of a query: the objects' Goessner content as this party may see it, and SIF 3
    paging (``page`` counts from 1; ``count`` is the number of objects over all pages;
    ``navigation_id``, while more pages follow, continues the query cheaply from this page)."""

    object_type: str
    contents: tuple[dict[str, Any], ...]
    page: int
    page_size: int
    count: int
    last_page: int
    changes_since_marker: str
    deleted_ref_ids: tuple[str, ...] = ()
    navigation_id: str | None = None

    def objects(self) -> list[SIFObject]:
        """The page's objects, validated (raises :class:`pydantic.ValidationError` when a
        profile removed a field the model requires)."""
        return [from_goessner(self.object_type, content) for content in self.contents]


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """What changed in one object type since a marker, over every page.

    ``contents`` are the objects added or changed (latest version, ordered by change);
    ``deleted_ref_ids`` those deleted; ``marker`` is what to pass next time.
    """

    object_type: str
    contents: tuple[dict[str, Any], ...]
    deleted_ref_ids: tuple[str, ...]
    marker: str


@dataclass(frozen=True, slots=True)
class ServiceRequestStatus:
    """A service request as the zone tracks it: ``status`` is ``pending`` until answered."""

    request_id: str
    service: str
    requester: str
    provider: str
    status: str
    created_at: str
    answered_at: str | None

    @classmethod
    def from_reply(cls, document: Any) -> ServiceRequestStatus:
        """Read the zone's description of a request."""
        if not isinstance(document, dict):
            raise ValueError("a service request reply is an object")
        return cls(
            _text(document, "requestId"),
            _text(document, "service"),
            _text(document, "requester"),
            _text(document, "provider"),
            _text(document, "status"),
            _text(document, "createdAt"),
            _optional_text(document, "answeredAt"),
        )


def error_for(
    status: int, error: Mapping[str, Any], reason: str | None, url: str, failures: int = 0
) -> ZoneError:
    """The error for a zone's reply ``status`` with its ``{"error": ...}`` member ``error``;
    ``failures`` is how many retries came before."""
    code = error.get("code") if isinstance(error.get("code"), str) else None
    said = str(error.get("message") or reason or "no reason given")
    if status == 401:
        return ZoneAuthenticationError(
            f"the zone refused this party's token ({said}); check that the token is the one "
            "`sif zone init` printed for this party (--token, SIF_AGENT_TOKEN, or token_env in "
            "the agent configuration) and that the zone file holds its hash",
            url=url,
            status=status,
            code=code,
        )
    if status == 403:
        right = error.get("right") if isinstance(error.get("right"), str) else None
        advice = "" if "administrator" in said else "; ask the zone's administrator"
        return ZoneForbiddenError(f"{said}{advice}", url=url, code=code, right=right)
    if status == 404:
        return ZoneNotFoundError(
            f"{said}; check the zone URL ({url}) and the names used",
            url=url,
            status=status,
            code=code,
        )
    if status >= 500 or status in RETRY_STATUSES:
        tries = f" after {failures + 1} tries" if failures else ""
        return ZoneUnreachableError(
            f"the zone at {url} answered {status} ({said}){tries}; it may be overloaded or "
            "failing: try again later, and tell its administrator if it persists",
            url=url,
            status=status,
            code=code,
        )
    events = error.get("events")
    return ZoneRejectedError(
        f"the zone refused the request with {status}: {said}",
        url=url,
        status=status,
        code=code,
        problems=events if isinstance(events, list) else None,
    )
