"""The default zone store: one SQLite file in WAL mode, ``synchronous=FULL``.

Every write is one ``BEGIN IMMEDIATE`` transaction, so writers queue behind each other while
readers carry on; what a reply has acknowledged is on disk before the reply is sent. Each thread
gets its own connection (the server runs store calls in worker threads).

Acknowledgements are the exception: they commit without waiting for the disk
(``synchronous=NORMAL`` for that transaction), which saves a flush per message acknowledged. They
are still atomic and survive the server being killed; the next flushed commit makes them
durable too. Only a power cut or OS crash within those few milliseconds can undo one, and an
acknowledgement undone means the message is delivered again (delivery is at least once anyway)
and audited again. Leases wait for the disk, because a lease writes the delivery's audit row
and every delivery of learner data must stay on record.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sif_core.storage import StorageBackendSpec
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
from zone_server.store.rows import (
    AUDIT_COLUMNS,
    EVENT_COLUMNS,
    REQUEST_COLUMNS,
    SQLITE_ROWS,
    qualified,
)
from zone_server.store.sqlite_schema import SCHEMA, SCHEMA_VERSION
from zone_server.store.sqlite_tx import (
    OBJECT_COLUMNS,
    SQLiteTransaction,
    row_to_object,
    row_to_request,
    scope_keys,
    write_audit,
)
from zone_server.store.sqlite_workflows import WORKFLOW_SCHEMA, complete_transfers

__all__ = ["BACKEND", "SQLiteStore", "open_sqlite"]


class SQLiteStore:
    """A :class:`~zone_server.store.Store` in one SQLite file."""

    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.url = f"sqlite:{path}"
        self._clock = clock
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        # Writers of this process queue here rather than in SQLite's busy handler, which
        # sleeps 1, 2, 5, 10, 15, 20, 25... ms between retries however soon the lock is free.
        self._writer = threading.RLock()
        # executescript commits on its own, so the script brings its own transaction.
        self._conn().executescript(f"BEGIN IMMEDIATE;\n{SCHEMA}\n{WORKFLOW_SCHEMA}\nCOMMIT;")
        with self._write() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?)",
                    (str(SCHEMA_VERSION),),
                )
            elif int(row[0]) != SCHEMA_VERSION:
                raise StorageError(
                    f"{self.url}: schema version {row[0]}, this server needs {SCHEMA_VERSION}; "
                    "use the sifbridge release that wrote it"
                )

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(
                    self.path, isolation_level=None, check_same_thread=False, timeout=30
                )
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
                conn.execute("PRAGMA busy_timeout = 30000")
            except sqlite3.Error as error:
                raise StorageError(f"{self.url}: cannot open the zone store: {error}") from None
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def _write(self, *, synced: bool = True) -> Iterator[sqlite3.Connection]:
        """A write transaction; ``synced=False`` commits without waiting for the disk (for
        acknowledgements only: see the module's docstring)."""
        # One connection a thread, its pragma switched for an unsynced commit: a second
        # connection for those was slower (each write on one invalidates the other's cache).
        conn = self._conn()
        with self._writer:
            if not synced:
                conn.execute("PRAGMA synchronous = NORMAL")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            finally:
                if not synced:
                    conn.execute("PRAGMA synchronous = FULL")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        conn = self._conn()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    @contextmanager
    def transaction(self) -> Iterator[SQLiteTransaction]:
        """A write transaction (see :class:`~zone_server.store.StoreTransaction`)."""
        with self._write() as conn:
            tx = SQLiteTransaction(conn, self._clock)
            yield tx
            tx.flush()

    def lease(
        self,
        zone: str,
        party: str,
        *,
        limit: int,
        lease_seconds: float,
        audited_types: frozenset[str],
    ) -> list[QueueMessage]:
        with self._write() as conn:
            return self._lease(conn, zone, party, limit, lease_seconds, audited_types)

    def lease_many(self, requests: Sequence[LeaseRequest]) -> list[LeaseOutcome]:
        acked: list[list[int]] = [[] for _ in requests]
        if any(request.ack for request in requests):
            # Acknowledgements commit without waiting for the disk, as ack() does; the
            # leases' commit then waits for it (only when a lease changed anything).
            with self._write(synced=False) as conn:
                acked = [self._ack(conn, r.zone, r.party, r.ack) for r in requests]
        with self._write() as conn:
            leased = [
                self._lease(conn, r.zone, r.party, r.limit, r.lease_seconds, r.audited_types)
                for r in requests
            ]
        return [LeaseOutcome(a, m) for a, m in zip(acked, leased, strict=True)]

    def _lease(
        self,
        conn: sqlite3.Connection,
        zone: str,
        party: str,
        limit: int,
        lease_seconds: float,
        audited_types: frozenset[str],
    ) -> list[QueueMessage]:
        now = self._clock()
        ids = [
            row[0]
            for row in conn.execute(
                "UPDATE queue SET leased_until = ?, delivery_count = delivery_count + 1 "
                "WHERE message_id IN (SELECT q.message_id FROM queue q WHERE q.zone = ? "
                "AND q.party = ? AND (q.leased_until IS NULL OR q.leased_until <= ?) "
                "AND NOT EXISTS (SELECT 1 FROM queue p WHERE p.zone = q.zone "
                "AND p.party = q.party AND p.object_key = q.object_key "
                "AND p.message_id < q.message_id AND p.leased_until > ?) "
                "ORDER BY q.message_id LIMIT ?) RETURNING message_id",
                (now + lease_seconds, zone, party, now, now, limit),
            )
        ]
        if not ids:
            return []
        messages = self._messages(conn, sorted(ids))
        for object_type, ref_ids, detail in delivery_audits(messages, audited_types):
            write_audit(conn, now, zone, party, "deliver", object_type, ref_ids, detail)
        return messages

    def _messages(self, conn: sqlite3.Connection, ids: list[int]) -> list[QueueMessage]:
        marks = ",".join("?" * len(ids))
        rows = conn.execute(
            f"SELECT q.message_id, q.kind, q.delivery_count, q.leased_until, "  # noqa: S608
            f"{qualified('e', EVENT_COLUMNS)}, {qualified('r', REQUEST_COLUMNS)} FROM queue q "
            "LEFT JOIN events e ON e.event_id = q.event_id "
            "LEFT JOIN service_requests r ON r.request_id = q.request_id "
            f"WHERE q.message_id IN ({marks}) ORDER BY q.message_id",
            ids,
        ).fetchall()
        return [SQLITE_ROWS.message(row) for row in rows]

    def ack(self, zone: str, party: str, message_ids: Sequence[int]) -> list[int]:
        if not message_ids:
            return []
        with self._write(synced=False) as conn:
            return self._ack(conn, zone, party, message_ids)

    def _ack(
        self, conn: sqlite3.Connection, zone: str, party: str, message_ids: Sequence[int]
    ) -> list[int]:
        if not message_ids:
            return []
        marks = ",".join("?" * len(message_ids))
        rows = conn.execute(
            "DELETE FROM queue WHERE zone = ? AND party = ? AND delivery_count > 0 "  # noqa: S608
            f"AND message_id IN ({marks}) RETURNING message_id",
            (zone, party, *message_ids),
        ).fetchall()
        removed = sorted(row[0] for row in rows)
        complete_transfers(conn, self._clock(), zone, party, removed)
        return removed

    def queue_stats(self, zone: str) -> list[QueueStats]:
        now = self._clock()
        with self._read() as conn:
            rows = conn.execute(
                "SELECT party, COUNT(*), SUM(CASE WHEN leased_until > ? THEN 1 ELSE 0 END), "
                "MIN(enqueued_at) FROM queue WHERE zone = ? GROUP BY party ORDER BY party",
                (now, zone),
            ).fetchall()
        return queue_stats(rows, now)

    def query(self, zone: str, query: ObjectQuery) -> ObjectPage:
        where = ["o.zone = ?", "o.object_type = ?"]
        params: list[Any] = [zone, query.object_type]
        if query.changes_since is None:
            where.append("o.deleted = 0")
            order = "o.ref_id"
        else:
            where.append("o.seq > ?")
            since_at = len(params)
            params.append(query.changes_since)
            order = "o.seq"
        # Without statistics SQLite walks the primary key (every object of the type) rather
        # than the index on the one column asked for: name the index.
        source = "objects o"
        for column, value in (("upn", query.upn), ("local_id", query.local_id)):
            if value is not None:
                where.append(f"o.{column} = ?")
                params.append(value)
                source = f"objects o INDEXED BY objects_{column}"
        if query.school is not None:
            where.append(has_key("s.scope_key = ?"))
            params.append(query.school)
        if query.scope is not None:
            clause, scope_params = _scope_clause(query.scope)
            where.append(clause)
            params.extend(scope_params)
        condition = " AND ".join(where)
        start, start_params, offset = page_window(query, "?")
        page_condition = condition if start is None else f"{condition} AND {start}"
        page_params = list(params)
        if query.changes_since is not None:
            page_params[since_at] = changed_after(query)
        with self._read() as conn:
            total = query.total
            if total is None:
                total = conn.execute(
                    f"SELECT COUNT(*) FROM {source} WHERE {condition}",  # noqa: S608
                    params,
                ).fetchone()[0]
            columns = qualified("o", OBJECT_COLUMNS)
            rows = conn.execute(
                f"SELECT {columns} FROM {source} WHERE {page_condition} "  # noqa: S608
                f"ORDER BY {order} LIMIT ? OFFSET ?",
                (*page_params, *start_params, query.page_size, offset),
            ).fetchall()
            objects = [row_to_object(row, scope_keys(conn, zone, row[1], row[2])) for row in rows]
            marker = self._marker(conn, zone)
        return object_page(query, objects, total, marker)

    def get(
        self, zone: str, object_type: str, ref_id: str, scope: Scope | None
    ) -> StoredObject | None:
        where = "o.zone = ? AND o.object_type = ? AND o.ref_id = ? AND o.deleted = 0"
        params: list[Any] = [zone, object_type, ref_id]
        if scope is not None:
            clause, scope_params = _scope_clause(scope)
            where += " AND " + clause
            params.extend(scope_params)
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {OBJECT_COLUMNS} FROM objects o WHERE {where}",  # noqa: S608
                params,
            ).fetchone()
            if row is None:
                return None
            return row_to_object(row, scope_keys(conn, zone, object_type, ref_id))

    def marker(self, zone: str) -> int:
        with self._read() as conn:
            return self._marker(conn, zone)

    @staticmethod
    def _marker(conn: sqlite3.Connection, zone: str) -> int:
        row = conn.execute("SELECT MAX(event_id) FROM events WHERE zone = ?", (zone,)).fetchone()
        return int(row[0] or 0)

    def record_audit(
        self,
        zone: str,
        party: str,
        operation: str,
        object_type: str | None,
        ref_ids: Sequence[str],
        detail: str = "",
    ) -> None:
        with self._write() as conn:
            write_audit(conn, self._clock(), zone, party, operation, object_type, ref_ids, detail)

    def audit_log(
        self, zone: str, *, after_id: int = 0, party: str | None = None, limit: int = 100
    ) -> list[AuditEntry]:
        sql = f"SELECT {AUDIT_COLUMNS} FROM audit WHERE zone = ? AND audit_id > ?"  # noqa: S608
        params: list[Any] = [zone, after_id]
        if party is not None:
            sql += " AND party = ?"
            params.append(party)
        with self._read() as conn:
            rows = conn.execute(sql + " ORDER BY audit_id LIMIT ?", (*params, limit)).fetchall()
        return [SQLITE_ROWS.audit(row) for row in rows]

    def service_request(self, zone: str, request_id: str) -> ServiceRequest | None:
        with self._read() as conn:
            row = conn.execute(
                f"SELECT {REQUEST_COLUMNS} FROM service_requests "  # noqa: S608
                "WHERE zone = ? AND request_id = ?",
                (zone, request_id),
            ).fetchone()
        return None if row is None else row_to_request(row)

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


def _scope_clause(scope: Scope) -> tuple[str, list[str]]:
    if scope.all:
        return "1 = 1", []
    if scope.is_empty:
        return "1 = 0", []
    schools = sorted(scope.schools)
    las = sorted(scope.las)
    parts = []
    if schools:
        parts.append(f"s.scope_key IN ({','.join('?' * len(schools))})")
    if las:
        parts.append(f"substr(s.scope_key, 1, 3) IN ({','.join('?' * len(las))})")
    return has_key("(" + " OR ".join(parts) + ")"), [*schools, *las]


def open_sqlite(url: str) -> SQLiteStore:
    """Open (creating if need be) the store at ``sqlite:PATH``."""
    scheme, _, rest = url.partition(":")
    if scheme != "sqlite" or not rest:
        raise StorageError(f"{url!r} is not a SQLite storage URL; write sqlite:PATH")
    path = Path(rest.removeprefix("//"))
    if not path.parent.is_dir():
        raise StorageError(
            f"{url}: the folder {path.parent} does not exist; create it or change [server] storage"
        )
    return SQLiteStore(path)


BACKEND = StorageBackendSpec(
    name="sqlite",
    description="one SQLite file in WAL mode (the default)",
    open=open_sqlite,
)
