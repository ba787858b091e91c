"""What both store backends share about their rows: the column lists of the tables whose
columns are the same in both, new ids, JSON text, and the conversions from rows to records.

The backends differ only in how a JSON column arrives: SQLite hands back its text
(:data:`SQLITE_ROWS` decodes it), psycopg has decoded it already (:data:`POSTGRES_ROWS`).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from typing import Any, Final, Literal

from zone_server.store import (
    AuditEntry,
    ObjectIndex,
    QueueMessage,
    ServiceRequest,
    StoredEvent,
    StoredObject,
)
from zone_server.store.workflows import (
    CensusReturn,
    DualConflict,
    DualRegistration,
    FieldChange,
    SnapshotObject,
    Transfer,
)

__all__ = [
    "AUDIT_COLUMNS",
    "CENSUS_COLUMNS",
    "CONFLICT_COLUMNS",
    "DUAL_COLUMNS",
    "EVENT_COLUMNS",
    "POSTGRES_ROWS",
    "REQUEST_COLUMNS",
    "REVIEW_COLUMNS",
    "SNAPSHOT_OWNER",
    "SQLITE_ROWS",
    "TRANSFER_COLUMNS",
    "RowReader",
    "SnapshotTable",
    "new_id",
    "qualified",
    "snapshot_rows",
    "to_json",
]

AUDIT_COLUMNS: Final = "audit_id, at, zone, party, operation, object_type, ref_ids, detail"
EVENT_COLUMNS: Final = (
    "event_id, zone, publisher, action, object_type, ref_id, content, published_at"
)
REQUEST_COLUMNS: Final = (
    "request_id, zone, service, requester, provider, status, request, response, created_at, "
    "answered_at"
)
_EVENT_WIDTH: Final = len(EVENT_COLUMNS.split(","))
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

#: The tables that hold snapshots (of a transfer, of a census return) and their owner column.
SnapshotTable = Literal["transfer_objects", "census_objects"]
SNAPSHOT_OWNER: Final[dict[str, str]] = {
    "transfer_objects": "transfer_id",
    "census_objects": "return_id",
}


def qualified(alias: str, columns: str) -> str:
    """``columns`` with each name prefixed by the table ``alias``."""
    return ", ".join(f"{alias}.{name.strip()}" for name in columns.split(","))


def to_json(value: Any) -> str:
    """Compact JSON text of ``value``, as both stores write it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def new_id() -> str:
    """A new random id: 32 upper-case hex digits."""
    return secrets.token_hex(16).upper()


def snapshot_rows(
    owner: str, objects: Sequence[SnapshotObject]
) -> list[tuple[str, int, str, str, str]]:
    """The rows ``owner, position, object_type, ref_id, content`` that store ``objects``, in
    order, as the snapshot ``owner`` holds."""
    return [
        (owner, position, obj.object_type, obj.ref_id, to_json(obj.content))
        for position, obj in enumerate(objects)
    ]


def _from_text(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _as_is(value: Any) -> Any:
    return value


class RowReader:
    """Records from rows whose JSON columns ``decode`` turns into values (``None`` stays
    ``None``); boolean columns may arrive as integers."""

    def __init__(self, decode: Callable[[Any], Any]) -> None:
        self._decode = decode

    def audit(self, row: Sequence[Any]) -> AuditEntry:
        """An :class:`AuditEntry` from a row of :data:`AUDIT_COLUMNS`."""
        values = list(row)
        values[6] = self._decode(values[6])
        return AuditEntry(*values)

    def event(self, row: Sequence[Any]) -> StoredEvent:
        """A :class:`StoredEvent` from a row of :data:`EVENT_COLUMNS`; content that arrives as
        JSON text is kept as text (decoded only if asked for)."""
        content = row[6]
        text = content if isinstance(content, str) else None
        return StoredEvent(
            event_id=row[0],
            zone=row[1],
            publisher=row[2],
            action=row[3],
            object_type=row[4],
            ref_id=row[5],
            content=None if text is not None else self._decode(content),
            published_at=row[7],
            content_json=text,
        )

    def request(self, row: Sequence[Any]) -> ServiceRequest:
        """A :class:`ServiceRequest` from a row of :data:`REQUEST_COLUMNS`."""
        return ServiceRequest(
            request_id=row[0],
            zone=row[1],
            service=row[2],
            requester=row[3],
            provider=row[4],
            status=row[5],
            request=self._decode(row[6]) or {},
            response=self._decode(row[7]),
            created_at=row[8],
            answered_at=row[9],
        )

    def message(self, row: Sequence[Any]) -> QueueMessage:
        """A :class:`QueueMessage` from a row ``message_id, kind, delivery_count,
        leased_until``, then :data:`EVENT_COLUMNS` and :data:`REQUEST_COLUMNS` (all ``NULL``
        where the message has no event, no request)."""
        event_row = row[4 : 4 + _EVENT_WIDTH]
        request_row = row[4 + _EVENT_WIDTH :]
        return QueueMessage(
            message_id=row[0],
            kind=row[1],
            delivery_count=row[2],
            leased_until=row[3],
            event=self.event(event_row) if event_row[0] is not None else None,
            service_request=self.request(request_row) if request_row[0] is not None else None,
        )

    def object(self, row: Sequence[Any], keys: frozenset[str]) -> StoredObject:
        """A :class:`StoredObject` from a row whose first nine columns are ``zone,
        object_type, ref_id, content, seq, deleted, learner_ref, upn, local_id``."""
        return StoredObject(
            zone=row[0],
            object_type=row[1],
            ref_id=row[2],
            content=self._decode(row[3]),
            seq=row[4],
            deleted=bool(row[5]),
            scope_keys=keys,
            index=ObjectIndex(learner_ref=row[6], upn=row[7], local_id=row[8]),
        )

    def transfer(self, row: Sequence[Any]) -> Transfer:
        """A :class:`Transfer` from a row of :data:`TRANSFER_COLUMNS`."""
        return Transfer(*row)

    def dual(self, row: Sequence[Any]) -> DualRegistration:
        """A :class:`DualRegistration` from a row of :data:`DUAL_COLUMNS`."""
        values = list(row)
        values[7] = bool(values[7])
        return DualRegistration(*values)

    def conflict(self, row: Sequence[Any]) -> DualConflict:
        """A :class:`DualConflict` from a row of :data:`CONFLICT_COLUMNS`."""
        values = list(row)
        values[5] = tuple(self._decode(values[5]))
        values[6] = tuple(self._decode(values[6]))
        return DualConflict(*values)

    def census(self, row: Sequence[Any]) -> CensusReturn:
        """A :class:`CensusReturn` from a row of :data:`CENSUS_COLUMNS`."""
        values = list(row)
        values[14] = self._decode(values[14])
        return CensusReturn(*values)

    def field_change(self, key: tuple[str, str, str], row: Sequence[Any]) -> FieldChange:
        """The :class:`FieldChange` of ``key`` (``link_id, learner_ref, field``) from a row
        ``value, before, synced, at``."""
        return FieldChange(*key, self._decode(row[0]), self._decode(row[1]), bool(row[2]), row[3])

    def snapshot(self, row: Sequence[Any]) -> SnapshotObject:
        """A :class:`SnapshotObject` from a row ``object_type, ref_id, content``."""
        return SnapshotObject(row[0], row[1], self._decode(row[2]))


SQLITE_ROWS: Final = RowReader(_from_text)
POSTGRES_ROWS: Final = RowReader(_as_is)
