"""The zone kit's configuration: the test parties, their tokens, and the zone file fragment.

The kit tests a zone through six test parties that the zone's administrator adds to the zone
file. ``sif conformance zone --print-config --config kit.toml`` makes ``kit.toml`` (fresh random
tokens, readable by its owner only) when it does not exist, and prints the fragment to append to
the zone file: a data-minimisation profile and the six parties with their token *hashes*.

The parties (their ids start ``sif-kit-``; the schools are in a test LA, 999 by default):

``school``        a school (establishment 9901): provide, query, subscribe
``other_school``  another school of the LA (9902): provide, query, subscribe; receives transfers
``third_school``  a third school of the LA (9903), as the others: must receive no transfer
``la``            the LA: subscribe, query
``app``           an app scoped to the LA with the profile ``sif-kit-minimal`` (no ethnicity,
                  no UPRN): subscribe and query on learners, schools and enrolments only
``reader``        an app scoped to the LA that may only query
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from sif_core.conformance.statement import StatementError, parse_toml_model

__all__ = [
    "PARTY_ROLES",
    "PROFILE",
    "REMOVED_FIELDS",
    "SCHOOL_ROLES",
    "KitConfig",
    "KitParty",
    "create_kit_config",
    "load_kit_config",
    "zone_fragment",
]

PARTY_ROLES: Final = ("school", "other_school", "third_school", "la", "app", "reader")
#: The school roles, and which of the config's establishment numbers each has.
SCHOOL_ROLES: Final = ("school", "other_school", "third_school")
#: The profile the kit's ``app`` party has, and the LearnerPersonal fields it removes.
PROFILE: Final = "sif-kit-minimal"
REMOVED_FIELDS: Final = ("Ethnicity", "EthnicitySource", "Address.UPRN")

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9\-]{0,62}$")]


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KitParty(_Table):
    """One test party: its id in the zone file and its token (kept secret)."""

    id: Identifier
    token: Annotated[str, StringConstraints(min_length=16, max_length=500)]


class _Parties(_Table):
    school: KitParty
    other_school: KitParty
    third_school: KitParty
    la: KitParty
    app: KitParty
    reader: KitParty


class _Timing(_Table):
    #: The longest the kit waits for an unacknowledged message to come back (the zone's lease).
    lease_wait_seconds: float = Field(default=150.0, gt=0, le=3600)
    #: The longest the kit waits for an event to reach a queue.
    delivery_wait_seconds: float = Field(default=10.0, gt=0, le=600)
    #: How long the kit waits, once the events it expects have come, for any duplicates.
    settle_seconds: float = Field(default=0.5, ge=0, le=60)
    #: Seconds of every HTTP request before the zone counts as unreachable.
    request_timeout_seconds: float = Field(default=30.0, gt=0, le=600)


class KitConfig(_Table):
    """The kit's configuration for one zone (see the module's description)."""

    zone: Identifier
    la: Annotated[str, StringConstraints(pattern=r"^[0-9]{3}$")] = "999"
    school_establishment: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")] = "9901"
    other_establishment: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")] = "9902"
    third_establishment: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")] = "9903"
    parties: _Parties
    timing: _Timing = Field(default_factory=_Timing)

    def party(self, role: str) -> KitParty:
        """The test party playing ``role`` (one of :data:`PARTY_ROLES`)."""
        found: KitParty = getattr(self.parties, role)
        return found

    @property
    def school_laestab(self) -> str:
        """The 7-digit number of the kit's school."""
        return self.la + self.school_establishment

    @property
    def other_laestab(self) -> str:
        """The 7-digit number of the kit's other school."""
        return self.la + self.other_establishment

    def establishment(self, role: str) -> str:
        """The 4-digit establishment number of the school playing ``role``."""
        return {
            "school": self.school_establishment,
            "other_school": self.other_establishment,
            "third_school": self.third_establishment,
        }[role]

    def laestab(self, role: str) -> str:
        """The 7-digit number of the school playing ``role`` (one of :data:`SCHOOL_ROLES`)."""
        return self.la + self.establishment(role)

    @property
    def absent_laestab(self) -> str:
        """A school number of the test LA that no party has: a destination not in the zone."""
        taken = {self.establishment(role) for role in SCHOOL_ROLES}
        return self.la + next(n for n in ("9999", "9998", "9997") if n not in taken)


def load_kit_config(path: Path) -> KitConfig:
    """Read and validate the kit configuration at ``path`` (:class:`StatementError` if wrong)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise StatementError(str(path), [f"cannot read it: {error.strerror or error}"]) from None
    return parse_toml_model(KitConfig, text, str(path))


_CONFIG = """\
# sifbridge conformance kit: the test parties of zone {zone!r}. Keep this file secret: it holds
# their tokens. Print the zone file fragment they need with
#   sif conformance zone --print-config --config {name}
zone = "{zone}"
la = "{la}"

[timing]
lease_wait_seconds = {lease_wait:g}
delivery_wait_seconds = {delivery_wait:g}
settle_seconds = {settle:g}

[parties]
"""


def create_kit_config(
    path: Path,
    *,
    zone: str,
    la: str = "999",
    lease_wait: float = 150,
    delivery_wait: float = 10,
    settle: float = 0.5,
) -> KitConfig:
    """Write a new kit configuration with fresh tokens at ``path`` (mode 0600) and return it.

    ``lease_wait``, ``delivery_wait`` and ``settle`` are the ``[timing]`` settings, in
    seconds. Refuses (``FileExistsError``) to replace an existing file: its tokens may be in use.
    """
    text = _CONFIG.format(
        zone=zone,
        la=la,
        name=path.name,
        lease_wait=lease_wait,
        delivery_wait=delivery_wait,
        settle=settle,
    )
    for role in PARTY_ROLES:
        party_id = "sif-kit-" + role.replace("_", "-")
        token = f"{party_id}.{secrets.token_urlsafe(32)}"
        text += f'{role} = {{ id = "{party_id}", token = "{token}" }}\n'
    config = parse_toml_model(KitConfig, text, str(path))
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(text)
    return config


def _hash(token: str) -> str:
    # The zone file's sha256 form: the hex SHA-256 digest of the token.
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()


_PARTY = """
[[parties]]
id = "{id}"
name = "{name}"
kind = "{kind}"
zones = ["{zone}"]
token_hash = "{hash}"
{extra}[parties.rights]
{rights}
"""


def zone_fragment(config: KitConfig) -> str:
    """The zone file text that gives the zone the kit's profile and test parties."""
    remove = ", ".join(f'"{name}"' for name in REMOVED_FIELDS)
    text = (
        "\n# --- sifbridge conformance kit: test parties (remove after certification) ---\n"
        f"[profiles.{PROFILE}]\n"
        'description = "conformance kit: no ethnicity, no UPRN"\n'
        f"remove = {{ LearnerPersonal = [{remove}] }}\n"
    )
    everything = '"*" = ["provide", "query", "subscribe"]'
    learners = "\n".join(
        f'{t} = ["subscribe", "query"]'
        for t in ("LearnerPersonal", "SchoolInfo", "LearnerSchoolEnrolment")
    )
    scope = f'scope = {{ las = ["{config.la}"] }}\n'
    parties = {
        "school": (
            "Conformance kit school",
            "school",
            f'la = "{config.la}"\nestablishment = "{config.school_establishment}"\n',
            everything,
        ),
        "other_school": (
            "Conformance kit other school",
            "school",
            f'la = "{config.la}"\nestablishment = "{config.other_establishment}"\n',
            everything,
        ),
        "third_school": (
            "Conformance kit third school",
            "school",
            f'la = "{config.la}"\nestablishment = "{config.third_establishment}"\n',
            everything,
        ),
        "la": ("Conformance kit LA", "la", f'la = "{config.la}"\n', '"*" = ["subscribe", "query"]'),
        "app": ("Conformance kit app", "app", f'profile = "{PROFILE}"\n{scope}', learners),
        "reader": ("Conformance kit reader", "app", scope, '"*" = ["query"]'),
    }
    for role, (name, kind, extra, rights) in parties.items():
        party = config.party(role)
        text += _PARTY.format(
            id=party.id,
            name=name,
            kind=kind,
            zone=config.zone,
            hash=_hash(party.token),
            extra=extra,
            rights=rights,
        )
    return text
