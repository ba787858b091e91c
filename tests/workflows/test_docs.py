"""docs/workflows.md names every workflow route and only commands that exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from click.testing import CliRunner

from sif_core.cli import main
from zone_server.api_workflows import workflow_routes

DOC = (Path(__file__).resolve().parents[2] / "docs" / "workflows.md").read_text()


def test_every_workflow_route_is_documented() -> None:
    for route in workflow_routes("/api/zones/{zone}"):
        below = route.path.removeprefix("/api/zones/{zone}")
        documented = re.sub(r"\{[a-z_]+\}", "{id}", below)
        spelt = re.sub(r"\{[a-z_]+\}", "{id}", DOC)
        assert f"...{documented}" in spelt, f"{route.path} is not in docs/workflows.md"


def test_every_command_in_the_guide_exists_with_the_options_it_shows() -> None:
    lines = re.findall(r"^(?:[A-Z_]+=\S+ )*(sif [^\n#\\]+)", DOC, re.MULTILINE)
    assert len(lines) >= 10
    for line in lines:
        words = shlex.split(line)[1:]
        path = [w for w in words[:2] if not w.startswith("-")]
        shown = {w.split("=")[0] for w in words if w.startswith("--")}
        result = CliRunner().invoke(main, [*path, "--help"])
        assert result.exit_code == 0, line
        missing = {option for option in shown if option not in result.output}
        assert not missing, f"{line}: sif {' '.join(path)} has no {missing}"
