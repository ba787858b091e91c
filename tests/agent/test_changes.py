"""The push snapshot and diff: what counts as an add, a change and a delete, and what survives a
crash (real SQLite files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sif_core.changes import DELETE_ORDER, Change, Diff, Snapshot
from sif_core.errors import SnapshotError
from sif_core.model import SIFObject

from .exports import NEW_ADDRESS, first_learner

IDENTITY = {"zone": "http://zone/api/zones/north", "adapter": "sifxml", "source": "8812000"}


def _remember(snapshot: Snapshot, changes: list[Change]) -> None:
    snapshot.commit(snapshot.record_pending(b'{"events":[]}', changes))


def _first_push(snapshot: Snapshot, objects: list[SIFObject]) -> None:
    diff = Diff(snapshot.entries())
    _remember(snapshot, [c for obj in objects if (c := diff.compare(obj)) is not None])


def test_diff_against_what_was_sent_finds_one_add_one_change_and_the_deletes(
    tmp_path: Path, school_a: list[SIFObject]
) -> None:
    with Snapshot(tmp_path / "s.sqlite", IDENTITY) as snapshot:
        _first_push(snapshot, school_a[:-1])
        pupil = first_learner(school_a)
        gone = school_a[-2]
        today = [
            pupil.model_copy(update={"address": NEW_ADDRESS}) if o is pupil else o
            for o in school_a
            if o is not gone
        ]
        diff = Diff(snapshot.entries())

        found = [c for obj in today if (c := diff.compare(obj)) is not None]

        assert [(c.action, c.ref_id) for c in found] == [
            ("change", pupil.ref_id),
            ("add", school_a[-1].ref_id),
        ]
        assert [(c.action, c.ref_id) for c in diff.deletions()] == [("delete", gone.ref_id)]
        assert diff.unchanged == len(school_a) - 3


def test_deletes_come_dependents_first_and_only_for_the_types_pushed(
    tmp_path: Path, school_a: list[SIFObject]
) -> None:
    with Snapshot(tmp_path / "s.sqlite", IDENTITY) as snapshot:
        _first_push(snapshot, school_a)
        diff = Diff(snapshot.entries())

        deletes = diff.deletions()
        learners_only = diff.deletions(frozenset({"LearnerPersonal"}))

    ranks = [DELETE_ORDER.index(c.object_type) for c in deletes]
    assert ranks == sorted(ranks)
    assert len(deletes) == len(school_a)
    assert {c.object_type for c in learners_only} == {"LearnerPersonal"}


def test_an_object_twice_in_one_export_is_refused(school_a: list[SIFObject]) -> None:
    diff = Diff({})
    diff.compare(school_a[0])

    with pytest.raises(ValueError, match="appears twice in the export"):
        diff.compare(school_a[0])


def test_a_pending_batch_survives_closing_with_its_key_and_exact_body(
    tmp_path: Path, school_a: list[SIFObject]
) -> None:
    path = tmp_path / "s.sqlite"
    diff = Diff({})
    changes = [c for obj in school_a[:3] if (c := diff.compare(obj)) is not None]
    with Snapshot(path, IDENTITY) as snapshot:
        recorded = snapshot.record_pending(b'{"events":["exactly these bytes"]}', changes)

    with Snapshot(path, IDENTITY) as reopened:
        [pending] = reopened.pending()
        assert len(reopened) == 0
        reopened.commit(pending)

        assert (pending.idempotency_key, pending.body) == (
            recorded.idempotency_key,
            b'{"events":["exactly these bytes"]}',
        )
        assert [(c.ref_id, c.digest) for c in pending.entries] == [
            (c.ref_id, c.digest) for c in changes
        ]
        assert reopened.pending() == []
        assert set(reopened.entries()) == {obj.ref_id for obj in school_a[:3]}


def test_a_discarded_batch_leaves_the_snapshot_as_it_was(
    tmp_path: Path, school_a: list[SIFObject]
) -> None:
    with Snapshot(tmp_path / "s.sqlite", IDENTITY) as snapshot:
        diff = Diff({})
        batch = snapshot.record_pending(b"{}", [c for o in school_a[:2] if (c := diff.compare(o))])

        snapshot.discard(batch)

        assert (snapshot.pending(), snapshot.entries()) == ([], {})


def test_a_snapshot_of_another_source_system_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    Snapshot(path, IDENTITY).close()

    with pytest.raises(SnapshotError, match="is the snapshot of source '8812000', not '8812001'"):
        Snapshot(path, {**IDENTITY, "source": "8812001"})


def test_a_second_push_cannot_open_a_snapshot_another_push_holds(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    with Snapshot(path, IDENTITY), pytest.raises(SnapshotError, match="another push is using"):
        Snapshot(path, IDENTITY)
    Snapshot(path, IDENTITY).close()  # released when the first closed


def test_a_file_that_is_not_a_snapshot_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    path.write_bytes(b"this is not a database" * 100)

    with pytest.raises(SnapshotError, match="move it away to start afresh"):
        Snapshot(path, IDENTITY)
