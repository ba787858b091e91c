"""The zone the tests run: two schools and an LA in Northshire, a school in another LA, a
transport app with a minimising profile, a ULN service, the DfE and an administrator."""

from __future__ import annotations

from pathlib import Path

from zone_server.tokens import hash_token

TOKENS = {
    party: f"{party}.test-token-{party}-0123456789abcdef"
    for party in (
        "northgate",
        "riverside",
        "eastbay",
        "northshire",
        "transport",
        "lrs",
        "dfe",
        "admin",
    )
}

NORTHGATE = ("801", "2000")
RIVERSIDE = ("801", "2001")
EASTBAY = ("802", "3000")


def zone_text(
    *, storage: str = "sqlite:zone.db", lease_seconds: float = 60, max_body_bytes: int = 1_048_576
) -> str:
    """The zone file of the tests, with the tokens of :data:`TOKENS`."""
    h = {party: hash_token(token) for party, token in TOKENS.items()}
    school_rights = """
[parties.rights]
"*" = ["provide", "query"]
[parties.services]
uln = ["create"]
"""
    return f'''
[server]
storage = "{storage}"
lease_seconds = {lease_seconds}
max_body_bytes = {max_body_bytes}
max_wait_seconds = 5
hmac_max_age_seconds = 300

[[zones]]
id = "north"
name = "Northshire schools"

[profiles.transport]
description = "home-to-school transport: no ethnicity, no medical flag"
remove = {{ LearnerPersonal = ["Ethnicity", "EthnicitySource", "MedicalFlag", "Address.UPRN"] }}

[[parties]]
id = "northgate"
name = "Northgate Primary"
kind = "school"
la = "801"
establishment = "2000"
token_hash = "{h["northgate"]}"
{school_rights}
[[parties]]
id = "riverside"
name = "Riverside Academy"
kind = "school"
la = "801"
establishment = "2001"
token_hash = "{h["riverside"]}"
{school_rights}
[[parties]]
id = "eastbay"
name = "Eastbay School"
kind = "school"
la = "802"
establishment = "3000"
token_hash = "{h["eastbay"]}"
{school_rights}
[[parties]]
id = "northshire"
name = "Northshire County Council"
kind = "la"
la = "801"
token_hash = "{h["northshire"]}"
[parties.rights]
"*" = ["subscribe", "query"]

[[parties]]
id = "transport"
name = "Northshire school transport"
kind = "app"
profile = "transport"
scope = {{ las = ["801"] }}
token_hash = "{h["transport"]}"
[parties.rights]
LearnerPersonal = ["subscribe", "query"]
LearnerSchoolEnrolment = ["subscribe", "query"]
SchoolInfo = ["subscribe", "query"]

[[parties]]
id = "lrs"
name = "Learning Records Service connector"
kind = "service"
token_hash = "{h["lrs"]}"
services = {{ uln = ["provide"] }}

[[parties]]
id = "dfe"
name = "Department for Education"
kind = "dfe"
token_hash = "{h["dfe"]}"
[parties.rights]
"*" = ["provide", "query"]

[[parties]]
id = "admin"
name = "Zone administrator"
kind = "app"
token_hash = "{h["admin"]}"
[parties.rights]
"*" = ["admin"]
'''


def write_zone(folder: Path, **options: object) -> Path:
    """Write the tests' zone file into ``folder`` and return its path."""
    path = folder / "zone.toml"
    path.write_text(zone_text(**options), encoding="utf-8")  # type: ignore[arg-type]
    return path
