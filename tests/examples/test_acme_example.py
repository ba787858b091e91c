"""The outside example, examples/acme-adapter, installed with pip into a fresh environment.

The slow tests build one throw-away virtual environment layered over this one (nothing is
downloaded), pip-install the example and a plugin that cannot import, and drive the real `sif`
command in a subprocess: entry points, listing, conversion and broken plugins as a user meets them.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sif_core.adapter import AdapterSpec, ReadContext
from sif_core.codec import loads_json, validate_document
from sif_core.plugins import PluginHost
from sif_core.testing.plugin_fixtures import FreshVenv, check_adapter, read_all

EXAMPLE = Path(__file__).parents[2] / "examples" / "acme-adapter"
SAMPLE = EXAMPLE / "tests" / "data" / "acme-export.json"

BROKEN_PYPROJECT = """
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "{name}"
version = "0.3.0"

[project.entry-points.sif]
{entry_point} = "{module}"

[tool.setuptools]
py-modules = ["{module}"]
"""


def make_distribution(root: Path, name: str, entry_point: str, module: str, source: str) -> Path:
    """A one-module distribution declaring one `sif` entry point."""
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        BROKEN_PYPROJECT.format(name=name, entry_point=entry_point, module=module),
        encoding="utf-8",
    )
    (root / f"{module}.py").write_text(source, encoding="utf-8")
    return root


def copy_of_example(root: Path) -> Path:
    """The example as a user would have it, away from the repository (pip writes beside it)."""
    return Path(
        shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    )


@pytest.fixture
def acme_on_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.syspath_prepend(str(EXAMPLE))
    yield
    for name in [n for n in sys.modules if n == "acme_sif" or n.startswith("acme_sif.")]:
        del sys.modules[name]


def test_acme_adapter_meets_the_adapter_contract(acme_on_path: None, tmp_path: Path) -> None:
    result = check_adapter(acme_in_process(), SAMPLE, tmp_path)
    assert [obj.object_name for obj in result.objects].count("LearnerPersonal") == 4


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> FreshVenv:
    """A fresh environment with the example and a plugin whose import raises."""
    root = tmp_path_factory.mktemp("acme-venv")
    fresh = FreshVenv.create(root / "venv")
    shaky = make_distribution(
        root / "shaky",
        "shaky-sif",
        "shaky",
        "shaky_plugin",
        "raise ImportError('the Shaky MIS client library is not installed')\n",
    )
    fresh.install(copy_of_example(root / "acme-adapter"), shaky)
    return fresh


@pytest.mark.slow
def test_installed_example_is_listed_beside_sifxml(venv: FreshVenv) -> None:
    listing = venv.sif("adapters", "list", "--json")
    assert listing.returncode == 0, listing.stderr
    adapters = {a["name"]: a for a in json.loads(listing.stdout)["adapters"]}
    assert adapters["sifxml"]["distribution"] == "sifbridge"
    assert adapters["acme"]["distribution"] == "acme-sif-adapter"
    assert adapters["acme"]["supplier"] == "Acme School Systems Ltd"
    table = venv.sif("adapters", "list", env={"COLUMNS": "200"})
    assert "acme-sif-adapter" in table.stdout
    assert "sifbridge" in table.stdout


@pytest.mark.slow
def test_sif_convert_on_an_acme_export_writes_valid_sif_json(
    venv: FreshVenv, tmp_path: Path, acme_on_path: None
) -> None:
    out = tmp_path / "ashdown.json"
    converted = venv.sif("convert", SAMPLE, "--to", "sif-json", "--out", out)
    assert converted.returncode == 0, converted.stderr
    assert "Wrote 9 objects" in converted.stdout
    document = json.loads(out.read_text(encoding="utf-8"))
    assert validate_document(document) == []
    assert list(document) == ["SIFObjects"]
    objects = loads_json(out.read_bytes())
    assert [obj.object_name for obj in objects][:3] == [
        "SchoolInfo",
        "LearnerPersonal",
        "LearnerSchoolEnrolment",
    ]
    assert objects == read_all(acme_in_process(), SAMPLE, ReadContext(source_system="acme")).objects


def acme_in_process() -> AdapterSpec:
    """The example's adapter imported from its source (needs the acme_on_path fixture)."""
    from acme_sif import plugin  # type: ignore[import-not-found]

    host = PluginHost()
    host.register(plugin, name="acme")
    return host.adapter("acme")


@pytest.mark.slow
def test_installed_example_passes_its_own_tests(venv: FreshVenv, tmp_path: Path) -> None:
    checkout = copy_of_example(tmp_path / "acme-adapter")
    tests = venv.pytest(cwd=checkout)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert " passed" in tests.stdout


@pytest.mark.slow
def test_plugin_whose_import_raises_is_listed_broken_and_everything_else_works(
    venv: FreshVenv, tmp_path: Path
) -> None:
    listing = venv.sif("adapters", "list", "--json")
    broken = {b["name"]: b for b in json.loads(listing.stdout)["broken"]}
    assert broken["shaky"] == {
        "name": "shaky",
        "distribution": "shaky-sif",
        "error": "ImportError: the Shaky MIS client library is not installed",
    }
    table = venv.sif("adapters", "list", env={"COLUMNS": "200"})
    assert "Broken plugins" in table.stdout
    assert "the Shaky MIS client library is not installed" in table.stdout
    assert venv.sif("--help").returncode == 0
    assert venv.sif("adapters", "show", "acme").returncode == 0
    out = tmp_path / "school.xml"
    converted = venv.sif("convert", SAMPLE, "--to", "sif-xml", "--out", out)
    assert converted.returncode == 0, converted.stderr
    assert out.exists()


@pytest.mark.slow
def test_two_installed_plugins_with_one_adapter_name_fail_naming_both(tmp_path: Path) -> None:
    fresh = FreshVenv.create(tmp_path / "venv")
    fork = make_distribution(
        tmp_path / "acme-fork",
        "acme-fork",
        "acme-fork",
        "acme_fork_plugin",
        "from acme_sif.plugin import sif_register_adapters  # noqa: F401\n",
    )
    fresh.install(copy_of_example(tmp_path / "acme-adapter"), fork)
    listing = fresh.sif("adapters", "list")
    assert listing.returncode == 1
    assert "'acme' is registered by both acme-fork and acme-sif-adapter" in listing.stderr
    allowed = fresh.sif("adapters", "list", "--json", env={"SIF_PLUGINS": "acme,sifxml"})
    assert allowed.returncode == 0, allowed.stderr
