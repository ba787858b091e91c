"""The CTF adapter as users meet it: found through the plugin host, `sif convert`, `sif synth`."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from adapters.ctf import ADAPTER
from sif_core.cli import main
from sif_core.errors import NoAdapterMatchedError
from sif_core.model import LearnerPersonal
from sif_core.plugins import get_plugin_host
from tests.adapters.ctf.conftest import FILES, FULL, of_type, read


def sif(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(arg) for arg in args])
    return result.exit_code, result.output


def test_the_host_finds_the_ctf_adapter_by_name_and_by_content() -> None:
    host = get_plugin_host()
    spec = host.adapter("ctf")
    assert spec.read is ADAPTER.read
    assert spec.can_write
    assert "LearnerPersonal" in spec.reads
    assert host.detect(FULL).name == "ctf"


def test_a_file_no_adapter_recognises_names_the_adapters_tried() -> None:
    with pytest.raises(NoAdapterMatchedError) as raised:
        get_plugin_host().detect(FILES / "admissions_atf.xml")
    assert "ctf" in raised.value.tried


def test_sif_convert_turns_a_ctf_into_sif_xml(tmp_path: Path) -> None:
    out = tmp_path / "pupils.xml"
    code, output = sif("convert", FULL, "--to", "sif-xml", "--out", out, "--no-progress")
    assert code == 0, output
    root = ElementTree.parse(out).getroot()  # noqa: S314 - sif convert's own output
    learners = [el for el in root.iter() if el.tag.endswith("}LearnerPersonal")]
    assert len(learners) == len(of_type(read(FULL)[0], LearnerPersonal))


def test_sif_convert_of_an_admissions_file_says_which_adapters_were_tried(tmp_path: Path) -> None:
    code, output = sif(
        "convert", FILES / "admissions_atf.xml", "--to", "sif-json", "--out", tmp_path / "o.json"
    )
    assert code != 0
    assert "no adapter recognises this file (tried:" in output
    assert "ctf" in output
    assert not (tmp_path / "o.json").exists()


@pytest.mark.parametrize(("fmt", "version"), [("ctf", "25.0"), ("ctf-21", "21.0")])
def test_sif_synth_writes_each_school_as_a_ctf_of_the_version_asked(
    tmp_path: Path, fmt: str, version: str
) -> None:
    out = tmp_path / "synth"
    code, output = sif(
        "synth", "--pupils", 80, "--seed", 2, "--schools", 2, "--format", fmt, "--out", out,
        "--no-progress",
    )  # fmt: skip
    assert code == 0, output
    files = sorted(out.glob("*/*.xml"))
    assert len(files) == 2
    for path in files:
        assert path.name == f"{path.parent.name}_CTF_MMMMMMM_001.xml"
        objects, problems, context = read(path)
        assert problems == []
        assert context.metadata["ctf"]["version"] == version  # type: ignore[index]
        assert of_type(objects, LearnerPersonal)
