"""The pytest plugin, in a pytest of its own: inert unless asked, one test per check when asked."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from adapters.sifxml import SPEC as SIFXML

from .samples import write_samples


def pytest_in(folder: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    (folder / "test_vendor.py").write_text("def test_vendor_own():\n    pass\n", encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", *map(str, args)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_without_its_options_the_plugin_adds_nothing(tmp_path: Path) -> None:
    done = pytest_in(tmp_path, "--collect-only", "-q")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 test collected" in done.stdout
    assert "sif-conformance" not in done.stdout


def test_each_check_is_a_test_and_failed_and_error_are_told_apart(tmp_path: Path) -> None:
    samples = write_samples(SIFXML, tmp_path / "samples")
    (samples / "conformance.toml").write_text(
        '[claims]\nwrites = []\n[[bad_samples]]\npath = "school.ndjson"\nfield = "UPN"\n',
        encoding="utf-8",
    )
    project = tmp_path / "project"
    project.mkdir()
    done = pytest_in(
        project,
        "--sif-conformance-adapter",
        "sifxml",
        "--sif-conformance-samples",
        samples,
        "--sif-conformance-out",
        tmp_path / "reports",
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    # Node ids are shown relative to the directory pytest was run in.
    for outcome, test in (
        ("PASSED", "test_vendor.py::test_vendor_own"),
        ("PASSED", "sif-conformance::ADP-4.same-twice"),
        ("FAILED", "sif-conformance::ADP-8.reference-bad-samples"),
        ("ERROR", "sif-conformance::ADP-6.streaming"),
    ):
        assert re.search(rf"^{outcome} \S*{re.escape(test)}", output, re.MULTILINE), test
    assert "school.ndjson: no error Problem" in output
    assert "not claimed: the statement does not claim writes" in output
    assert "NOT CONFORMANT: sifxml" in output
    report = json.loads((tmp_path / "reports" / "adapter-sifxml.json").read_text("utf-8"))
    results = {check["id"]: check["result"] for check in report["checks"]}
    assert results["ADP-6.streaming"] == "ERROR"
    assert results["ADP-8.reference-bad-samples"] == "FAILED"
    assert len(results) == 17
