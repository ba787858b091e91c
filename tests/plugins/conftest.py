"""Fixtures for the plugin tests: the plugin-author fixtures and a site to install into."""

from __future__ import annotations

import importlib.metadata
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sif_core.plugins import PluginHost
from sif_core.testing.plugin_fixtures import (  # noqa: F401 - fixtures pytest finds by name
    installed_sif_host,
    read_context,
    sif_cli,
    sif_host,
)
from tests.plugins.fakes import ROLL_FILE


class Site:
    """A directory on sys.path that distributions can be "installed" into (dist-info + modules)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def host(self, environ: dict[str, str] | None = None) -> PluginHost:
        """A host loaded from this site's distributions only, as `sif` would load them."""
        return PluginHost.from_environment(
            environ=environ or {},
            distributions=importlib.metadata.distributions(path=[str(self.root)]),
        )


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    root = tmp_path / "site-packages"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    before = set(sys.modules)
    yield Site(root)
    for name in set(sys.modules) - before:
        if getattr(sys.modules[name], "__file__", "") and str(root) in str(
            sys.modules[name].__file__
        ):
            del sys.modules[name]


@pytest.fixture
def roll_file(tmp_path: Path) -> Path:
    path = tmp_path / "class-5b.roll"
    path.write_text(ROLL_FILE, encoding="utf-8")
    return path
