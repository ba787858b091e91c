"""The SQLite store's write transaction and the conversions between rows and records."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, cast

from zone_server.store import (
    IdempotentReply,
    NewEvent,
    ObjectIndex,
    ServiceRequest,
    StoredEvent,
    StoredObject,
)
from zone_server.store.common import stored_event
from zone_server.store.rows import REQUEST_COLUMNS, SQLITE_ROWS, new_id
from zone_server.store.sqlite_workflows import SQLiteWorkflows

__all__ = ["SQLiteTransaction", "dump", "load", "row_to_request"]

Content = dict[str, Any]


def dump(content: Content | None) -> str | None:
    """Compact JSON text of ``content`` (``None`` stays ``None``)."""
    if content is None:
        return None
    return json.dumps(content, ensure_ascii=False, separators=(",", ":"))


def load(text: str | None) -> Content | None:
    """The JSON object stored as ``text``."""
    return None if text is None else cast(Content, json.loads(text))


row_to_request = SQLITE_ROWS.request
#: An object's columns; its scope keys are read apart (:func:`scope_keys`).
OBJECT_COLUMNS = "zone, object_type, ref_id, content, seq, deleted, learner_ref, upn, local_id"
row_to_object = SQLITE_ROWS.object


def scope_keys(
    conn: sqlite3.Connection, zone: str, object_type: str, ref_id: str
) -> frozenset[str]:
    """The scope keys of one object."""
    rows = conn.execute(
        "SELECT scope_key FROM object_scopes WHERE zone = ? AND object_type = ? AND ref_id = ?",
        (zone, object_type, ref_id),
    ).fetchall()
    return frozenset(row[0] for row in rows)


class SQLiteTransaction(SQLiteWorkflows):
    """One ``BEGIN IMMEDIATE`` transaction on a connection (see :class:`StoreTransaction`)."""

    def __init__(self, conn: sqlite3.Connection, clock: Callable[[], float]) -> None:
        self._conn = conn
        self._now = clock()
        # The JSON text of the event last appended, which put_object then stores again.
        self._appended: tuple[int, str | None] = (0, None)
        # Queue rows, stored together by flush() (one executemany, not a statement each).
        self._pending: list[tuple[str, str, str, int | None, str | None, str, float]] = []

    def flush(self) -> None:
        """Store the queue messages waiting, in the order they were queued; the store calls
        this before it commits."""
        if self._pending:
            self._conn.executemany(
                "INSERT INTO queue (zone, party, kind, event_id, request_id, object_key, "
                "enqueued_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                self._pending,
            )
            self._pending.clear()

    def idempotent_reply(
        self, zone: str, party: str, key: str, *, keep_seconds: float
    ) -> IdempotentReply | None:
        row = self._conn.execute(
            "SELECT request_hash, reply FROM idempotency "
            "WHERE zone = ? AND party = ? AND key = ? AND created_at >= ?",
            (zone, party, key, self._now - keep_seconds),
        ).fetchone()
        return None if row is None else IdempotentReply(row[0], load(row[1]) or {})

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
        self._conn.execute(
            "DELETE FROM idempotency WHERE zone = ? AND party = ? AND created_at < ?",
            (zone, party, self._now - keep_seconds),
        )
        self._conn.execute(
            "INSERT INTO idempotency (zone, party, key, request_hash, reply, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (zone, party, key, request_hash, dump(reply), self._now),
        )

    def get_object(self, zone: str, object_type: str, ref_id: str) -> StoredObject | None:
        # The keys come with the object, joined by a character no scope key holds.
        row = self._conn.execute(
            f"SELECT {OBJECT_COLUMNS}, (SELECT group_concat(s.scope_key, char(31)) "  # noqa: S608
            "FROM object_scopes s WHERE s.zone = o.zone AND s.object_type = o.object_type "
            "AND s.ref_id = o.ref_id) FROM objects o "
            "WHERE o.zone = ? AND o.object_type = ? AND o.ref_id = ?",
            (zone, object_type, ref_id),
        ).fetchone()
        if row is None:
            return None
        keys = frozenset(row[9].split("\x1f")) if row[9] else frozenset()
        return row_to_object(row, keys)

    def objects_of_learner(self, zone: str, learner_ref: str) -> list[StoredObject]:
        rows = self._conn.execute(
            # Named: without statistics SQLite would walk every object of the zone instead.
            f"SELECT {OBJECT_COLUMNS} FROM objects INDEXED BY objects_learner "  # noqa: S608
            "WHERE zone = ? AND learner_ref = ? AND deleted = 0",
            (zone, learner_ref),
        ).fetchall()
        return [row_to_object(row, scope_keys(self._conn, zone, row[1], row[2])) for row in rows]

    def append_event(self, zone: str, publisher: str, event: NewEvent) -> StoredEvent:
        text = dump(event.content)
        cursor = self._conn.execute(
            "INSERT INTO events (zone, publisher, action, object_type, ref_id, content, "
            "published_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (zone, publisher, event.action, event.object_type, event.ref_id, text, self._now),
        )
        assert cursor.lastrowid is not None
        self._appended = (cursor.lastrowid, text)
        return stored_event(zone, publisher, event, cursor.lastrowid, self._now)

    def put_object(
        self, event: StoredEvent, index: ObjectIndex, scope_keys: frozenset[str]
    ) -> None:
        self._conn.execute(
            "INSERT INTO objects (zone, object_type, ref_id, content, seq, deleted, learner_ref, "
            "upn, local_id) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?) "
            "ON CONFLICT (zone, object_type, ref_id) DO UPDATE SET content = excluded.content, "
            "seq = excluded.seq, deleted = 0, learner_ref = excluded.learner_ref, "
            "upn = excluded.upn, local_id = excluded.local_id",
            (
                event.zone,
                event.object_type,
                event.ref_id,
                self._appended[1] if self._appended[0] == event.event_id else dump(event.content),
                event.event_id,
                index.learner_ref,
                index.upn,
                index.local_id,
            ),
        )
        self.add_scope_keys(event.zone, event.object_type, event.ref_id, scope_keys)

    def delete_object(self, event: StoredEvent) -> None:
        self._conn.execute(
            "INSERT INTO objects (zone, object_type, ref_id, content, seq, deleted) "
            "VALUES (?, ?, ?, NULL, ?, 1) "
            "ON CONFLICT (zone, object_type, ref_id) DO UPDATE SET content = NULL, "
            "seq = excluded.seq, deleted = 1",
            (event.zone, event.object_type, event.ref_id, event.event_id),
        )

    def add_scope_keys(
        self, zone: str, object_type: str, ref_id: str, keys: frozenset[str]
    ) -> None:
        self._conn.executemany(
            "INSERT OR IGNORE INTO object_scopes (zone, object_type, ref_id, scope_key) "
            "VALUES (?, ?, ?, ?)",
            [(zone, object_type, ref_id, key) for key in sorted(keys)],
        )

    def enqueue_event(self, party: str, event: StoredEvent) -> None:
        self._enqueue(
            event.zone,
            party,
            "event",
            f"{event.object_type}/{event.ref_id}",
            event_id=event.event_id,
        )

    def _enqueue(
        self,
        zone: str,
        party: str,
        kind: str,
        object_key: str,
        *,
        event_id: int | None = None,
        request_id: str | None = None,
    ) -> None:
        self._pending.append((zone, party, kind, event_id, request_id, object_key, self._now))

    def create_service_request(
        self, zone: str, service: str, requester: str, provider: str, request: Content
    ) -> ServiceRequest:
        request_id = new_id()
        self._conn.execute(
            f"INSERT INTO service_requests ({REQUEST_COLUMNS}) "  # noqa: S608 - constant columns
            "VALUES (?, ?, ?, ?, ?, 'pending', ?, NULL, ?, NULL)",
            (request_id, zone, service, requester, provider, dump(request), self._now),
        )
        self._enqueue(zone, provider, "request", f"request/{request_id}", request_id=request_id)
        found = self.service_request(zone, request_id)
        assert found is not None
        return found

    def answer_service_request(
        self, zone: str, request_id: str, response: Content
    ) -> ServiceRequest:
        self._conn.execute(
            "UPDATE service_requests SET status = 'answered', response = ?, answered_at = ? "
            "WHERE zone = ? AND request_id = ?",
            (dump(response), self._now, zone, request_id),
        )
        found = self.service_request(zone, request_id)
        assert found is not None
        self._enqueue(
            zone, found.requester, "response", f"request/{request_id}", request_id=request_id
        )
        return found

    def service_request(self, zone: str, request_id: str) -> ServiceRequest | None:
        row = self._conn.execute(
            f"SELECT {REQUEST_COLUMNS} FROM service_requests "  # noqa: S608 - constant columns
            "WHERE zone = ? AND request_id = ?",
            (zone, request_id),
        ).fetchone()
        return None if row is None else row_to_request(row)

    def audit(
        self,
        zone: str,
        party: str,
        operation: str,
        object_type: str | None,
        ref_ids: Sequence[str],
        detail: str = "",
    ) -> None:
        write_audit(self._conn, self._now, zone, party, operation, object_type, ref_ids, detail)


def write_audit(
    conn: sqlite3.Connection,
    at: float,
    zone: str,
    party: str,
    operation: str,
    object_type: str | None,
    ref_ids: Sequence[str],
    detail: str,
) -> None:
    """Insert one audit row."""
    conn.execute(
        "INSERT INTO audit (at, zone, party, operation, object_type, ref_ids, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (at, zone, party, operation, object_type, json.dumps(list(ref_ids)), detail),
    )
