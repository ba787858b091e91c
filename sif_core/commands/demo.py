"""``sif demo``: see what sifbridge does, end to end, on a synthetic school."""

from __future__ import annotations

import click

__all__ = ["command"]


@click.command("demo")
def command() -> None:
    """Walk through sifbridge on synthetic schools: generate, validate, write out."""
    raise click.ClickException("the demo is being built")
