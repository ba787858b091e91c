"""The PostgreSQL store's tables, created in the first schema of the connection's search_path.

The same tables as the SQLite store's (every zone's rows carry its id), with PostgreSQL's
types: identity columns for the ids that order events, queue messages and audit entries;
``json`` (not ``jsonb``, which would reorder an object's keys and so its XML elements) for
content; ``double precision`` seconds since the epoch for times, as the store's clock gives them;
byte-order (``"C"``) collation where rows are listed in text order, so pages come in the same
order as from SQLite whatever the database's locale.
"""

from __future__ import annotations

from typing import Final

__all__ = ["SCHEMA", "SCHEMA_VERSION"]

SCHEMA_VERSION: Final = 1

_CORE: Final = """
CREATE TABLE IF NOT EXISTS meta (
    key text PRIMARY KEY,
    value text NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    event_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    zone text NOT NULL,
    publisher text NOT NULL,
    action text NOT NULL,
    object_type text NOT NULL,
    ref_id text NOT NULL,
    content json,
    published_at double precision NOT NULL
);
CREATE INDEX IF NOT EXISTS events_zone ON events (zone, event_id);
CREATE TABLE IF NOT EXISTS objects (
    zone text NOT NULL,
    object_type text NOT NULL,
    ref_id text COLLATE "C" NOT NULL,
    content json,
    seq bigint NOT NULL,
    deleted boolean NOT NULL DEFAULT false,
    learner_ref text,
    upn text,
    local_id text,
    PRIMARY KEY (zone, object_type, ref_id)
);
CREATE INDEX IF NOT EXISTS objects_seq ON objects (zone, object_type, seq);
CREATE INDEX IF NOT EXISTS objects_upn ON objects (zone, object_type, upn);
CREATE INDEX IF NOT EXISTS objects_local_id ON objects (zone, object_type, local_id);
CREATE INDEX IF NOT EXISTS objects_learner ON objects (zone, learner_ref);
CREATE INDEX IF NOT EXISTS objects_contact ON objects (zone, (content ->> 'ContactPersonalRefId'))
    WHERE object_type = 'LearnerContact';
CREATE TABLE IF NOT EXISTS object_scopes (
    zone text NOT NULL,
    object_type text NOT NULL,
    ref_id text NOT NULL,
    scope_key text NOT NULL,
    PRIMARY KEY (zone, object_type, ref_id, scope_key)
);
CREATE INDEX IF NOT EXISTS object_scopes_key ON object_scopes (zone, object_type, scope_key);
CREATE TABLE IF NOT EXISTS queue (
    message_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    zone text NOT NULL,
    party text NOT NULL,
    kind text NOT NULL,
    event_id bigint,
    request_id text,
    object_key text NOT NULL,
    enqueued_at double precision NOT NULL,
    leased_until double precision,
    delivery_count integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS queue_party ON queue (zone, party, message_id);
CREATE INDEX IF NOT EXISTS queue_object ON queue (zone, party, object_key, message_id);
CREATE TABLE IF NOT EXISTS idempotency (
    zone text NOT NULL,
    party text NOT NULL,
    key text NOT NULL,
    request_hash text NOT NULL,
    reply json NOT NULL,
    created_at double precision NOT NULL,
    PRIMARY KEY (zone, party, key)
);
CREATE INDEX IF NOT EXISTS idempotency_age ON idempotency (zone, party, created_at);
CREATE TABLE IF NOT EXISTS service_requests (
    request_id text PRIMARY KEY,
    zone text NOT NULL,
    service text NOT NULL,
    requester text NOT NULL,
    provider text NOT NULL,
    status text NOT NULL,
    request json NOT NULL,
    response json,
    created_at double precision NOT NULL,
    answered_at double precision
);
CREATE TABLE IF NOT EXISTS audit (
    audit_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at double precision NOT NULL,
    zone text NOT NULL,
    party text NOT NULL,
    operation text NOT NULL,
    object_type text,
    ref_ids json NOT NULL,
    detail text NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_zone ON audit (zone, audit_id);
"""

_WORKFLOWS: Final = """
CREATE TABLE IF NOT EXISTS transfers (
    transfer_id text PRIMARY KEY,
    zone text NOT NULL,
    upn text NOT NULL,
    learner_ref text NOT NULL,
    source_party text NOT NULL,
    source_school text NOT NULL,
    destination text NOT NULL,
    destination_party text,
    status text NOT NULL,
    object_count integer NOT NULL,
    created_at double precision NOT NULL,
    delivered_at double precision,
    completed_at double precision,
    claimed_by text,
    position bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX IF NOT EXISTS transfers_upn ON transfers (zone, upn);
CREATE TABLE IF NOT EXISTS transfer_objects (
    transfer_id text NOT NULL,
    position integer NOT NULL,
    object_type text NOT NULL,
    ref_id text NOT NULL,
    content json NOT NULL,
    PRIMARY KEY (transfer_id, position)
);
CREATE TABLE IF NOT EXISTS transfer_messages (
    message_id bigint PRIMARY KEY,
    transfer_id text NOT NULL
);
CREATE INDEX IF NOT EXISTS transfer_messages_transfer ON transfer_messages (transfer_id);
CREATE TABLE IF NOT EXISTS dual_registrations (
    link_id text PRIMARY KEY,
    zone text NOT NULL,
    upn text NOT NULL,
    first_learner text NOT NULL,
    first_school text NOT NULL,
    second_learner text NOT NULL,
    second_school text NOT NULL,
    active boolean NOT NULL,
    created_at double precision NOT NULL,
    ended_at double precision,
    end_reason text
);
CREATE INDEX IF NOT EXISTS dual_first ON dual_registrations (zone, first_learner);
CREATE INDEX IF NOT EXISTS dual_second ON dual_registrations (zone, second_learner);
CREATE TABLE IF NOT EXISTS dual_field_changes (
    link_id text NOT NULL,
    learner_ref text NOT NULL,
    field text NOT NULL,
    value json NOT NULL,
    before json NOT NULL,
    synced boolean NOT NULL,
    at double precision NOT NULL,
    PRIMARY KEY (link_id, learner_ref, field)
);
CREATE TABLE IF NOT EXISTS dual_conflicts (
    conflict_id text PRIMARY KEY,
    zone text NOT NULL,
    link_id text NOT NULL,
    object_type text NOT NULL,
    field text NOT NULL,
    earlier json NOT NULL,
    later json NOT NULL,
    status text NOT NULL,
    created_at double precision NOT NULL,
    resolved_by text,
    resolved_at double precision
);
CREATE TABLE IF NOT EXISTS uln_reviews (
    review_id text PRIMARY KEY,
    zone text NOT NULL,
    request_id text NOT NULL,
    school text NOT NULL,
    learner_ref text NOT NULL,
    outcome text NOT NULL,
    code text,
    message text NOT NULL,
    created_at double precision NOT NULL
);
CREATE TABLE IF NOT EXISTS census_returns (
    return_id text PRIMARY KEY,
    zone text NOT NULL,
    school text COLLATE "C" NOT NULL,
    school_party text NOT NULL,
    collection text COLLATE "C" NOT NULL,
    reference_date text NOT NULL,
    version integer NOT NULL,
    status text NOT NULL,
    prepared_by text NOT NULL,
    created_at double precision NOT NULL,
    content_hash text NOT NULL,
    object_count integer NOT NULL,
    approved_by text,
    approved_at double precision,
    counts json,
    UNIQUE (zone, school, collection, version)
);
CREATE TABLE IF NOT EXISTS census_objects (
    return_id text NOT NULL,
    position integer NOT NULL,
    object_type text NOT NULL,
    ref_id text NOT NULL,
    content json NOT NULL,
    PRIMARY KEY (return_id, position)
);
"""

SCHEMA: Final = _CORE + _WORKFLOWS
