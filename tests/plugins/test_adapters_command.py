"""`sif adapters list|show|new`."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import Result

from sif_core.plugins import PluginHost, using_plugin_host
from sif_core.testing.plugin_fixtures import FreshVenv
from tests.plugins.conftest import Site
from tests.plugins.fakes import (
    ROLL_PLUGIN_MODULE,
    AdapterPlugin,
    roll_adapter,
    write_distribution,
)

Sif = Callable[..., Result]


def test_list_shows_each_adapter_with_supplier_version_distribution_formats_and_direction(
    sif_host: PluginHost, sif_cli: Sif
) -> None:
    read_only = roll_adapter("register")
    sif_host.register(AdapterPlugin(roll_adapter("roll")), name="roll", distribution="roll-sif")
    sif_host.register(
        AdapterPlugin(replace(read_only, writes=(), write=None)),
        name="register",
        distribution="register-sif",
    )
    result = sif_cli("adapters", "list")
    assert result.exit_code == 0
    rows = [line for line in result.output.splitlines() if "Roll Call Ltd" in line]
    assert len(rows) == 2
    assert all("1.2.3" in row and "roll" in row for row in rows)
    assert "roll-sif" in rows[0]
    assert "read, write" in rows[0]
    assert "register-sif" in rows[1]
    assert "write" not in rows[1]


def test_list_as_json_gives_every_field(sif_host: PluginHost, sif_cli: Sif) -> None:
    sif_host.register(AdapterPlugin(roll_adapter()), name="roll", distribution="roll-sif")
    document = json.loads(sif_cli("adapters", "list", "--json").output)
    assert document == {
        "adapters": [
            {
                "name": "roll",
                "supplier": "Roll Call Ltd",
                "version": "1.2.3",
                "distribution": "roll-sif",
                "description": "Reads and writes roll files.",
                "formats": ["roll"],
                "file_patterns": ["*.roll"],
                "reads": ["LearnerPersonal"],
                "writes": ["LearnerPersonal"],
                "can_write": True,
            }
        ],
        "broken": [],
    }


def test_broken_plugin_is_listed_with_its_error_and_other_commands_still_work(
    site: Site, sif_cli: Sif, roll_file: Path
) -> None:
    write_distribution(
        site.root,
        "shaky-sif",
        {"shaky": "shaky_plugin"},
        {"shaky_plugin": "import acme_licence_client  # not installed\n"},
    )
    write_distribution(
        site.root,
        "roll-sif",
        {"roll": "roll_plugin"},
        {"roll_plugin": ROLL_PLUGIN_MODULE.format(name="roll")},
    )
    with using_plugin_host(site.host()):
        listing = sif_cli("adapters", "list")
        assert listing.exit_code == 0
        assert "Broken plugins" in listing.output
        broken = json.loads(sif_cli("adapters", "list", "--json").output)["broken"]
        assert broken == [
            {
                "name": "shaky",
                "distribution": "shaky-sif",
                "error": "ModuleNotFoundError: No module named 'acme_licence_client'",
            }
        ]
        assert sif_cli("adapters", "show", "roll").exit_code == 0
        assert sif_cli("--help").exit_code == 0
        assert sif_cli("demo", "--help").exit_code == 0


def test_conflicting_adapters_make_list_fail_naming_both_distributions(
    sif_host: PluginHost, sif_cli: Sif
) -> None:
    sif_host.register(AdapterPlugin(roll_adapter()), name="roll", distribution="roll-sif")
    sif_host.register(AdapterPlugin(roll_adapter()), name="fork", distribution="roll-fork")
    result = sif_cli("adapters", "list")
    assert result.exit_code == 1
    assert "'roll' is registered by both roll-sif and roll-fork" in result.output


def test_show_prints_everything_about_one_adapter(sif_host: PluginHost, sif_cli: Sif) -> None:
    sif_host.register(AdapterPlugin(roll_adapter()), name="roll", distribution="roll-sif")
    lines = sif_cli("adapters", "show", "roll").output.splitlines()
    assert [line.split(None, 1)[0] for line in lines] == [
        "name",
        "description",
        "supplier",
        "version",
        "distribution",
        "formats",
        "file",
        "reads",
        "writes",
    ]
    assert "*.roll" in lines[6]


def test_show_of_an_unknown_adapter_lists_those_installed(
    sif_host: PluginHost, sif_cli: Sif
) -> None:
    sif_host.register(AdapterPlugin(roll_adapter()), name="roll")
    result = sif_cli("adapters", "show", "ctf")
    assert result.exit_code == 1
    assert "no adapter is called 'ctf'; installed: roll" in result.output


def test_new_writes_a_distribution_declaring_its_entry_point(tmp_path: Path, sif_cli: Sif) -> None:
    target = tmp_path / "sif-northwind"
    result = sif_cli("adapters", "new", "northwind", "-d", str(target), "--supplier", "Nörthwind")
    assert result.exit_code == 0, result.output
    project = tomllib.loads((target / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == "sif-northwind"
    assert project["project"]["entry-points"]["sif"] == {"northwind": "sif_northwind.plugin"}
    assert project["project"]["authors"] == [{"name": "Nörthwind"}]
    for module in target.rglob("*.py"):
        compile(module.read_text(encoding="utf-8"), str(module), "exec")
    assert 'supplier="Nörthwind"' in (target / "sif_northwind" / "plugin.py").read_text("utf-8")


def test_new_refuses_a_name_that_cannot_name_an_adapter(tmp_path: Path, sif_cli: Sif) -> None:
    result = sif_cli("adapters", "new", "Acme MIS", "-d", str(tmp_path / "x"))
    assert result.exit_code == 1
    assert "'Acme MIS' cannot name an adapter" in result.output
    assert not (tmp_path / "x").exists()


def test_new_never_overwrites_a_directory_with_files_in_it(tmp_path: Path, sif_cli: Sif) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = sif_cli("adapters", "new", "northwind", "-d", str(tmp_path))
    assert result.exit_code == 1
    assert "exists and is not empty" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.slow
def test_scaffold_installs_with_pip_and_passes_its_generated_tests(
    tmp_path: Path, sif_cli: Sif
) -> None:
    target = tmp_path / "sif-northwind-mis"
    assert sif_cli("adapters", "new", "northwind-mis", "-d", str(target)).exit_code == 0
    venv = FreshVenv.create(tmp_path / "venv")
    venv.install(target)
    tests = venv.pytest(cwd=target)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "6 passed" in tests.stdout
    listing = venv.sif("adapters", "list", "--json")
    adapters = {a["name"]: a for a in json.loads(listing.stdout)["adapters"]}
    assert adapters["northwind-mis"]["distribution"] == "sif-northwind-mis"
    converted = venv.sif(
        "convert",
        target / "tests" / "data" / "pupils.csv",
        "--to",
        "sif-json",
        "--out",
        tmp_path / "pupils.json",
    )
    assert converted.returncode == 0, converted.stderr
    assert "Wrote 3 objects" in converted.stdout
