"""Fixtures of the agent tests: a synthetic pair of schools, their exports, and a real zone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sif_core.cli import main
from sif_core.model import SIFObject
from sif_core.testing import Synth

from .exports import school_objects
from .zone import TOKENS, AgentZone


@pytest.fixture(scope="session")
def synth() -> Synth:
    """Two schools of one LA: a secondary (A) and a PRU (B)."""
    return Synth(pupils=30, seed=7, schools=2)


@pytest.fixture(scope="session")
def school_a(synth: Synth) -> list[SIFObject]:
    return school_objects(synth, synth.schools[0])


@pytest.fixture(scope="session")
def school_b(synth: Synth) -> list[SIFObject]:
    return school_objects(synth, synth.schools[1])


@pytest.fixture
def zone(tmp_path: Path, synth: Synth) -> Iterator[AgentZone]:
    folder = tmp_path / "zone"
    folder.mkdir()
    server = AgentZone(folder, synth)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def sif(*args: object) -> Result:
    """Run ``sif ARGS`` in this process."""
    return CliRunner().invoke(main, [str(arg) for arg in args])


def push_args(zone: AgentZone, party: str, adapter: str, source: Path, state: Path) -> list[object]:
    return [
        "agent", "push", source, "--zone", zone.zone_url, "--token", TOKENS[party],
        "--adapter", adapter, "--state", state,
    ]  # fmt: skip


def pull_args(zone: AgentZone, party: str, out: Path) -> list[object]:
    return [
        "agent", "pull", "--zone", zone.zone_url, "--token", TOKENS[party],
        "--adapter", "sifxml", "--out", out,
    ]  # fmt: skip
