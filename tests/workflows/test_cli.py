"""The workflow commands against a real zone: sif transfer, sif lost-pupils, sif census,
sif uln, and sif lrs serve answering from the LRS simulator."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from adapters.lrs.simulator import KnownLearner, LRSSimulator
from sif_core.cli import main
from tests.zone.factories import learner
from tests.zone.server import add
from tests.zone.stores import BACKENDS

from .zone import (
    EASTBAY,
    NORTHGATE,
    RIVERSIDE,
    TOKENS,
    WorkflowZone,
    enrolled,
    workflow_zone,
)

ANN = learner("801", "2000", 1, "Archer", "Ann")
BEA = learner("801", "2000", 2, "Bishop", "Bea")
CAL = learner("801", "2000", 3, "Cooper", "Cal")
SIF = str(Path(sys.executable).parent / "sif")


@pytest.fixture(scope="module", params=BACKENDS)
def zone(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkflowZone]:
    with workflow_zone(request, tmp_path_factory.mktemp("cli")) as server:
        batch = [add(NORTHGATE)]
        for pupil in (ANN, BEA, CAL):
            batch += [add(pupil), add(enrolled(pupil, NORTHGATE))]
        assert server.client("northgate").publish(*batch).status_code == 200
        assert server.client("riverside").publish(add(RIVERSIDE)).status_code == 200
        assert server.client("eastbay").publish(add(EASTBAY)).status_code == 200
        yield server


def _sif(zone: WorkflowZone, party: str, *args: str) -> Result:
    environment = {"SIF_ZONE_URL": f"{zone.url}/api/zones/north", "SIF_AGENT_TOKEN": TOKENS[party]}
    return CliRunner().invoke(main, list(args), env=environment)


def test_sif_transfer_sends_a_pupil_and_shows_its_status(zone: WorkflowZone) -> None:
    started = _sif(zone, "northgate", "transfer", "--learner", str(ANN.upn), "--to", "8012001")
    assert started.exit_code == 0, started.output
    assert f"pupil {ANN.upn} from 8012000 to riverside" in started.output
    assert "on the new school's queue" in started.output
    transfer_id = started.output.split()[1].rstrip(":")
    zone.client("riverside").drain()
    shown = _sif(zone, "northgate", "transfer", "--show", transfer_id)
    assert "received by the new school" in shown.output
    listed = _sif(zone, "riverside", "transfer", "--list")
    assert transfer_id in listed.output


def test_sif_transfer_to_a_school_outside_the_zone_fails_with_the_reason(
    zone: WorkflowZone,
) -> None:
    failed = _sif(zone, "northgate", "transfer", "--learner", str(BEA.upn), "--to", "8019999")
    assert failed.exit_code == 1
    assert "no school 8019999 is in zone north" in failed.output
    assert _sif(zone, "northgate", "transfer", "--learner", str(BEA.upn)).exit_code == 2


def test_sif_lost_pupils_search_and_claim(zone: WorkflowZone) -> None:
    assert (
        _sif(zone, "northgate", "transfer", "--learner", str(CAL.upn), "--to", "MMM").exit_code == 0
    )
    found = _sif(zone, "northshire", "lost-pupils", "search", "--surname", "cooper")
    assert str(CAL.upn) in found.output
    assert "Cal Cooper" in found.output
    refused = _sif(zone, "eastbay", "lost-pupils", "claim", "--upn", str(CAL.upn))
    assert refused.exit_code == 1
    assert "only a school that enrols a pupil with that UPN" in refused.output


def test_sif_census_la_approval_refused_school_approval_counted(zone: WorkflowZone) -> None:
    submitted = _sif(
        zone, "northgate", "census", "submit", "--collection", "Autumn 2024", "--date", "2024-10-03"
    )
    assert submitted.exit_code == 0, submitted.output
    return_id = submitted.output.split()[1].rstrip(":")
    assert "sif census approve" in submitted.output
    refused = _sif(zone, "northshire", "census", "approve", return_id)
    assert refused.exit_code == 1
    assert "only the school (8012000) approves" in refused.output
    pending = _sif(zone, "dfe", "census", "funding", "--collection", "Autumn 2024")
    assert "8012000" not in pending.output
    approved = _sif(zone, "northgate", "census", "approve", return_id)
    assert approved.exit_code == 0, approved.output
    assert "delivered to northshire, dfe" in approved.output
    counted = _sif(zone, "dfe", "census", "funding", "--collection", "Autumn 2024")
    assert "8012000" in counted.output
    assert "approved" in _sif(zone, "northshire", "census", "list").output


def test_sif_uln_request_answered_by_sif_lrs_serve(zone: WorkflowZone) -> None:
    known = [
        KnownLearner("1000000043", "Ann", "Archer", ANN.date_of_birth.isoformat(), ANN.sex.value)
    ]
    simulator = LRSSimulator(known).start()
    try:
        sent = _sif(zone, "northgate", "uln", "request", "--learner", ANN.ref_id)
        assert sent.exit_code == 0, sent.output
        assert "1 learner(s) sent to lrs" in sent.output
        served = subprocess.run(
            [SIF, "lrs", "serve", "--zone", f"{zone.url}/api/zones/north", "--lrs-url",
             simulator.url, "--ukprn", "10012345", "--user", "sifbridge"],
            env={"SIF_AGENT_TOKEN": TOKENS["lrs"], "SIF_LRS_PASSWORD": "secret", "PATH": ""},
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert served.returncode == 0, served.stderr
        assert "answered 1 ULN request(s): 1 found" in served.stdout
        assert "Archer" not in served.stdout + served.stderr
        held = zone.client("northgate").get(f"/LearnerPersonals/{ANN.ref_id}").json()
        assert held["LearnerPersonal"]["ULN"] == "1000000043"
        again = _sif(zone, "northgate", "uln", "request", "--learner", ANN.ref_id)
        assert "has a ULN already" in again.output
        assert "0 ULN result(s)" in _sif(zone, "northgate", "uln", "reviews").output
    finally:
        simulator.stop()
