"""The pull agent on a real zone: durable writes, acknowledged once, and a follower that says it
is alive, backs off while the zone is down, and carries on when it is back."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from sif_core.adapter import AdapterSpec, WriteContext
from sif_core.agent import PullReport, PullSettings, PullWriter, run_pull
from sif_core.client import Event, RetryPolicy, ZoneClient
from sif_core.errors import AdapterError, ZoneUnreachableError
from sif_core.model import SIFObject
from sif_core.plugins import get_plugin_host
from sif_core.testing import Synth
from tests.zone.server import SIF

from .exports import read_sif
from .proxy import LossyProxy
from .zone import TOKENS, AgentZone


def _publish_school(zone: AgentZone, school_a: list[SIFObject], count: int = 6) -> list[str]:
    """School A publishes its SchoolInfo and a few learners; their RefIds."""
    chosen = [o for o in school_a if o.object_name == "SchoolInfo"]
    chosen += [o for o in school_a if o.object_name == "LearnerPersonal"][: count - 1]
    zone.party("school-a").publish([Event.of("add", obj) for obj in chosen])
    return [obj.ref_id for obj in chosen]


def _wait_for(condition: object, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def quick_lease_zone(tmp_path: Path, synth: Synth) -> Iterator[AgentZone]:
    """A zone whose leases expire after a second, so unacknowledged messages return quickly."""
    folder = tmp_path / "zone"
    folder.mkdir()
    server = AgentZone(folder, synth, lease_seconds=1)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _sifxml() -> AdapterSpec:
    return get_plugin_host().adapter("sifxml")


def test_batch_whose_ack_was_lost_comes_back_and_is_acknowledged_without_writing_it_twice(
    quick_lease_zone: AgentZone, tmp_path: Path, school_a: list[SIFObject]
) -> None:
    zone = quick_lease_zone
    refs = _publish_school(zone, school_a)
    out = tmp_path / "la"
    once = RetryPolicy(attempts=1)
    with LossyProxy(zone.url, refuse={1}, path="/queue/ack") as proxy:
        client = ZoneClient(f"{proxy.url}/api/zones/north", TOKENS["la"], retry=once)
        writer = PullWriter(client, PullSettings(adapter=_sifxml(), out=out))
        with pytest.raises(ZoneUnreachableError):
            writer.poll(wait=0)
        files = sorted(p.name for p in out.iterdir())
        time.sleep(1.2)  # the lease runs out: the zone delivers the batch again

        assert writer.poll(wait=2) == len(refs)
        writer.close()

    assert proxy.lost == 1
    assert sorted(p.name for p in out.iterdir()) == files
    assert writer.report.already_written == len(refs)
    assert zone.party("la").lease(wait=1.5) == []
    [data] = [p for p in out.iterdir() if p.suffix == ".xml"]
    assert [obj.ref_id for obj in read_sif(data)] == refs


def _failing_writer() -> AdapterSpec:
    def write(objects: Iterable[SIFObject], target: Path, context: WriteContext) -> None:
        raise AdapterError("the MIS import folder is full")

    spec = _sifxml()
    return AdapterSpec(
        name="full-mis",
        supplier="tests",
        version="1",
        description="cannot write anything",
        formats=("sif-xml",),
        reads=spec.reads,
        read=spec.read,
        detect=spec.detect,
        writes=spec.writes,
        write=write,
    )


def test_a_batch_that_never_writes_is_set_aside_in_rejected_once_delivered_too_often(
    quick_lease_zone: AgentZone, tmp_path: Path, school_a: list[SIFObject]
) -> None:
    zone = quick_lease_zone
    refs = _publish_school(zone, school_a, count=2)
    out = tmp_path / "la"
    settings = PullSettings(adapter=_failing_writer(), out=out, max_deliveries=1)
    writer = PullWriter(zone.party("la"), settings)
    with pytest.raises(AdapterError, match="import folder is full"):
        writer.poll(wait=0)
    time.sleep(1.2)

    writer.poll(wait=2)
    writer.close()

    aside = sorted((out / "rejected").iterdir())
    assert len(aside) == len(refs)
    assert "delivered 2 times without being written" in aside[0].read_text(encoding="utf-8")
    assert writer.report.rejected == len(refs)
    assert zone.party("la").lease(wait=1.5) == []


def test_drain_stops_when_the_queue_is_empty_and_reports_what_it_wrote(
    zone: AgentZone, tmp_path: Path, school_a: list[SIFObject]
) -> None:
    refs = _publish_school(zone, school_a)
    lines: list[str] = []
    writer = PullWriter(zone.party("la"), PullSettings(adapter=_sifxml(), out=tmp_path / "o"))

    report = run_pull(writer, follow=False, say=lines.append)
    writer.close()

    assert report.events["add"] == len(refs)
    assert report.objects_written == len(refs)
    assert report.describe() == f"1 batch(es), {len(refs)} add, {len(refs)} object(s) written"


def test_pulling_acknowledges_each_batch_with_the_next_lease_and_leaves_nothing_leased(
    zone: AgentZone, tmp_path: Path, school_a: list[SIFObject]
) -> None:
    refs = _publish_school(zone, school_a)
    client = zone.party("la")
    settings = PullSettings(adapter=_sifxml(), out=tmp_path / "o", max_messages=2)
    writer = PullWriter(client, settings)

    report = run_pull(writer, follow=False, say=lambda line: None)
    writer.close()

    assert report.acknowledged == len(refs)
    assert report.batches == 3
    assert client.requests_made == report.polls == 4  # one request a batch, and the last, empty
    assert zone.party("la").lease(wait=0) == []


def test_an_adapter_that_cannot_write_is_refused_before_pulling(
    zone: AgentZone, tmp_path: Path
) -> None:
    reader_only = AdapterSpec(
        name="reader",
        supplier="tests",
        version="1",
        description="reads only",
        formats=("x",),
        reads=("LearnerPersonal",),
        read=_sifxml().read,
        detect=_sifxml().detect,
    )

    with pytest.raises(AdapterError, match="cannot write"):
        PullWriter(zone.party("la"), PullSettings(adapter=reader_only, out=tmp_path / "o"))


def test_follow_says_it_is_alive_backs_off_while_the_zone_is_down_and_resumes(
    zone: AgentZone, tmp_path: Path, school_a: list[SIFObject]
) -> None:
    config = tmp_path / "agent.toml"
    config.write_text(
        f'[zone]\nurl = "{zone.zone_url}"\ntoken_env = "LA_TOKEN"\nattempts = 1\n'
        f'[pull]\nadapter = "sifxml"\nout = "la"\nwait_seconds = 1\nheartbeat_seconds = 1\n',
        encoding="utf-8",
    )
    log = tmp_path / "pull.log"
    with log.open("wb") as stream:
        follower = subprocess.Popen(
            [SIF, "agent", "pull", "--config", str(config), "--follow"],
            env={**os.environ, "LA_TOKEN": TOKENS["la"], "PYTHONUNBUFFERED": "1"},
            stdout=stream,
            stderr=subprocess.STDOUT,
        )
    try:

        def said(text: str) -> bool:
            return text in log.read_text(encoding="utf-8")

        _wait_for(lambda: said("zone answering"), "a heartbeat while the zone is up")
        zone.stop()
        _wait_for(lambda: said("zone unreachable: the zone at"), "the zone-down notice")
        _wait_for(lambda: said("zone unreachable since"), "a heartbeat while the zone is down")
        zone.start()
        refs = _publish_school(zone, school_a)
        _wait_for(lambda: said("working again"), "the follower to notice the zone is back")
        _wait_for(lambda: any((tmp_path / "la").glob("*.xml")), "the batch to be written")
    finally:
        follower.send_signal(signal.SIGINT)
        follower.wait(timeout=30)

    assert follower.returncode == 0
    [data] = (tmp_path / "la").glob("*.xml")
    assert [obj.ref_id for obj in read_sif(data)] == refs
    assert f"pulled into {tmp_path / 'la'}: 1 batch(es), {len(refs)} add" in log.read_text()
    assert zone.party("la").lease(wait=0) == []


def test_a_long_poll_longer_than_the_zone_allows_is_shortened_to_its_limit(
    zone: AgentZone, tmp_path: Path
) -> None:
    settings = PullSettings(adapter=_sifxml(), out=tmp_path / "o", wait_seconds=25)
    writer = PullWriter(zone.party("la"), settings)
    stop = threading.Event()
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        stop.set()

    run_pull(writer, follow=True, say=say, stop=stop)
    writer.close()

    assert lines == ["the zone allows long polls of at most 5 s; waiting that long"]


def test_a_follower_writes_events_published_one_at_a_time_in_one_file_while_it_lingers(
    zone: AgentZone, tmp_path: Path, school_a: list[SIFObject]
) -> None:
    learners = [o for o in school_a if o.object_name == "LearnerPersonal"][:3]
    out = tmp_path / "o"
    settings = PullSettings(adapter=_sifxml(), out=out, wait_seconds=3, linger_seconds=1.0)
    stop = threading.Event()
    reports: list[PullReport] = []

    def follow() -> None:  # the agent's journal belongs to the thread that opens it
        writer = PullWriter(zone.party("la"), settings)
        try:
            reports.append(run_pull(writer, follow=True, say=lambda line: None, stop=stop))
        finally:
            writer.close()

    follower = threading.Thread(target=follow)
    follower.start()
    try:
        time.sleep(1.5)  # the follower is long polling
        school = zone.party("school-a")
        for learner in learners:
            school.publish([Event.of("add", learner)])
            time.sleep(0.15)
        _wait_for(lambda: len(list(out.glob("*.xml"))) > 0, "a batch written")
        time.sleep(0.5)
    finally:
        stop.set()
        follower.join(timeout=30)

    [data] = out.glob("*.xml")
    assert [obj.ref_id for obj in read_sif(data)] == [obj.ref_id for obj in learners]
    [report] = reports
    assert (report.batches, report.objects_written) == (1, 3)
