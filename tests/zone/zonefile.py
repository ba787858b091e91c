"""Zone files for the tests: a small builder of their tables, and the zone the zone tests run:
two schools and an LA in Northshire, a school in another LA, a transport app with a minimising
profile, a ULN service, the DfE and an administrator."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path

from zone_server.tokens import hash_token

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_value(value: object) -> str:
    """``value`` written as TOML: strings quoted, lists as arrays, mappings as inline tables."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key)


def table(header: str, fields: Mapping[str, object]) -> str:
    """One table: its ``header`` line (brackets included), then one line per field, in order."""
    return header + "\n" + "".join(f"{_key(k)} = {toml_value(v)}\n" for k, v in fields.items())


def zone_file(*sections: str) -> str:
    """The ``sections`` one after another, a blank line between them; the first on line 1."""
    return "\n".join(sections)


def server(**settings: object) -> str:
    """The ``[server]`` table."""
    return table("[server]", settings)


def zones(zone: str = "north", name: str = "North") -> str:
    """One ``[[zones]]`` table."""
    return table("[[zones]]", {"id": zone, "name": name})


def party(
    rights: Mapping[str, object] | None = None,
    services: Mapping[str, object] | None = None,
    /,
    **fields: object,
) -> str:
    """One ``[[parties]]`` table with ``fields`` in order, then its ``[parties.rights]`` and
    ``[parties.services]`` subtables when given (for inline ones, put them in ``fields``)."""
    text = table("[[parties]]", fields)
    if rights is not None:
        text += table("[parties.rights]", rights)
    if services is not None:
        text += table("[parties.services]", services)
    return text


def school(party_id: str, laestab: str, name: str, token: str) -> str:
    """A school that provides and queries everything and may ask for new ULNs."""
    return party(
        {"*": ["provide", "query"]},
        {"uln": ["create"]},
        id=party_id,
        name=name,
        kind="school",
        la=laestab[:3],
        establishment=laestab[3:],
        token_hash=hash_token(token),
    )


def local_authority(
    party_id: str, la: str, name: str, token: str, rights: tuple[str, ...] = ("subscribe", "query")
) -> str:
    """An LA with ``rights`` on every object type."""
    return party(
        {"*": list(rights)}, id=party_id, name=name, kind="la", la=la, token_hash=hash_token(token)
    )


def uln_provider(party_id: str, name: str, token: str) -> str:
    """The service party that provides ``uln``."""
    return party(
        id=party_id,
        name=name,
        kind="service",
        token_hash=hash_token(token),
        services={"uln": ["provide"]},
    )


def dfe(token: str, rights: tuple[str, ...]) -> str:
    """The DfE with ``rights`` on every object type."""
    return party(
        {"*": list(rights)},
        id="dfe",
        name="Department for Education",
        kind="dfe",
        token_hash=hash_token(token),
    )


def administrator(token: str, party_id: str = "admin") -> str:
    """The zone's administrator app."""
    return party(
        {"*": ["admin"]},
        id=party_id,
        name="Zone administrator",
        kind="app",
        token_hash=hash_token(token),
    )


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
    return zone_file(
        server(
            storage=storage,
            lease_seconds=lease_seconds,
            max_body_bytes=max_body_bytes,
            max_wait_seconds=5,
            hmac_max_age_seconds=300,
        ),
        zones("north", "Northshire schools"),
        table(
            "[profiles.transport]",
            {
                "description": "home-to-school transport: no ethnicity, no medical flag",
                "remove": {
                    "LearnerPersonal": [
                        "Ethnicity",
                        "EthnicitySource",
                        "MedicalFlag",
                        "Address.UPRN",
                    ]
                },
            },
        ),
        school("northgate", "8012000", "Northgate Primary", TOKENS["northgate"]),
        school("riverside", "8012001", "Riverside Academy", TOKENS["riverside"]),
        school("eastbay", "8023000", "Eastbay School", TOKENS["eastbay"]),
        local_authority("northshire", "801", "Northshire County Council", TOKENS["northshire"]),
        party(
            {
                "LearnerPersonal": ["subscribe", "query"],
                "LearnerSchoolEnrolment": ["subscribe", "query"],
                "SchoolInfo": ["subscribe", "query"],
            },
            id="transport",
            name="Northshire school transport",
            kind="app",
            profile="transport",
            scope={"las": ["801"]},
            token_hash=hash_token(TOKENS["transport"]),
        ),
        uln_provider("lrs", "Learning Records Service connector", TOKENS["lrs"]),
        dfe(TOKENS["dfe"], ("provide", "query")),
        administrator(TOKENS["admin"]),
    )


def write_zone(folder: Path, **options: object) -> Path:
    """Write the tests' zone file into ``folder`` and return its path."""
    path = folder / "zone.toml"
    path.write_text(zone_text(**options), encoding="utf-8")  # type: ignore[arg-type]
    return path
