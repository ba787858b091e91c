"""What a party last sent, and what has changed since: the push agent's memory.

A :class:`Snapshot` is a local SQLite file holding, for every object the party has published,
its type and a hash of its content, keyed by RefId. A :class:`Diff` compares a new export with
it, object by object: an object the snapshot lacks is an ``add``, one whose hash differs is a
``change``, and one the export no longer holds is a ``delete``.

The snapshot also holds *pending batches*. A batch of events is recorded (its exact request body
and its idempotency key) before it is sent, and the snapshot takes the batch's objects only once
the zone has answered. A batch still pending when a push starts was cut off by a crash or a
network failure: it is sent again byte for byte under the same key, and the zone stores it once
whether or not it had it already. Nothing is lost, and nothing is sent twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from sif_core.codec import to_goessner
from sif_core.errors import SnapshotError
from sif_core.model import SIFObject
from sif_core.zone_wire import canonical_json

__all__ = ["DELETE_ORDER", "Change", "Diff", "PendingBatch", "Snapshot", "content_digest"]

Action = Literal["add", "change", "delete"]

#: Object types in the order their deletes are sent: what refers to a learner before the learner,
#: people before their school, so no delete leaves the zone pointing at something gone.
DELETE_ORDER: Final = (
    "LearnerAssessmentResult",
    "LearnerFSMHistory",
    "LearnerSENHistory",
    "LearnerAttendanceSummary",
    "LearnerContact",
    "LearnerSchoolEnrolment",
    "ContactPersonal",
    "LearnerPersonal",
    "WorkforcePersonal",
    "SchoolInfo",
    "LAInfo",
)

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
    ref_id TEXT PRIMARY KEY, object_type TEXT NOT NULL, digest BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending (
    batch INTEGER PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, body BLOB NOT NULL,
    recorded_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS pending_entries (
    batch INTEGER NOT NULL REFERENCES pending (batch) ON DELETE CASCADE,
    position INTEGER NOT NULL, action TEXT NOT NULL, object_type TEXT NOT NULL,
    ref_id TEXT NOT NULL, digest BLOB, PRIMARY KEY (batch, position)
);
"""
_FORMAT: Final = "1"


def content_digest(content_json: bytes) -> bytes:
    """The 16-byte hash of an object's canonical JSON that the snapshot keeps."""
    return hashlib.blake2b(content_json, digest_size=16).digest()


@dataclass(frozen=True, slots=True)
class Change:
    """One event a diff found. ``content_json`` is the object's canonical JSON (``None`` for a
    delete, and for entries read back from a pending batch) and ``digest`` its hash."""

    action: Action
    object_type: str
    ref_id: str
    digest: bytes | None
    content_json: bytes | None = None


@dataclass(frozen=True, slots=True)
class PendingBatch:
    """A batch recorded before sending: exactly what was (or will be) sent, under which key."""

    number: int
    idempotency_key: str
    body: bytes
    entries: tuple[Change, ...]


class Diff:
    """Compares the objects of one export, one at a time, with what was last sent.

    ``previous`` maps RefId to (object type, digest), as :meth:`Snapshot.entries` returns it.
    """

    def __init__(self, previous: Mapping[str, tuple[str, bytes]]) -> None:
        self._previous = previous
        self._seen: set[str] = set()
        self.unchanged = 0

    def compare(self, obj: SIFObject) -> Change | None:
        """The add or change ``obj`` needs, or ``None`` when it is as last sent.

        Raises :class:`ValueError` for a RefId the export already held.
        """
        if obj.ref_id in self._seen:
            raise ValueError(f"{obj.object_name} {obj.ref_id} appears twice in the export")
        self._seen.add(obj.ref_id)
        content_json = canonical_json(to_goessner(obj))
        digest = content_digest(content_json)
        before = self._previous.get(obj.ref_id)
        if before is not None and before[1] == digest and before[0] == obj.object_name:
            self.unchanged += 1
            return None
        action: Action = "add" if before is None else "change"
        return Change(action, obj.object_name, obj.ref_id, digest, content_json)

    def deletions(self, object_types: frozenset[str] | None = None) -> list[Change]:
        """The deletes for objects last sent but absent from the export (of ``object_types``
        only, when given), dependents first (see :data:`DELETE_ORDER`)."""
        rank = {name: index for index, name in enumerate(DELETE_ORDER)}
        gone = [
            Change("delete", object_type, ref_id, None)
            for ref_id, (object_type, _) in self._previous.items()
            if ref_id not in self._seen and (object_types is None or object_type in object_types)
        ]
        return sorted(gone, key=lambda change: (rank.get(change.object_type, -1), change.ref_id))


class Snapshot:
    """The snapshot file at ``path`` (created when missing), locked for one push at a time.

    ``identity`` binds the file to what it is a snapshot of (the zone's URL, the adapter, the
    source system): opening it with a different identity raises :class:`SnapshotError`, since a
    diff against another zone's or another school's snapshot would send nonsense.
    """

    def __init__(self, path: Path, identity: Mapping[str, str]) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = _lock(path)
        self._closed = False
        self._db = sqlite3.connect(path, isolation_level=None)
        try:
            # FULL: a recorded pending batch must survive a power cut before it is sent.
            self._db.executescript(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
                + _SCHEMA
            )
            self._bind(identity)
        except sqlite3.DatabaseError as error:
            self.close()
            raise SnapshotError(
                f"{path}: cannot be used as a push snapshot ({error}); move it away to start "
                "afresh (the next push then sends everything as adds)"
            ) from None
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file and release the lock."""
        if self._closed:
            return
        self._closed = True
        self._db.close()
        if self._lock is not None:
            os.close(self._lock)

    def _bind(self, identity: Mapping[str, str]) -> None:
        stored = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        if not stored:
            with self._transaction():
                rows = [("format", _FORMAT), *sorted(identity.items())]
                self._db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", rows)
            return
        if stored.get("format") != _FORMAT:
            raise SnapshotError(f"{self.path}: written by another version of sifbridge")
        for key, value in sorted(identity.items()):
            if stored.get(key, value) != value:
                raise SnapshotError(
                    f"{self.path} is the snapshot of {key} {stored[key]!r}, not {value!r}; give "
                    "this push its own state file (--state) so each diff compares like with like"
                )

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def __len__(self) -> int:
        (count,) = self._db.execute("SELECT count(*) FROM objects").fetchone()
        return int(count)

    def entries(self) -> dict[str, tuple[str, bytes]]:
        """Every object last sent: RefId -> (object type, digest)."""
        rows = self._db.execute("SELECT ref_id, object_type, digest FROM objects")
        return {ref_id: (object_type, digest) for ref_id, object_type, digest in rows}

    def pending(self) -> list[PendingBatch]:
        """Batches recorded but not yet confirmed by the zone, oldest first."""
        batches = []
        for number, key, body in self._db.execute(
            "SELECT batch, idempotency_key, body FROM pending ORDER BY batch"
        ).fetchall():
            rows = self._db.execute(
                "SELECT action, object_type, ref_id, digest FROM pending_entries "
                "WHERE batch = ? ORDER BY position",
                (number,),
            )
            entries = tuple(Change(a, t, r, d) for a, t, r, d in rows)
            batches.append(PendingBatch(number, key, bytes(body), entries))
        return batches

    def record_pending(self, body: bytes, changes: Sequence[Change]) -> PendingBatch:
        """Record a batch (durably) before it is sent, under a new idempotency key."""
        key = f"push-{uuid.uuid4().hex}"
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO pending (idempotency_key, body, recorded_at) VALUES (?, ?, ?)",
                (key, body, time.time()),
            )
            number = cursor.lastrowid
            assert number is not None
            db.executemany(
                "INSERT INTO pending_entries (batch, position, action, object_type, ref_id, "
                "digest) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (number, position, c.action, c.object_type, c.ref_id, c.digest)
                    for position, c in enumerate(changes)
                ],
            )
        entries = tuple(Change(c.action, c.object_type, c.ref_id, c.digest) for c in changes)
        return PendingBatch(number, key, body, entries)

    def commit(self, batch: PendingBatch) -> None:
        """The zone has the batch: take its objects into the snapshot and forget the batch."""
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO objects (ref_id, object_type, digest) VALUES (?, ?, ?)",
                [(c.ref_id, c.object_type, c.digest) for c in batch.entries if c.digest],
            )
            db.executemany(
                "DELETE FROM objects WHERE ref_id = ?",
                [(c.ref_id,) for c in batch.entries if c.action == "delete"],
            )
            db.execute("DELETE FROM pending WHERE batch = ?", (batch.number,))

    def discard(self, batch: PendingBatch) -> None:
        """Forget a batch the zone refused (it stored none of it)."""
        with self._transaction() as db:
            db.execute("DELETE FROM pending WHERE batch = ?", (batch.number,))


def _lock(path: Path) -> int | None:
    """An exclusive lock on ``path``.lock for as long as the snapshot is open (POSIX only)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: one push at a time is the user's to keep
        return None
    descriptor = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise SnapshotError(
            f"another push is using {path}; wait for it to finish (two pushes of one snapshot "
            "at once would send the same changes twice)"
        ) from None
    return descriptor
