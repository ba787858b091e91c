"""Writing synthetic sets to folders: one file per type per school, complete or not at all."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pytest

from sif_core.codec import read_document
from sif_core.model import SIFObject
from sif_core.testing import Synth
from sif_core.testing import export as export_module
from sif_core.testing.export import (
    MANIFEST_NAME,
    OutputExistsError,
    collection_writer,
    export_synthetic_set,
    write_by_type,
)


def test_objects_of_many_types_become_one_collection_file_per_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small batches and queues, so that writers fall behind and back-pressure is exercised.
    monkeypatch.setattr(export_module, "_BATCH", 8)
    monkeypatch.setattr(export_module, "_QUEUE_BATCHES", 2)
    synth = Synth(pupils=300, seed=6)
    expected = list(synth.iter_objects())
    counts = write_by_type(iter(expected), tmp_path, "xml")
    by_type = Counter(obj.object_name for obj in expected)
    assert counts == dict(by_type)
    assert by_type["LearnerAttendanceSummary"] > 8 * 2 * 10
    read_back: list[SIFObject] = []
    for path in sorted(tmp_path.iterdir()):
        result = read_document(path)
        assert result.problems == []
        assert path.name == f"{type(result.objects[0]).collection_name}.xml"
        read_back.extend(result.objects)
    assert sorted(read_back, key=lambda o: o.ref_id) == sorted(expected, key=lambda o: o.ref_id)


def test_a_stream_that_fails_midway_leaves_no_file_behind(tmp_path: Path) -> None:
    synth = Synth(pupils=200, seed=6)

    def breaks_after_a_while() -> Iterator[SIFObject]:
        for number, obj in enumerate(synth.iter_objects()):
            if number == 1500:
                raise RuntimeError("the MIS went away")
            yield obj

    with pytest.raises(RuntimeError, match="the MIS went away"):
        write_by_type(breaks_after_a_while(), tmp_path, "json")
    assert list(tmp_path.iterdir()) == []


def test_a_set_is_written_school_by_school_with_a_manifest(tmp_path: Path) -> None:
    synth = Synth(pupils=120, seed=2, schools=2)
    target = tmp_path / "out"
    exports = export_synthetic_set(synth, target, collection_writer("json"), format_name="sif-json")
    assert sorted(p.name for p in target.iterdir()) == sorted(
        [MANIFEST_NAME, *(school.laestab for school in synth.schools)]
    )
    manifest = json.loads((target / MANIFEST_NAME).read_text())
    assert manifest["seed"] == 2
    assert manifest["format"] == "sif-json"
    for export, entry in zip(exports, manifest["schools"], strict=True):
        assert entry["folder"] == export.school.laestab
        assert entry["objects"] == dict(export.counts)
        files = {path.name for path in (target / export.school.laestab).iterdir()}
        assert files == {f"{name}s.json".replace("ys.json", "ies.json") for name in export.counts}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folder left behind


def test_a_folder_with_files_is_refused_unless_overwriting(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    synth = Synth(pupils=20, seed=1)
    with pytest.raises(OutputExistsError, match="already holds files"):
        export_synthetic_set(synth, target, collection_writer("xml"), format_name="sif-xml")
    assert (target / "notes.txt").read_text() == "mine"
    export_synthetic_set(
        synth, target, collection_writer("xml"), format_name="sif-xml", overwrite=True
    )
    assert not (target / "notes.txt").exists()
    assert (target / MANIFEST_NAME).exists()


def test_a_failing_writer_leaves_the_old_folder_as_it_was(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    written: list[Path] = []

    def fails_on_second_school(objects: Iterable[SIFObject], folder: Path) -> Mapping[str, int]:
        written.append(folder)
        if len(written) == 2:
            raise OSError("disk full")
        return write_by_type(objects, folder, "xml")

    with pytest.raises(OSError, match="disk full"):
        export_synthetic_set(
            Synth(pupils=60, seed=1, schools=2),
            target,
            fails_on_second_school,
            format_name="sif-xml",
            overwrite=True,
        )
    assert [p.name for p in target.iterdir()] == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
