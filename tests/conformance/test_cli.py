"""`sif conformance adapter` and `sif conformance zone --print-config`, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from adapters.sifxml import SPEC as SIFXML
from sif_core.cli import main
from sif_core.conformance.zone_config import load_kit_config

from .samples import write_samples


def sif(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    return write_samples(SIFXML, tmp_path / "samples")


def test_a_conformant_adapter_exits_0_and_leaves_three_reports(
    samples: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    done = sif("conformance", "adapter", "sifxml", "--samples", samples, "--out", out)
    assert done.exit_code == 0, done.output
    assert "PASSED   ADP-9.round-trip" in done.output
    assert "CONFORMANT: sifxml" in done.output
    assert sorted(p.name for p in out.iterdir()) == [
        "adapter-sifxml.html",
        "adapter-sifxml.json",
        "adapter-sifxml.junit.xml",
    ]
    document = json.loads((out / "adapter-sifxml.json").read_text(encoding="utf-8"))
    assert document["conformant"] is True
    assert document["target"]["name"] == "sifxml"


def test_a_failed_check_exits_1_with_its_evidence(samples: Path, tmp_path: Path) -> None:
    (samples / "conformance.toml").write_text(
        '[[bad_samples]]\npath = "school.ndjson"\nfield = "UPN"\n', encoding="utf-8"
    )
    done = sif(
        "conformance",
        "adapter",
        "sifxml",
        "--samples",
        samples,
        "--out",
        tmp_path,
        "--check",
        "ADP-8",
    )
    assert done.exit_code == 1, done.output
    assert "FAILED   ADP-8.reference-bad-samples" in done.output
    assert "school.ndjson: no error Problem" in done.output
    assert "NOT CONFORMANT" in done.output


def test_a_run_the_kit_could_not_finish_exits_3(samples: Path, tmp_path: Path) -> None:
    statement = tmp_path / "read-only.toml"
    statement.write_text("[claims]\nwrites = []\n", encoding="utf-8")
    done = sif(
        "conformance",
        "adapter",
        "sifxml",
        "--samples",
        samples,
        "--statement",
        statement,
        "--out",
        tmp_path / "out",
        "--check",
        "ADP-6",
    )
    assert done.exit_code == 3, done.output
    assert "ERROR    ADP-6.streaming" in done.output


def test_a_statement_with_mistakes_exits_2_naming_the_line(samples: Path, tmp_path: Path) -> None:
    statement = tmp_path / "conformance.toml"
    statement.write_text('[claims]\nreads = ["LearnerPersonal"]\nxml = "maybe"\n', encoding="utf-8")
    done = sif("conformance", "adapter", "sifxml", "--samples", samples, "--statement", statement)
    assert done.exit_code == 2, done.output
    assert "line 3: claims.xml: Input should be a valid boolean" in done.output


def test_print_config_makes_the_kit_config_once_and_prints_the_zone_file_fragment(
    tmp_path: Path,
) -> None:
    config = tmp_path / "kit.toml"
    first = sif("conformance", "zone", "--print-config", "--config", config, "--zone-id", "north")
    assert first.exit_code == 0, first.output
    assert f"wrote {config}" in first.output
    kit = load_kit_config(config)
    assert kit.zone == "north"
    assert config.stat().st_mode & 0o777 == 0o600
    assert '[[parties]]\nid = "sif-kit-school"' in first.output
    assert kit.party("school").token not in first.output
    again = sif("conformance", "zone", "--print-config", "--config", config)
    assert again.exit_code == 0
    assert "wrote" not in again.output
    assert again.output.count("token_hash") == 6
    assert 'id = "sif-kit-third-school"' in again.output
    assert 'establishment = "9903"' in again.output
    assert again.output in first.output


def test_a_zone_run_needs_the_url_and_the_config(tmp_path: Path) -> None:
    done = sif("conformance", "zone", "http://127.0.0.1:9")
    assert done.exit_code == 2
    assert "give the zone's URL and --config FILE" in done.output


def test_a_kit_config_with_mistakes_is_refused_naming_each_line(tmp_path: Path) -> None:
    config = tmp_path / "kit.toml"
    config.write_text(
        'zone = "North Zone"\n[parties]\nschool = { id = "a", token = "short" }\n',
        encoding="utf-8",
    )
    done = sif("conformance", "zone", "http://127.0.0.1:9", "--config", config)
    assert done.exit_code == 2, done.output
    assert "line 1: zone: String should match pattern" in done.output
    assert "line 3: parties.school.token: String should have at least 16 characters" in done.output
    assert "line 2: parties.reader: Field required" in done.output
