"""``sif synth``: a seeded synthetic school system written out, one folder per school."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sif_core.adapter import AdapterSpec, ReadContext, WriteContext
from sif_core.cli import main
from sif_core.codec import read_document
from sif_core.model import LearnerPersonal, SIFObject
from sif_core.plugins import PluginHost, hookimpl, using_plugin_host
from sif_core.problems import Problem


def synth(*args: str | int | Path) -> Result:
    return CliRunner().invoke(main, ["synth", *map(str, args)])


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_writes_one_folder_per_school_that_reads_back_without_problems(tmp_path: Path) -> None:
    out = tmp_path / "set"
    result = synth("--pupils", 150, "--seed", 3, "--schools", 2, "--out", out)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "synth.json").read_text())
    assert manifest["pupils"] == 150
    assert len(manifest["schools"]) == 2
    for school in manifest["schools"]:
        folder = out / school["folder"]
        counted: dict[str, int] = {}
        for path in folder.glob("*.xml"):
            document = read_document(path)
            assert document.problems == [], path
            name = document.objects[0].object_name
            counted[name] = len(document.objects)
        assert counted == school["objects"]
    assert "152 pupil records (150 pupils, seed 3) in 2 schools of 1 LA" in result.output
    assert str(out) in result.output
    for school in manifest["schools"]:
        assert school["laestab"] in result.output


def test_the_same_seed_writes_byte_identical_files(tmp_path: Path) -> None:
    for name in ("one", "two"):
        assert synth("--pupils", 80, "--seed", 9, "--out", tmp_path / name).exit_code == 0
    assert files_of(tmp_path / "one") == files_of(tmp_path / "two")
    assert synth("--pupils", 80, "--seed", 10, "--out", tmp_path / "three").exit_code == 0
    assert files_of(tmp_path / "one") != files_of(tmp_path / "three")


def test_sif_json_format_writes_json_collections(tmp_path: Path) -> None:
    out = tmp_path / "json"
    result = synth("--pupils", 40, "--format", "sif-json", "--out", out)
    assert result.exit_code == 0, result.output
    (school,) = [p for p in out.iterdir() if p.is_dir()]
    learners = read_document(school / "LearnerPersonals.json")
    assert len(learners.objects) == 40
    assert learners.problems == []
    assert not list(out.rglob("*.xml"))


def test_an_unknown_format_names_the_choices_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "x"
    result = synth("--pupils", 10, "--format", "ctf-2030", "--out", out)
    assert result.exit_code == 2
    assert "unknown format 'ctf-2030': choose from sif-xml, sif-json" in result.output
    assert not out.exists()


def test_a_folder_that_holds_files_is_kept_unless_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "set"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    refused = synth("--pupils", 10, "--out", out)
    assert refused.exit_code == 1
    assert "already holds files" in refused.output
    assert "--overwrite" in refused.output
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    replaced = synth("--pupils", 10, "--out", out, "--overwrite")
    assert replaced.exit_code == 0, replaced.output
    assert not (out / "keep.txt").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pupils", "0"], "0 is not in the range 1<=x<=1000000"),
        (["--pupils", "5", "--schools", "6"], "no more than the pupils"),
    ],
)
def test_impossible_sizes_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    result = synth(*args, "--out", tmp_path / "x")
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "x").exists()


def test_progress_bar_can_be_asked_for_and_leaves_the_summary_intact(tmp_path: Path) -> None:
    result = synth("--pupils", 30, "--out", tmp_path / "p", "--progress")
    assert result.exit_code == 0, result.output
    assert "30 pupil records" in result.output


class RollWriter:
    """A plugin whose adapter writes one line per pupil: the shape of a future CTF adapter."""

    def __init__(self) -> None:
        self.targets: list[Path] = []

    @staticmethod
    def read(source: Path, context: ReadContext) -> Iterator[SIFObject | Problem]:
        return iter(())

    def write(self, objects: Iterable[SIFObject], target: Path, context: WriteContext) -> None:
        self.targets.append(target)
        lines = [o.upn or "" for o in objects if isinstance(o, LearnerPersonal)]
        (target / "roll.txt").write_text("\n".join(lines) + "\n")

    @hookimpl
    def sif_register_adapters(self, register: Callable[[AdapterSpec], None]) -> None:
        register(
            AdapterSpec(
                name="roll",
                supplier="tests",
                version="1",
                description="one UPN a line",
                formats=("roll",),
                reads=(),
                read=self.read,
                detect=lambda path, head: False,
                writes=("LearnerPersonal",),
                write=self.write,
            )
        )


def test_an_installed_adapter_that_writes_is_a_format(tmp_path: Path) -> None:
    plugin = RollWriter()
    out = tmp_path / "roll"
    with using_plugin_host(PluginHost(plugin)):
        result = synth("--pupils", 60, "--schools", 2, "--format", "roll", "--out", out)
    assert result.exit_code == 0, result.output
    assert [target.name for target in plugin.targets] == [
        json.loads((out / "synth.json").read_text())["schools"][i]["folder"] for i in (0, 1)
    ]
    upns = [
        line for school in sorted(out.glob("*/roll.txt")) for line in school.read_text().split()
    ]
    assert len(upns) == 62  # two pupils are dual registered at the PRU
    assert "as roll in" in result.output


def test_an_adapter_is_offered_as_a_format_only_if_it_writes(tmp_path: Path) -> None:
    with using_plugin_host(PluginHost(RollWriter())):
        result = synth("--pupils", 10, "--format", "nope", "--out", tmp_path / "x")
    assert "choose from sif-xml, sif-json, roll" in result.output


def test_a_large_set_lists_twenty_schools_then_the_totals(tmp_path: Path) -> None:
    result = synth("--pupils", 220, "--schools", 22, "--out", tmp_path / "many")
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "many" / "synth.json").read_text())
    shown = [s["laestab"] for s in manifest["schools"] if s["laestab"] in result.output]
    assert shown == [s["laestab"] for s in manifest["schools"][:20]]
    assert re.search(r"\.\.\. 2 more\s*│", result.output)
    total = sum(sum(s["objects"].values()) for s in manifest["schools"])
    assert re.search(rf"All 22 schools\s*│[^\n]*│\s*{total:,}\s*│", result.output)
