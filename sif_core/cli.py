"""The ``sif`` command. Built-in sub-commands live in :mod:`sif_core.commands`."""

from __future__ import annotations

import click

from sif_core import __version__

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sif")
def main() -> None:
    """sifbridge: exchange English school MIS data as SIF objects.

    Start with `sif demo`. Each command explains itself with --help.
    """


def _add_builtin_commands() -> None:
    # Imported here, not at module top, so that `sif --help` stays quick and a broken command
    # module cannot hide the others.
    from sif_core.commands import demo

    main.add_command(demo.command)


_add_builtin_commands()
