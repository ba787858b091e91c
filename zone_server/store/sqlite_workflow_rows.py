"""The SQLite workflow tables, their snapshots, and the row conversions of
:mod:`~zone_server.store.rows` under the names the SQLite store uses."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Final

from zone_server.store.rows import (
    CENSUS_COLUMNS,
    CONFLICT_COLUMNS,
    DUAL_COLUMNS,
    REVIEW_COLUMNS,
    SNAPSHOT_OWNER,
    SQLITE_ROWS,
    TRANSFER_COLUMNS,
    SnapshotTable,
    new_id,
    snapshot_rows,
    to_json,
)
from zone_server.store.workflows import SnapshotObject

__all__ = [
    "CENSUS_COLUMNS",
    "CONFLICT_COLUMNS",
    "DUAL_COLUMNS",
    "REVIEW_COLUMNS",
    "TRANSFER_COLUMNS",
    "WORKFLOW_SCHEMA",
    "census_row",
    "conflict_row",
    "dual_row",
    "new_id",
    "read_objects",
    "to_json",
    "transfer_row",
    "write_objects",
]

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

transfer_row = SQLITE_ROWS.transfer
dual_row = SQLITE_ROWS.dual
conflict_row = SQLITE_ROWS.conflict
census_row = SQLITE_ROWS.census


def write_objects(
    conn: sqlite3.Connection, table: SnapshotTable, owner: str, objects: Sequence[SnapshotObject]
) -> None:
    """Store ``objects``, in order, as the snapshot ``owner`` holds."""
    conn.executemany(
        f"INSERT INTO {table} ({SNAPSHOT_OWNER[table]}, position, object_type, ref_id, "  # noqa: S608 - constant names
        "content) VALUES (?, ?, ?, ?, ?)",
        snapshot_rows(owner, objects),
    )


def read_objects(
    conn: sqlite3.Connection, table: SnapshotTable, owner: str
) -> list[SnapshotObject]:
    """The snapshot ``owner`` holds, in the order it was taken."""
    rows = conn.execute(
        f"SELECT object_type, ref_id, content FROM {table} "  # noqa: S608 - constant names
        f"WHERE {SNAPSHOT_OWNER[table]} = ? ORDER BY position",
        (owner,),
    ).fetchall()
    return [SQLITE_ROWS.snapshot(row) for row in rows]
