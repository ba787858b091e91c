"""Every pluggy hook of sifbridge, in one module.

Plugins implement these with :data:`hookimpl` and arrive through the entry-point group ``sif``.
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

    Called once, when the plugin host first needs the adapters. Returns nothing.
    """


@hookspec
def sif_register_commands(cli: click.Group) -> None:
    """Add sub-commands to the ``sif`` command: call ``cli.add_command(command)``.

    Called once, when ``sif`` starts, after the built-in commands are added. Returns nothing.
    """


@hookspec
def sif_register_storage_backends(register: Callable[[StorageBackendSpec], None]) -> None:
    """Register zone storage backends: call ``register(StorageBackendSpec(...))`` for each.

    Called once, when a zone server opens its store. Returns nothing.
    """
