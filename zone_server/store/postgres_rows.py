"""The PostgreSQL store's column lists and the conversions between its rows and the records.

``json`` columns arrive already decoded (psycopg loads them), booleans as booleans.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from typing import Any, Final

from zone_server.store import ObjectIndex, ServiceRequest, StoredEvent, StoredObject
from zone_server.store.workflows import (
    CensusReturn,
    DualConflict,
    DualRegistration,
    Transfer,
)

__all__ = [
    "CENSUS_COLUMNS",
    "CONFLICT_COLUMNS",
    "DUAL_COLUMNS",
    "EVENT_COLUMNS",
    "OBJECT_COLUMNS",
    "REQUEST_COLUMNS",
    "REVIEW_COLUMNS",
    "TRANSFER_COLUMNS",
    "census_row",
    "conflict_row",
    "dual_row",
    "new_id",
    "qualified",
    "row_to_event",
    "row_to_object",
    "row_to_request",
    "to_json",
    "transfer_row",
]

EVENT_COLUMNS: Final = (
    "event_id, zone, publisher, action, object_type, ref_id, content, published_at"
)
REQUEST_COLUMNS: Final = (
    "request_id, zone, service, requester, provider, status, request, response, created_at, "
    "answered_at"
)
#: An object's columns (table alias ``o``) and, last, its scope keys as one array.
OBJECT_COLUMNS: Final = (
    "o.zone, o.object_type, o.ref_id, o.content, o.seq, o.deleted, o.learner_ref, o.upn, "
    "o.local_id, ARRAY(SELECT s.scope_key FROM object_scopes s WHERE s.zone = o.zone "
    "AND s.object_type = o.object_type AND s.ref_id = o.ref_id)"
)
TRANSFER_COLUMNS: Final = (
    "transfer_id, zone, upn, learner_ref, source_party, source_school, destination, "
    "destination_party, status, object_count, created_at, delivered_at, completed_at, claimed_by"
)
DUAL_COLUMNS: Final = (
    "link_id, zone, upn, first_learner, first_school, second_learner, second_school, active, "
    "created_at, ended_at, end_reason"
)
CONFLICT_COLUMNS: Final = (
    "conflict_id, zone, link_id, object_type, field, earlier, later, status, created_at, "
    "resolved_by, resolved_at"
)
REVIEW_COLUMNS: Final = (
    "review_id, zone, request_id, school, learner_ref, outcome, code, message, created_at"
)
CENSUS_COLUMNS: Final = (
    "return_id, zone, school, school_party, collection, reference_date, version, status, "
    "prepared_by, created_at, content_hash, object_count, approved_by, approved_at, counts"
)


def qualified(alias: str, columns: str) -> str:
    """``columns`` with each name prefixed by the table ``alias``."""
    return ", ".join(f"{alias}.{name.strip()}" for name in columns.split(","))


def to_json(value: Any) -> str:
    """Compact JSON text of ``value``, for a ``json`` parameter."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def new_id() -> str:
    """A new random id in the form the SQLite store uses (32 upper-case hex digits)."""
    return secrets.token_hex(16).upper()


def row_to_event(row: Sequence[Any]) -> StoredEvent:
    """A :class:`StoredEvent` from a row of :data:`EVENT_COLUMNS`."""
    return StoredEvent(
        event_id=row[0],
        zone=row[1],
        publisher=row[2],
        action=row[3],
        object_type=row[4],
        ref_id=row[5],
        content=row[6],
        published_at=row[7],
    )


def row_to_request(row: Sequence[Any]) -> ServiceRequest:
    """A :class:`ServiceRequest` from a row of :data:`REQUEST_COLUMNS`."""
    return ServiceRequest(
        request_id=row[0],
        zone=row[1],
        service=row[2],
        requester=row[3],
        provider=row[4],
        status=row[5],
        request=row[6] or {},
        response=row[7],
        created_at=row[8],
        answered_at=row[9],
    )


def row_to_object(row: Sequence[Any]) -> StoredObject:
    """A :class:`StoredObject` from a row of :data:`OBJECT_COLUMNS`."""
    return StoredObject(
        zone=row[0],
        object_type=row[1],
        ref_id=row[2],
        content=row[3],
        seq=row[4],
        deleted=row[5],
        scope_keys=frozenset(row[9]),
        index=ObjectIndex(learner_ref=row[6], upn=row[7], local_id=row[8]),
    )


def transfer_row(row: Sequence[Any]) -> Transfer:
    """A :class:`Transfer` from a row of :data:`TRANSFER_COLUMNS`."""
    return Transfer(*row)


def dual_row(row: Sequence[Any]) -> DualRegistration:
    """A :class:`DualRegistration` from a row of :data:`DUAL_COLUMNS`."""
    return DualRegistration(*row)


def conflict_row(row: Sequence[Any]) -> DualConflict:
    """A :class:`DualConflict` from a row of :data:`CONFLICT_COLUMNS`."""
    values = list(row)
    values[5] = tuple(values[5])
    values[6] = tuple(values[6])
    return DualConflict(*values)


def census_row(row: Sequence[Any]) -> CensusReturn:
    """A :class:`CensusReturn` from a row of :data:`CENSUS_COLUMNS`."""
    return CensusReturn(*row)
