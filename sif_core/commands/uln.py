"""``sif uln``: ask the ULN service (the LRS connector) for learners without a ULN."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from sif_core.commands.zone_access import connected, zone_options

__all__ = ["command"]


@click.group("uln")
def command() -> None:
    """Ask the LRS connector for ULNs; list what needs review."""


@command.command("request")
@click.option("--learner", "learners", multiple=True, metavar="REFID", help="A learner; repeat.")
@click.option("--missing", is_flag=True, help="Every learner of this school without a ULN.")
@zone_options
def request(
    learners: tuple[str, ...],
    missing: bool,
    zone_url: str | None,
    token: str | None,
    config_path: Path | None,
) -> None:
    """Send learners to the ULN service; found and new ULNs come back as changes."""
    if bool(learners) == missing:
        raise click.UsageError("give --learner REFID (repeatable) or --missing")
    body = {"missing": True} if missing else {"learnerRefIds": list(learners)}
    with connected(zone_url, token, config_path) as zone:
        sent = zone.call_json("POST", "/uln-requests", body=body)
    if sent["requestId"]:
        click.echo(
            f"request {sent['requestId']}: {sent['learners']} learner(s) sent to {sent['provider']}"
        )
    else:
        click.echo("no learner needed a ULN request")
    for skipped in sent["skipped"]:
        click.echo(f"  left out {skipped['learnerRefId']}: {skipped['reason']}")


@command.command("reviews")
@zone_options
def reviews(zone_url: str | None, token: str | None, config_path: Path | None) -> None:
    """ULN results a person must decide: possible matches, too many matches, errors."""
    with connected(zone_url, token, config_path) as zone:
        found = zone.call_json("GET", "/uln-reviews")["ulnReviews"]
    table = Table(title=f"{len(found)} ULN result(s) to review", title_justify="left")
    for column in ("Learner", "School", "Outcome", "Code", "What to do"):
        table.add_column(column)
    for row in found:
        table.add_row(
            row["learnerRefId"], row["school"], row["outcome"], row["code"] or "", row["message"]
        )
    Console(soft_wrap=True).print(table)
