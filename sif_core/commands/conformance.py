"""``sif conformance``: certify an adapter or a zone against the clauses of ``docs/spec``.

Every run prints each check's result as it comes and writes JUnit XML, JSON and HTML reports.
The exit status is 0 when the target conforms, 1 when a check FAILED, 2 for a statement,
configuration or samples folder that cannot be used, and 3 when nothing FAILED but the kit could
not run a check (ERROR): such a run proves nothing either way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from sif_core.conformance.results import CheckResult, Outcome, Report
from sif_core.errors import SIFError

__all__ = ["command"]

#: The exit status of a run with an ERROR and no FAILED result.
EXIT_KIT_ERROR = 3


class _InputError(click.ClickException):
    """A statement, configuration or samples folder that cannot be used (exit status 2)."""

    exit_code = 2


_STYLE = {
    Outcome.PASSED: "green",
    Outcome.FAILED: "bold red",
    Outcome.WARNING: "yellow",
    Outcome.SKIPPED: "dim",
    Outcome.ERROR: "bold magenta",
}


def _printer(console: Console) -> Callable[[CheckResult], None]:
    def show(result: CheckResult) -> None:
        style = _STYLE[result.outcome]
        console.print(
            f"[{style}]{result.outcome.value:<8}[/] {result.check:<40} {escape(result.message)}"
        )
        if result.outcome is not Outcome.PASSED:
            for detail in result.details[:5]:
                console.print(f"{'':9}{'':<40} [dim]{escape(detail)}[/]")

    return show


def _finish(console: Console, report: Report, out: Path, stem: str) -> None:
    from sif_core.conformance.reports import write_reports

    paths = write_reports(report, out, stem)
    counts = ", ".join(f"{n} {o.value}" for o, n in report.counts().items() if n)
    style = "bold green" if report.conformant else "bold red" if report.complete else "bold"
    console.print(
        f"\n[{style}]{report.verdict}[/]: {report.target.name} {report.target.version} ({counts})"
    )
    console.print(f"reports: {paths['html']}, {paths['json']}, {paths['junit']}")
    if report.of(Outcome.FAILED):
        raise SystemExit(1)
    if report.of(Outcome.ERROR):
        raise SystemExit(EXIT_KIT_ERROR)


@click.group("conformance")
def command() -> None:
    """Certify an adapter or a zone against the numbered clauses of docs/spec."""


_OUT = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("conformance-report"),
    show_default=True,
    help="Folder for the JUnit XML, JSON and HTML reports.",
)
_CHECKS = click.option(
    "--check",
    "select",
    multiple=True,
    metavar="ID",
    help="Run only this check or clause (ADP-4, ADP-4.same-twice); repeatable.",
)


@command.command("adapter")
@click.argument("name")
@click.option(
    "--samples",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of the adapter's good sample files (or folders).",
)
@click.option(
    "--statement",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The conformance statement (TOML) [default: conformance.toml in --samples, if any].",
)
@_OUT
@_CHECKS
def adapter(
    name: str, samples: Path, statement: Path | None, out: Path, select: tuple[str, ...]
) -> None:
    """Run the adapter suite (ADP) on the installed adapter NAME with its own samples."""
    from sif_core.conformance.adapter_session import default_statement
    from sif_core.conformance.runner import run_adapter_conformance
    from sif_core.conformance.statement import load_adapter_statement

    console = Console(soft_wrap=True)
    statement = statement or default_statement(samples)
    try:
        stated = load_adapter_statement(statement) if statement else None
        report = run_adapter_conformance(
            name, samples, statement=stated, select=select or None, progress=_printer(console)
        )
    except (SIFError, ValueError) as error:
        raise _InputError(str(error)) from error
    _finish(console, report, out, f"adapter-{name}")


@command.command("zone")
@click.argument("url", required=False)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The kit's configuration: the test parties and their tokens (see --print-config).",
)
@click.option(
    "--print-config",
    is_flag=True,
    help="Print the zone file fragment the test parties need; with --config FILE that does not "
    "exist yet, FILE is made first with fresh tokens.",
)
@click.option("--zone-id", default="main", show_default=True, help="Zone id, for a new config.")
@click.option("--la", default="999", show_default=True, help="Test LA number, for a new config.")
@click.option(
    "--statement",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The zone's conformance statement (TOML): its name, version and workflows.",
)
@_OUT
@_CHECKS
def zone(
    url: str | None,
    config: Path | None,
    print_config: bool,
    zone_id: str,
    la: str,
    statement: Path | None,
    out: Path,
    select: tuple[str, ...],
) -> None:
    """Run the zone suite (ZON) against the zone at URL, as the test parties of --config.

    First: sif conformance zone --print-config --config kit.toml >> the zone file, restart
    the zone, then: sif conformance zone http://host:port --config kit.toml
    """
    from sif_core.conformance.statement import load_zone_statement
    from sif_core.conformance.zone_config import (
        create_kit_config,
        load_kit_config,
        zone_fragment,
    )

    try:
        if print_config:
            path = config or Path("sif-kit.toml")
            if path.exists():
                kit = load_kit_config(path)
            else:
                kit = create_kit_config(path, zone=zone_id, la=la)
                click.echo(f"wrote {path} (keep it secret: it holds the tokens)", err=True)
            click.echo(zone_fragment(kit), nl=False)
            return
        if url is None or config is None:
            raise click.UsageError("give the zone's URL and --config FILE (or --print-config)")
        kit = load_kit_config(config)
        stated = load_zone_statement(statement) if statement else None
    except (SIFError, ValueError, FileExistsError) as error:
        raise _InputError(str(error)) from error
    from sif_core.conformance.runner import run_zone_conformance

    console = Console(soft_wrap=True)
    try:
        report = run_zone_conformance(
            url, kit, statement=stated, select=select or None, progress=_printer(console)
        )
    except ValueError as error:
        raise _InputError(str(error)) from error
    _finish(console, report, out, f"zone-{kit.zone}")
