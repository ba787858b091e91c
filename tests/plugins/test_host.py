"""The plugin host: loading entry points, switches, broken plugins, conflicts, detection."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Callable
from pathlib import Path

import pytest

from sif_core.adapter import AdapterSpec
from sif_core.errors import (
    AdapterConflictError,
    AdapterNotFoundError,
    AmbiguousAdapterError,
    NoAdapterMatchedError,
)
from sif_core.plugins import PluginHost, get_plugin_host, hookimpl, using_plugin_host
from tests.plugins.conftest import Site
from tests.plugins.fakes import ROLL_PLUGIN_MODULE, AdapterPlugin, roll_adapter, write_distribution


def install_roll(site: Site, distribution: str, entry_point: str, adapter_name: str) -> None:
    module = f"{distribution.replace('-', '_')}_plugin"
    write_distribution(
        site.root,
        distribution,
        {entry_point: module},
        {module: ROLL_PLUGIN_MODULE.format(name=adapter_name)},
    )


def test_adapter_of_an_installed_distribution_is_found_through_its_entry_point(site: Site) -> None:
    install_roll(site, "roll-sif", "roll", "roll")
    adapters = site.host().adapters()
    assert list(adapters) == ["roll"]
    assert adapters["roll"].distribution == "roll-sif"
    assert [(p.name, p.distribution, p.version) for p in site.host().plugins()] == [
        ("roll", "roll-sif", "1.0")
    ]


def test_plugin_whose_import_raises_is_listed_broken_and_the_others_still_load(
    site: Site,
) -> None:
    write_distribution(
        site.root,
        "shaky-sif",
        {"shaky": "shaky_plugin"},
        {"shaky_plugin": "raise RuntimeError('licence server unreachable')\n"},
    )
    install_roll(site, "roll-sif", "roll", "roll")
    host = site.host()
    assert list(host.adapters()) == ["roll"]
    [broken] = host.broken
    assert (broken.name, broken.distribution) == ("shaky", "shaky-sif")
    assert broken.error == "RuntimeError: licence server unreachable"


def test_entry_point_naming_a_missing_module_is_listed_broken(site: Site) -> None:
    write_distribution(site.root, "ghost-sif", {"ghost": "ghost_adapter.plugin"}, {})
    [broken] = site.host().broken
    assert broken.error == "ModuleNotFoundError: No module named 'ghost_adapter'"


def test_disable_autoload_loads_no_entry_point(site: Site) -> None:
    install_roll(site, "roll-sif", "roll", "roll")
    host = site.host({"SIF_DISABLE_PLUGIN_AUTOLOAD": "1"})
    assert host.adapters() == {}
    assert host.plugins() == []


def test_disable_autoload_set_to_zero_still_loads(site: Site) -> None:
    install_roll(site, "roll-sif", "roll", "roll")
    assert list(site.host({"SIF_DISABLE_PLUGIN_AUTOLOAD": "0"}).adapters()) == ["roll"]


def test_allow_list_loads_only_the_plugins_it_names(site: Site) -> None:
    install_roll(site, "roll-sif", "roll", "roll")
    install_roll(site, "register-sif", "register", "register")
    host = site.host({"SIF_PLUGINS": " register "})
    assert list(host.adapters()) == ["register"]
    assert host.broken == []


def test_allow_list_naming_an_uninstalled_plugin_says_which_are_installed(site: Site) -> None:
    install_roll(site, "roll-sif", "roll", "roll")
    host = site.host({"SIF_PLUGINS": "rol"})
    assert host.adapters() == {}
    [broken] = host.broken
    assert broken.name == "rol"
    assert "named in SIF_PLUGINS" in broken.error
    assert "installed: roll" in broken.error


def test_empty_allow_list_loads_nothing(site: Site) -> None:
    install_roll(site, "roll-sif", "roll", "roll")
    assert site.host({"SIF_PLUGINS": ""}).adapters() == {}


def test_two_distributions_registering_one_adapter_name_is_an_error_naming_both(
    site: Site,
) -> None:
    install_roll(site, "roll-sif", "roll", "roll")
    install_roll(site, "roll-fork", "roll-fork", "roll")
    host = site.host()
    with pytest.raises(AdapterConflictError) as caught:
        host.adapters()
    assert "'roll' is registered by both roll-fork and roll-sif" in str(caught.value)
    assert caught.value.distributions == ("roll-fork", "roll-sif")


def test_sifbridge_plugins_load_before_every_other_distribution(site: Site) -> None:
    install_roll(site, "aardvark-sif", "aardvark", "roll")
    install_roll(site, "sifbridge", "builtin-roll", "roll")
    with pytest.raises(AdapterConflictError) as caught:
        site.host().adapters()
    assert caught.value.distributions == ("sifbridge", "aardvark-sif")


def test_conflicting_adapters_can_be_resolved_with_the_allow_list(site: Site) -> None:
    install_roll(site, "roll-sif", "roll", "roll")
    install_roll(site, "roll-fork", "roll-fork", "roll")
    host = site.host({"SIF_PLUGINS": "roll"})
    assert host.adapter("roll").distribution == "roll-sif"


class Misspelt:
    @hookimpl
    def sif_register_adaptors(self, register: Callable[[AdapterSpec], None]) -> None:
        register(roll_adapter())


class WrongArgument:
    @hookimpl
    def sif_register_adapters(self, registry: Callable[[AdapterSpec], None]) -> None:
        registry(roll_adapter())


def test_misspelt_hook_is_reported_with_the_right_name_and_the_plugin_skipped() -> None:
    host = PluginHost()
    assert host.register(Misspelt(), name="typo", distribution="typo-sif") is False
    [broken] = host.broken
    assert (broken.name, broken.distribution) == ("typo", "typo-sif")
    assert broken.error == (
        "sif_register_adaptors is not a sif hook (did you mean sif_register_adapters?)"
    )
    assert host.adapters() == {}
    assert host.register(AdapterPlugin(roll_adapter()), name="roll") is True
    assert list(host.adapters()) == ["roll"]


def test_hook_taking_an_argument_the_hook_does_not_offer_is_reported() -> None:
    host = PluginHost()
    assert host.register(WrongArgument(), name="wrong") is False
    [broken] = host.broken
    assert "registry" in broken.error


def test_misspelt_hook_in_an_installed_distribution_is_reported(site: Site) -> None:
    source = (
        "from sif_core.plugins import hookimpl\n"
        "@hookimpl\n"
        "def sif_register_command(cli):\n"
        "    pass\n"
    )
    write_distribution(site.root, "typo-sif", {"typo": "typo_plugin"}, {"typo_plugin": source})
    [broken] = site.host().broken
    assert "did you mean sif_register_commands?" in broken.error


class Raising:
    @hookimpl
    def sif_register_adapters(self, register: Callable[[AdapterSpec], None]) -> None:
        register(roll_adapter("half"))
        raise KeyError("LAESTAB")


class NotASpec:
    @hookimpl
    def sif_register_adapters(self, register: Callable[[object], None]) -> None:
        register({"name": "dict-adapter"})


def test_registration_that_raises_drops_that_plugin_only_and_says_why() -> None:
    host = PluginHost()
    host.register(Raising(), name="raising", distribution="raising-sif")
    host.register(AdapterPlugin(roll_adapter()), name="roll")
    assert list(host.adapters()) == ["roll"]
    [broken] = host.broken
    assert broken.distribution == "raising-sif"
    assert broken.error == "sif_register_adapters: KeyError: 'LAESTAB'"


def test_register_refuses_anything_but_an_adapter_spec() -> None:
    host = PluginHost()
    host.register(NotASpec(), name="loose")
    assert host.adapters() == {}
    [broken] = host.broken
    assert broken.error == (
        "sif_register_adapters: TypeError: register() takes a AdapterSpec, not dict"
    )


def test_broken_registrations_are_not_repeated_when_adapters_are_asked_for_again() -> None:
    host = PluginHost()
    host.register(Raising(), name="raising")
    host.adapters()
    host.register(AdapterPlugin(roll_adapter()), name="roll")
    host.adapters()
    assert len(host.broken) == 1


def host_with(*specs: AdapterSpec) -> PluginHost:
    host = PluginHost()
    host.register(AdapterPlugin(*specs), name="fakes", distribution="fakes-sif")
    return host


def test_unknown_adapter_name_lists_the_installed_ones() -> None:
    host = host_with(roll_adapter("roll"), roll_adapter("register"))
    with pytest.raises(AdapterNotFoundError, match=r"no adapter is called 'ctf'; installed: roll"):
        host.adapter("ctf")


def test_unknown_adapter_whose_plugin_is_broken_says_why(site: Site) -> None:
    write_distribution(site.root, "ctf-sif", {"ctf": "ctf_plugin"}, {})
    with pytest.raises(AdapterNotFoundError, match=r"'ctf' is installed but broken: Module"):
        site.host().adapter("ctf")


def test_detect_matches_the_file_name_before_asking_the_content(tmp_path: Path) -> None:
    asked: list[str] = []

    def counting(path: Path, head: bytes) -> bool:
        asked.append(path.name)
        return True

    host = host_with(
        roll_adapter("roll"), roll_adapter("csv", file_patterns=("*.CSV",), detect=counting)
    )
    export = tmp_path / "Pupils.csv"
    export.write_bytes(b"id,name\n")
    assert host.detect(export).name == "csv"
    assert asked == ["Pupils.csv"]


def test_detect_gives_content_checks_the_first_bytes_only(tmp_path: Path) -> None:
    seen: list[int] = []

    def measuring(path: Path, head: bytes) -> bool:
        seen.append(len(head))
        return head.startswith(b"ROLL")

    host = host_with(roll_adapter(detect=measuring))
    big = tmp_path / "big.roll"
    big.write_bytes(b"ROLL\n" + b"x" * 100_000)
    assert host.detect(big).name == "roll"
    assert seen == [8192]


def test_no_adapter_recognising_the_file_is_an_error_listing_those_tried(tmp_path: Path) -> None:
    host = host_with(roll_adapter("roll"), roll_adapter("register", file_patterns=()))
    other = tmp_path / "notes.roll"
    other.write_text("Dear parents,\n", encoding="utf-8")
    with pytest.raises(NoAdapterMatchedError) as caught:
        host.detect(other)
    assert caught.value.tried == ["register", "roll"]
    assert "no adapter recognises this file" in str(caught.value)


def test_several_adapters_recognising_the_file_is_an_error_listing_them(tmp_path: Path) -> None:
    host = host_with(roll_adapter("roll"), roll_adapter("register", file_patterns=()))
    export = tmp_path / "5b.roll"
    export.write_text("ROLL\n", encoding="utf-8")
    with pytest.raises(AmbiguousAdapterError) as caught:
        host.detect(export)
    assert caught.value.candidates == ["register", "roll"]
    assert "choose one with --adapter NAME" in str(caught.value)


def test_detect_on_a_directory_hands_the_adapter_no_bytes(tmp_path: Path) -> None:
    heads: list[bytes] = []

    def folder(path: Path, head: bytes) -> bool:
        heads.append(head)
        return (path / "manifest.csv").exists()

    host = host_with(roll_adapter("oneroster-like", file_patterns=(), detect=folder))
    (tmp_path / "manifest.csv").write_text("propertyName,value\n", encoding="utf-8")
    assert host.detect(tmp_path).name == "oneroster-like"
    assert heads == [b""]


def test_adapter_whose_detect_raises_counts_as_not_recognising(tmp_path: Path) -> None:
    def faulty(path: Path, head: bytes) -> bool:
        raise UnicodeDecodeError("utf-8", head, 0, 1, "bad")

    host = host_with(roll_adapter("roll"), roll_adapter("faulty", detect=faulty))
    export = tmp_path / "5b.roll"
    export.write_text("ROLL\n", encoding="utf-8")
    assert host.detect(export).name == "roll"


def test_get_plugin_host_keeps_one_host_and_tests_can_swap_it() -> None:
    assert get_plugin_host() is get_plugin_host()
    mine = PluginHost()
    with using_plugin_host(mine):
        assert get_plugin_host() is mine
    assert get_plugin_host() is not mine


def test_hookimpl_is_the_one_from_hookspecs() -> None:
    from sif_core import hookspecs, plugins

    assert plugins.hookimpl is hookspecs.hookimpl


def test_a_host_built_from_plugin_modules_registers_them_and_nothing_else() -> None:
    from adapters import sifxml

    host = PluginHost(sifxml, AdapterPlugin(roll_adapter()), AdapterPlugin(roll_adapter("two")))
    assert sorted(host.adapters()) == ["roll", "sifxml", "two"]
    assert [p.name for p in host.plugins()] == [
        "adapters.sifxml",
        "AdapterPlugin",
        "AdapterPlugin#2",
    ]


def test_distribution_found_twice_on_the_path_loads_from_the_first_only(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_roll(site, "roll-sif", "roll", "roll")
    older = tmp_path / "older-site"
    older.mkdir()
    monkeypatch.syspath_prepend(str(older))
    write_distribution(
        older,
        "roll-sif",
        {"roll": "old_roll_plugin"},
        {"old_roll_plugin": ROLL_PLUGIN_MODULE.format(name="roll-old")},
    )
    paths = [str(site.root), str(older)]
    host = PluginHost.from_environment(
        environ={}, distributions=importlib.metadata.distributions(path=paths)
    )
    assert list(host.adapters()) == ["roll"]
    assert host.broken == []
