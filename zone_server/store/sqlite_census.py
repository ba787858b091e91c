"""The SQLite store's census returns (part of its write transaction)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from zone_server.store.sqlite_workflow_rows import (
    CENSUS_COLUMNS,
    census_row,
    new_id,
    read_objects,
    to_json,
    write_objects,
)
from zone_server.store.workflows import CensusReturn, SnapshotObject

__all__ = ["SQLiteCensus"]


class SQLiteCensus:
    """The census methods of :class:`~zone_server.store.sqlite_tx.SQLiteTransaction`."""

    _conn: sqlite3.Connection
    _now: float

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
        return_id = new_id()
        self._conn.execute(
            f"INSERT INTO census_returns ({CENSUS_COLUMNS}) "  # noqa: S608 - constant columns
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
        write_objects(self._conn, "census_objects", return_id, objects)
        found = self.census_return(zone, return_id)
        assert found is not None
        return found

    def census_return(self, zone: str, return_id: str) -> CensusReturn | None:
        row = self._conn.execute(
            f"SELECT {CENSUS_COLUMNS} FROM census_returns "  # noqa: S608 - constant columns
            "WHERE zone = ? AND return_id = ?",
            (zone, return_id),
        ).fetchone()
        return None if row is None else census_row(row)

    def census_returns(
        self, zone: str, *, collection: str | None = None, school: str | None = None
    ) -> list[CensusReturn]:
        sql = f"SELECT {CENSUS_COLUMNS} FROM census_returns WHERE zone = ?"  # noqa: S608
        params: list[Any] = [zone]
        for column, value in (("collection", collection), ("school", school)):
            if value is not None:
                sql += f" AND {column} = ?"
                params.append(value)
        rows = self._conn.execute(sql + " ORDER BY school, collection, version", params)
        return [census_row(row) for row in rows.fetchall()]

    def census_objects(self, zone: str, return_id: str) -> list[SnapshotObject]:
        if self.census_return(zone, return_id) is None:
            return []
        return read_objects(self._conn, "census_objects", return_id)

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
            (by, self._now, to_json(counts), zone, return_id),
        )
        approved = self.census_return(zone, return_id)
        assert approved is not None
        return approved
