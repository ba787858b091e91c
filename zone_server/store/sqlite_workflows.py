"""The SQLite store's workflow tables and their part of the write transaction."""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from zone_server.store.workflows import (
    CensusReturn,
    DualConflict,
    DualRegistration,
    FieldChange,
    SnapshotObject,
    Transfer,
    TransferStatus,
    ULNReview,
)

if TYPE_CHECKING:
    from zone_server.store import StoredObject

__all__ = ["WORKFLOW_SCHEMA", "SQLiteWorkflows", "complete_transfers"]

WORKFLOW_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS transfers (
    transfer_id TEXT PRIMARY KEY,
    zone TEXT NOT NULL,
    upn TEXT NOT NULL,
    learner_ref TEXT NOT NULL,
    source_party TEXT NOT NULL,
    source_school TEXT NOT NULL,
    destination TEXT NOT NULL,
    destination_party TEXT,
    status TEXT NOT NULL,
    object_count INTEGER NOT NULL,
    created_at REAL NOT NULL,
    delivered_at REAL,
    completed_at REAL,
    claimed_by TEXT
);
CREATE INDEX IF NOT EXISTS transfers_upn ON transfers (zone, upn);
CREATE TABLE IF NOT EXISTS transfer_objects (
    transfer_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    object_type TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    content TEXT NOT NULL,
    PRIMARY KEY (transfer_id, position)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS transfer_messages (
    message_id INTEGER PRIMARY KEY,
    transfer_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS transfer_messages_transfer ON transfer_messages (transfer_id);
CREATE TABLE IF NOT EXISTS dual_registrations (
    link_id TEXT PRIMARY KEY,
    zone TEXT NOT NULL,
    upn TEXT NOT NULL,
    first_learner TEXT NOT NULL,
    first_school TEXT NOT NULL,
    second_learner TEXT NOT NULL,
    second_school TEXT NOT NULL,
    active INTEGER NOT NULL,
    created_at REAL NOT NULL,
    ended_at REAL,
    end_reason TEXT
);
CREATE INDEX IF NOT EXISTS dual_first ON dual_registrations (zone, first_learner);
CREATE INDEX IF NOT EXISTS dual_second ON dual_registrations (zone, second_learner);
CREATE TABLE IF NOT EXISTS dual_field_changes (
    link_id TEXT NOT NULL,
    learner_ref TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    before TEXT NOT NULL,
    synced INTEGER NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (link_id, learner_ref, field)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dual_conflicts (
    conflict_id TEXT PRIMARY KEY,
    zone TEXT NOT NULL,
    link_id TEXT NOT NULL,
    object_type TEXT NOT NULL,
    field TEXT NOT NULL,
    earlier TEXT NOT NULL,
    later TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at REAL NOT NULL,
    resolved_by TEXT,
    resolved_at REAL
);
CREATE TABLE IF NOT EXISTS uln_reviews (
    review_id TEXT PRIMARY KEY,
    zone TEXT NOT NULL,
    request_id TEXT NOT NULL,
    school TEXT NOT NULL,
    learner_ref TEXT NOT NULL,
    outcome TEXT NOT NULL,
    code TEXT,
    message TEXT NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS census_returns (
    return_id TEXT PRIMARY KEY,
    zone TEXT NOT NULL,
    school TEXT NOT NULL,
    school_party TEXT NOT NULL,
    collection TEXT NOT NULL,
    reference_date TEXT NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    prepared_by TEXT NOT NULL,
    created_at REAL NOT NULL,
    content_hash TEXT NOT NULL,
    object_count INTEGER NOT NULL,
    approved_by TEXT,
    approved_at REAL,
    counts TEXT,
    UNIQUE (zone, school, collection, version)
);
CREATE TABLE IF NOT EXISTS census_objects (
    return_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    object_type TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    content TEXT NOT NULL,
    PRIMARY KEY (return_id, position)
) WITHOUT ROWID;
"""

_TRANSFER_COLUMNS: Final = (
    "transfer_id, zone, upn, learner_ref, source_party, source_school, destination, "
    "destination_party, status, object_count, created_at, delivered_at, completed_at, claimed_by"
)
_DUAL_COLUMNS: Final = (
    "link_id, zone, upn, first_learner, first_school, second_learner, second_school, active, "
    "created_at, ended_at, end_reason"
)
_CONFLICT_COLUMNS: Final = (
    "conflict_id, zone, link_id, object_type, field, earlier, later, status, created_at, "
    "resolved_by, resolved_at"
)
_REVIEW_COLUMNS: Final = (
    "review_id, zone, request_id, school, learner_ref, outcome, code, message, created_at"
)
_CENSUS_COLUMNS: Final = (
    "return_id, zone, school, school_party, collection, reference_date, version, status, "
    "prepared_by, created_at, content_hash, object_count, approved_by, approved_at, counts"
)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _new_id() -> str:
    return secrets.token_hex(16).upper()


def _transfer(row: Sequence[Any]) -> Transfer:
    return Transfer(*row)


def _dual(row: Sequence[Any]) -> DualRegistration:
    values = list(row)
    values[7] = bool(values[7])
    return DualRegistration(*values)


def _conflict(row: Sequence[Any]) -> DualConflict:
    values = list(row)
    values[5] = tuple(json.loads(values[5]))
    values[6] = tuple(json.loads(values[6]))
    return DualConflict(*values)


def _census(row: Sequence[Any]) -> CensusReturn:
    values = list(row)
    values[14] = None if values[14] is None else json.loads(values[14])
    return CensusReturn(*values)


def _write_objects(
    conn: sqlite3.Connection, table: str, owner: str, objects: Sequence[SnapshotObject]
) -> None:
    key = "transfer_id" if table == "transfer_objects" else "return_id"
    conn.executemany(
        f"INSERT INTO {table} ({key}, position, object_type, ref_id, content) "  # noqa: S608
        "VALUES (?, ?, ?, ?, ?)",
        [
            (owner, position, obj.object_type, obj.ref_id, _json(obj.content))
            for position, obj in enumerate(objects)
        ],
    )


def _read_objects(conn: sqlite3.Connection, table: str, owner: str) -> list[SnapshotObject]:
    key = "transfer_id" if table == "transfer_objects" else "return_id"
    rows = conn.execute(
        f"SELECT object_type, ref_id, content FROM {table} "  # noqa: S608 - constant names
        f"WHERE {key} = ? ORDER BY position",
        (owner,),
    ).fetchall()
    return [SnapshotObject(row[0], row[1], json.loads(row[2])) for row in rows]


def complete_transfers(
    conn: sqlite3.Connection, now: float, zone: str, party: str, message_ids: Sequence[int]
) -> list[str]:
    """After ``party`` acknowledged ``message_ids``: complete every transfer it has now
    acknowledged in full, audit it, and return the transfer ids completed."""
    if not message_ids:
        return []
    marks = ",".join("?" * len(message_ids))
    touched = [
        row[0]
        for row in conn.execute(
            "DELETE FROM transfer_messages "  # noqa: S608 - placeholders only
            f"WHERE message_id IN ({marks}) RETURNING transfer_id",
            list(message_ids),
        ).fetchall()
    ]
    completed = []
    for transfer_id in sorted(set(touched)):
        waiting = conn.execute(
            "SELECT 1 FROM transfer_messages WHERE transfer_id = ? LIMIT 1", (transfer_id,)
        ).fetchone()
        if waiting is not None:
            continue
        conn.execute(
            "UPDATE transfers SET status = 'complete', completed_at = ? WHERE transfer_id = ?",
            (now, transfer_id),
        )
        conn.execute(
            "INSERT INTO audit (at, zone, party, operation, object_type, ref_ids, detail) "
            "VALUES (?, ?, ?, 'transfer-complete', NULL, '[]', ?)",
            (now, zone, party, f"transfer {transfer_id} acknowledged in full"),
        )
        completed.append(transfer_id)
    return completed


class SQLiteWorkflows:
    """The workflow methods of :class:`~zone_server.store.sqlite_tx.SQLiteTransaction`."""

    _conn: sqlite3.Connection
    _now: float

    def _live_objects(
        self, zone: str, where: str, params: Sequence[Any], index: str | None = None
    ) -> list[StoredObject]:
        # sqlite_tx imports this module (its transaction class is built on this one).
        from zone_server.store.sqlite_tx import OBJECT_COLUMNS, row_to_object, scope_keys

        # Without statistics SQLite walks every object of the zone rather than an index on
        # the column asked for, so the caller names the index.
        source = f"objects INDEXED BY {index}" if index else "objects"
        rows = self._conn.execute(
            f"SELECT {OBJECT_COLUMNS} FROM {source} "  # noqa: S608 - constant columns and clauses
            f"WHERE zone = ? AND deleted = 0 AND {where} ORDER BY ref_id",
            (zone, *params),
        ).fetchall()
        return [row_to_object(row, scope_keys(self._conn, zone, row[1], row[2])) for row in rows]

    def learners_by_upn(self, zone: str, upn: str) -> list[StoredObject]:
        return self._live_objects(
            zone, "object_type = 'LearnerPersonal' AND upn = ?", [upn], index="objects_upn"
        )

    def learner_contacts_of(self, zone: str, contact_ref: str) -> list[StoredObject]:
        return self._live_objects(
            zone,
            "object_type = 'LearnerContact' "
            "AND json_extract(content, '$.ContactPersonalRefId') = ?",
            [contact_ref],
        )

    # -- transfers -------------------------------------------------------------------------

    def create_transfer(
        self,
        zone: str,
        *,
        upn: str,
        learner_ref: str,
        source_party: str,
        source_school: str,
        destination: str,
        objects: Sequence[SnapshotObject],
    ) -> Transfer:
        transfer_id = _new_id()
        self._conn.execute(
            f"INSERT INTO transfers ({_TRANSFER_COLUMNS}) "  # noqa: S608 - constant columns
            "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 'lost', ?, ?, NULL, NULL, NULL)",
            (
                transfer_id,
                zone,
                upn,
                learner_ref,
                source_party,
                source_school,
                destination,
                len(objects),
                self._now,
            ),
        )
        _write_objects(self._conn, "transfer_objects", transfer_id, objects)
        found = self.transfer(zone, transfer_id)
        assert found is not None
        return found

    def transfer(self, zone: str, transfer_id: str) -> Transfer | None:
        row = self._conn.execute(
            f"SELECT {_TRANSFER_COLUMNS} FROM transfers "  # noqa: S608 - constant columns
            "WHERE zone = ? AND transfer_id = ?",
            (zone, transfer_id),
        ).fetchone()
        return None if row is None else _transfer(row)

    def transfers(
        self, zone: str, *, status: TransferStatus | None = None, upn: str | None = None
    ) -> list[Transfer]:
        sql = f"SELECT {_TRANSFER_COLUMNS} FROM transfers WHERE zone = ?"  # noqa: S608
        params: list[Any] = [zone]
        if status is not None:
            sql += " AND status = ?"
            params.append(status)
        if upn is not None:
            sql += " AND upn = ?"
            params.append(upn)
        rows = self._conn.execute(sql + " ORDER BY created_at DESC, rowid DESC", params)
        return [_transfer(row) for row in rows.fetchall()]

    def transfer_objects(self, zone: str, transfer_id: str) -> list[SnapshotObject]:
        if self.transfer(zone, transfer_id) is None:
            return []
        return _read_objects(self._conn, "transfer_objects", transfer_id)

    def enqueue_transfer_event(self, transfer_id: str, party: str, event_id: int) -> None:
        row = self._conn.execute(
            "SELECT zone, object_type, ref_id FROM events WHERE event_id = ?", (event_id,)
        ).fetchone()
        assert row is not None, "the event is stored first"
        cursor = self._conn.execute(
            "INSERT INTO queue (zone, party, kind, event_id, request_id, object_key, enqueued_at) "
            "VALUES (?, ?, 'event', ?, NULL, ?, ?)",
            (row[0], party, event_id, f"{row[1]}/{row[2]}", self._now),
        )
        self._conn.execute(
            "INSERT INTO transfer_messages (message_id, transfer_id) VALUES (?, ?)",
            (cursor.lastrowid, transfer_id),
        )

    def mark_transfer_delivered(
        self, zone: str, transfer_id: str, party: str, *, claimed_by: str | None
    ) -> Transfer:
        self._conn.execute(
            "UPDATE transfers SET status = 'delivered', destination_party = ?, delivered_at = ?, "
            "claimed_by = ? WHERE zone = ? AND transfer_id = ?",
            (party, self._now, claimed_by, zone, transfer_id),
        )
        found = self.transfer(zone, transfer_id)
        assert found is not None
        return found

    # -- dual registration -----------------------------------------------------------------

    def dual_registrations(
        self,
        zone: str,
        *,
        learner_ref: str | None = None,
        school: str | None = None,
        active_only: bool = True,
    ) -> list[DualRegistration]:
        sql = f"SELECT {_DUAL_COLUMNS} FROM dual_registrations WHERE zone = ?"  # noqa: S608
        params: list[Any] = [zone]
        if learner_ref is not None:
            sql += " AND (first_learner = ? OR second_learner = ?)"
            params += [learner_ref, learner_ref]
        if school is not None:
            sql += " AND (first_school = ? OR second_school = ?)"
            params += [school, school]
        if active_only:
            sql += " AND active = 1"
        rows = self._conn.execute(sql + " ORDER BY created_at, link_id", params).fetchall()
        return [_dual(row) for row in rows]

    def add_dual_registration(
        self, zone: str, upn: str, first: tuple[str, str], second: tuple[str, str]
    ) -> DualRegistration:
        link_id = _new_id()
        self._conn.execute(
            f"INSERT INTO dual_registrations ({_DUAL_COLUMNS}) "  # noqa: S608 - constant columns
            "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, NULL, NULL)",
            (link_id, zone, upn, first[0], first[1], second[0], second[1], self._now),
        )
        row = self._conn.execute(
            f"SELECT {_DUAL_COLUMNS} FROM dual_registrations WHERE link_id = ?",  # noqa: S608
            (link_id,),
        ).fetchone()
        return _dual(row)

    def end_dual_registration(self, zone: str, link_id: str, reason: str) -> None:
        self._conn.execute(
            "UPDATE dual_registrations SET active = 0, ended_at = ?, end_reason = ? "
            "WHERE zone = ? AND link_id = ? AND active = 1",
            (self._now, reason, zone, link_id),
        )

    def field_change(
        self, zone: str, link_id: str, learner_ref: str, field: str
    ) -> FieldChange | None:
        row = self._conn.execute(
            "SELECT value, before, synced, at FROM dual_field_changes "
            "WHERE link_id = ? AND learner_ref = ? AND field = ?",
            (link_id, learner_ref, field),
        ).fetchone()
        if row is None:
            return None
        value, before = json.loads(row[0]), json.loads(row[1])
        return FieldChange(link_id, learner_ref, field, value, before, bool(row[2]), row[3])

    def record_field_change(
        self,
        zone: str,
        link_id: str,
        learner_ref: str,
        field: str,
        *,
        value: Any,
        before: Any,
        synced: bool,
    ) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO dual_field_changes "
            "(link_id, learner_ref, field, value, before, synced, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (link_id, learner_ref, field, _json(value), _json(before), int(synced), self._now),
        )

    def add_dual_conflict(
        self,
        zone: str,
        link_id: str,
        object_type: str,
        field: str,
        earlier: tuple[str, str, Any],
        later: tuple[str, str, Any],
    ) -> DualConflict:
        conflict_id = _new_id()
        self._conn.execute(
            f"INSERT INTO dual_conflicts ({_CONFLICT_COLUMNS}) "  # noqa: S608 - constant columns
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, NULL, NULL)",
            (
                conflict_id,
                zone,
                link_id,
                object_type,
                field,
                _json(list(earlier)),
                _json(list(later)),
                self._now,
            ),
        )
        return self._conflict(zone, conflict_id)

    def _conflict(self, zone: str, conflict_id: str) -> DualConflict:
        row = self._conn.execute(
            f"SELECT {_CONFLICT_COLUMNS} FROM dual_conflicts "  # noqa: S608 - constant columns
            "WHERE zone = ? AND conflict_id = ?",
            (zone, conflict_id),
        ).fetchone()
        return _conflict(row)

    def dual_conflicts(self, zone: str, *, status: str | None = "open") -> list[DualConflict]:
        sql = f"SELECT {_CONFLICT_COLUMNS} FROM dual_conflicts WHERE zone = ?"  # noqa: S608
        params: list[Any] = [zone]
        if status is not None:
            sql += " AND status = ?"
            params.append(status)
        rows = self._conn.execute(sql + " ORDER BY created_at, conflict_id", params).fetchall()
        return [_conflict(row) for row in rows]

    def resolve_dual_conflict(self, zone: str, conflict_id: str, by: str) -> DualConflict | None:
        cursor = self._conn.execute(
            "UPDATE dual_conflicts SET status = 'resolved', resolved_by = ?, resolved_at = ? "
            "WHERE zone = ? AND conflict_id = ?",
            (by, self._now, zone, conflict_id),
        )
        return None if cursor.rowcount == 0 else self._conflict(zone, conflict_id)

    # -- ULN -------------------------------------------------------------------------------

    def add_uln_review(
        self,
        zone: str,
        *,
        request_id: str,
        school: str,
        learner_ref: str,
        outcome: str,
        code: str | None,
        message: str,
    ) -> ULNReview:
        review = ULNReview(
            _new_id(), zone, request_id, school, learner_ref, outcome, code, message, self._now
        )
        self._conn.execute(
            f"INSERT INTO uln_reviews ({_REVIEW_COLUMNS}) "  # noqa: S608 - constant columns
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                review.review_id,
                zone,
                request_id,
                school,
                learner_ref,
                outcome,
                code,
                message,
                self._now,
            ),
        )
        return review

    def uln_reviews(self, zone: str) -> list[ULNReview]:
        rows = self._conn.execute(
            f"SELECT {_REVIEW_COLUMNS} FROM uln_reviews "  # noqa: S608 - constant columns
            "WHERE zone = ? ORDER BY created_at, review_id",
            (zone,),
        ).fetchall()
        return [ULNReview(*row) for row in rows]

    # -- census returns --------------------------------------------------------------------

    def add_census_return(
        self,
        zone: str,
        *,
        school: str,
        school_party: str,
        collection: str,
        reference_date: str,
        prepared_by: str,
        content_hash: str,
        objects: Sequence[SnapshotObject],
    ) -> CensusReturn:
        latest = self._conn.execute(
            "SELECT MAX(version) FROM census_returns WHERE zone = ? AND school = ? "
            "AND collection = ?",
            (zone, school, collection),
        ).fetchone()[0]
        self._conn.execute(
            "UPDATE census_returns SET status = 'superseded' WHERE zone = ? AND school = ? "
            "AND collection = ? AND status = 'draft'",
            (zone, school, collection),
        )
        return_id = _new_id()
        self._conn.execute(
            f"INSERT INTO census_returns ({_CENSUS_COLUMNS}) "  # noqa: S608 - constant columns
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, NULL, NULL, NULL)",
            (
                return_id,
                zone,
                school,
                school_party,
                collection,
                reference_date,
                (latest or 0) + 1,
                prepared_by,
                self._now,
                content_hash,
                len(objects),
            ),
        )
        _write_objects(self._conn, "census_objects", return_id, objects)
        found = self.census_return(zone, return_id)
        assert found is not None
        return found

    def census_return(self, zone: str, return_id: str) -> CensusReturn | None:
        row = self._conn.execute(
            f"SELECT {_CENSUS_COLUMNS} FROM census_returns "  # noqa: S608 - constant columns
            "WHERE zone = ? AND return_id = ?",
            (zone, return_id),
        ).fetchone()
        return None if row is None else _census(row)

    def census_returns(
        self, zone: str, *, collection: str | None = None, school: str | None = None
    ) -> list[CensusReturn]:
        sql = f"SELECT {_CENSUS_COLUMNS} FROM census_returns WHERE zone = ?"  # noqa: S608
        params: list[Any] = [zone]
        for column, value in (("collection", collection), ("school", school)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        rows = self._conn.execute(sql + " ORDER BY school, collection, version", params)
        return [_census(row) for row in rows.fetchall()]

    def census_objects(self, zone: str, return_id: str) -> list[SnapshotObject]:
        if self.census_return(zone, return_id) is None:
            return []
        return _read_objects(self._conn, "census_objects", return_id)

    def approve_census_return(
        self, zone: str, return_id: str, *, by: str, counts: dict[str, Any]
    ) -> CensusReturn:
        found = self.census_return(zone, return_id)
        assert found is not None
        self._conn.execute(
            "UPDATE census_returns SET status = 'superseded' WHERE zone = ? AND school = ? "
            "AND collection = ? AND status = 'approved'",
            (zone, found.school, found.collection),
        )
        self._conn.execute(
            "UPDATE census_returns SET status = 'approved', approved_by = ?, approved_at = ?, "
            "counts = ? WHERE zone = ? AND return_id = ?",
            (by, self._now, _json(counts), zone, return_id),
        )
        approved = self.census_return(zone, return_id)
        assert approved is not None
        return approved
