"""The zone of the workflow tests: Northshire (LA 801) with Northgate and Riverside, Eastshire
(LA 802) with Eastbay, the DfE, the LRS connector providing ``uln`` and an administrator."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import requests
from jsonschema import Draft202012Validator

from sif_core.model import (
    EnrolmentStatus,
    LearnerPersonal,
    LearnerSchoolEnrolment,
    SchoolInfo,
)
from tests.zone.factories import refid, school
from tests.zone.server import ZoneClient, ZoneServer, free_port
from zone_server.tokens import hash_token

PARTIES = (
    "northgate",
    "riverside",
    "eastbay",
    "northshire",
    "eastshire",
    "dfe",
    "lrs",
    "admin",
)
TOKENS = {party: f"{party}.workflow-token-{party}-0123456789abcdef" for party in PARTIES}

NORTHGATE = school("801", "2000", "Northgate Primary")
RIVERSIDE = school("801", "2001", "Riverside Pupil Referral Unit")
EASTBAY = school("802", "3000", "Eastbay School")


def zone_text(*, window: float = 86400) -> str:
    """The zone file, with the tokens of :data:`TOKENS`."""
    h = {party: hash_token(token) for party, token in TOKENS.items()}

    def school_party(party: str, la: str, establishment: str, name: str) -> str:
        return f'''
[[parties]]
id = "{party}"
name = "{name}"
kind = "school"
la = "{la}"
establishment = "{establishment}"
token_hash = "{h[party]}"
[parties.rights]
"*" = ["provide", "query"]
[parties.services]
uln = ["create"]
'''

    def la_party(party: str, la: str, name: str) -> str:
        return f'''
[[parties]]
id = "{party}"
name = "{name}"
kind = "la"
la = "{la}"
token_hash = "{h[party]}"
[parties.rights]
"*" = ["subscribe", "query", "approve"]
'''

    return (
        f"""
[server]
storage = "sqlite:zone.db"
max_wait_seconds = 5
dual_registration_window_seconds = {window}

[[zones]]
id = "north"
name = "Workflow tests"
"""
        + school_party("northgate", "801", "2000", "Northgate Primary")
        + school_party("riverside", "801", "2001", "Riverside PRU")
        + school_party("eastbay", "802", "3000", "Eastbay School")
        + la_party("northshire", "801", "Northshire County Council")
        + la_party("eastshire", "802", "Eastshire Council")
        + f'''
[[parties]]
id = "dfe"
name = "Department for Education"
kind = "dfe"
token_hash = "{h["dfe"]}"
[parties.rights]
"*" = ["query", "approve"]

[[parties]]
id = "lrs"
name = "Learning Records Service connector"
kind = "service"
token_hash = "{h["lrs"]}"
services = {{ uln = ["provide"] }}

[[parties]]
id = "admin"
name = "Zone administrator"
kind = "app"
token_hash = "{h["admin"]}"
[parties.rights]
"*" = ["admin"]
'''
    )


class WorkflowZone(ZoneServer):
    """A real zone server (``sif zone serve``) with the workflow tests' zone file."""

    def __init__(self, folder: Path, **options: Any) -> None:
        self.folder = folder
        self.config = folder / "zone.toml"
        self.config.write_text(zone_text(**options), encoding="utf-8")
        self.log = folder / "server.log"
        self.port = free_port()
        self.process = None

    def client(self, party: str, zone: str = "north") -> ZoneClient:
        return ZoneClient(self.url, zone, TOKENS[party])

    def audit(self) -> list[dict[str, Any]]:
        """Every audit entry so far."""
        admin = self.client("admin")
        entries: list[dict[str, Any]] = []
        while True:
            after = entries[-1]["id"] if entries else "0"
            page = admin.get("/admin/audit", after=after, limit=1000).json()["entries"]
            if not page:
                return entries
            entries += page


def enrolled(
    pupil: LearnerPersonal,
    at: SchoolInfo,
    membership: EnrolmentStatus = EnrolmentStatus.C,
    *,
    exit_date: dt.date | None = None,
) -> LearnerSchoolEnrolment:
    """``pupil``'s enrolment at ``at``, since September 2022."""
    return LearnerSchoolEnrolment(
        ref_id=refid("LearnerSchoolEnrolment", pupil.ref_id, at.ref_id),
        learner_personal_ref_id=pupil.ref_id,
        school_info_ref_id=at.ref_id,
        membership_type=membership,
        entry_date=dt.date(2022, 9, 1),
        exit_date=exit_date,
    )


def operations(entries: list[dict[str, Any]]) -> list[str]:
    """The operations of audit entries, in order."""
    return [entry["operation"] for entry in entries]


def conforms(zone: WorkflowZone, schema: str, document: Any) -> None:
    """Check a reply against the schema the zone's /openapi.json gives for it."""
    described = requests.get(zone.url + "/openapi.json", timeout=10).json()
    wanted = {"$ref": f"#/components/schemas/{schema}", "components": described["components"]}
    Draft202012Validator(wanted).validate(document)
