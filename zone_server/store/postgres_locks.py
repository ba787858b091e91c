"""How the PostgreSQL store serialises writers: transaction-scoped advisory locks.

SQLite lets one writer in at a time, and the zone's guarantees lean on it: event ids (the
changes-since markers) become visible in order, a retried publish finds the first one's reply,
a party's messages are leased in order. PostgreSQL runs writers side by side, so the store
takes a lock that lasts until commit or rollback, in every server process that shares the
database:

- a write transaction (a publish, a service exchange, a workflow step) locks its **zone**
  before its first statement about that zone; zones do not wait for each other;
- a lease or an acknowledgement locks one **party's queue** in one zone; publishes only add
  messages, so they and leases do not wait for each other.

The lock keys include the schema's name, so zone stores in different schemas of one database
do not wait for each other either (a hash collision only makes two writers take turns).
"""

from __future__ import annotations

from typing import Any, TypeAlias

import psycopg
from psycopg.rows import TupleRow

__all__ = ["Connection", "ZoneLocked", "lock_queue"]

Connection: TypeAlias = psycopg.Connection[TupleRow]

_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))"


def lock_queue(
    conn: Connection, schema: str, zone: str, party: str, *, wait_for_disk: bool = True
) -> None:
    """Lock ``party``'s queue in ``zone`` until the transaction ends.

    ``wait_for_disk=False`` lets the commit return before the disk has it: only for
    acknowledgements (see :mod:`zone_server.store.postgres`)."""
    key = (f"{schema}\x1fqueue\x1f{zone}\x1f{party}",)
    if wait_for_disk:
        conn.execute(_LOCK, key)
    else:
        conn.execute(
            "SELECT set_config('synchronous_commit', 'off', true), "
            "pg_advisory_xact_lock(hashtextextended(%s, 0))",
            key,
        )


class ZoneLocked:
    """The base of the store's write transaction: the connection, the transaction's time,
    :meth:`_zone`, which every method calls with its zone before touching it, and the queue
    messages held back until :meth:`flush`."""

    def __init__(self, conn: Connection, now: float, schema: str) -> None:
        self._conn = conn
        self._now = now
        self._schema = schema
        self._locked: set[str] = set()
        self._pending: list[tuple[str, str, str, int | None, str | None, str]] = []

    def flush(self) -> None:
        """Store the queue messages waiting, in the order they were queued; the store calls
        this before it commits."""
        if not self._pending:
            return
        columns = list(zip(*self._pending, strict=True))
        self._pending.clear()
        self._conn.execute(
            "INSERT INTO queue (zone, party, kind, event_id, request_id, object_key, enqueued_at) "
            "SELECT m.zone, m.party, m.kind, m.event_id, m.request_id, m.object_key, %s "
            "FROM unnest(%s::text[], %s::text[], %s::text[], %s::bigint[], %s::text[], "
            "%s::text[]) WITH ORDINALITY AS m(zone, party, kind, event_id, request_id, "
            "object_key, position) ORDER BY m.position",
            (self._now, *(list(column) for column in columns)),
        )

    def _zone(self, zone: str) -> None:
        """Wait for, then hold until the transaction ends, the write lock of ``zone``."""
        if zone not in self._locked:
            self._conn.execute(_LOCK, (f"{self._schema}\x1fzone\x1f{zone}",))
            self._locked.add(zone)

    def _one(self, sql: str, params: Any) -> TupleRow | None:
        return self._conn.execute(sql, params).fetchone()
