"""The PostgreSQL store's object columns, and the row conversions of
:mod:`~zone_server.store.rows` under the names the PostgreSQL store uses (``json`` columns
arrive already decoded: psycopg loads them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from zone_server.store import StoredObject
from zone_server.store.rows import (
    CENSUS_COLUMNS,
    CONFLICT_COLUMNS,
    DUAL_COLUMNS,
    EVENT_COLUMNS,
    POSTGRES_ROWS,
    REQUEST_COLUMNS,
    REVIEW_COLUMNS,
    TRANSFER_COLUMNS,
    new_id,
    to_json,
)

__all__ = [
    "CENSUS_COLUMNS",
    "CONFLICT_COLUMNS",
    "DUAL_COLUMNS",
    "EVENT_COLUMNS",
    "OBJECT_COLUMNS",
    "OBJECT_REF_ID",
    "REQUEST_COLUMNS",
    "REVIEW_COLUMNS",
    "TRANSFER_COLUMNS",
    "census_row",
    "conflict_row",
    "dual_row",
    "new_id",
    "row_to_object",
    "row_to_request",
    "to_json",
    "transfer_row",
]

#: An object's columns (table alias ``o``) and, last, its scope keys as one array.
#: An object's RefId in the collation of ``object_scopes.ref_id``: compared as it is (byte
#: order, ``"C"``), the two collations conflict and no index of ``object_scopes`` serves the
#: comparison, so each object's scope keys were looked for among every object's.
OBJECT_REF_ID: Final = 'o.ref_id COLLATE "default"'
OBJECT_COLUMNS: Final = (
    "o.zone, o.object_type, o.ref_id, o.content, o.seq, o.deleted, o.learner_ref, o.upn, "  # noqa: S608
    "o.local_id, ARRAY(SELECT s.scope_key FROM object_scopes s WHERE s.zone = o.zone "
    f"AND s.object_type = o.object_type AND s.ref_id = {OBJECT_REF_ID})"
)


row_to_request = POSTGRES_ROWS.request
transfer_row = POSTGRES_ROWS.transfer
dual_row = POSTGRES_ROWS.dual
conflict_row = POSTGRES_ROWS.conflict
census_row = POSTGRES_ROWS.census


def row_to_object(row: Sequence[Any]) -> StoredObject:
    """A :class:`StoredObject` from a row of :data:`OBJECT_COLUMNS`."""
    return POSTGRES_ROWS.object(row, frozenset(row[9]))
