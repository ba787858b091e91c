"""What both store backends decide in Python, between or after their queries: which deliveries
are audited, how an appended event, a page of objects and the queue figures are put together,
where a page starts, and the scope test on an object (the same SQL in both dialects)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from zone_server.store import (
    NewEvent,
    ObjectPage,
    ObjectQuery,
    QueueMessage,
    QueueStats,
    StoredEvent,
    StoredObject,
)

__all__ = [
    "DeliveryAudit",
    "changed_after",
    "delivery_audits",
    "has_key",
    "object_page",
    "page_window",
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


def object_page(
    query: ObjectQuery, objects: Sequence[StoredObject], total: int, marker: int
) -> ObjectPage:
    """A page of ``objects`` as read for ``query``: the deleted ones are named, not returned."""
    last_key: str | int | None = None
    if objects:
        last_key = objects[-1].ref_id if query.changes_since is None else objects[-1].seq
    return ObjectPage(
        objects=[obj for obj in objects if not obj.deleted],
        deleted_ref_ids=[obj.ref_id for obj in objects if obj.deleted],
        total=total,
        marker=marker,
        last_key=last_key,
    )


def page_window(query: ObjectQuery, placeholder: str) -> tuple[str | None, list[Any], int]:
    """Where ``query``'s page starts: an extra condition on RefIds (``None``: none) with its
    parameters, and how many matching rows to skip. A page that continues after the previous
    one's last key starts there (skipping nothing); otherwise the pages before are skipped.
    Changes since a marker continue through :func:`changed_after` instead."""
    if query.after is None:
        return None, [], (query.page - 1) * query.page_size
    if query.changes_since is None:
        return f"o.ref_id > {placeholder}", [str(query.after)], 0
    return None, [], 0


def changed_after(query: ObjectQuery) -> int:
    """The ``seq`` after which a page of changes since a marker starts: the marker, or the
    previous page's last key (one bound, so that the index on ``seq`` starts there)."""
    assert query.changes_since is not None
    if query.after is None:
        return query.changes_since
    return max(query.changes_since, int(query.after))


def queue_stats(rows: Iterable[Sequence[Any]], now: float) -> list[QueueStats]:
    """Queue figures from rows ``party, depth, leased, oldest enqueued_at``."""
    return [QueueStats(row[0], row[1], row[2], max(0.0, now - row[3])) for row in rows]


def has_key(condition: str, ref_id: str = "o.ref_id", tail: str = "") -> str:
    """SQL true when a scope key of the object ``o`` meets ``condition`` (on ``s.scope_key``);
    ``ref_id`` is how to name the object's RefId so that it matches ``s.ref_id``'s index, and
    ``tail`` ends the subquery (a dialect's way to keep it a per-object lookup)."""
    return (
        "EXISTS (SELECT 1 FROM object_scopes s WHERE s.zone = o.zone "  # noqa: S608 - no input
        f"AND s.object_type = o.object_type AND s.ref_id = {ref_id} AND {condition}{tail})"
    )
