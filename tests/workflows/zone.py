"""The zone of the workflow tests: Northshire (LA 801) with Northgate and Riverside, Eastshire
(LA 802) with Eastbay, the DfE, the LRS connector providing ``uln`` and an administrator.

Each workflow suite runs on a zone over SQLite and again over PostgreSQL (a schema of its own;
skipped without ``SIF_TEST_POSTGRES_DSN``): :func:`workflow_zone`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from jsonschema import Draft202012Validator

from sif_core.model import (
    EnrolmentStatus,
    LearnerPersonal,
    LearnerSchoolEnrolment,
    SchoolInfo,
)
from tests.zone.factories import refid, school
from tests.zone.server import ZoneServer
from tests.zone.stores import postgres_schema
from tests.zone.zonefile import (
    administrator,
    dfe,
    local_authority,
    server,
    uln_provider,
    zone_file,
    zones,
)
from tests.zone.zonefile import (
    school as school_party,
)

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
#: What an LA may do with every object type.
LA = ("subscribe", "query", "approve")


def zone_text(*, window: float = 86400, storage: str = "sqlite:zone.db") -> str:
    """The zone file, with the tokens of :data:`TOKENS`."""
    return zone_file(
        server(
            storage=storage,
            max_wait_seconds=5,
            dual_registration_window_seconds=window,
        ),
        zones("north", "Workflow tests"),
        school_party("northgate", "8012000", "Northgate Primary", TOKENS["northgate"]),
        school_party("riverside", "8012001", "Riverside PRU", TOKENS["riverside"]),
        school_party("eastbay", "8023000", "Eastbay School", TOKENS["eastbay"]),
        local_authority("northshire", "801", "Northshire County Council", TOKENS["northshire"], LA),
        local_authority("eastshire", "802", "Eastshire Council", TOKENS["eastshire"], LA),
        dfe(TOKENS["dfe"], ("query", "approve")),
        uln_provider("lrs", "Learning Records Service connector", TOKENS["lrs"]),
        administrator(TOKENS["admin"]),
    )


class WorkflowZone(ZoneServer):
    """A real zone server (``sif zone serve``) with the workflow tests' zone file."""

    def __init__(
        self, folder: Path, *, window: float = 86400, storage: str = "sqlite:zone.db"
    ) -> None:
        super().__init__(folder, text=zone_text(window=window, storage=storage), tokens=TOKENS)

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


@contextlib.contextmanager
def workflow_zone(request: pytest.FixtureRequest, folder: Path) -> Iterator[WorkflowZone]:
    """A started zone on the backend the fixture's ``request.param`` names (one of
    :data:`~tests.zone.stores.BACKENDS`): SQLite in ``folder``, or a fresh PostgreSQL schema,
    dropped afterwards. Stopped when the block ends."""
    with contextlib.ExitStack() as stack:
        storage = "sqlite:zone.db"
        if request.param == "postgresql":
            _, storage = stack.enter_context(postgres_schema())
        zone = WorkflowZone(folder, storage=storage)
        zone.start()
        stack.callback(zone.stop)
        yield zone


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
