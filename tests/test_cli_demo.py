"""``sif demo``: two synthetic schools generated, written, read back and validated in seconds."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sif_core.cli import main
from sif_core.commands import demo
from sif_core.model import SENNeedType, SIFObject
from sif_core.problems import Problem
from sif_core.testing import Synth


def run_demo(*args: str | Path) -> Result:
    # The zone half of the demo runs in tests/workflows/test_demo.py.
    return CliRunner().invoke(main, ["demo", "--no-zone", *map(str, args)])


def demo_set() -> Synth:
    return Synth(pupils=demo.DEMO_PUPILS, seed=demo.DEMO_SEED, schools=demo.DEMO_SCHOOLS)


def test_demo_generates_writes_and_validates_two_schools(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = run_demo("--out", out)
    assert result.exit_code == 0, result.output
    synth = demo_set()
    for school in synth.schools:
        assert school.school_name in result.output
        assert len(list((out / school.laestab).glob("*.xml"))) >= 8
    # Each school's export is whole: it carries its own copy of the LA.
    written = sum(1 for school in synth.schools for _ in synth.iter_objects(school))
    assert re.search(rf"All\s*│\s*{written:,}\s*│\s*{written:,}\s*│\s*{written:,}", result.output)
    assert "Every object is valid and identical to what was generated" in result.output
    assert f"The files are in {out}" in result.output
    assert (out / "synth.json").exists()


def test_demo_shows_a_dual_registered_pupil_without_special_category_data(
    tmp_path: Path,
) -> None:
    result = run_demo("--out", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    records = [
        p for p in demo_set().iter_pupils() if p.learner.upn and p.learner.upn in result.output
    ]
    shown = {p.learner.upn for p in records}
    assert len(shown) == 1
    assert len(records) == 2  # the same pupil at the main school and at the PRU
    for pupil in records:
        assert pupil.learner.ref_id in result.output
        assert f"{pupil.learner.legal_name.family_name}" in result.output
    learner = records[0].learner
    assert learner.ethnicity is not None
    assert not re.search(rf"\b{learner.ethnicity.value}\b", result.output)
    assert not any(re.search(rf"\b{need.value}\b", result.output) for need in SENNeedType)
    assert "special category data is not shown" in result.output


def test_without_out_the_files_go_to_a_new_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = run_demo("--format", "sif-json")
    assert result.exit_code == 0, result.output
    (folder,) = tmp_path.glob("sif-demo-*")
    assert f"The files are in {folder}" in result.output
    assert list(folder.glob("*/LearnerPersonals.json"))


def test_demo_keeps_a_folder_that_already_holds_files(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep")
    result = run_demo("--out", tmp_path)
    assert result.exit_code == 1
    assert "already holds files" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


def test_demo_fails_loudly_when_a_file_does_not_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def reads_a_bad_record(path: Path) -> Iterator[SIFObject | Problem]:
        yield Problem(
            source=path.name, record="record 1", field="UPN", message="wrong check letter"
        )

    monkeypatch.setattr(demo, "iter_document", reads_a_bad_record)
    result = run_demo("--out", tmp_path / "demo")
    assert result.exit_code == 1
    assert "wrong check letter" in result.output
    assert "problems reading the files back" in result.output


def test_sif_demo_runs_as_a_real_command(tmp_path: Path) -> None:
    sif = Path(sys.executable).parent / "sif"
    finished = subprocess.run(
        [str(sif), "demo", "--no-zone", "--out", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    assert "Every object is valid and identical to what was generated" in finished.stdout
    assert (tmp_path / "demo" / "synth.json").exists()
