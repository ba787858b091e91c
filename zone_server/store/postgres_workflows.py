"""The PostgreSQL store's workflow part of its write transaction: transfers, dual registrations
and ULN reviews (census returns in :mod:`~zone_server.store.postgres_census`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple
from typing import Any

from zone_server.store import StoredObject
from zone_server.store.postgres_census import PostgresCensus, read_snapshot, write_snapshot
from zone_server.store.postgres_locks import Connection
from zone_server.store.postgres_rows import (
    CONFLICT_COLUMNS,
    DUAL_COLUMNS,
    OBJECT_COLUMNS,
    REVIEW_COLUMNS,
    TRANSFER_COLUMNS,
    conflict_row,
    dual_row,
    new_id,
    row_to_object,
    to_json,
    transfer_row,
)
from zone_server.store.rows import POSTGRES_ROWS
from zone_server.store.workflows import (
    DualConflict,
    DualRegistration,
    FieldChange,
    SnapshotObject,
    Transfer,
    TransferStatus,
    ULNReview,
)

__all__ = ["PostgresWorkflows", "complete_transfers"]


def complete_transfers(
    conn: Connection, now: float, zone: str, party: str, message_ids: Sequence[int]
) -> list[str]:
    """After ``party`` acknowledged ``message_ids``: complete every transfer it has now
    acknowledged in full, audit it, and return the transfer ids completed."""
    if not message_ids:
        return []
    rows = conn.execute(
        "WITH done AS (DELETE FROM transfer_messages WHERE message_id = ANY(%s) "
        "RETURNING transfer_id) "
        "UPDATE transfers t SET status = 'complete', completed_at = %s "
        "WHERE t.transfer_id IN (SELECT transfer_id FROM done) "
        "AND NOT EXISTS (SELECT 1 FROM transfer_messages m WHERE m.transfer_id = t.transfer_id "
        "AND m.message_id <> ALL(%s)) RETURNING t.transfer_id",
        (list(message_ids), now, list(message_ids)),
    ).fetchall()
    completed = sorted(row[0] for row in rows)
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO audit (at, zone, party, operation, object_type, ref_ids, detail) "
            "VALUES (%s, %s, %s, 'transfer-complete', NULL, '[]', %s)",
            [(now, zone, party, f"transfer {tid} acknowledged in full") for tid in completed],
        )
    return completed


class PostgresWorkflows(PostgresCensus):
    """The workflow methods of :class:`~zone_server.store.postgres_tx.PostgresTransaction`."""

    def _live_objects(self, zone: str, where: str, params: Sequence[Any]) -> list[StoredObject]:
        self._zone(zone)
        rows = self._conn.execute(
            f"SELECT {OBJECT_COLUMNS} FROM objects o "  # noqa: S608 - constant columns and clauses
            f"WHERE o.zone = %s AND NOT o.deleted AND {where} ORDER BY o.ref_id",
            (zone, *params),
        ).fetchall()
        return [row_to_object(row) for row in rows]

    def learners_by_upn(self, zone: str, upn: str) -> list[StoredObject]:
        return self._live_objects(zone, "o.object_type = 'LearnerPersonal' AND o.upn = %s", [upn])

    def learner_contacts_of(self, zone: str, contact_ref: str) -> list[StoredObject]:
        return self._live_objects(
            zone,
            "o.object_type = 'LearnerContact' AND o.content ->> 'ContactPersonalRefId' = %s",
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
        self._zone(zone)
        transfer_id = new_id()
        row = self._one(
            f"INSERT INTO transfers ({TRANSFER_COLUMNS}) "  # noqa: S608 - constant columns
            "VALUES (%s, %s, %s, %s, %s, %s, %s, NULL, 'lost', %s, %s, NULL, NULL, NULL) "
            f"RETURNING {TRANSFER_COLUMNS}",
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
        assert row is not None
        write_snapshot(self._conn, "transfer_objects", transfer_id, objects)
        return transfer_row(row)

    def transfer(self, zone: str, transfer_id: str) -> Transfer | None:
        self._zone(zone)
        row = self._one(
            f"SELECT {TRANSFER_COLUMNS} FROM transfers "  # noqa: S608 - constant columns
            "WHERE zone = %s AND transfer_id = %s",
            (zone, transfer_id),
        )
        return None if row is None else transfer_row(row)

    def transfers(
        self, zone: str, *, status: TransferStatus | None = None, upn: str | None = None
    ) -> list[Transfer]:
        self._zone(zone)
        sql = f"SELECT {TRANSFER_COLUMNS} FROM transfers WHERE zone = %s"  # noqa: S608
        params: list[Any] = [zone]
        if status is not None:
            sql += " AND status = %s"
            params.append(status)
        if upn is not None:
            sql += " AND upn = %s"
            params.append(upn)
        rows = self._conn.execute(sql + " ORDER BY created_at DESC, position DESC", params)
        return [transfer_row(row) for row in rows.fetchall()]

    def transfer_objects(self, zone: str, transfer_id: str) -> list[SnapshotObject]:
        if self.transfer(zone, transfer_id) is None:
            return []
        return read_snapshot(self._conn, "transfer_objects", transfer_id)

    def enqueue_transfer_event(self, transfer_id: str, party: str, event_id: int) -> None:
        event = self._one(
            "SELECT zone, object_type, ref_id FROM events WHERE event_id = %s", (event_id,)
        )
        assert event is not None, "the event is stored first"
        self._zone(event[0])
        self.flush()  # the messages queued before this one keep their places
        self._conn.execute(
            "WITH message AS (INSERT INTO queue (zone, party, kind, event_id, object_key, "
            "enqueued_at) VALUES (%s, %s, 'event', %s, %s, %s) RETURNING message_id) "
            "INSERT INTO transfer_messages (message_id, transfer_id) "
            "SELECT message_id, %s FROM message",
            (event[0], party, event_id, f"{event[1]}/{event[2]}", self._now, transfer_id),
        )

    def mark_transfer_delivered(
        self, zone: str, transfer_id: str, party: str, *, claimed_by: str | None
    ) -> Transfer:
        self._zone(zone)
        row = self._one(
            "UPDATE transfers SET status = 'delivered', destination_party = %s, "  # noqa: S608
            "delivered_at = %s, claimed_by = %s WHERE zone = %s AND transfer_id = %s "
            f"RETURNING {TRANSFER_COLUMNS}",
            (party, self._now, claimed_by, zone, transfer_id),
        )
        assert row is not None
        return transfer_row(row)

    # -- dual registration -----------------------------------------------------------------

    def dual_registrations(
        self,
        zone: str,
        *,
        learner_ref: str | None = None,
        school: str | None = None,
        active_only: bool = True,
    ) -> list[DualRegistration]:
        self._zone(zone)
        sql = f"SELECT {DUAL_COLUMNS} FROM dual_registrations WHERE zone = %s"  # noqa: S608
        params: list[Any] = [zone]
        if learner_ref is not None:
            sql += " AND (first_learner = %s OR second_learner = %s)"
            params += [learner_ref, learner_ref]
        if school is not None:
            sql += " AND (first_school = %s OR second_school = %s)"
            params += [school, school]
        if active_only:
            sql += " AND active"
        rows = self._conn.execute(sql + " ORDER BY created_at, link_id", params).fetchall()
        return [dual_row(row) for row in rows]

    def add_dual_registration(
        self, zone: str, upn: str, first: tuple[str, str], second: tuple[str, str]
    ) -> DualRegistration:
        self._zone(zone)
        row = self._one(
            f"INSERT INTO dual_registrations ({DUAL_COLUMNS}) "  # noqa: S608 - constant columns
            "VALUES (%s, %s, %s, %s, %s, %s, %s, true, %s, NULL, NULL) "
            f"RETURNING {DUAL_COLUMNS}",
            (new_id(), zone, upn, first[0], first[1], second[0], second[1], self._now),
        )
        assert row is not None
        return dual_row(row)

    def end_dual_registration(self, zone: str, link_id: str, reason: str) -> None:
        self._zone(zone)
        self._conn.execute(
            "UPDATE dual_registrations SET active = false, ended_at = %s, end_reason = %s "
            "WHERE zone = %s AND link_id = %s AND active",
            (self._now, reason, zone, link_id),
        )

    def field_change(
        self, zone: str, link_id: str, learner_ref: str, field: str
    ) -> FieldChange | None:
        self._zone(zone)
        row = self._one(
            "SELECT value, before, synced, at FROM dual_field_changes "
            "WHERE link_id = %s AND learner_ref = %s AND field = %s",
            (link_id, learner_ref, field),
        )
        if row is None:
            return None
        return POSTGRES_ROWS.field_change((link_id, learner_ref, field), row)

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
        self._zone(zone)
        self._conn.execute(
            "INSERT INTO dual_field_changes (link_id, learner_ref, field, value, before, synced, "
            "at) VALUES (%s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (link_id, learner_ref, field) DO UPDATE SET value = excluded.value, "
            "before = excluded.before, synced = excluded.synced, at = excluded.at",
            (link_id, learner_ref, field, to_json(value), to_json(before), synced, self._now),
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
        self._zone(zone)
        row = self._one(
            f"INSERT INTO dual_conflicts ({CONFLICT_COLUMNS}) "  # noqa: S608 - constant columns
            "VALUES (%s, %s, %s, %s, %s, %s, %s, 'open', %s, NULL, NULL) "
            f"RETURNING {CONFLICT_COLUMNS}",
            (
                new_id(),
                zone,
                link_id,
                object_type,
                field,
                to_json(list(earlier)),
                to_json(list(later)),
                self._now,
            ),
        )
        assert row is not None
        return conflict_row(row)

    def dual_conflicts(self, zone: str, *, status: str | None = "open") -> list[DualConflict]:
        self._zone(zone)
        sql = f"SELECT {CONFLICT_COLUMNS} FROM dual_conflicts WHERE zone = %s"  # noqa: S608
        params: list[Any] = [zone]
        if status is not None:
            sql += " AND status = %s"
            params.append(status)
        rows = self._conn.execute(sql + " ORDER BY created_at, conflict_id", params).fetchall()
        return [conflict_row(row) for row in rows]

    def resolve_dual_conflict(self, zone: str, conflict_id: str, by: str) -> DualConflict | None:
        self._zone(zone)
        row = self._one(
            "UPDATE dual_conflicts SET status = 'resolved', resolved_by = %s, "  # noqa: S608
            "resolved_at = %s WHERE zone = %s AND conflict_id = %s "
            f"RETURNING {CONFLICT_COLUMNS}",
            (by, self._now, zone, conflict_id),
        )
        return None if row is None else conflict_row(row)

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
        self._zone(zone)
        review = ULNReview(
            new_id(), zone, request_id, school, learner_ref, outcome, code, message, self._now
        )
        self._conn.execute(
            f"INSERT INTO uln_reviews ({REVIEW_COLUMNS}) "  # noqa: S608 - constant columns
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            astuple(review),
        )
        return review

    def uln_reviews(self, zone: str) -> list[ULNReview]:
        self._zone(zone)
        rows = self._conn.execute(
            f"SELECT {REVIEW_COLUMNS} FROM uln_reviews "  # noqa: S608 - constant columns
            "WHERE zone = %s ORDER BY created_at, review_id",
            (zone,),
        ).fetchall()
        return [ULNReview(*row) for row in rows]
