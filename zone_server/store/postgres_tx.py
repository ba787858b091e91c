"""The PostgreSQL store's write transaction (see :class:`~zone_server.store.StoreTransaction`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from zone_server.store import (
    IdempotentReply,
    NewEvent,
    ObjectIndex,
    ServiceRequest,
    StoredEvent,
    StoredObject,
)
from zone_server.store.common import stored_event
from zone_server.store.postgres_locks import Connection
from zone_server.store.postgres_rows import (
    OBJECT_COLUMNS,
    REQUEST_COLUMNS,
    new_id,
    row_to_object,
    row_to_request,
    to_json,
)
from zone_server.store.postgres_workflows import PostgresWorkflows

__all__ = ["PostgresTransaction", "write_audit"]

Content = dict[str, Any]


class PostgresTransaction(PostgresWorkflows):
    """One transaction on one connection, holding the write lock of each zone it touches."""

    def __init__(self, conn: Connection, now: float, schema: str) -> None:
        super().__init__(conn, now, schema)
        # The JSON text of the event last appended, which put_object then stores again.
        self._appended: tuple[int, str | None] = (0, None)
        #: Objects stored (or stored again) by this transaction.
        self.objects_written = 0

    def idempotent_reply(
        self, zone: str, party: str, key: str, *, keep_seconds: float
    ) -> IdempotentReply | None:
        self._zone(zone)
        row = self._one(
            "SELECT request_hash, reply FROM idempotency "
            "WHERE zone = %s AND party = %s AND key = %s AND created_at >= %s",
            (zone, party, key, self._now - keep_seconds),
        )
        return None if row is None else IdempotentReply(row[0], row[1])

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
        self._zone(zone)
        self._conn.execute(
            "DELETE FROM idempotency WHERE zone = %s AND party = %s AND created_at < %s",
            (zone, party, self._now - keep_seconds),
        )
        self._conn.execute(
            "INSERT INTO idempotency (zone, party, key, request_hash, reply, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            (zone, party, key, request_hash, to_json(reply), self._now),
        )

    def get_object(self, zone: str, object_type: str, ref_id: str) -> StoredObject | None:
        self._zone(zone)
        row = self._one(
            f"SELECT {OBJECT_COLUMNS} FROM objects o "  # noqa: S608 - constant column list
            "WHERE o.zone = %s AND o.object_type = %s AND o.ref_id = %s",
            (zone, object_type, ref_id),
        )
        return None if row is None else row_to_object(row)

    def objects_of_learner(self, zone: str, learner_ref: str) -> list[StoredObject]:
        self._zone(zone)
        rows = self._conn.execute(
            f"SELECT {OBJECT_COLUMNS} FROM objects o "  # noqa: S608 - constant column list
            "WHERE o.zone = %s AND o.learner_ref = %s AND NOT o.deleted",
            (zone, learner_ref),
        ).fetchall()
        return [row_to_object(row) for row in rows]

    def append_event(self, zone: str, publisher: str, event: NewEvent) -> StoredEvent:
        self._zone(zone)
        text = None if event.content is None else to_json(event.content)
        row = self._one(
            "INSERT INTO events (zone, publisher, action, object_type, ref_id, content, "
            "published_at) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING event_id",
            (zone, publisher, event.action, event.object_type, event.ref_id, text, self._now),
        )
        assert row is not None
        event_id: int = row[0]
        self._appended = (event_id, text)
        return stored_event(zone, publisher, event, event_id, self._now)

    def put_object(
        self, event: StoredEvent, index: ObjectIndex, scope_keys: frozenset[str]
    ) -> None:
        self._zone(event.zone)
        self.objects_written += 1
        if self._appended[0] == event.event_id:
            text = self._appended[1]
        else:
            text = None if event.content is None else to_json(event.content)
        # The object and its keys in one statement (a data-modifying WITH always runs).
        self._conn.execute(
            "WITH stored AS (INSERT INTO objects (zone, object_type, ref_id, content, seq, "
            "deleted, learner_ref, upn, local_id) VALUES (%(zone)s, %(type)s, %(ref)s, "
            "%(content)s, %(seq)s, false, %(learner)s, %(upn)s, %(local)s) "
            "ON CONFLICT (zone, object_type, ref_id) DO UPDATE SET content = excluded.content, "
            "seq = excluded.seq, deleted = false, learner_ref = excluded.learner_ref, "
            "upn = excluded.upn, local_id = excluded.local_id) "
            "INSERT INTO object_scopes (zone, object_type, ref_id, scope_key) "
            "SELECT %(zone)s, %(type)s, %(ref)s, key FROM unnest(%(keys)s::text[]) AS key "
            "ON CONFLICT DO NOTHING",
            {
                "zone": event.zone,
                "type": event.object_type,
                "ref": event.ref_id,
                "content": text,
                "seq": event.event_id,
                "learner": index.learner_ref,
                "upn": index.upn,
                "local": index.local_id,
                "keys": sorted(scope_keys),
            },
        )

    def delete_object(self, event: StoredEvent) -> None:
        self._zone(event.zone)
        self._conn.execute(
            "INSERT INTO objects (zone, object_type, ref_id, content, seq, deleted) "
            "VALUES (%s, %s, %s, NULL, %s, true) "
            "ON CONFLICT (zone, object_type, ref_id) DO UPDATE SET content = NULL, "
            "seq = excluded.seq, deleted = true",
            (event.zone, event.object_type, event.ref_id, event.event_id),
        )

    def add_scope_keys(
        self, zone: str, object_type: str, ref_id: str, keys: frozenset[str]
    ) -> None:
        if not keys:
            return
        self._zone(zone)
        self._conn.execute(
            "INSERT INTO object_scopes (zone, object_type, ref_id, scope_key) "
            "SELECT %s, %s, %s, key FROM unnest(%s::text[]) AS key ON CONFLICT DO NOTHING",
            (zone, object_type, ref_id, sorted(keys)),
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
        self._zone(zone)
        # Nothing in a transaction reads the queue: messages wait here and go in together.
        self._pending.append((zone, party, kind, event_id, request_id, object_key))

    def create_service_request(
        self, zone: str, service: str, requester: str, provider: str, request: Content
    ) -> ServiceRequest:
        self._zone(zone)
        request_id = new_id()
        row = self._one(
            f"INSERT INTO service_requests ({REQUEST_COLUMNS}) "  # noqa: S608 - constant columns
            "VALUES (%s, %s, %s, %s, %s, 'pending', %s, NULL, %s, NULL) "
            f"RETURNING {REQUEST_COLUMNS}",
            (request_id, zone, service, requester, provider, to_json(request), self._now),
        )
        assert row is not None
        self._enqueue(zone, provider, "request", f"request/{request_id}", request_id=request_id)
        return row_to_request(row)

    def answer_service_request(
        self, zone: str, request_id: str, response: Content
    ) -> ServiceRequest:
        self._zone(zone)
        row = self._one(
            "UPDATE service_requests SET status = 'answered', response = %s, "  # noqa: S608
            "answered_at = %s WHERE zone = %s AND request_id = %s "
            f"RETURNING {REQUEST_COLUMNS}",
            (to_json(response), self._now, zone, request_id),
        )
        assert row is not None
        found = row_to_request(row)
        self._enqueue(
            zone, found.requester, "response", f"request/{request_id}", request_id=request_id
        )
        return found

    def service_request(self, zone: str, request_id: str) -> ServiceRequest | None:
        self._zone(zone)
        row = self._one(
            f"SELECT {REQUEST_COLUMNS} FROM service_requests "  # noqa: S608 - constant columns
            "WHERE zone = %s AND request_id = %s",
            (zone, request_id),
        )
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
        self._zone(zone)
        write_audit(self._conn, self._now, zone, party, operation, object_type, ref_ids, detail)


def write_audit(
    conn: Connection,
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
        "VALUES (%s, %s, %s, %s, %s, %s, %s)",
        (at, zone, party, operation, object_type, to_json(list(ref_ids)), detail),
    )
