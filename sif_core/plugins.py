"""The plugin host: one pluggy PluginManager, fed by the entry-point group ``sif``.

Built-in adapters and outside plugins arrive the same way: each is an entry point in the group
``sif`` whose object (usually a module) holds :data:`hookimpl` functions. Distributions are loaded
in a fixed order, sifbridge's own first, then the others by name, so that errors and conflicts name
plugins in the same order on every run.

The environment variables ``SIF_DISABLE_PLUGIN_AUTOLOAD`` and ``SIF_PLUGINS`` (an allow-list of
entry-point names) filter what is loaded; see :mod:`sif_core.entry_points`.

Nothing a plugin does can take the host down: a plugin whose import raises, whose hooks are
misspelt or whose registration hook raises is recorded in :attr:`PluginHost.broken` and skipped.
"""

from __future__ import annotations

import contextlib
import difflib
import importlib.metadata
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import click
import pluggy

from sif_core import hookspecs
from sif_core.adapter import DETECT_BYTES, AdapterSpec
from sif_core.entry_points import (
    ALLOW_LIST_ENV,
    DISABLE_AUTOLOAD_ENV,
    ENTRY_POINT_GROUP,
    LoadPolicy,
    PluginEntryPoint,
    sif_entry_points,
)
from sif_core.errors import (
    AdapterConflictError,
    AdapterNotFoundError,
    AmbiguousAdapterError,
    NoAdapterMatchedError,
    StorageBackendConflictError,
)
from sif_core.hookspecs import hookimpl
from sif_core.storage import StorageBackendSpec

__all__ = [
    "ALLOW_LIST_ENV",
    "DISABLE_AUTOLOAD_ENV",
    "ENTRY_POINT_GROUP",
    "BrokenPlugin",
    "PluginHost",
    "PluginInfo",
    "get_plugin_host",
    "hookimpl",
    "using_plugin_host",
]

logger = logging.getLogger(__name__)
# The host reports broken plugins through `sif adapters list`; without this, Python's last-resort
# handler would print every skipped plugin on every command.
logger.addHandler(logging.NullHandler())


@dataclass(frozen=True)
class BrokenPlugin:
    """A plugin that was skipped, and why (``error`` is one line a person can act on)."""

    name: str
    distribution: str
    error: str


@dataclass(frozen=True)
class PluginInfo:
    """A plugin the host registered: its entry-point name and where it came from."""

    name: str
    distribution: str
    version: str
    module: str


def _describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


_Spec = TypeVar("_Spec", AdapterSpec, StorageBackendSpec)


class PluginHost:
    """Everything installed plugins provide: adapters, storage backends, extra commands.

    Build one with :meth:`from_environment` (what :func:`get_plugin_host` does) or, in tests, with
    ``PluginHost(plugin, ...)``, which registers the given plugin modules or objects (named after
    the module) and loads nothing else; :meth:`register` adds more.
    """

    def __init__(self, *plugins: object) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self._broken: list[BrokenPlugin] = []
        # Failures found while calling a registration hook, by hook: recollecting replaces them.
        self._hook_broken: dict[str, list[BrokenPlugin]] = {}
        self._info: dict[str, PluginInfo] = {}
        self._adapters: dict[str, AdapterSpec] | None = None
        self._adapter_conflict: AdapterConflictError | None = None
        self._backends: dict[str, StorageBackendSpec] | None = None
        self._backend_conflict: StorageBackendConflictError | None = None
        for plugin in plugins:
            self.register(plugin)

    # -- building -------------------------------------------------------------------------------

    @classmethod
    def from_environment(
        cls,
        *,
        environ: Mapping[str, str] | None = None,
        distributions: Iterable[importlib.metadata.Distribution] | None = None,
    ) -> PluginHost:
        """A host with every entry point of group ``sif`` loaded, as the environment allows.

        ``environ`` defaults to ``os.environ``; ``distributions`` defaults to every installed
        distribution (tests pass ``importlib.metadata.distributions(path=[...])``).
        """
        policy = LoadPolicy.from_environ(os.environ if environ is None else environ)
        host = cls()
        if policy.autoload:
            if distributions is None:
                distributions = importlib.metadata.distributions()
            host.load_entry_points(sif_entry_points(distributions), policy)
        return host

    def load_entry_points(
        self, entry_points: Iterable[PluginEntryPoint], policy: LoadPolicy | None = None
    ) -> None:
        """Load and register the entry points ``policy`` allows (all, by default).

        An allow-listed name no entry point has is recorded in :attr:`broken`.
        """
        policy = policy or LoadPolicy()
        available = list(entry_points)
        for plugin in available:
            if policy.allows(plugin.name):
                self._load_entry_point(plugin)
        names = sorted({plugin.name for plugin in available})
        for missing in sorted((policy.allowed or set()) - set(names)):
            self._record_broken(
                missing,
                "-",
                f"named in {ALLOW_LIST_ENV} but no installed plugin has this name; "
                f"installed: {', '.join(names) or 'none'}",
            )

    def _load_entry_point(self, plugin: PluginEntryPoint) -> None:
        try:
            loaded = plugin.entry_point.load()
        except Exception as error:  # any import failure of a plugin is the plugin's, not ours
            self._record_broken(plugin.name, plugin.distribution, _describe(error))
            return
        self.register(
            loaded, name=plugin.name, distribution=plugin.distribution, version=plugin.version
        )

    def register(
        self,
        plugin: object,
        *,
        name: str | None = None,
        distribution: str | None = None,
        version: str = "",
    ) -> bool:
        """Register ``plugin`` (a module or object with :data:`hookimpl` functions).

        Returns ``False``, and records the plugin in :attr:`broken`, when its hooks do not fit the
        hook specifications (a misspelt hook name, an argument no hook offers).
        """
        plugin_name = name or self._default_name(plugin)
        dist = distribution or plugin_name
        try:
            self.pm.register(plugin, name=plugin_name)
        except pluggy.PluginValidationError as error:
            # pluggy's message: which plugin and hook, the definition, then what is wrong.
            lines = str(error).splitlines()
            self._record_broken(plugin_name, dist, f"{lines[0]}: {lines[-1]}")
            return False
        except ValueError as error:  # a plugin or name registered twice
            self._record_broken(plugin_name, dist, _describe(error))
            return False
        unknown = self._unknown_hooks()
        if unknown:
            self.pm.unregister(plugin)
            self._record_broken(plugin_name, dist, unknown)
            return False
        module = getattr(plugin, "__name__", None) or type(plugin).__module__
        self._info[plugin_name] = PluginInfo(plugin_name, dist, version, module)
        self._adapters = None
        self._backends = None
        return True

    def _default_name(self, plugin: object) -> str:
        """A module's name, else the class name, numbered when several objects share it."""
        base = getattr(plugin, "__name__", None) or type(plugin).__name__
        name, number = base, 1
        while self.pm.has_plugin(name) and self.pm.get_plugin(name) is not plugin:
            number += 1
            name = f"{base}#{number}"
        return name

    def _unknown_hooks(self) -> str | None:
        """Run pluggy's check_pending and turn its complaint into a suggestion."""
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError:
            known = sorted(self.pm.hook.__dict__)
            for hook_name in known:
                caller = getattr(self.pm.hook, hook_name)
                if hook_name.startswith("_") or caller.has_spec():
                    continue
                specs = [n for n in known if getattr(self.pm.hook, n).has_spec()]
                close = difflib.get_close_matches(hook_name, specs, n=1)
                hint = f"did you mean {close[0]}?" if close else f"sif hooks: {', '.join(specs)}"
                return f"{hook_name} is not a sif hook ({hint})"
        return None

    def _record_broken(
        self, name: str, distribution: str, error: str, *, hook: str | None = None
    ) -> None:
        logger.warning("plugin %s from %s skipped: %s", name, distribution, error)
        into = self._broken if hook is None else self._hook_broken.setdefault(hook, [])
        into.append(BrokenPlugin(name, distribution, error))

    # -- what plugins provide -------------------------------------------------------------------

    @property
    def hook(self) -> pluggy.HookRelay:
        """The pluggy hook relay (``host.hook.sif_register_adapters(register=...)``)."""
        return self.pm.hook

    @property
    def broken(self) -> list[BrokenPlugin]:
        """Every plugin skipped so far: failed imports, misfit hooks, registrations that raised."""
        self._collect_adapters()
        self._collect_backends()
        return [*self._broken, *(b for found in self._hook_broken.values() for b in found)]

    def plugins(self) -> list[PluginInfo]:
        """The plugins registered, in load order."""
        return list(self._info.values())

    def adapters(self) -> dict[str, AdapterSpec]:
        """Every registered adapter by name.

        Raises :class:`~sif_core.errors.AdapterConflictError` when two plugins registered one name.
        """
        adapters = self._collect_adapters()
        if self._adapter_conflict is not None:
            raise self._adapter_conflict
        return dict(adapters)

    def adapter(self, name: str) -> AdapterSpec:
        """The adapter called ``name``; :class:`AdapterNotFoundError` lists the installed ones."""
        adapters = self.adapters()
        if name in adapters:
            return adapters[name]
        message = f"no adapter is called {name!r}; installed: {', '.join(adapters) or 'none'}"
        broken = [b for b in self._broken if b.name == name]
        if broken:
            message += f". The plugin {name!r} is installed but broken: {broken[0].error}"
        raise AdapterNotFoundError(message)

    def detect(self, path: Path) -> AdapterSpec:
        """The one adapter that recognises ``path``.

        Phase one keeps adapters whose ``file_patterns`` fit the file name; phase two asks each
        one's ``detect(path, head)`` with the first :data:`~sif_core.adapter.DETECT_BYTES` bytes
        (``b""`` for a directory). An adapter whose ``detect`` raises counts as "no".
        Raises :class:`NoAdapterMatchedError` or :class:`AmbiguousAdapterError`.
        """
        adapters = self.adapters()
        candidates = [spec for spec in adapters.values() if spec.matches_name(path)]
        head = b""
        if path.is_file():
            with path.open("rb") as stream:
                head = stream.read(DETECT_BYTES)
        matched = [spec for spec in candidates if _says_yes(spec, path, head)]
        if not matched:
            raise NoAdapterMatchedError(str(path), sorted(adapters))
        if len(matched) > 1:
            raise AmbiguousAdapterError(str(path), sorted(spec.name for spec in matched))
        return matched[0]

    def storage_backends(self) -> dict[str, StorageBackendSpec]:
        """Every registered zone storage backend by URL scheme.

        Raises :class:`~sif_core.errors.StorageBackendConflictError` when two plugins registered
        one scheme.
        """
        backends = self._collect_backends()
        if self._backend_conflict is not None:
            raise self._backend_conflict
        return dict(backends)

    def register_commands(self, cli: click.Group) -> None:
        """Let each plugin add sub-commands to ``cli`` through ``sif_register_commands``.

        A command whose name ``cli`` already has is refused (the built-in wins) and the plugin is
        recorded as broken, as is a plugin whose hook raises.
        """
        hook = "sif_register_commands"
        self._hook_broken[hook] = []
        for impl, dist in self._impls(hook):
            collector = click.Group(cli.name)
            if not self._call(impl, dist, hook, {"cli": collector}):
                continue
            for command_name, command in collector.commands.items():
                if command_name in cli.commands:
                    self._record_broken(
                        impl.plugin_name,
                        dist,
                        f"its command {command_name!r} clashes with an existing sif command; "
                        "it was not added",
                        hook=hook,
                    )
                    continue
                cli.add_command(command, command_name)

    # -- registration hooks, one plugin at a time -----------------------------------------------

    def _impls(self, hook_name: str) -> Iterator[tuple[pluggy.HookImpl, str]]:
        caller = getattr(self.pm.hook, hook_name)
        # get_hookimpls() is in registration order (pluggy calls it backwards); keep load order
        # so that conflicts name the earlier plugin first.
        for impl in caller.get_hookimpls():
            info = self._info.get(impl.plugin_name)
            yield impl, info.distribution if info else impl.plugin_name

    def _call(self, impl: pluggy.HookImpl, dist: str, hook: str, kwargs: dict[str, Any]) -> bool:
        """Call one plugin's registration hook; a raising plugin is recorded, not propagated."""
        if impl.hookwrapper or impl.wrapper:
            self._record_broken(
                impl.plugin_name, dist, f"{hook} cannot be a wrapper hook", hook=hook
            )
            return False
        try:
            impl.function(*(kwargs[arg] for arg in impl.argnames))
        except Exception as error:  # a plugin's bug must not stop the other plugins
            self._record_broken(impl.plugin_name, dist, f"{hook}: {_describe(error)}", hook=hook)
            return False
        return True

    def _collect_adapters(self) -> dict[str, AdapterSpec]:
        if self._adapters is None:
            specs, owners, conflict = self._collect("sif_register_adapters", AdapterSpec)
            self._adapters = {n: replace(s, distribution=owners[n]) for n, s in specs.items()}
            self._adapter_conflict = AdapterConflictError(*conflict) if conflict else None
        return self._adapters

    def _collect_backends(self) -> dict[str, StorageBackendSpec]:
        if self._backends is None:
            specs, _, conflict = self._collect("sif_register_storage_backends", StorageBackendSpec)
            self._backends = specs
            self._backend_conflict = StorageBackendConflictError(*conflict) if conflict else None
        return self._backends

    def _collect(
        self, hook: str, kind: type[_Spec]
    ) -> tuple[dict[str, _Spec], dict[str, str], tuple[str, str, str] | None]:
        """Call ``hook`` on each plugin: the specs by name, the distribution of each, and the
        first conflict as (name, first distribution, second distribution)."""
        self._hook_broken[hook] = []
        specs: dict[str, _Spec] = {}
        owners: dict[str, str] = {}
        conflict: tuple[str, str, str] | None = None
        for impl, dist in self._impls(hook):
            mine: list[_Spec] = []
            if not self._call(impl, dist, hook, {"register": _typed_collector(kind, mine)}):
                continue
            for spec in mine:
                if spec.name in specs:
                    conflict = conflict or (spec.name, owners[spec.name], dist)
                    continue
                specs[spec.name] = spec
                owners[spec.name] = dist
        return specs, owners, conflict


def _typed_collector(kind: type[_Spec], into: list[_Spec]) -> Callable[[_Spec], None]:
    def register(spec: _Spec) -> None:
        if not isinstance(spec, kind):
            raise TypeError(f"register() takes a {kind.__name__}, not {type(spec).__name__}")
        into.append(spec)

    return register


def _says_yes(spec: AdapterSpec, path: Path, head: bytes) -> bool:
    try:
        return bool(spec.detect(path, head))
    except Exception as error:  # a faulty detect must not stop detection by the others
        logger.warning("adapter %s: detect raised %s; treated as no", spec.name, type(error))
        return False


_current: PluginHost | None = None


def get_plugin_host() -> PluginHost:
    """The process's plugin host, built from the environment on first use and then kept."""
    global _current
    if _current is None:
        _current = PluginHost.from_environment()
    return _current


@contextlib.contextmanager
def using_plugin_host(host: PluginHost) -> Iterator[PluginHost]:
    """Make ``host`` what :func:`get_plugin_host` returns inside the ``with`` block (tests)."""
    global _current
    previous = _current
    _current = host
    try:
        yield host
    finally:
        _current = previous
