"""docs/running-a-zone.md: its shell blocks, run in order, really build and use a zone."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .server import free_port

DOC = Path(__file__).resolve().parents[2] / "docs" / "running-a-zone.md"


@pytest.mark.slow
def test_the_walk_through_runs_from_nothing_to_two_schools_and_an_la(tmp_path: Path) -> None:
    blocks = re.findall(r"^```sh\n(.*?)^```", DOC.read_text(), flags=re.MULTILINE | re.DOTALL)
    script = "set -euo pipefail\n" + "\n".join(blocks)
    environment = {
        **os.environ,
        "PORT": str(free_port()),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert '"changesSinceMarker":"3"' in out  # the publish was answered
    assert '{"acknowledged":["1","2","3"],"unknown":[]}' in out  # the LA got all three
    # A lease that acknowledges: those three are gone already, and nothing new came.
    assert '{"messages":[],"acknowledged":[],"unknown":["1","2","3"]}' in out
    assert "navigationcount: 1" in out.lower()
    assert '{"LearnerPersonals":{"LearnerPersonal":[]}}' in out  # Riverside sees nothing
    assert '"status":404' in out
    assert '"operation":"deliver","objectType":"LearnerPersonal"' in out
    assert "Ashby" not in (tmp_path / "zone.log").read_text()
