"""``sif census``: census returns through the zone; only the school presses approve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from sif_core.commands.zone_access import connected, zone_options

__all__ = ["command"]


def _describe(found: dict[str, Any]) -> str:
    text = (
        f"{found['collection']} for {found['school']}, version {found['version']} "
        f"({found['referenceDate']}): {found['status']}"
    )
    if found.get("contentHash"):
        text += f", {found['objects']} object(s), {found['contentHash']}"
    return f"return {found['returnId']}: {text}"


@click.group("census")
def command() -> None:
    """Census returns, which only the school approves.

    A school submits a draft taken from what it published, reviews it and approves it; its LA
    may prepare a draft for it. The LA and the DfE count approved returns only.
    """


@command.command("submit")
@click.option("--collection", required=True, help="The collection, e.g. 'Spring 2025'.")
@click.option("--date", "reference_date", required=True, metavar="YYYY-MM-DD", help="Census day.")
@click.option("--school", metavar="LAESTAB", help="For an LA: the school to prepare a draft for.")
@zone_options
def submit(
    collection: str,
    reference_date: str,
    school: str | None,
    zone_url: str | None,
    token: str | None,
    config_path: Path | None,
) -> None:
    """Take a draft return from what the school has published to the zone."""
    body = {"collection": collection, "referenceDate": reference_date}
    if school:
        body["school"] = school
    with connected(zone_url, token, config_path) as zone:
        found = zone.call_json("POST", "/census-returns", body=body)
    click.echo(_describe(found))
    if found["status"] == "draft":
        click.echo(
            f"review it, then approve (the school only): sif census approve {found['returnId']} "
            f"--hash {found['contentHash']}"
        )


@command.command("list")
@click.option("--collection", help="Only this collection.")
@zone_options
def list_returns(
    collection: str | None, zone_url: str | None, token: str | None, config_path: Path | None
) -> None:
    """The return versions this party may see (a draft shows only that it is pending)."""
    with connected(zone_url, token, config_path) as zone:
        params = {"collection": collection} if collection else None
        found = zone.call_json("GET", "/census-returns", params=params)["censusReturns"]
    click.echo(f"{len(found)} census return version(s)")
    for row in found:
        by = (row.get("attestation") or {}).get("approvedBy") or row["preparedBy"]
        click.echo(f"{_describe(row)} (by {by})")


@command.command("approve")
@click.argument("return_id")
@click.option("--hash", "content_hash", help="The content hash you reviewed (recommended).")
@zone_options
def approve(
    return_id: str,
    content_hash: str | None,
    zone_url: str | None,
    token: str | None,
    config_path: Path | None,
) -> None:
    """Approve a draft return: the school's button; it goes to the LA and the DfE."""
    body = {"contentHash": content_hash} if content_hash else {}
    with connected(zone_url, token, config_path) as zone:
        found = zone.call_json("POST", f"/census-returns/{return_id}/approve", body=body)
    click.echo(_describe(found))
    attestation = found["attestation"]
    click.echo(
        f"approved by {attestation['approvedBy']} at {attestation['approvedAt']}; delivered to "
        f"{', '.join(found['deliveredTo']) or 'nobody'}"
    )


@command.command("funding")
@click.option("--collection", required=True, help="The collection, e.g. 'Spring 2025'.")
@zone_options
def funding(
    collection: str, zone_url: str | None, token: str | None, config_path: Path | None
) -> None:
    """The funding summary of a collection: approved returns only."""
    with connected(zone_url, token, config_path) as zone:
        summary = zone.call_json("GET", "/funding-summary", params={"collection": collection})
    table = Table(title=f"{collection}: approved returns", title_justify="left")
    for column in ("School", "Version", "Pupils", "FSM", "SEN support", "EHC plans"):
        table.add_column(column, justify="left" if column == "School" else "right")
    for row in summary["schools"]:
        table.add_row(
            row["school"],
            str(row["version"]),
            str(row["pupils"]),
            str(row["fsmEligible"]),
            str(row["senSupport"]),
            str(row["ehcPlans"]),
        )
    totals = summary["totals"]
    table.add_row(
        "All",
        "",
        str(totals["pupils"]),
        str(totals["fsmEligible"]),
        str(totals["senSupport"]),
        str(totals["ehcPlans"]),
    )
    Console(soft_wrap=True).print(table)
