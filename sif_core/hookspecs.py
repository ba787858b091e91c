"""Every pluggy hook of sifbridge, in one module.

Plugins implement these with :data:`hookimpl` and arrive through the entry-point group ``sif``
(see :mod:`sif_core.plugins`). Every hook here is a *registration* hook: the host calls each
plugin's implementation once, on its own, hands it a callback or an object to add to, and ignores
what it returns. A plugin whose implementation raises is recorded as broken and its registrations
are dropped; the other plugins are unaffected. An implementation may take fewer arguments than the
specification (pluggy passes only those it names), never other ones.

The reference, with examples, is ``docs/hooks.md``.
"""

from __future__ import annotations

from collections.abc import Callable

import click
import pluggy

from sif_core.adapter import AdapterSpec
from sif_core.storage import StorageBackendSpec

__all__ = ["PROJECT_NAME", "hookimpl", "hookspec"]

PROJECT_NAME = "sif"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def sif_register_adapters(register: Callable[[AdapterSpec], None]) -> None:
    """Register adapters: call ``register(AdapterSpec(...))`` once for each adapter.

    Called when the plugin host first needs the adapters (``sif adapters``, ``sif convert``, an
    agent starting), once per plugin. ``register`` takes one
    :class:`~sif_core.adapter.AdapterSpec` and raises ``TypeError`` for anything else; the host
    fills in the spec's ``distribution``. Two plugins registering one adapter name make
    ``PluginHost.adapters()`` raise :class:`~sif_core.errors.AdapterConflictError` naming both
    distributions. Returns nothing.
    """


@hookspec
def sif_register_commands(cli: click.Group) -> None:
    """Add sub-commands to the ``sif`` command: call ``cli.add_command(command)``.

    Called once per plugin, the first time ``sif`` needs its list of commands (after the built-in
    commands are added). ``cli`` is a :class:`click.Group` standing in for ``sif``: use
    ``cli.add_command(command)``, ``@cli.command()`` or ``@cli.group()``. A command whose name
    ``sif`` already has is not added and the plugin is listed as broken. Returns nothing.
    """


@hookspec
def sif_register_storage_backends(register: Callable[[StorageBackendSpec], None]) -> None:
    """Register zone storage backends: call ``register(StorageBackendSpec(...))`` for each.

    Called when a zone server first opens its store, once per plugin. ``register`` takes one
    :class:`~sif_core.storage.StorageBackendSpec` (its ``name`` is the storage URL scheme it
    answers, ``sqlite`` or ``postgresql``) and raises ``TypeError`` for anything else. Two plugins
    registering one scheme make ``PluginHost.storage_backends()`` raise
    :class:`~sif_core.errors.StorageBackendConflictError` naming both distributions. Returns
    nothing.
    """
