"""The PostgreSQL store's census returns (part of its write transaction), and the snapshots
that census returns and transfers hold."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from zone_server.store.postgres_locks import Connection, ZoneLocked
from zone_server.store.postgres_rows import CENSUS_COLUMNS, census_row, new_id, to_json
from zone_server.store.rows import POSTGRES_ROWS, SNAPSHOT_OWNER, SnapshotTable, snapshot_rows
from zone_server.store.workflows import CensusReturn, SnapshotObject

__all__ = ["PostgresCensus", "read_snapshot", "write_snapshot"]


def write_snapshot(
    conn: Connection, table: SnapshotTable, owner: str, objects: Sequence[SnapshotObject]
) -> None:
    """Store ``objects``, in order, as the snapshot ``owner`` holds."""
    with conn.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({SNAPSHOT_OWNER[table]}, position, object_type, ref_id, "  # noqa: S608 - constant names
            "content) VALUES (%s, %s, %s, %s, %s)",
            snapshot_rows(owner, objects),
        )


def read_snapshot(conn: Connection, table: SnapshotTable, owner: str) -> list[SnapshotObject]:
    """The snapshot ``owner`` holds, in the order it was taken."""
    rows = conn.execute(
        f"SELECT object_type, ref_id, content FROM {table} "  # noqa: S608 - constant names
        f"WHERE {SNAPSHOT_OWNER[table]} = %s ORDER BY position",
        (owner,),
    ).fetchall()
    return [POSTGRES_ROWS.snapshot(row) for row in rows]


class PostgresCensus(ZoneLocked):
    """The census methods of :class:`~zone_server.store.postgres_tx.PostgresTransaction`."""

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
        self._zone(zone)
        latest = self._one(
            "SELECT MAX(version) FROM census_returns WHERE zone = %s AND school = %s "
            "AND collection = %s",
            (zone, school, collection),
        )
        self._conn.execute(
            "UPDATE census_returns SET status = 'superseded' WHERE zone = %s AND school = %s "
            "AND collection = %s AND status = 'draft'",
            (zone, school, collection),
        )
        return_id = new_id()
        row = self._one(
            f"INSERT INTO census_returns ({CENSUS_COLUMNS}) "  # noqa: S608 - constant columns
            "VALUES (%s, %s, %s, %s, %s, %s, %s, 'draft', %s, %s, %s, %s, NULL, NULL, NULL) "
            f"RETURNING {CENSUS_COLUMNS}",
            (
                return_id,
                zone,
                school,
                school_party,
                collection,
                reference_date,
                ((latest[0] if latest else None) or 0) + 1,
                prepared_by,
                self._now,
                content_hash,
                len(objects),
            ),
        )
        assert row is not None
        write_snapshot(self._conn, "census_objects", return_id, objects)
        return census_row(row)

    def census_return(self, zone: str, return_id: str) -> CensusReturn | None:
        self._zone(zone)
        row = self._one(
            f"SELECT {CENSUS_COLUMNS} FROM census_returns "  # noqa: S608 - constant columns
            "WHERE zone = %s AND return_id = %s",
            (zone, return_id),
        )
        return None if row is None else census_row(row)

    def census_returns(
        self, zone: str, *, collection: str | None = None, school: str | None = None
    ) -> list[CensusReturn]:
        self._zone(zone)
        sql = f"SELECT {CENSUS_COLUMNS} FROM census_returns WHERE zone = %s"  # noqa: S608
        params: list[Any] = [zone]
        for column, value in (("collection", collection), ("school", school)):
            if value is not None:
                sql += f" AND {column} = %s"
                params.append(value)
        rows = self._conn.execute(sql + " ORDER BY school, collection, version", params)
        return [census_row(row) for row in rows.fetchall()]

    def census_objects(self, zone: str, return_id: str) -> list[SnapshotObject]:
        if self.census_return(zone, return_id) is None:
            return []
        return read_snapshot(self._conn, "census_objects", return_id)

    def approve_census_return(
        self, zone: str, return_id: str, *, by: str, counts: dict[str, Any]
    ) -> CensusReturn:
        found = self.census_return(zone, return_id)
        assert found is not None
        self._conn.execute(
            "UPDATE census_returns SET status = 'superseded' WHERE zone = %s AND school = %s "
            "AND collection = %s AND status = 'approved'",
            (zone, found.school, found.collection),
        )
        row = self._one(
            "UPDATE census_returns SET status = 'approved', approved_by = %s, "  # noqa: S608
            "approved_at = %s, counts = %s WHERE zone = %s AND return_id = %s "
            f"RETURNING {CENSUS_COLUMNS}",
            (by, self._now, to_json(counts), zone, return_id),
        )
        assert row is not None
        return census_row(row)
