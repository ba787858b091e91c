"""A push cut off halfway, by SIGKILL or by a reply lost on the network, and run again leaves
the zone with every event exactly once."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from sif_core.agent import PushSettings, push
from sif_core.changes import Snapshot
from sif_core.client import RetryPolicy, ZoneClient
from sif_core.errors import PushInterruptedError
from sif_core.model import SIFObject
from sif_core.plugins import get_plugin_host
from tests.zone.server import SIF

from .conftest import push_args, sif
from .exports import write_sif_xml
from .proxy import LossyProxy
from .zone import TOKENS, AgentZone


def _pushed(objects: list[SIFObject]) -> Counter[str]:
    """RefId -> 1 for every object a school's push publishes (all but LAInfo)."""
    return Counter(obj.ref_id for obj in objects if obj.object_name != "LAInfo")


def _events_the_la_received(zone: AgentZone) -> Counter[str]:
    la = zone.party("la")
    received: Counter[str] = Counter()
    while messages := la.lease(max_messages=1000):
        received.update(m.event.ref_id for m in messages if m.event is not None)
        la.ack(m.message_id for m in messages)
    return received


def _committed(state: Path) -> int:
    if not state.exists():
        return 0
    with sqlite3.connect(f"file:{state}?mode=ro", uri=True) as db:
        try:
            (count,) = db.execute("SELECT count(*) FROM objects").fetchone()
        except sqlite3.OperationalError:  # the schema is not there yet
            return 0
    return int(count)


def test_push_killed_after_its_first_batch_and_run_again_stores_every_event_once(
    zone: AgentZone, tmp_path: Path, school_a: list[SIFObject]
) -> None:
    export = write_sif_xml(school_a, tmp_path / "a.xml")
    state = tmp_path / "a.sqlite"
    arguments = [str(a) for a in push_args(zone, "school-a", "sifxml", export, state)]
    arguments.remove("--token")
    arguments.remove(TOKENS["school-a"])
    environment = {**os.environ, "SIF_AGENT_TOKEN": TOKENS["school-a"]}
    process = subprocess.Popen(
        [SIF, *arguments, "--batch-events", "5"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while _committed(state) == 0 and time.monotonic() < deadline:
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    expected = _pushed(school_a)
    done = _committed(state)
    assert process.returncode == -signal.SIGKILL
    assert 0 < done < len(expected), "the push must be killed part of the way through"

    rerun = sif(*push_args(zone, "school-a", "sifxml", export, state), "--batch-events", "5")

    assert rerun.exit_code == 0, rerun.output
    assert _events_the_la_received(zone) == expected
    assert _committed(state) == len(expected)


@pytest.fixture
def settings(tmp_path: Path, school_a: list[SIFObject]) -> PushSettings:
    export = write_sif_xml(school_a, tmp_path / "a.xml")
    return PushSettings(
        adapter=get_plugin_host().adapter("sifxml"),
        input=export,
        source_system="school-a",
        batch_events=50,
    )


def _snapshot(tmp_path: Path) -> Snapshot:
    return Snapshot(tmp_path / "a.sqlite", {"zone": "north", "source": "school-a"})


def test_reply_lost_after_the_zone_stored_a_batch_is_resent_by_the_next_push_and_stored_once(
    zone: AgentZone, tmp_path: Path, settings: PushSettings, school_a: list[SIFObject]
) -> None:
    no_retries = RetryPolicy(attempts=1)
    with LossyProxy(zone.url, lose={2}) as proxy:
        cut = ZoneClient(f"{proxy.url}/api/zones/north", TOKENS["school-a"], retry=no_retries)
        with _snapshot(tmp_path) as snapshot, pytest.raises(PushInterruptedError) as stopped:
            push(settings, client=cut, snapshot=snapshot)
    assert proxy.lost == 1
    assert "the next push sends it again under the same idempotency key" in str(stopped.value)
    with _snapshot(tmp_path) as snapshot:
        assert len(snapshot.pending()) == 1

        report = push(settings, client=zone.party("school-a"), snapshot=snapshot)

        assert (report.resent_batches, report.replayed_batches) == (1, 1)
        assert snapshot.pending() == []
    assert _events_the_la_received(zone) == _pushed(school_a)


def test_reply_lost_mid_push_is_retried_under_the_same_key_and_stored_once(
    zone: AgentZone, tmp_path: Path, settings: PushSettings, school_a: list[SIFObject]
) -> None:
    quick = RetryPolicy(attempts=3, first_delay=0.01)
    with LossyProxy(zone.url, lose={1, 3}) as proxy:
        client = ZoneClient(f"{proxy.url}/api/zones/north", TOKENS["school-a"], retry=quick)
        with _snapshot(tmp_path) as snapshot:
            report = push(settings, client=client, snapshot=snapshot)

    assert proxy.lost == 2
    assert report.replayed_batches == 2
    assert report.events == len(_pushed(school_a))
    assert _events_the_la_received(zone) == _pushed(school_a)
