"""One test per hook (``test_hook_<hook name>_...``), and the two tests that keep the plugin API
honest: every hook has a test here, and every hook is in docs/hooks.md with its argument names."""

from __future__ import annotations

import inspect
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import Result

from sif_core import hookspecs
from sif_core.adapter import AdapterSpec
from sif_core.errors import StorageBackendConflictError
from sif_core.plugins import PluginHost, hookimpl, using_plugin_host
from sif_core.storage import StorageBackendSpec
from tests.plugins.fakes import AdapterPlugin, roll_adapter

DOCS = Path(__file__).parents[2] / "docs" / "hooks.md"


def hook_specs() -> dict[str, list[str]]:
    """Every hook specification in sif_core.hookspecs and its argument names."""
    return {
        name: list(inspect.signature(function).parameters)
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(function, f"{hookspecs.PROJECT_NAME}_spec")
    }


def test_the_project_has_the_hooks_other_parts_implement() -> None:
    assert hook_specs() == {
        "sif_register_adapters": ["register"],
        "sif_register_commands": ["cli"],
        "sif_register_storage_backends": ["register"],
    }


def test_every_hook_has_a_test_in_this_module() -> None:
    tests = [name for name in vars(sys.modules[__name__]) if name.startswith("test_hook_")]
    untested = [
        hook for hook in hook_specs() if not any(t.startswith(f"test_hook_{hook}_") for t in tests)
    ]
    assert untested == []


def test_every_hook_is_documented_with_its_exact_argument_names() -> None:
    text = DOCS.read_text(encoding="utf-8")
    headings = set(re.findall(r"^## (\w+\([\w, ]*\))$", text, flags=re.MULTILINE))
    expected = {f"{hook}({', '.join(args)})" for hook, args in hook_specs().items()}
    assert expected - headings == set(), "hooks missing from docs/hooks.md"
    assert headings - expected == set(), "docs/hooks.md documents hooks that do not exist"


def test_hook_sif_register_adapters_makes_each_adapter_available_with_its_distribution() -> None:
    host = PluginHost()
    host.register(
        AdapterPlugin(roll_adapter("roll"), roll_adapter("register")),
        name="roll",
        distribution="roll-sif",
    )
    adapters = host.adapters()
    assert sorted(adapters) == ["register", "roll"]
    assert {spec.distribution for spec in adapters.values()} == {"roll-sif"}
    assert adapters["roll"].supplier == "Roll Call Ltd"


class GreetingPlugin:
    @hookimpl
    def sif_register_commands(self, cli: click.Group) -> None:
        @cli.command("greet")
        @click.argument("school")
        def greet(school: str) -> None:
            """Greet a school."""
            click.echo(f"Hello, {school}")

        @cli.command("adapters")
        def clash() -> None:
            """Would hide the built-in `sif adapters`."""


def test_hook_sif_register_commands_adds_a_sif_subcommand_but_never_replaces_a_builtin(
    sif_host: PluginHost, sif_cli: Callable[..., Result]
) -> None:
    sif_host.register(GreetingPlugin(), name="greeting", distribution="greeting-sif")
    assert sif_cli("greet", "Ashdown Primary").output == "Hello, Ashdown Primary\n"
    assert "greet" in sif_cli("--help").output
    listing = sif_cli("adapters", "list", "--json")
    assert listing.exit_code == 0
    [broken] = json.loads(listing.output)["broken"]
    assert broken == {
        "name": "greeting",
        "distribution": "greeting-sif",
        "error": "its command 'adapters' clashes with an existing sif command; it was not added",
    }


def test_plugin_commands_follow_the_current_host(
    sif_host: PluginHost, sif_cli: Callable[..., Result]
) -> None:
    assert sif_cli("greet", "Ashdown").exit_code == 2  # no such command yet
    sif_host.register(GreetingPlugin(), name="greeting")
    assert sif_cli("greet", "Ashdown").output == "Hello, Ashdown\n"
    with using_plugin_host(PluginHost()):
        assert sif_cli("greet", "Ashdown").exit_code == 2


def open_memory(url: str) -> dict[str, str]:
    return {"url": url}


class MemoryStore:
    @hookimpl
    def sif_register_storage_backends(self, register: Callable[[StorageBackendSpec], None]) -> None:
        register(StorageBackendSpec("memory", "Keeps the zone in memory", open_memory))


def test_hook_sif_register_storage_backends_makes_a_backend_available_by_scheme() -> None:
    host = PluginHost()
    host.register(MemoryStore(), name="memory", distribution="memory-sif")
    backend = host.storage_backends()["memory"]
    assert backend.open("memory://zone") == {"url": "memory://zone"}


def test_two_plugins_registering_one_storage_scheme_is_an_error_naming_both() -> None:
    host = PluginHost()
    host.register(MemoryStore(), name="memory", distribution="memory-sif")
    host.register(MemoryStore(), name="memory-copy", distribution="memory-fork")
    with pytest.raises(StorageBackendConflictError, match="both memory-sif and memory-fork"):
        host.storage_backends()


def test_hook_relay_calls_every_plugin(sif_host: PluginHost) -> None:
    sif_host.register(AdapterPlugin(roll_adapter("roll")), name="a")
    sif_host.register(AdapterPlugin(roll_adapter("register")), name="b")
    seen: list[AdapterSpec] = []
    sif_host.hook.sif_register_adapters(register=seen.append)
    assert sorted(spec.name for spec in seen) == ["register", "roll"]
