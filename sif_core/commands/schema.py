"""``sif schema``: the JSON Schemas of SIF JSON, one per object type."""

from __future__ import annotations

from pathlib import Path

import click

from sif_core.codec import export_schemas

__all__ = ["command"]


@click.group("schema")
def command() -> None:
    """Export the JSON Schemas of SIF JSON, one per object type.

    The schemas are JSON Schema Draft 2020-12, generated from the object model.
    """


@command.command("export")
@click.argument("directory", type=click.Path(file_okay=False, writable=True, path_type=Path))
def export(directory: Path) -> None:
    """Write one JSON Schema file per object type into DIRECTORY (created if missing).

    Each schema describes a SIF JSON document holding one object of its type or a collection of
    them, exactly as sifbridge writes it.
    """
    try:
        written = export_schemas(directory)
    except OSError as error:
        raise click.ClickException(
            f"could not write the schemas into {directory}: {error}"
        ) from error
    for path in written:
        click.echo(str(path))
    click.echo(f"{len(written)} schemas written to {directory}", err=True)
