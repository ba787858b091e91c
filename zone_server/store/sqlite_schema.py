"""The SQLite store's tables (one file per zone server; every zone's rows carry its id)."""

from __future__ import annotations

from typing import Final

__all__ = ["SCHEMA", "SCHEMA_VERSION"]

SCHEMA_VERSION: Final = 1

SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    event_id INTEGER PRIMARY KEY AUTOINCREMENT,
    zone TEXT NOT NULL,
    publisher TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    content TEXT,
    published_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS events_zone ON events (zone, event_id);
CREATE TABLE IF NOT EXISTS objects (
    zone TEXT NOT NULL,
    object_type TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    content TEXT,
    seq INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    learner_ref TEXT,
    upn TEXT,
    local_id TEXT,
    PRIMARY KEY (zone, object_type, ref_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS objects_seq ON objects (zone, object_type, seq);
CREATE INDEX IF NOT EXISTS objects_upn ON objects (zone, object_type, upn);
CREATE INDEX IF NOT EXISTS objects_local_id ON objects (zone, object_type, local_id);
CREATE INDEX IF NOT EXISTS objects_learner ON objects (zone, learner_ref);
CREATE TABLE IF NOT EXISTS object_scopes (
    zone TEXT NOT NULL,
    object_type TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    scope_key TEXT NOT NULL,
    PRIMARY KEY (zone, object_type, ref_id, scope_key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS object_scopes_key ON object_scopes (zone, object_type, scope_key);
CREATE TABLE IF NOT EXISTS queue (
    message_id INTEGER PRIMARY KEY AUTOINCREMENT,
    zone TEXT NOT NULL,
    party TEXT NOT NULL,
    kind TEXT NOT NULL,
    event_id INTEGER,
    request_id TEXT,
    object_key TEXT NOT NULL,
    enqueued_at REAL NOT NULL,
    leased_until REAL,
    delivery_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS queue_party ON queue (zone, party, message_id);
CREATE INDEX IF NOT EXISTS queue_object ON queue (zone, party, object_key, message_id);
CREATE TABLE IF NOT EXISTS idempotency (
    zone TEXT NOT NULL,
    party TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    reply TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (zone, party, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_age ON idempotency (zone, party, created_at);
CREATE TABLE IF NOT EXISTS service_requests (
    request_id TEXT PRIMARY KEY,
    zone TEXT NOT NULL,
    service TEXT NOT NULL,
    requester TEXT NOT NULL,
    provider TEXT NOT NULL,
    status TEXT NOT NULL,
    request TEXT NOT NULL,
    response TEXT,
    created_at REAL NOT NULL,
    answered_at REAL
);
CREATE TABLE IF NOT EXISTS audit (
    audit_id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    zone TEXT NOT NULL,
    party TEXT NOT NULL,
    operation TEXT NOT NULL,
    object_type TEXT,
    ref_ids TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_zone ON audit (zone, audit_id);
"""
