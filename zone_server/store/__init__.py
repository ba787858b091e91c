"""The zone's storage interface: what every backend (SQLite, PostgreSQL, ...) provides.

All SQL and every transaction live behind :class:`Store`; the zone's rules (scope, routing,
profiles) are written once, against this interface, so a new backend passes the same tests.

What is kept: the **events** each party published (ids increase; the latest id in a zone is its
*changes-since marker*); the **objects** as last published (a delete leaves a tombstone, so
changes-since can report it) with their **scope keys**; one durable **queue** per party, whose
messages are *leased* on delivery and come back when the lease ends unacknowledged; the replies
to publishes made with an **idempotency key**; **service requests** and their responses; and the
**audit** log; and what the workflows keep (:mod:`zone_server.store.workflows`).

Content is Goessner-notation JSON of one object without its element name
(``{"@RefId": "...", "UPN": "...", "Name": [...]}``), the form SIF JSON carries.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from zone_server.scope import Scope
from zone_server.store.workflows import WorkflowTransaction

__all__ = [
    "AuditEntry",
    "IdempotentReply",
    "LeaseOutcome",
    "LeaseRequest",
    "MessageKind",
    "NewEvent",
    "ObjectIndex",
    "ObjectPage",
    "ObjectQuery",
    "QueueMessage",
    "QueueStats",
    "ServiceRequest",
    "Store",
    "StoreTransaction",
    "StoredEvent",
    "StoredObject",
]

Content = dict[str, Any]
MessageKind = Literal["event", "request", "response"]


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event about to be stored: ``content`` is ``None`` for a delete."""

    action: Literal["add", "change", "delete"]
    object_type: str
    ref_id: str
    content: Content | None


class StoredEvent:
    """An event as stored; ``event_id`` orders every event of the store.

    A store may give the content as the compact JSON text it keeps (``content_json``, as
    :func:`~zone_server.store.rows.to_json` writes it) instead of decoded: ``content`` decodes
    it on first use, so a delivery that passes the object on unchanged never decodes it.
    """

    __slots__ = (
        "_content",
        "_json",
        "action",
        "event_id",
        "object_type",
        "published_at",
        "publisher",
        "ref_id",
        "zone",
    )

    def __init__(
        self,
        event_id: int,
        zone: str,
        publisher: str,
        action: Literal["add", "change", "delete"],
        object_type: str,
        ref_id: str,
        content: Content | None,
        published_at: float,
        *,
        content_json: str | None = None,
    ) -> None:
        self.event_id = event_id
        self.zone = zone
        self.publisher = publisher
        self.action = action
        self.object_type = object_type
        self.ref_id = ref_id
        self.published_at = published_at
        self._content = content
        self._json = content_json

    @property
    def content(self) -> Content | None:
        """The object's Goessner content; ``None`` for a delete."""
        if self._content is None and self._json is not None:
            self._content = json.loads(self._json)
        return self._content

    @property
    def content_json(self) -> str | None:
        """The content as the store keeps it, compact JSON text, if the store gave it."""
        return self._json

    def _key(self) -> tuple[Any, ...]:
        return (
            self.event_id,
            self.zone,
            self.publisher,
            self.action,
            self.object_type,
            self.ref_id,
            self.content,
            self.published_at,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StoredEvent) and self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]  # mutable content, as the dataclass had

    def __repr__(self) -> str:
        return (
            f"StoredEvent(event_id={self.event_id!r}, zone={self.zone!r}, "
            f"publisher={self.publisher!r}, action={self.action!r}, "
            f"object_type={self.object_type!r}, ref_id={self.ref_id!r}, "
            f"published_at={self.published_at!r})"
        )


@dataclass(frozen=True, slots=True)
class ObjectIndex:
    """What the store indexes an object by, besides its type and RefId."""

    learner_ref: str | None = None
    upn: str | None = None
    local_id: str | None = None


@dataclass(frozen=True, slots=True)
class StoredObject:
    """An object as the zone holds it; ``seq`` is the event that last changed it."""

    zone: str
    object_type: str
    ref_id: str
    content: Content | None
    seq: int
    deleted: bool
    scope_keys: frozenset[str]
    index: ObjectIndex = field(default_factory=ObjectIndex)


@dataclass(frozen=True, slots=True)
class ServiceRequest:
    """A request to a named service and, once answered, its response."""

    request_id: str
    zone: str
    service: str
    requester: str
    provider: str
    status: Literal["pending", "answered"]
    request: Content
    response: Content | None
    created_at: float
    answered_at: float | None


@dataclass(frozen=True, slots=True)
class QueueMessage:
    """A leased message: an event, a service request (to its provider) or a response."""

    message_id: int
    kind: MessageKind
    delivery_count: int
    leased_until: float
    event: StoredEvent | None = None
    service_request: ServiceRequest | None = None


@dataclass(frozen=True, slots=True)
class LeaseRequest:
    """One party's lease, and the messages it acknowledges first (see :meth:`Store.lease_many`)."""

    zone: str
    party: str
    limit: int
    lease_seconds: float
    audited_types: frozenset[str]
    ack: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class LeaseOutcome:
    """What :meth:`Store.lease_many` did for one request: the ids it acknowledged (of those
    asked), and the messages it leased."""

    acknowledged: list[int]
    messages: list[QueueMessage]


@dataclass(frozen=True, slots=True)
class QueueStats:
    """One party's queue: messages waiting, messages leased, age of the oldest (seconds)."""

    party: str
    depth: int
    leased: int
    oldest_age_seconds: float | None


@dataclass(frozen=True, slots=True)
class ObjectQuery:
    """A page of objects of one type; ``scope`` ``None`` means no scope applies (directory).

    ``page`` counts from 1 and is found by skipping the pages before it, which costs as much as
    reading them. To read page after page, pass the previous page's ``last_key`` as ``after``
    (the page then starts just after that object, whatever ``page`` says) and its ``total`` as
    ``total`` (it is then not counted again): each page then costs the same however deep.
    """

    object_type: str
    scope: Scope | None
    upn: str | None = None
    local_id: str | None = None
    school: str | None = None
    changes_since: int | None = None
    page: int = 1
    page_size: int = 100
    after: str | int | None = None
    total: int | None = None


@dataclass(frozen=True, slots=True)
class ObjectPage:
    """One page of a query: live objects, RefIds deleted (changes-since only), totals, marker.

    ``last_key`` is the page's last object in the query's order (its RefId, or with
    ``changes_since`` its ``seq``), ``None`` for an empty page: the next page's
    :attr:`ObjectQuery.after`.
    """

    objects: list[StoredObject]
    deleted_ref_ids: list[str]
    total: int
    marker: int
    last_key: str | int | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audited operation: who did what to which objects, when."""

    audit_id: int
    at: float
    zone: str
    party: str
    operation: str
    object_type: str | None
    ref_ids: list[str]
    detail: str = ""


@dataclass(frozen=True, slots=True)
class IdempotentReply:
    """The reply first given to a publish with an idempotency key, and a hash of its request."""

    request_hash: str
    reply: Content


class StoreTransaction(WorkflowTransaction, Protocol):
    """The writes of one publish or service exchange; all or nothing, serialised with others.

    The workflow methods (transfers, dual registration, ULN reviews, census returns) are those
    of :class:`~zone_server.store.workflows.WorkflowTransaction`.
    """

    def idempotent_reply(
        self, zone: str, party: str, key: str, *, keep_seconds: float
    ) -> IdempotentReply | None:
        """The reply remembered for ``key`` from ``party`` in the last ``keep_seconds``, if
        any."""

    def remember_reply(
        self,
        zone: str,
        party: str,
        key: str,
        request_hash: str,
        reply: Content,
        *,
        keep_seconds: float,
    ) -> None:
        """Remember ``reply`` for ``key`` (committed with everything else), forgetting the
        party's keys older than ``keep_seconds``."""

    def get_object(self, zone: str, object_type: str, ref_id: str) -> StoredObject | None:
        """The object (a tombstone if deleted), or ``None`` if never published."""

    def objects_of_learner(self, zone: str, learner_ref: str) -> list[StoredObject]:
        """Live objects whose index names ``learner_ref`` (enrolments, contacts, histories)."""

    def append_event(self, zone: str, publisher: str, event: NewEvent) -> StoredEvent:
        """Store an event; its id is the next changes-since marker."""

    def put_object(
        self, event: StoredEvent, index: ObjectIndex, scope_keys: frozenset[str]
    ) -> None:
        """Store the object an add or change event carries, with these keys added to its own."""

    def delete_object(self, event: StoredEvent) -> None:
        """Mark the object a delete event names as deleted (its keys are kept)."""

    def add_scope_keys(
        self, zone: str, object_type: str, ref_id: str, keys: frozenset[str]
    ) -> None:
        """Give an existing object more scope keys."""

    def enqueue_event(self, party: str, event: StoredEvent) -> None:
        """Put ``event`` on ``party``'s queue."""

    def create_service_request(
        self, zone: str, service: str, requester: str, provider: str, request: Content
    ) -> ServiceRequest:
        """Store a request and put it on the provider's queue."""

    def answer_service_request(
        self, zone: str, request_id: str, response: Content
    ) -> ServiceRequest:
        """Store the response to a pending request and put it on the requester's queue."""

    def service_request(self, zone: str, request_id: str) -> ServiceRequest | None:
        """A service request, read inside the transaction."""

    def audit(
        self,
        zone: str,
        party: str,
        operation: str,
        object_type: str | None,
        ref_ids: Sequence[str],
        detail: str = "",
    ) -> None:
        """Record an audit entry with the transaction."""


class Store(Protocol):
    """A zone store. Methods other than :meth:`transaction` are each one transaction."""

    url: str

    def transaction(self) -> AbstractContextManager[StoreTransaction]:
        """A write transaction: committed when the block ends, rolled back if it raises."""

    def lease(
        self,
        zone: str,
        party: str,
        *,
        limit: int,
        lease_seconds: float,
        audited_types: frozenset[str],
    ) -> list[QueueMessage]:
        """Lease up to ``limit`` messages from ``party``'s queue, oldest first.

        A message is skipped while an earlier message about the same object is leased to the
        party, so each object's events arrive in order. Deliveries of ``audited_types`` are
        written to the audit log in the same transaction.
        """

    def ack(self, zone: str, party: str, message_ids: Sequence[int]) -> list[int]:
        """Remove acknowledged messages of ``party``; returns the ids that were removed.

        A transfer whose every message is now acknowledged becomes ``complete`` (and audited)
        in the same transaction.
        """

    def lease_many(self, requests: Sequence[LeaseRequest]) -> list[LeaseOutcome]:
        """Serve several lease requests (of any parties) together, one outcome each, in order.

        Each request's ``ack`` ids are removed first, as :meth:`ack` removes them; then each
        party's messages are leased as :meth:`lease` leases them, all in one transaction that
        is on disk before this returns (a single flush for every party served). Serving the
        long polls that one publish wakes together costs one flush instead of one each.
        """

    def queue_stats(self, zone: str) -> list[QueueStats]:
        """Depth, leased count and oldest age of every non-empty queue of ``zone``."""

    def query(self, zone: str, query: ObjectQuery) -> ObjectPage:
        """One page of objects matching ``query``, ordered by RefId (by change with a marker)."""

    def get(
        self, zone: str, object_type: str, ref_id: str, scope: Scope | None
    ) -> StoredObject | None:
        """A live object within ``scope`` (``None``: any scope), or ``None``."""

    def marker(self, zone: str) -> int:
        """The zone's current changes-since marker (0 before the first event)."""

    def record_audit(
        self,
        zone: str,
        party: str,
        operation: str,
        object_type: str | None,
        ref_ids: Sequence[str],
        detail: str = "",
    ) -> None:
        """Record one audit entry."""

    def audit_log(
        self, zone: str, *, after_id: int = 0, party: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        """Audit entries of ``zone`` after ``after_id``, oldest first."""

    def service_request(self, zone: str, request_id: str) -> ServiceRequest | None:
        """A service request and its response, if any."""

    def close(self) -> None:
        """Close every connection."""
