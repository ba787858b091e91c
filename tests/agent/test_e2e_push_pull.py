"""End to end on a real zone: two schools on different MIS formats push, their LA pulls."""

from __future__ import annotations

import json
from pathlib import Path

from sif_core.model import LearnerPersonal, SIFObject

from .conftest import pull_args, push_args, sif
from .exports import (
    NEW_ADDRESS,
    first_learner,
    moved_house,
    read_sif,
    write_oneroster,
    write_sif_xml,
)
from .zone import AgentZone


def _new_files(folder: Path, before: set[Path]) -> tuple[list[Path], list[Path]]:
    """The data files and manifests written into ``folder`` since ``before``."""
    new = sorted(set(folder.iterdir()) - before)
    manifests = [p for p in new if p.name.endswith(".events.json")]
    data = [p for p in new if p.suffix == ".xml"]
    return data, manifests


def _messages(manifests: list[Path]) -> list[tuple[str, str, str, str]]:
    found = []
    for manifest in manifests:
        for m in json.loads(manifest.read_text(encoding="utf-8"))["messages"]:
            found.append((m["action"], m["objectType"], m["refId"], m["publisher"]))
    return found


def _first_pushes(
    zone: AgentZone, tmp_path: Path, school_a: list[SIFObject], school_b: list[SIFObject]
) -> Path:
    a = write_sif_xml(school_a, tmp_path / "a.xml")
    b = write_oneroster(school_b, tmp_path / "b.zip")
    for party, adapter, export in (("school-a", "sifxml", a), ("school-b", "oneroster", b)):
        result = sif(*push_args(zone, party, adapter, export, tmp_path / f"{party}.sqlite"))
        assert result.exit_code == 0, result.output
    return a


def test_address_change_at_school_a_is_one_change_event_and_the_la_writes_exactly_it(
    zone: AgentZone, tmp_path: Path, school_a: list[SIFObject], school_b: list[SIFObject]
) -> None:
    export = _first_pushes(zone, tmp_path, school_a, school_b)
    la_out = tmp_path / "la"
    assert sif(*pull_args(zone, "la", la_out)).exit_code == 0
    _, manifests = _new_files(la_out, set())
    assert {publisher for *_, publisher in _messages(manifests)} == {"school-a", "school-b"}
    before = set(la_out.iterdir())

    pupil = first_learner(school_a)
    write_sif_xml(moved_house(school_a, pupil), export)
    pushed = sif(*push_args(zone, "school-a", "sifxml", export, tmp_path / "school-a.sqlite"))
    assert pushed.exit_code == 0, pushed.output
    assert "sent 0 add, 1 change, 0 delete in 1 batch(es)" in pushed.output

    pulled = sif(*pull_args(zone, "la", la_out))
    assert pulled.exit_code == 0, pulled.output
    data, manifests = _new_files(la_out, before)
    assert _messages(manifests) == [("change", "LearnerPersonal", pupil.ref_id, "school-a")]
    assert len(data) == 1
    written = read_sif(data[0])
    assert written == [pupil.model_copy(update={"address": NEW_ADDRESS})]
    assert isinstance(written[0], LearnerPersonal)
    assert written[0].address == NEW_ADDRESS


def test_an_unchanged_export_pushed_again_sends_nothing(
    zone: AgentZone, tmp_path: Path, school_a: list[SIFObject], school_b: list[SIFObject]
) -> None:
    export = _first_pushes(zone, tmp_path, school_a, school_b)
    zone.party("la").ack(m.message_id for m in zone.party("la").lease(max_messages=1000))

    again = sif(*push_args(zone, "school-a", "sifxml", export, tmp_path / "school-a.sqlite"))

    assert again.exit_code == 0, again.output
    assert "sent 0 add, 0 change, 0 delete in 0 batch(es)" in again.output
    assert zone.party("la").lease() == []


def test_dry_run_prints_the_change_and_sends_and_records_nothing(
    zone: AgentZone, tmp_path: Path, school_a: list[SIFObject], school_b: list[SIFObject]
) -> None:
    export = _first_pushes(zone, tmp_path, school_a, school_b)
    la = zone.party("la")
    la.ack(m.message_id for m in la.lease(max_messages=1000))
    pupil = first_learner(school_a)
    write_sif_xml(moved_house(school_a, pupil), export)
    state = tmp_path / "school-a.sqlite"

    dry = sif(*push_args(zone, "school-a", "sifxml", export, state), "--dry-run")

    assert dry.exit_code == 0, dry.output
    assert [line for line in dry.output.splitlines() if line.startswith("would ")] == [
        f"would change LearnerPersonal {pupil.ref_id}"
    ]
    assert "dry run: nothing was sent" in dry.output
    assert la.lease() == []
    real = sif(*push_args(zone, "school-a", "sifxml", export, state))
    assert "sent 0 add, 1 change, 0 delete" in real.output


def test_dry_run_of_a_first_push_lists_every_add_and_creates_no_snapshot(
    zone: AgentZone, tmp_path: Path, school_a: list[SIFObject]
) -> None:
    export = write_sif_xml(school_a, tmp_path / "a.xml")
    state = tmp_path / "never.sqlite"

    dry = sif(*push_args(zone, "school-a", "sifxml", export, state), "--dry-run")

    pushed = [obj for obj in school_a if obj.object_name != "LAInfo"]
    assert dry.output.count("would add ") == len(pushed)
    assert not state.exists()
    assert zone.party("la").lease() == []


def test_a_pupil_gone_from_the_export_is_deleted_with_its_records_learner_last(
    zone: AgentZone, tmp_path: Path, school_a: list[SIFObject], school_b: list[SIFObject]
) -> None:
    export = _first_pushes(zone, tmp_path, school_a, school_b)
    la = zone.party("la")
    la.ack(m.message_id for m in la.lease(max_messages=1000))
    pupil = first_learner(school_a)
    about = {
        o.ref_id for o in school_a if getattr(o, "learner_personal_ref_id", None) == pupil.ref_id
    }
    write_sif_xml([o for o in school_a if o.ref_id not in about | {pupil.ref_id}], export)

    pushed = sif(*push_args(zone, "school-a", "sifxml", export, tmp_path / "school-a.sqlite"))

    assert f"sent 0 add, 0 change, {len(about) + 1} delete" in pushed.output
    la_out = tmp_path / "la"
    assert sif(*pull_args(zone, "la", la_out)).exit_code == 0
    _, manifests = _new_files(la_out, set())
    messages = _messages(manifests)
    assert {ref for _, _, ref, _ in messages} == about | {pupil.ref_id}
    assert {action for action, *_ in messages} == {"delete"}
    assert messages[-1][:3] == ("delete", "LearnerPersonal", pupil.ref_id)
    assert zone.party("school-a").get("LearnerPersonal", pupil.ref_id) is None


def test_an_export_with_a_broken_record_holds_back_deletes_and_says_why(
    zone: AgentZone, tmp_path: Path, school_a: list[SIFObject], school_b: list[SIFObject]
) -> None:
    export = _first_pushes(zone, tmp_path, school_a, school_b)
    la = zone.party("la")
    la.ack(m.message_id for m in la.lease(max_messages=1000))
    pupil = first_learner(school_a)
    text = export.read_text(encoding="utf-8")
    start = text.index("<DateOfBirth>", text.index(f'RefId="{pupil.ref_id}"'))
    end = text.index("</DateOfBirth>", start)
    export.write_text(text[:start] + "<DateOfBirth>31/02/2012" + text[end:], encoding="utf-8")

    pushed = sif(*push_args(zone, "school-a", "sifxml", export, tmp_path / "school-a.sqlite"))

    assert pushed.exit_code == 1
    assert "DateOfBirth" in pushed.output
    assert "1 delete(s) held back: the export has records with problems" in pushed.output
    assert la.lease() == []
    assert zone.party("school-a").get("LearnerPersonal", pupil.ref_id) is not None


def test_events_the_zone_refuses_are_reported_the_rest_sent_and_the_refused_retried_next_time(
    zone: AgentZone, tmp_path: Path, school_a: list[SIFObject]
) -> None:
    export = write_sif_xml(school_a, tmp_path / "a.xml")
    state = tmp_path / "a.sqlite"
    learners = [o for o in school_a if o.object_name == "LearnerPersonal"]
    enrolments = [o for o in school_a if o.object_name == "LearnerSchoolEnrolment"]
    without_school = ["--type", "LearnerPersonal", "--type", "LearnerSchoolEnrolment"]

    first = sif(*push_args(zone, "school-a", "sifxml", export, state), *without_school)

    assert first.exit_code == 1
    assert f"sent {len(learners)} add, 0 change, 0 delete" in first.output
    assert f"{len(enrolments)} record problem(s)" in first.output
    assert "publish its SchoolInfo first" in first.output
    with_school = [*without_school, "--type", "SchoolInfo"]
    second = sif(*push_args(zone, "school-a", "sifxml", export, state), *with_school)
    assert second.exit_code == 0, second.output
    assert f"sent {len(enrolments) + 1} add, 0 change, 0 delete" in second.output


def test_progress_bars_show_the_export_read_and_the_events_sent(
    zone: AgentZone, tmp_path: Path, school_a: list[SIFObject]
) -> None:
    export = write_sif_xml(school_a, tmp_path / "a.xml")

    pushed = sif(
        *push_args(zone, "school-a", "sifxml", export, tmp_path / "a.sqlite"), "--progress"
    )

    assert pushed.exit_code == 0, pushed.output
    assert "reading a.xml" in pushed.stderr
    assert "events sent" in pushed.stderr
