"""The PostgreSQL zone store: its connections, and the store methods outside a write transaction.

See :mod:`zone_server.store.postgres` for what a zone file writes and how the store behaves.
"""

from __future__ import annotations

import contextlib
import logging
import re
import select
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final
from urllib.parse import urlsplit

import psycopg
from psycopg import pq
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from zone_server.errors import StorageError
from zone_server.scope import Scope
from zone_server.store import (
    AuditEntry,
    LeaseOutcome,
    LeaseRequest,
    ObjectPage,
    ObjectQuery,
    QueueMessage,
    QueueStats,
    ServiceRequest,
    StoredObject,
)
from zone_server.store.common import (
    changed_after,
    delivery_audits,
    has_key,
    object_page,
    page_window,
    queue_stats,
)
from zone_server.store.postgres_locks import Connection, lock_queue
from zone_server.store.postgres_rows import (
    OBJECT_COLUMNS,
    OBJECT_REF_ID,
    row_to_object,
    row_to_request,
)
from zone_server.store.postgres_schema import SCHEMA, SCHEMA_VERSION
from zone_server.store.postgres_tx import PostgresTransaction, write_audit
from zone_server.store.postgres_workflows import complete_transfers
from zone_server.store.rows import (
    AUDIT_COLUMNS,
    EVENT_COLUMNS,
    POSTGRES_ROWS,
    REQUEST_COLUMNS,
    qualified,
)

__all__ = ["PostgresStore"]

#: Each object's first leased message holds back the later ones about it (gathered once, not
#: looked up per message: a planner without statistics would walk the queue for each).
_LEASE: Final = (
    "WITH blocked AS MATERIALIZED (SELECT object_key, MIN(message_id) AS first_leased FROM queue "  # noqa: S608
    "WHERE zone = %(zone)s AND party = %(party)s AND leased_until > %(now)s "
    "GROUP BY object_key), "
    "picked AS (SELECT q.message_id FROM queue q "
    "WHERE q.zone = %(zone)s AND q.party = %(party)s "
    "AND (q.leased_until IS NULL OR q.leased_until <= %(now)s) "
    "AND NOT EXISTS (SELECT 1 FROM blocked b WHERE b.object_key = q.object_key "
    "AND b.first_leased < q.message_id) "
    "ORDER BY q.message_id LIMIT %(limit)s), "
    "leased AS (UPDATE queue SET leased_until = %(until)s, delivery_count = delivery_count + 1 "
    "WHERE message_id IN (SELECT message_id FROM picked) "
    "RETURNING message_id, kind, delivery_count, leased_until, event_id, request_id) "
    "SELECT l.message_id, l.kind, l.delivery_count, l.leased_until, "
    # The event's JSON as the text stored, handed on without being decoded here.
    f"{qualified('e', EVENT_COLUMNS).replace('e.content', 'e.content::text')}, "
    f"{qualified('r', REQUEST_COLUMNS)} FROM leased l "
    "LEFT JOIN events e ON e.event_id = l.event_id "
    "LEFT JOIN service_requests r ON r.request_id = l.request_id ORDER BY l.message_id"
)


class _Connections:
    """Connections to one database, reused: up to ``keep`` wait idle between calls.

    An idle connection the server has closed (a restart, an administrator) is noticed before
    use and replaced, so a database restart costs no request once the database is back.
    """

    def __init__(self, conninfo: str, url: str, keep: int) -> None:
        self._secrets = _secrets(conninfo)
        try:
            params = conninfo_to_dict(conninfo)
        except psycopg.Error as error:
            raise StorageError(f"{url}: not a usable PostgreSQL URL: {self._say(error)}") from None
        # Seen in pg_stat_activity, unless the URL names itself otherwise.
        params.setdefault("application_name", "sifbridge zone")
        self._conninfo = make_conninfo("", **params)
        self._url = url
        self._keep = keep
        self._idle: list[Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A connection in autocommit mode (``conn.transaction()`` makes a transaction)."""
        while True:
            with self._lock:
                if self._closed:
                    raise StorageError(f"{self._url}: the zone store has been closed")
                conn = self._idle.pop() if self._idle else None
            if conn is None or _alive(conn):
                break
            conn.close()
        if conn is None:
            try:
                conn = psycopg.connect(self._conninfo, autocommit=True)
            except psycopg.Error as error:
                raise StorageError(
                    f"{self._url}: cannot connect to PostgreSQL: {self._say(error)}"
                ) from None
        try:
            yield conn
        except psycopg.OperationalError as error:
            if not conn.broken:
                raise
            # The server restarted or the network dropped: the idle ones are gone too.
            self._close_idle()
            raise StorageError(
                f"{self._url}: the connection to PostgreSQL failed: {self._say(error)}"
            ) from None
        finally:
            self._give_back(conn)

    def _say(self, error: Exception) -> str:
        """The error's message without the URL's password, should libpq quote it."""
        message = str(error).strip()
        for secret in self._secrets:
            message = message.replace(secret, "***")
        return message

    def _give_back(self, conn: Connection) -> None:
        usable = not conn.closed and conn.info.transaction_status == pq.TransactionStatus.IDLE
        with self._lock:
            if usable and not self._closed and len(self._idle) < self._keep:
                self._idle.append(conn)
                return
        conn.close()

    def _close_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._close_idle()


_log = logging.getLogger("zone_server.store")


class _Statistics:
    """Gathers the planner's statistics on the object tables as they grow.

    Until a table is analyzed PostgreSQL plans its queries blind, and picks an index that makes
    a page of objects read every scope key of the type (seconds for a few thousand learners);
    autovacuum gathers statistics only a minute or so after a bulk load. So once this process
    has stored ``_FIRST`` objects, and again each time it has stored as many more as it had at
    the last count (1,000, 2,000, 4,000, ...), the object tables are analyzed, after the
    transaction that crossed the mark and outside it: a few analyses for any import, each a
    sample of at most 30,000 rows.
    """

    _FIRST = 1000

    def __init__(self, pool: _Connections) -> None:
        self._pool = pool
        self._lock = threading.Lock()
        self._written = 0
        self._next = self._FIRST

    def written(self, count: int) -> None:
        """Note ``count`` objects stored by a committed transaction; analyze past the mark."""
        if not count:
            return
        with self._lock:
            self._written += count
            if self._written < self._next:
                return
            self._next = 2 * self._written
        try:
            with self._pool.connection() as conn:
                conn.execute("ANALYZE objects, object_scopes")
        except (psycopg.Error, StorageError) as error:
            # The objects are stored: a missed analysis only leaves the planner to autovacuum.
            _log.warning("could not gather statistics on the object tables: %s", error)


def _secrets(conninfo: str) -> list[str]:
    """The passwords written in a URL (in its user part or as a parameter)."""
    found = re.findall(r"(?i)\bpassword=([^&\s]+)", conninfo)
    with contextlib.suppress(ValueError):
        if password := urlsplit(conninfo).password:
            found.append(password)
    return [secret for secret in found if secret]


def _alive(conn: Connection) -> bool:
    """False when an idle connection has something to read: the server closing it (the
    store does not LISTEN, so nothing else arrives unasked)."""
    if conn.closed:
        return False
    readable, _, _ = select.select([conn.fileno()], [], [], 0)
    return not readable


class PostgresStore:
    """A :class:`~zone_server.store.Store` in one PostgreSQL schema.

    ``url`` (the attribute) is the storage URL without any password, fit for a log line.
    """

    def __init__(
        self,
        conninfo: str,
        *,
        url: str | None = None,
        clock: Callable[[], float] = time.time,
        keep_connections: int = 8,
    ) -> None:
        self.url = url or conninfo
        self._clock = clock
        self._pool = _Connections(conninfo, self.url, keep_connections)
        self._statistics = _Statistics(self._pool)
        try:
            self.schema = self._prepare()
        except BaseException:
            self._pool.close()
            raise

    def _prepare(self) -> str:
        """Create the tables if need be (once, however many servers start together)."""
        with self._pool.connection() as conn, conn.transaction():
            row = conn.execute("SELECT current_schema()").fetchone()
            schema: str | None = row[0] if row else None
            if schema is None:
                path = conn.execute("SHOW search_path").fetchone()
                raise StorageError(
                    f"{self.url}: no schema of the search_path ({path[0] if path else ''}) "
                    "exists; create it (CREATE SCHEMA name) or set options=-csearch_path=name"
                )
            conn.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"{schema}\x1fsetup",)
            )
            if conn.execute("SELECT to_regclass('meta')").fetchone() == (None,):
                conn.execute(SCHEMA)
            found = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if found is None:
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', %s)",
                    (str(SCHEMA_VERSION),),
                )
            elif int(found[0]) != SCHEMA_VERSION:
                raise StorageError(
                    f"{self.url}: schema {schema} has version {found[0]}, this server needs "
                    f"{SCHEMA_VERSION}; use the sifbridge release that wrote it"
                )
        return schema

    @contextmanager
    def transaction(self) -> Iterator[PostgresTransaction]:
        """A write transaction (see :class:`~zone_server.store.StoreTransaction`)."""
        # Pipelined: statements whose results nobody reads (storing objects, queueing, audit)
        # go out without waiting for each reply; a read waits for everything sent before it.
        with self._pool.connection() as conn, conn.pipeline(), conn.transaction():
            tx = PostgresTransaction(conn, self._clock(), self.schema)
            yield tx
            tx.flush()
        self._statistics.written(tx.objects_written)

    def lease(
        self,
        zone: str,
        party: str,
        *,
        limit: int,
        lease_seconds: float,
        audited_types: frozenset[str],
    ) -> list[QueueMessage]:
        with self._pool.connection() as conn, conn.transaction():
            lock_queue(conn, self.schema, zone, party)
            return self._lease(conn, zone, party, limit, lease_seconds, audited_types)

    def lease_many(self, requests: Sequence[LeaseRequest]) -> list[LeaseOutcome]:
        with self._pool.connection() as conn, conn.transaction():
            # Every queue served is locked first, in one order, so two batches never wait
            # for each other in a circle.
            for zone, party in sorted({(r.zone, r.party) for r in requests}):
                lock_queue(conn, self.schema, zone, party)
            acked = [self._ack(conn, r.zone, r.party, r.ack) for r in requests]
            leased = [
                self._lease(conn, r.zone, r.party, r.limit, r.lease_seconds, r.audited_types)
                for r in requests
            ]
            if not any(leased):
                # Only acknowledgements: they need not wait for the disk (as ack()).
                conn.execute("SET LOCAL synchronous_commit = off")
        return [LeaseOutcome(a, m) for a, m in zip(acked, leased, strict=True)]

    def _lease(
        self,
        conn: Connection,
        zone: str,
        party: str,
        limit: int,
        lease_seconds: float,
        audited_types: frozenset[str],
    ) -> list[QueueMessage]:
        now = self._clock()
        rows = conn.execute(
            _LEASE,
            {"zone": zone, "party": party, "now": now, "limit": limit,
             "until": now + lease_seconds},
        ).fetchall()  # fmt: skip
        messages = [POSTGRES_ROWS.message(row) for row in rows]
        for object_type, ref_ids, detail in delivery_audits(messages, audited_types):
            write_audit(conn, now, zone, party, "deliver", object_type, ref_ids, detail)
        return messages

    def ack(self, zone: str, party: str, message_ids: Sequence[int]) -> list[int]:
        if not message_ids:
            return []
        with self._pool.connection() as conn, conn.transaction():
            lock_queue(conn, self.schema, zone, party, wait_for_disk=False)
            return self._ack(conn, zone, party, message_ids)

    def _ack(
        self, conn: Connection, zone: str, party: str, message_ids: Sequence[int]
    ) -> list[int]:
        if not message_ids:
            return []
        rows = conn.execute(
            "DELETE FROM queue WHERE zone = %s AND party = %s AND delivery_count > 0 "
            "AND message_id = ANY(%s) RETURNING message_id",
            (zone, party, list(message_ids)),
        ).fetchall()
        removed = sorted(row[0] for row in rows)
        complete_transfers(conn, self._clock(), zone, party, removed)
        return removed

    def queue_stats(self, zone: str) -> list[QueueStats]:
        now = self._clock()
        with self._pool.connection() as conn:
            rows = conn.execute(
                "SELECT party, COUNT(*), COUNT(*) FILTER (WHERE leased_until > %s), "
                "MIN(enqueued_at) FROM queue WHERE zone = %s "
                'GROUP BY party ORDER BY party COLLATE "C"',
                (now, zone),
            ).fetchall()
        return queue_stats(rows, now)

    def query(self, zone: str, query: ObjectQuery) -> ObjectPage:
        where = ["o.zone = %s", "o.object_type = %s"]
        params: list[Any] = [zone, query.object_type]
        if query.changes_since is None:
            where.append("NOT o.deleted")
            order = "o.ref_id"
        else:
            where.append("o.seq > %s")
            since_at = len(params)
            params.append(query.changes_since)
            order = "o.seq"
        for column, value in (("upn", query.upn), ("local_id", query.local_id)):
            if value is not None:
                where.append(f"o.{column} = %s")
                params.append(value)
        if query.school is not None:
            where.append(_has_key("s.scope_key = %s"))
            params.append(query.school)
        if query.scope is not None:
            clause, scope_params = _scope_clause(query.scope)
            where.append(clause)
            params.extend(scope_params)
        condition = " AND ".join(where)
        start, start_params, offset = page_window(query, "%s")
        page_condition = condition if start is None else f"{condition} AND {start}"
        page_params = list(params)
        if query.changes_since is not None:
            page_params[since_at] = changed_after(query)
        with self._pool.connection() as conn, conn.transaction():
            # The count, the page and the marker from one snapshot.
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            total = query.total
            if total is None:
                counted = conn.execute(
                    f"SELECT COUNT(*) FROM objects o WHERE {condition}",  # noqa: S608
                    params,
                ).fetchone()
                total = counted[0] if counted else 0
            rows = conn.execute(
                f"SELECT {OBJECT_COLUMNS} FROM objects o WHERE {page_condition} "  # noqa: S608
                f"ORDER BY {order} LIMIT %s OFFSET %s",
                (*page_params, *start_params, query.page_size, offset),
            ).fetchall()
            marker = _marker(conn, zone)
        return object_page(query, [row_to_object(row) for row in rows], total, marker)

    def get(
        self, zone: str, object_type: str, ref_id: str, scope: Scope | None
    ) -> StoredObject | None:
        where = "o.zone = %s AND o.object_type = %s AND o.ref_id = %s AND NOT o.deleted"
        params: list[Any] = [zone, object_type, ref_id]
        if scope is not None:
            clause, scope_params = _scope_clause(scope)
            where += " AND " + clause
            params.extend(scope_params)
        with self._pool.connection() as conn:
            row = conn.execute(
                f"SELECT {OBJECT_COLUMNS} FROM objects o WHERE {where}",  # noqa: S608
                params,
            ).fetchone()
        return None if row is None else row_to_object(row)

    def marker(self, zone: str) -> int:
        with self._pool.connection() as conn:
            return _marker(conn, zone)

    def record_audit(
        self,
        zone: str,
        party: str,
        operation: str,
        object_type: str | None,
        ref_ids: Sequence[str],
        detail: str = "",
    ) -> None:
        with self._pool.connection() as conn:
            write_audit(conn, self._clock(), zone, party, operation, object_type, ref_ids, detail)

    def audit_log(
        self, zone: str, *, after_id: int = 0, party: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        sql = f"SELECT {AUDIT_COLUMNS} FROM audit WHERE zone = %s AND audit_id > %s"  # noqa: S608
        params: list[Any] = [zone, after_id]
        if party is not None:
            sql += " AND party = %s"
            params.append(party)
        with self._pool.connection() as conn:
            rows = conn.execute(sql + " ORDER BY audit_id LIMIT %s", (*params, limit)).fetchall()
        return [POSTGRES_ROWS.audit(row) for row in rows]

    def service_request(self, zone: str, request_id: str) -> ServiceRequest | None:
        with self._pool.connection() as conn:
            row = conn.execute(
                f"SELECT {REQUEST_COLUMNS} FROM service_requests "  # noqa: S608
                "WHERE zone = %s AND request_id = %s",
                (zone, request_id),
            ).fetchone()
        return None if row is None else row_to_request(row)

    def close(self) -> None:
        self._pool.close()


def _marker(conn: Connection, zone: str) -> int:
    row = conn.execute(
        "SELECT COALESCE(MAX(event_id), 0) FROM events WHERE zone = %s", (zone,)
    ).fetchone()
    return int(row[0]) if row else 0


def _scope_clause(scope: Scope) -> tuple[str, list[Any]]:
    if scope.all:
        return "true", []
    if scope.is_empty:
        return "false", []
    parts, params = [], []
    if scope.schools:
        parts.append("s.scope_key = ANY(%s)")
        params.append(sorted(scope.schools))
    if scope.las:
        parts.append("left(s.scope_key, 3) = ANY(%s)")
        params.append(sorted(scope.las))
    return _has_key("(" + " OR ".join(parts) + ")"), params


def _has_key(condition: str) -> str:
    """:func:`has_key` looked up object by object, through ``object_scopes``' primary key:
    ``OFFSET 0`` keeps the planner from turning it into a join with every scope key of the type
    (which it picks when it underestimates the keys a scope matches), so a page stops reading
    as soon as it is full rather than reading every object's keys first."""
    return has_key(condition, OBJECT_REF_ID, " OFFSET 0")
