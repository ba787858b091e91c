"""CI runs the kit on every built-in adapter and on the outside example, and all must pass."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sif_core.conformance.results import Outcome, Report
from sif_core.conformance.runner import run_adapter_conformance
from sif_core.plugins import PluginHost

from .samples import SAMPLE_NAMES, write_samples

EXAMPLE = Path(__file__).parents[2] / "examples" / "acme-adapter"


def outline(report: Report) -> str:
    return "\n".join(
        f"{r.outcome} {r.check}: {r.message} {list(r.details)[:3]}"
        for r in report.results
        if r.outcome not in (Outcome.PASSED, Outcome.SKIPPED)
    )


@pytest.fixture(scope="module")
def installed() -> PluginHost:
    host = PluginHost.from_environment(environ={})
    assert not host.broken, host.broken
    return host


def test_every_built_in_adapter_has_samples_here(installed: PluginHost) -> None:
    built_in = {n for n, spec in installed.adapters().items() if spec.distribution == "sifbridge"}
    assert built_in == set(SAMPLE_NAMES)


@pytest.mark.parametrize("name", sorted(SAMPLE_NAMES))
def test_the_built_in_adapter_conforms(name: str, installed: PluginHost, tmp_path: Path) -> None:
    samples = write_samples(installed.adapter(name), tmp_path / "samples")
    report = run_adapter_conformance(name, samples, host=installed, workdir=tmp_path / "kit")
    assert report.conformant, outline(report)
    assert report.target.facts["distribution"] == "sifbridge"


@pytest.fixture
def acme_plugin(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """The example's plugin module, imported from its source."""
    monkeypatch.syspath_prepend(str(EXAMPLE))
    from acme_sif import plugin  # type: ignore[import-not-found]

    yield plugin
    for name in [n for n in sys.modules if n == "acme_sif" or n.startswith("acme_sif.")]:
        del sys.modules[name]


def test_the_outside_example_adapter_conforms(acme_plugin: object, tmp_path: Path) -> None:
    host = PluginHost()
    host.register(acme_plugin, name="acme", distribution="acme-sif-adapter")
    samples = EXAMPLE / "tests" / "data"
    report = run_adapter_conformance("acme", samples, host=host, workdir=tmp_path)
    assert report.conformant, outline(report)
