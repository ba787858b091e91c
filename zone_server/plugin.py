"""The zone server as a sifbridge plugin: the ``sif zone`` commands and the storage backends."""

from __future__ import annotations

from collections.abc import Callable

import click

from sif_core.hookspecs import hookimpl
from sif_core.storage import StorageBackendSpec

__all__ = ["sif_register_commands", "sif_register_storage_backends"]


@hookimpl
def sif_register_commands(cli: click.Group) -> None:
    """Add ``sif zone`` (init, serve, hash-token)."""
    from zone_server.cli import zone

    cli.add_command(zone)


@hookimpl
def sif_register_storage_backends(register: Callable[[StorageBackendSpec], None]) -> None:
    """Register the built-in SQLite store (``sqlite:PATH``) and the PostgreSQL store
    (``postgresql://...``, which needs ``sifbridge[postgres]`` only when a zone file names it)."""
    from zone_server.store.postgres import BACKEND as POSTGRES
    from zone_server.store.sqlite import BACKEND

    register(BACKEND)
    register(POSTGRES)
