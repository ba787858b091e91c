"""Finding installed plugins: the entry-point group ``sif`` and the switches that filter it.

Two environment variables steer loading:

``SIF_DISABLE_PLUGIN_AUTOLOAD``
    When set to anything but ``""`` or ``0``, no entry point is loaded; code (tests, mostly) then
    registers plugins itself.
``SIF_PLUGINS``
    A comma-separated allow-list of entry-point names (``sifxml,acme``); only those are loaded.
    Set but empty, it loads none.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "ALLOW_LIST_ENV",
    "DISABLE_AUTOLOAD_ENV",
    "ENTRY_POINT_GROUP",
    "LoadPolicy",
    "PluginEntryPoint",
    "sif_entry_points",
]

ENTRY_POINT_GROUP = "sif"
DISABLE_AUTOLOAD_ENV = "SIF_DISABLE_PLUGIN_AUTOLOAD"
ALLOW_LIST_ENV = "SIF_PLUGINS"

#: The distribution that ships sif_core; its plugins load before anyone else's.
_OWN_DISTRIBUTION = "sifbridge"


@dataclass(frozen=True)
class LoadPolicy:
    """Whether to load entry points at all, and which (``allowed`` is ``None`` for all)."""

    autoload: bool = True
    allowed: frozenset[str] | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> LoadPolicy:
        """The policy the two environment variables describe."""
        disable = environ.get(DISABLE_AUTOLOAD_ENV)
        autoload = disable is None or disable.strip() in ("", "0")
        allowed = None
        if ALLOW_LIST_ENV in environ:
            names = environ[ALLOW_LIST_ENV].split(",")
            allowed = frozenset(name.strip() for name in names if name.strip())
        return cls(autoload, allowed)

    def allows(self, name: str) -> bool:
        """True when the entry point ``name`` may be loaded."""
        return self.autoload and (self.allowed is None or name in self.allowed)


@dataclass(frozen=True)
class PluginEntryPoint:
    """One ``sif`` entry point and the distribution (name and version) that declares it."""

    entry_point: importlib.metadata.EntryPoint
    distribution: str
    version: str

    @property
    def name(self) -> str:
        """The entry point's name: the plugin's name."""
        return self.entry_point.name


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def sif_entry_points(
    distributions: Iterable[importlib.metadata.Distribution],
) -> list[PluginEntryPoint]:
    """Every ``sif`` entry point of ``distributions``, in the order the host loads them.

    sifbridge's own come first, then the others by distribution name, each distribution's by
    entry-point name, so that errors and conflicts read the same on every run. A distribution found
    twice (on two path entries) counts once: the first found, as Python's import would pick.
    """
    unique: dict[str, importlib.metadata.Distribution] = {}
    for dist in distributions:
        unique.setdefault(_normalise(dist.metadata["Name"] or "unknown"), dist)
    order = sorted(unique, key=lambda name: (name != _OWN_DISTRIBUTION, name))
    found = []
    for key in order:
        dist = unique[key]
        declared = [ep for ep in dist.entry_points if ep.group == ENTRY_POINT_GROUP]
        for entry_point in sorted(declared, key=lambda ep: ep.name):
            found.append(PluginEntryPoint(entry_point, dist.metadata["Name"], dist.version))
    return found
