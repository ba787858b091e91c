"""``sif transfer`` and ``sif lost-pupils``: a pupil's record to their next school, through the
zone, and the records of pupils whose next school was unknown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sif_core.commands.zone_access import connected, zone_options

__all__ = ["command", "lost_pupils"]

_STATUS = {
    "delivered": "on the new school's queue",
    "complete": "received by the new school",
    "lost": "in the lost-pupils area",
}


def _line(transfer: dict[str, Any]) -> str:
    to = transfer["toParty"] or transfer["to"]
    status = _STATUS.get(transfer["status"], transfer["status"])
    return (
        f"transfer {transfer['transferId']}: pupil {transfer['upn']} from {transfer['from']} "
        f"to {to}, {transfer['objects']} object(s), {status}"
    )


def _person(row: dict[str, Any]) -> str:
    name = f"{row['givenName'] or ''} {row['familyName'] or ''}".strip()
    return f"{name}, born {row['dateOfBirth'] or 'unknown'}, left {row['createdAt'][:10]}"


@click.command("transfer")
@click.option("--learner", "upn", metavar="UPN", help="The pupil's UPN.")
@click.option(
    "--to",
    "destination",
    metavar="LAESTAB",
    help="The next school's 7-digit LAESTAB; MMM if unknown, XXX if leaving the sector.",
)
@click.option("--show", "show_id", metavar="ID", help="Show one transfer's status instead.")
@click.option("--list", "list_all", is_flag=True, help="List the transfers this party may see.")
@zone_options
def command(
    upn: str | None,
    destination: str | None,
    show_id: str | None,
    list_all: bool,
    zone_url: str | None,
    token: str | None,
    config_path: Path | None,
) -> None:
    """Send a pupil's record to their next school through the zone.

    The leaving school runs `sif transfer --learner UPN --to LAESTAB`: the zone delivers what
    it holds of the pupil to that school's queue, and the transfer is complete when the school
    has taken it in. With --to MMM the record waits in the lost-pupils area until the school
    that enrols the pupil claims it.
    """
    chosen = [bool(upn or destination), bool(show_id), list_all]
    if sum(chosen) != 1:
        raise click.UsageError("give --learner UPN --to LAESTAB, or --show ID, or --list")
    with connected(zone_url, token, config_path) as zone:
        if show_id:
            click.echo(_line(zone.call_json("GET", f"/transfers/{show_id}")))
            return
        if list_all:
            found = zone.call_json("GET", "/transfers")["transfers"]
            click.echo(f"{len(found)} transfer(s)")
            for transfer in found:
                click.echo(_line(transfer))
            return
        if not upn or not destination:
            raise click.UsageError("a transfer needs both --learner UPN and --to LAESTAB")
        started = zone.call_json("POST", "/transfers", body={"upn": upn, "to": destination})
        click.echo(_line(started))
        if started["status"] == "delivered":
            click.echo(f"follow it with: sif transfer --show {started['transferId']}")


@click.group("lost-pupils")
def lost_pupils() -> None:
    """Pupils whose next school was unknown: search, claim."""


@lost_pupils.command("search")
@click.option("--upn", help="Only this UPN.")
@click.option("--surname", help="Only this legal surname (any case).")
@click.option("--born", "date_of_birth", metavar="YYYY-MM-DD", help="Only this date of birth.")
@zone_options
def search(
    upn: str | None,
    surname: str | None,
    date_of_birth: str | None,
    zone_url: str | None,
    token: str | None,
    config_path: Path | None,
) -> None:
    """Search the records (an LA: pupils who left its schools; the DfE: all)."""
    params = {"upn": upn, "surname": surname, "dateOfBirth": date_of_birth}
    with connected(zone_url, token, config_path) as zone:
        found = zone.call_json(
            "GET", "/lost-pupils", params={k: v for k, v in params.items() if v}
        )["lostPupils"]
    click.echo(f"{len(found)} lost pupil(s)")
    for pupil in found:
        click.echo(f"{_line(pupil)}\n    {_person(pupil)}")


@lost_pupils.command("claim")
@click.option("--upn", required=True, help="The UPN of a pupil this school has enrolled.")
@zone_options
def claim(upn: str, zone_url: str | None, token: str | None, config_path: Path | None) -> None:
    """Claim a lost pupil's record for the school that now enrols them."""
    with connected(zone_url, token, config_path) as zone:
        claimed = zone.call_json("POST", "/lost-pupils/claims", body={"upn": upn})["claimed"]
    for transfer in claimed:
        click.echo(_line(transfer))
