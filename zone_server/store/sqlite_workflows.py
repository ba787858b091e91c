"""The SQLite store's workflow part of its write transaction: transfers, dual registrations
and ULN reviews (census returns in :mod:`~zone_server.store.sqlite_census`; the tables in
:mod:`~zone_server.store.sqlite_workflow_rows`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import astuple
from typing import TYPE_CHECKING, Any

from zone_server.store.rows import SQLITE_ROWS
from zone_server.store.sqlite_census import SQLiteCensus
from zone_server.store.sqlite_workflow_rows import (
    CONFLICT_COLUMNS,
    DUAL_COLUMNS,
    REVIEW_COLUMNS,
    TRANSFER_COLUMNS,
    WORKFLOW_SCHEMA,
    conflict_row,
    dual_row,
    new_id,
    read_objects,
    to_json,
    transfer_row,
    write_objects,
)
from zone_server.store.workflows import (
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


class SQLiteWorkflows(SQLiteCensus):
    """The workflow methods of :class:`~zone_server.store.sqlite_tx.SQLiteTransaction`."""

    _conn: sqlite3.Connection
    _now: float

    def flush(self) -> None:
        """Store the queue messages held back so far (the transaction's class holds them)."""

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
        transfer_id = new_id()
        self._conn.execute(
            f"INSERT INTO transfers ({TRANSFER_COLUMNS}) "  # noqa: S608 - constant columns
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
        write_objects(self._conn, "transfer_objects", transfer_id, objects)
        found = self.transfer(zone, transfer_id)
        assert found is not None
        return found

    def transfer(self, zone: str, transfer_id: str) -> Transfer | None:
        row = self._conn.execute(
            f"SELECT {TRANSFER_COLUMNS} FROM transfers "  # noqa: S608 - constant columns
            "WHERE zone = ? AND transfer_id = ?",
            (zone, transfer_id),
        ).fetchone()
        return None if row is None else transfer_row(row)

    def transfers(
        self, zone: str, *, status: TransferStatus | None = None, upn: str | None = None
    ) -> list[Transfer]:
        sql = f"SELECT {TRANSFER_COLUMNS} FROM transfers WHERE zone = ?"  # noqa: S608
        params: list[Any] = [zone]
        if status is not None:
            sql += " AND status = ?"
            params.append(status)
        if upn is not None:
            sql += " AND upn = ?"
            params.append(upn)
        rows = self._conn.execute(sql + " ORDER BY created_at DESC, rowid DESC", params)
        return [transfer_row(row) for row in rows.fetchall()]

    def transfer_objects(self, zone: str, transfer_id: str) -> list[SnapshotObject]:
        if self.transfer(zone, transfer_id) is None:
            return []
        return read_objects(self._conn, "transfer_objects", transfer_id)

    def enqueue_transfer_event(self, transfer_id: str, party: str, event_id: int) -> None:
        self.flush()  # the messages queued before this one keep their places
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
        sql = f"SELECT {DUAL_COLUMNS} FROM dual_registrations WHERE zone = ?"  # noqa: S608
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
        return [dual_row(row) for row in rows]

    def add_dual_registration(
        self, zone: str, upn: str, first: tuple[str, str], second: tuple[str, str]
    ) -> DualRegistration:
        link_id = new_id()
        self._conn.execute(
            f"INSERT INTO dual_registrations ({DUAL_COLUMNS}) "  # noqa: S608 - constant columns
            "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, NULL, NULL)",
            (link_id, zone, upn, first[0], first[1], second[0], second[1], self._now),
        )
        row = self._conn.execute(
            f"SELECT {DUAL_COLUMNS} FROM dual_registrations WHERE link_id = ?",  # noqa: S608
            (link_id,),
        ).fetchone()
        return dual_row(row)

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
        return SQLITE_ROWS.field_change((link_id, learner_ref, field), row)

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
            (link_id, learner_ref, field, to_json(value), to_json(before), int(synced), self._now),
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
        conflict_id = new_id()
        self._conn.execute(
            f"INSERT INTO dual_conflicts ({CONFLICT_COLUMNS}) "  # noqa: S608 - constant columns
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, NULL, NULL)",
            (
                conflict_id,
                zone,
                link_id,
                object_type,
                field,
                to_json(list(earlier)),
                to_json(list(later)),
                self._now,
            ),
        )
        return self._conflict(zone, conflict_id)

    def _conflict(self, zone: str, conflict_id: str) -> DualConflict:
        row = self._conn.execute(
            f"SELECT {CONFLICT_COLUMNS} FROM dual_conflicts "  # noqa: S608 - constant columns
            "WHERE zone = ? AND conflict_id = ?",
            (zone, conflict_id),
        ).fetchone()
        return conflict_row(row)

    def dual_conflicts(self, zone: str, *, status: str | None = "open") -> list[DualConflict]:
        sql = f"SELECT {CONFLICT_COLUMNS} FROM dual_conflicts WHERE zone = ?"  # noqa: S608
        params: list[Any] = [zone]
        if status is not None:
            sql += " AND status = ?"
            params.append(status)
        rows = self._conn.execute(sql + " ORDER BY created_at, conflict_id", params).fetchall()
        return [conflict_row(row) for row in rows]

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
            new_id(), zone, request_id, school, learner_ref, outcome, code, message, self._now
        )
        self._conn.execute(
            f"INSERT INTO uln_reviews ({REVIEW_COLUMNS}) "  # noqa: S608 - constant columns
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            astuple(review),
        )
        return review

    def uln_reviews(self, zone: str) -> list[ULNReview]:
        rows = self._conn.execute(
            f"SELECT {REVIEW_COLUMNS} FROM uln_reviews "  # noqa: S608 - constant columns
            "WHERE zone = ? ORDER BY created_at, review_id",
            (zone,),
        ).fetchall()
        return [ULNReview(*row) for row in rows]
