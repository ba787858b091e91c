"""What both store backends decide in Python, between or after their queries: which deliveries
are audited, how an appended event, a page of objects and the queue figures are put together,
and the scope test on an object (the same SQL in both dialects)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from zone_server.store import (
    NewEvent,
    ObjectPage,
    QueueMessage,
    QueueStats,
    StoredEvent,
    StoredObject,
)

__all__ = [
    "DeliveryAudit",
    "delivery_audits",
    "has_key",
    "object_page",
    "queue_stats",
    "stored_event",
]

#: One audit row of a delivery: ``object_type, ref_ids, detail``.
DeliveryAudit = tuple[str | None, list[str], str]


def delivery_audits(
    messages: Sequence[QueueMessage], audited_types: frozenset[str]
) -> list[DeliveryAudit]:
    """The audit rows, operation ``deliver``, that leasing ``messages`` writes: one for each
    service request or response, then one for each of ``audited_types`` delivered, naming
    its objects."""
    audits: list[DeliveryAudit] = []
    by_type: dict[str, list[str]] = {}
    for message in messages:
        if message.event is not None and message.event.object_type in audited_types:
            by_type.setdefault(message.event.object_type, []).append(message.event.ref_id)
        elif message.service_request is not None:
            request = message.service_request
            detail = f"{message.kind} {request.request_id} of service {request.service}"
            audits.append((None, [], detail))
    audits.extend((object_type, ref_ids, "") for object_type, ref_ids in by_type.items())
    return audits


def stored_event(
    zone: str, publisher: str, event: NewEvent, event_id: int, at: float
) -> StoredEvent:
    """``event`` as stored: appended to ``zone``'s log as ``event_id`` at ``at``."""
    return StoredEvent(
        event_id=event_id,
        zone=zone,
        publisher=publisher,
        action=event.action,
        object_type=event.object_type,
        ref_id=event.ref_id,
        content=event.content,
        published_at=at,
    )


def object_page(objects: Sequence[StoredObject], total: int, marker: int) -> ObjectPage:
    """A page of ``objects`` as read: the deleted ones are named, not returned."""
    return ObjectPage(
        objects=[obj for obj in objects if not obj.deleted],
        deleted_ref_ids=[obj.ref_id for obj in objects if obj.deleted],
        total=total,
        marker=marker,
    )


def queue_stats(rows: Iterable[Sequence[Any]], now: float) -> list[QueueStats]:
    """Queue figures from rows ``party, depth, leased, oldest enqueued_at``."""
    return [QueueStats(row[0], row[1], row[2], max(0.0, now - row[3])) for row in rows]


def has_key(condition: str) -> str:
    """SQL true when a scope key of the object ``o`` meets ``condition`` (on ``s.scope_key``)."""
    return (
        "EXISTS (SELECT 1 FROM object_scopes s WHERE s.zone = o.zone "  # noqa: S608 - no input
        f"AND s.object_type = o.object_type AND s.ref_id = o.ref_id AND {condition})"
    )
