"""``sif zone``: create a zone file, serve a zone, hash a token."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import click

from zone_server.config import load_zone_file
from zone_server.errors import StorageError, ZoneFileError
from zone_server.tokens import hash_token, new_token

__all__ = ["zone"]

_HEADER = """\
# sifbridge zone file. Validated when the server starts; every mistake is reported with its line.
# Keep this file private (mode 0600): it holds token hashes, and a sha256 hash is also the key
# of SIF_HMACSHA256 requests.

[server]
# Where the zone keeps events, queues and objects: sqlite:PATH (relative to this file's folder).
storage = "sqlite:zone.db"
# Largest request body accepted, in bytes (a larger one is refused with 413 before it is read).
max_body_bytes = 10485760
# Seconds a delivered message stays leased; unacknowledged, it is delivered again after this.
lease_seconds = 60
# Longest long poll, in seconds (GET .../queue?wait=...).
max_wait_seconds = 30
# SIF_HMACSHA256 timestamps further than this from the server's clock are refused.
hmac_max_age_seconds = 300
default_page_size = 100

[[zones]]
id = "{zone}"
name = "{zone_name}"

# Data-minimisation profiles: fields a party with the profile never receives.
# `remove` takes fields out; `keep` lists the only fields left (RefId always stays).
[profiles.transport]
description = "home-to-school transport: no ethnicity, no medical flag"
remove = {{ LearnerPersonal = ["Ethnicity", "EthnicitySource", "MedicalFlag"] }}

# Parties. kind: school (needs la and establishment), la (needs la), dfe, service or app
# (service and app parties see the learners their `scope` names: {{ all = true }},
# {{ las = ["801"] }} or {{ schools = ["8012000"] }}).
# Rights per object type (or "*" for all): provide, subscribe, query, create, update, delete,
# approve; and admin (under "*" only). Publishing add/change/delete needs create/update/delete,
# or provide, which implies all three.
# token_hash: `sha256:...` or `scrypt:...` from `sif zone hash-token`; never the token itself.
"""

_LA = """
[[parties]]
id = "{id}"
name = "{name}"
kind = "la"
la = "{la}"
token_hash = "{hash}"
[parties.rights]
"*" = ["subscribe", "query"]
"""

_SCHOOL = """
[[parties]]
id = "{id}"
name = "{name}"
kind = "school"
la = "{la}"
establishment = "{establishment}"
token_hash = "{hash}"
[parties.rights]
"*" = ["provide", "query"]
"""

_ADMIN = """
[[parties]]
id = "{id}"
name = "Zone administrator"
kind = "app"
token_hash = "{hash}"
[parties.rights]
"*" = ["admin"]

# A transport app, for example (give it a token_hash to use it):
# [[parties]]
# id = "transport"
# name = "School transport"
# kind = "app"
# profile = "transport"
# scope = {{ las = ["{la}"] }}
# token_hash = "sha256:..."
# [parties.rights]
# LearnerPersonal = ["subscribe", "query"]
# LearnerSchoolEnrolment = ["subscribe", "query"]
"""


@click.group("zone")
def zone() -> None:
    """Run a zone: where schools, local authorities and services exchange SIF data."""


def _school_option(value: str) -> tuple[str, str]:
    match = re.match(r"^([0-9]{4})=(.+)$", value)
    if not match:
        raise click.BadParameter(
            f"{value!r}: write ESTABLISHMENT=NAME, e.g. 2000=Northgate Primary"
        )
    return match.group(1), match.group(2).replace('"', "'")


@zone.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--zone-id", "zone_id", default="main", show_default=True, help="The zone's id.")
@click.option("--la", "la", default="801", show_default=True, help="The LA's 3-digit number.")
@click.option("--la-name", default="Example Local Authority", show_default=True)
@click.option(
    "--school",
    "schools",
    multiple=True,
    metavar="ESTAB=NAME",
    help="A school of the LA (repeat). Default: 2000=Example Primary, 2001=Example Academy.",
)
def init(directory: Path, zone_id: str, la: str, la_name: str, schools: tuple[str, ...]) -> None:
    """Write DIRECTORY/zone.toml (commented) and print each party's token, once.

    The tokens are not stored anywhere: copy each to its party now. A lost token is replaced by
    writing a new hash (`sif zone hash-token`) into the zone file.
    """
    if not re.match(r"^[0-9]{3}$", la):
        raise click.BadParameter("the LA number is 3 digits", param_hint="--la")
    if not re.match(r"^[a-z0-9][a-z0-9\-]{0,62}$", zone_id):
        raise click.BadParameter("lower-case letters, digits and hyphens", param_hint="--zone-id")
    parsed = [_school_option(s) for s in schools] or [
        ("2000", "Example Primary"),
        ("2001", "Example Academy"),
    ]
    path = directory / "zone.toml"
    if path.exists():
        raise click.ClickException(f"{path} exists already; choose another folder")
    directory.mkdir(parents=True, exist_ok=True)
    tokens: dict[str, str] = {}

    def token_hash(party_id: str) -> str:
        tokens[party_id] = new_token(party_id)
        return hash_token(tokens[party_id])

    text = _HEADER.format(zone=zone_id, zone_name=la_name.replace('"', "'") + " zone")
    la_id = f"la-{la}"
    text += _LA.format(id=la_id, name=la_name.replace('"', "'"), la=la, hash=token_hash(la_id))
    for establishment, name in parsed:
        school_id = f"school-{la}{establishment}"
        text += _SCHOOL.format(
            id=school_id, name=name, la=la, establishment=establishment, hash=token_hash(school_id)
        )
    text += _ADMIN.format(id="admin", la=la, hash=token_hash("admin"))
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(text)
    load_zone_file(path)  # what init writes must always load
    click.echo(f"wrote {path}")
    click.echo("tokens (shown once; give each to its party and keep them secret):")
    for party_id, token in tokens.items():
        click.echo(f"  {party_id:<20} {token}")
    click.echo(f"serve it with: sif zone serve --config {path}")


@zone.command("serve")
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The zone file (zone.toml).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
def serve(config_path: Path, host: str, port: int) -> None:
    """Serve the zone described by the zone file until interrupted."""
    from zone_server.serving import serve as run

    try:
        zone_file = load_zone_file(config_path)
        run(zone_file, host=host, port=port)
    except (ZoneFileError, StorageError) as error:
        raise click.ClickException(str(error)) from None


@zone.command("hash-token")
@click.option("--scrypt", is_flag=True, help="A slow scrypt hash (for a token a person chose).")
@click.option("--new", "party_id", metavar="PARTY", help="Make a new token for PARTY and show it.")
def hash_token_command(scrypt: bool, party_id: str | None) -> None:
    """Print the token_hash for a token read from stdin, or for a new token (--new PARTY)."""
    if party_id is not None:
        token = new_token(party_id)
        click.echo(f"token (shown once): {token}", err=True)
    else:
        token = sys.stdin.readline().strip()
        if not token:
            raise click.ClickException("give the token on stdin, or --new PARTY for a new one")
    click.echo(hash_token(token, scheme="scrypt" if scrypt else "sha256"))
