"""``sif adapters``: list the installed adapters, show one, scaffold a new one."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from sif_core.adapter import AdapterSpec
from sif_core.errors import SIFError
from sif_core.plugins import BrokenPlugin, PluginHost, get_plugin_host

__all__ = ["command"]


@click.group("adapters")
def command() -> None:
    """List, inspect and scaffold adapter plugins."""


def _host_adapters() -> tuple[PluginHost, dict[str, AdapterSpec]]:
    host = get_plugin_host()
    try:
        return host, host.adapters()
    except SIFError as error:
        raise click.ClickException(str(error)) from error


def _summary(spec: AdapterSpec) -> dict[str, object]:
    return {
        "name": spec.name,
        "supplier": spec.supplier,
        "version": spec.version,
        "distribution": spec.distribution,
        "description": spec.description,
        "formats": list(spec.formats),
        "file_patterns": list(spec.file_patterns),
        "reads": list(spec.reads),
        "writes": list(spec.writes),
        "can_write": spec.can_write,
    }


def _broken_summary(broken: BrokenPlugin) -> dict[str, str]:
    return {"name": broken.name, "distribution": broken.distribution, "error": broken.error}


@command.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_adapters(as_json: bool) -> None:
    """List installed adapters, then any plugin that failed to load and why."""
    host, adapters = _host_adapters()
    broken = host.broken
    if as_json:
        document = {
            "adapters": [_summary(spec) for spec in adapters.values()],
            "broken": [_broken_summary(b) for b in broken],
        }
        click.echo(json.dumps(document, indent=2))
        return
    console = Console(soft_wrap=True)
    table = Table(title="Adapters", title_justify="left")
    for heading in ("name", "supplier", "version", "distribution", "formats", "read/write"):
        table.add_column(heading, overflow="fold")
    for spec in adapters.values():
        table.add_row(
            spec.name,
            spec.supplier,
            spec.version,
            spec.distribution,
            ", ".join(spec.formats),
            "read, write" if spec.can_write else "read",
        )
    if adapters:
        console.print(table)
    else:
        console.print("No adapters are installed.")
    if broken:
        failed = Table(title="Broken plugins (skipped)", title_justify="left")
        for heading in ("plugin", "distribution", "error"):
            failed.add_column(heading, overflow="fold")
        for plugin in broken:
            failed.add_row(plugin.name, plugin.distribution, plugin.error)
        console.print(failed)


@command.command("show")
@click.argument("name")
def show_adapter(name: str) -> None:
    """Show everything known about the adapter NAME."""
    host = get_plugin_host()
    try:
        spec = host.adapter(name)
    except SIFError as error:
        raise click.ClickException(str(error)) from error
    rows = [
        ("name", spec.name),
        ("description", spec.description),
        ("supplier", spec.supplier),
        ("version", spec.version),
        ("distribution", spec.distribution),
        ("formats", ", ".join(spec.formats)),
        ("file patterns", ", ".join(spec.file_patterns) or "(any file name)"),
        ("reads", ", ".join(spec.reads)),
        ("writes", ", ".join(spec.writes) or "(read only)"),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        click.echo(f"{label.ljust(width)}  {value}")


@command.command("new")
@click.argument("name")
@click.option(
    "--directory",
    "-d",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to create the distribution [default: ./sif-NAME].",
)
@click.option("--supplier", default="Your Company Ltd", show_default=True, help="Who supplies it.")
def new_adapter(name: str, directory: Path | None, supplier: str) -> None:
    """Create a new adapter distribution NAME: pyproject with the entry point, module, tests.

    The result installs with `pip install -e DIR` and passes its own tests as generated; edit
    its read(), write() and sample file to fit your format.
    """
    from sif_core.commands.scaffold import create_adapter_distribution

    try:
        target = create_adapter_distribution(name, directory, supplier=supplier)
    except (ValueError, FileExistsError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {target}")
    click.echo("Next:")
    click.echo(f"  pip install -e {target}")
    click.echo(f"  python -m pytest {target}")
    click.echo("  sif adapters list")
