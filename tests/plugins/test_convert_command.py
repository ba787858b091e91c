"""`sif convert`: detection, the three output formats, problems, --strict, nothing half-written."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import Result

from sif_core.adapter import AdapterError, Problem, ReadContext
from sif_core.codec import loads_json, loads_xml
from sif_core.model import LearnerPersonal, SIFObject
from sif_core.plugins import PluginHost
from sif_core.testing.plugin_fixtures import read_all
from tests.plugins.fakes import AdapterPlugin, read_roll, roll_adapter

Sif = Callable[..., Result]


@pytest.fixture
def roll_host(sif_host: PluginHost) -> PluginHost:
    sif_host.register(AdapterPlugin(roll_adapter()), name="roll", distribution="roll-sif")
    return sif_host


def expected(roll_file: Path) -> list[SIFObject]:
    return read_all(roll_adapter(), roll_file, ReadContext(source_system="roll")).objects


def test_convert_detects_the_adapter_and_writes_every_object_as_sif_json(
    roll_host: PluginHost, sif_cli: Sif, roll_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "pupils.json"
    result = sif_cli("convert", str(roll_file), "--to", "sif-json", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote 3 objects to {out} (LearnerPersonal 3)\n"
    assert loads_json(out.read_bytes()) == expected(roll_file)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["class-5b.roll", "pupils.json"]


def test_convert_writes_sif_xml(
    roll_host: PluginHost, sif_cli: Sif, roll_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "pupils.xml"
    assert sif_cli("convert", str(roll_file), "--to", "sif-xml", "--out", str(out)).exit_code == 0
    assert loads_xml(out.read_bytes()) == expected(roll_file)


def test_convert_writes_ndjson_one_sif_json_object_a_line(
    roll_host: PluginHost, sif_cli: Sif, roll_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "pupils.ndjson"
    assert sif_cli("convert", str(roll_file), "--to", "ndjson", "--out", str(out)).exit_code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [list(json.loads(line)) for line in lines] == [["LearnerPersonal"]] * 3
    assert [loads_json(line)[0] for line in lines] == expected(roll_file)


def test_named_adapter_reads_a_file_detection_would_not_pick(
    roll_host: PluginHost, sif_cli: Sif, roll_file: Path, tmp_path: Path
) -> None:
    renamed = roll_file.rename(tmp_path / "export.txt")
    out = tmp_path / "pupils.json"
    assert sif_cli("convert", str(renamed), "--to", "sif-json", "--out", str(out)).exit_code == 1
    args = ("convert", str(renamed), "--adapter", "roll", "--to", "sif-json", "--out", str(out))
    assert sif_cli(*args).exit_code == 0
    assert len(loads_json(out.read_bytes())) == 3


def test_file_no_adapter_recognises_is_refused_listing_the_adapters_tried(
    roll_host: PluginHost, sif_cli: Sif, tmp_path: Path
) -> None:
    letter = tmp_path / "letter.roll"
    letter.write_text("Dear parents,\n", encoding="utf-8")
    out = tmp_path / "out.json"
    result = sif_cli("convert", str(letter), "--to", "sif-json", "--out", str(out))
    assert result.exit_code == 1
    assert "no adapter recognises this file (tried: roll)" in result.output
    assert not out.exists()


def test_file_several_adapters_recognise_is_refused_listing_the_candidates(
    roll_host: PluginHost, sif_cli: Sif, roll_file: Path, tmp_path: Path
) -> None:
    roll_host.register(AdapterPlugin(roll_adapter("roll-two")), name="two")
    result = sif_cli("convert", str(roll_file), "--to", "sif-json", "--out", str(tmp_path / "o"))
    assert result.exit_code == 1
    assert "several adapters could read this file (roll, roll-two)" in result.output
    assert "--adapter NAME" in result.output


def with_two_bad_records(roll_file: Path) -> Path:
    text = roll_file.read_text(encoding="utf-8")
    text = text.replace("2014-01-02", "2014-02-30").replace(
        "|Zoë|2013-11-30|F", "|Zoë|2013-11-30|X"
    )
    roll_file.write_text(text, encoding="utf-8")
    return roll_file


def test_problems_are_reported_at_the_end_with_counts_and_good_records_written(
    roll_host: PluginHost, sif_cli: Sif, roll_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "pupils.json"
    source = with_two_bad_records(roll_file)
    result = sif_cli("convert", str(source), "--to", "sif-json", "--out", str(out))
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "class-5b.roll:3: line 3 (pupil 1002): field DateOfBirth: Input should be a valid date or "
        "datetime, day value is outside expected range",
        "class-5b.roll:4: line 4 (pupil 1003): field Sex: Input should be 'M' or 'F'",
        "2 problems (2 errors, 0 warnings) in 2 records; records with errors were left out",
        "By field: DateOfBirth 1, Sex 1",
    ]
    assert [obj.local_id for obj in loads_json(out.read_bytes())] == ["1001"]  # type: ignore[attr-defined]


def test_max_problems_limits_the_problems_printed_not_the_count(
    roll_host: PluginHost, sif_cli: Sif, roll_file: Path, tmp_path: Path
) -> None:
    source = with_two_bad_records(roll_file)
    out = str(tmp_path / "o.json")
    result = sif_cli(
        "convert", str(source), "--to", "sif-json", "--out", out, "--max-problems", "1"
    )
    assert "... and 1 more problems" in result.stderr
    assert "2 problems (2 errors, 0 warnings)" in result.stderr


def test_strict_writes_nothing_when_any_record_has_a_problem(
    roll_host: PluginHost, sif_cli: Sif, roll_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "pupils.json"
    out.write_text("yesterday's good file", encoding="utf-8")
    source = with_two_bad_records(roll_file)
    result = sif_cli("convert", str(source), "--to", "sif-json", "--out", str(out), "--strict")
    assert result.exit_code == 1
    assert "--strict: nothing written to" in result.output
    assert "because 2 records have problems" in result.output
    assert out.read_text(encoding="utf-8") == "yesterday's good file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["class-5b.roll", "pupils.json"]


def test_strict_writes_a_clean_input_as_usual(
    roll_host: PluginHost, sif_cli: Sif, roll_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "pupils.json"
    args = ("convert", str(roll_file), "--to", "sif-json", "--out", str(out), "--strict")
    assert sif_cli(*args).exit_code == 0
    assert len(loads_json(out.read_bytes())) == 3


def read_then_fail(source: Path, context: ReadContext) -> Iterator[SIFObject | Problem]:
    for number, item in enumerate(read_roll(source, context)):
        if number == 2:
            raise AdapterError(f"{source.name}: the export stops in the middle of pupil 1003")
        yield item


def test_input_failing_halfway_leaves_the_previous_output_whole(
    sif_host: PluginHost, sif_cli: Sif, roll_file: Path, tmp_path: Path
) -> None:
    sif_host.register(AdapterPlugin(replace(roll_adapter(), read=read_then_fail)), name="roll")
    out = tmp_path / "pupils.json"
    out.write_text("yesterday's good file", encoding="utf-8")
    result = sif_cli("convert", str(roll_file), "--to", "sif-json", "--out", str(out))
    assert result.exit_code == 1
    assert "stops in the middle of pupil 1003; nothing was written" in result.output
    assert out.read_text(encoding="utf-8") == "yesterday's good file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["class-5b.roll", "pupils.json"]


def test_source_system_and_options_reach_the_adapter(
    sif_host: PluginHost, sif_cli: Sif, roll_file: Path, tmp_path: Path
) -> None:
    contexts: list[ReadContext] = []

    def recording(source: Path, context: ReadContext) -> Iterator[SIFObject | Problem]:
        contexts.append(context)
        return read_roll(source, context)

    sif_host.register(AdapterPlugin(replace(roll_adapter(), read=recording)), name="roll")
    out = tmp_path / "pupils.json"
    args = ["convert", str(roll_file), "--to", "sif-json", "--out", str(out)]
    extra = ["--source-system", "8231234-roll", "-o", "year=2024", "--option", "note=a=b"]
    assert sif_cli(*args, *extra).exit_code == 0
    [context] = contexts
    assert context.source_system == "8231234-roll"
    assert dict(context.options) == {"year": "2024", "note": "a=b"}
    [first, *_] = loads_json(out.read_bytes())
    assert first.ref_id == context.refid(LearnerPersonal, "1001")


def test_option_without_an_equals_sign_is_refused(
    roll_host: PluginHost, sif_cli: Sif, roll_file: Path, tmp_path: Path
) -> None:
    args = ["convert", str(roll_file), "--to", "sif-json", "--out", str(tmp_path / "o")]
    result = sif_cli(*args, "-o", "year")
    assert result.exit_code == 2
    assert "'year' is not KEY=VALUE" in result.output


def test_progress_bar_follows_what_the_adapter_reports(
    roll_host: PluginHost, sif_cli: Sif, roll_file: Path, tmp_path: Path
) -> None:
    args = ["convert", str(roll_file), "--to", "sif-json", "--out", str(tmp_path / "o.json")]
    shown = sif_cli(*args, "--progress")
    assert "roll: class-5b.roll" in shown.stderr
    assert "100%" in shown.stderr
    assert "roll: class-5b.roll" not in sif_cli(*args).stderr  # small input, not a terminal


def test_unknown_adapter_name_is_refused_listing_those_installed(
    roll_host: PluginHost, sif_cli: Sif, roll_file: Path, tmp_path: Path
) -> None:
    args = ["convert", str(roll_file), "--adapter", "ctf", "--to", "sif-json", "--out", "o.json"]
    result = sif_cli(*args)
    assert result.exit_code == 1
    assert "no adapter is called 'ctf'; installed: roll" in result.output
