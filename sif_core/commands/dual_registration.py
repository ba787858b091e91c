"""``sif dual-reg``: the links between a dual-registered pupil's records at two schools,
and the conflicting changes the zone held back for a person to review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from sif_core.commands.zone_access import connected, zone_options

__all__ = ["command"]


def value_text(value: Any) -> str:
    """A field's value as the zone holds it (SIF JSON: ``#text`` and ``@attributes``) in words:
    ``01234 111111 (H)`` for a home phone number, ``9, Harbour Road, NT9 9ZZ`` for an address."""
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "; ".join(value_text(item) for item in value)
    if not isinstance(value, dict):
        return str(value)
    parts = [value_text(part) for key, part in value.items() if not key.startswith(("@", "#"))]
    if "#text" in value:
        parts.append(value_text(value["#text"]))
    attributes = [value_text(part) for key, part in value.items() if key.startswith("@")]
    text = ", ".join(part for part in parts if part)
    return f"{text} ({', '.join(attributes)})" if attributes else text


def _link_line(link: dict[str, Any]) -> str:
    first, second = link["schools"]
    since = link["createdAt"][:10]
    state = (
        f"since {since}"
        if link["active"]
        else f"{since} to {(link['endedAt'] or '')[:10]} ({link['endReason'] or 'ended'})"
    )
    return (
        f"link {link['linkId']}: UPN {link['upn']} at {first['school']} "
        f"({first['learnerRefId']}) and {second['school']} ({second['learnerRefId']}), {state}"
    )


@click.group("dual-reg")
def command() -> None:
    """Dual-registered pupils: links, and changes held back."""


@command.command("list")
@zone_options
def list_links(zone_url: str | None, token: str | None, config_path: Path | None) -> None:
    """List the links this party may see.

    A school sees its own pupils' links, an LA its schools', the DfE every one.
    """
    with connected(zone_url, token, config_path) as zone:
        links = zone.call_json("GET", "/dual-registrations")["dualRegistrations"]
    click.echo(f"{len(links)} dual registration(s)")
    for link in links:
        click.echo(_link_line(link))


@command.command("conflicts")
@click.option(
    "--status",
    type=click.Choice(["open", "resolved", "all"]),
    default="open",
    show_default=True,
    help="Which conflicts to list.",
)
@zone_options
def conflicts(
    status: str, zone_url: str | None, token: str | None, config_path: Path | None
) -> None:
    """List changes held back for review.

    Both schools changed one field differently within the zone's window, so neither change
    was passed on. Put both MIS records right, then resolve the conflict.
    """
    with connected(zone_url, token, config_path) as zone:
        found = zone.call_json("GET", "/dual-registrations/conflicts", params={"status": status})
        links = zone.call_json("GET", "/dual-registrations")["dualRegistrations"]
    upns = {link["linkId"]: link["upn"] for link in links}
    click.echo(f"{len(found['conflicts'])} {status} conflict(s)")
    for conflict in found["conflicts"]:
        earlier, later = conflict["earlier"], conflict["later"]
        resolved_by = conflict["resolvedBy"]
        click.echo(
            f"conflict {conflict['conflictId']}: UPN {upns.get(conflict['linkId'], '?')}, "
            f"{conflict['objectType']} {conflict['field']}, "
            f"{f'resolved by {resolved_by}' if resolved_by else conflict['status']}\n"
            f"    earlier {earlier['school']}: {value_text(earlier['value'])}\n"
            f"    later   {later['school']}: {value_text(later['value'])}"
        )


@command.command("resolve")
@click.argument("conflict_id")
@zone_options
def resolve(
    conflict_id: str, zone_url: str | None, token: str | None, config_path: Path | None
) -> None:
    """Close a conflict once both records are right.

    Either school may close it, or an LA covering one of them.
    """
    path = f"/dual-registrations/conflicts/{conflict_id}/resolve"
    with connected(zone_url, token, config_path) as zone:
        resolved = zone.call_json("POST", path)
    click.echo(
        f"conflict {resolved['conflictId']} ({resolved['objectType']} {resolved['field']}) "
        f"resolved by {resolved['resolvedBy']}"
    )
