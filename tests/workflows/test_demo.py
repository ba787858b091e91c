"""``sif demo`` as a user runs it: a real zone and LRS simulator in their own processes, every
workflow walked through, the refusals shown, nothing of special category printed, and exit 0."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from sif_core.commands import demo
from sif_core.model import SENNeedType
from sif_core.testing import Synth

SIF = str(Path(sys.executable).parent / "sif")

pytestmark = pytest.mark.slow


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SIF, "demo", *args],
        capture_output=True,
        text=True,
        timeout=60,  # the demo must finish within a minute
        check=False,
        env={**os.environ, "COLUMNS": "200"},
    )


@pytest.fixture(scope="module")
def finished() -> subprocess.CompletedProcess[str]:
    return _run()


def test_the_demo_walks_through_every_flow_and_exits_0(
    finished: subprocess.CompletedProcess[str],
) -> None:
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    out = finished.stdout
    for step in range(5, 13):
        assert re.search(rf"^{step}\. ", out, flags=re.MULTILINE), f"step {step} missing"
    assert "Dual registrations the zone linked (one UPN, main and subsidiary): 2" in out
    assert re.search(r"pull agent wrote \d{7}_CTF_\d{7}_\d{3}\.xml", out)
    assert "sees the transfer complete" in out
    assert "to MMM: lost" in out
    assert "claims it before enrolling the pupil: refused (403)" in out
    assert "the transfer is delivered to it" in out
    assert "the address is now 9 Harbour Road" in out
    assert "Flagged for review, not passed on: PhoneNumber" in out
    assert re.search(r"\d+ found, 1 possible-match, \d+ registered, 1 too-many-matches", out)
    assert "presses approve: refused (403)" in out
    assert "The DfE's funding summary: 0 pupils, 0 approved returns" in out
    now = re.search(r"The DfE's funding summary now: (\d+) pupils", out)
    assert now is not None
    assert int(now.group(1)) > 0
    assert "The DfE (dfe) received: 1 census request" in out
    audit = re.search(r"(\d+) entries: (.*)", out)
    assert audit is not None
    for operation in ("transfer-complete", "lost-pupil-claimed", "dual-registration-conflict",
                      "uln-applied", "census-approve-refused", "census-approved"):  # fmt: skip
        assert operation in audit.group(2)


def test_the_demo_prints_no_special_category_data(
    finished: subprocess.CompletedProcess[str],
) -> None:
    synth = Synth(pupils=demo.DEMO_PUPILS, seed=demo.DEMO_SEED, schools=demo.DEMO_SCHOOLS)
    out = finished.stdout
    for pupil in synth.iter_pupils():
        if pupil.learner.upn and pupil.learner.upn in out:
            ethnicity = pupil.learner.ethnicity
            assert ethnicity is None or not re.search(rf"\b{ethnicity.value}\b", out)
    assert not any(re.search(rf"\b{need.value}\b", out) for need in SENNeedType)
    assert "MedicalFlag" not in out
    assert "Ethnicity" not in out.replace("Ethnicity, SEN, FSM and medical details", "")


def test_the_demo_stops_its_zone_and_removes_its_folder(
    finished: subprocess.CompletedProcess[str],
) -> None:
    url = re.search(r"at (http://127\.0\.0\.1:\d+)/api/zones/demo", finished.stdout)
    folder = re.search(r"SQLite in (\S+)\)", finished.stdout)
    assert url is not None
    assert folder is not None
    with pytest.raises(requests.ConnectionError):
        requests.get(url.group(1) + "/healthz", timeout=5)
    assert not Path(folder.group(1)).exists()


def test_keep_leaves_the_zone_running_and_says_how_to_explore_it() -> None:
    kept = _run("--keep")
    pids = re.search(r"Stop it: kill ([\d ]+);", kept.stdout)
    try:
        assert kept.returncode == 0, kept.stderr[-3000:]
        assert pids is not None
        url = re.search(r"export SIF_ZONE_URL=(\S+)", kept.stdout)
        token = re.search(r"SIF_AGENT_TOKEN=(\S+) sif census list", kept.stdout)
        assert url is not None
        assert token is not None
        listed = subprocess.run(
            [SIF, "census", "list"],
            env={**os.environ, "SIF_ZONE_URL": url.group(1), "SIF_AGENT_TOKEN": token.group(1)},
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        assert listed.returncode == 0, listed.stderr
        assert "Spring census" in listed.stdout
        assert "approved" in listed.stdout
        assert "openapi.json" in kept.stdout
    finally:
        for pid in pids.group(1).split() if pids else []:
            os.kill(int(pid), signal.SIGTERM)
        folder = re.search(r"^Folder (\S+)", kept.stdout, flags=re.MULTILINE)
        if folder is not None:
            time.sleep(1)  # the zone closes its store as it stops
            shutil.rmtree(folder.group(1), ignore_errors=True)
