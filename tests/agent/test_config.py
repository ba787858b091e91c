"""The agent configuration file: the alternative to flags, validated with its line numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from sif_core.agent import AgentConfig, load_agent_config
from sif_core.errors import AgentConfigError
from sif_core.model import SIFObject

from .conftest import sif
from .exports import write_sif_xml
from .zone import TOKENS, AgentZone

CONFIG = """\
# School A's agent
[zone]
url = "{url}"
token_env = "SCHOOL_A_TOKEN"

[push]
adapter = "sifxml"
input = "exports/a.xml"
source_system = "school-a/sifxml"
state = "state/push.sqlite"
types = ["SchoolInfo", "LearnerPersonal"]
batch_events = 7
"""


def test_the_configuration_file_drives_a_push_with_paths_from_its_folder(
    zone: AgentZone, tmp_path: Path, school_a: list[SIFObject], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "agent"
    (folder / "exports").mkdir(parents=True)
    write_sif_xml(school_a, folder / "exports" / "a.xml")
    config = folder / "agent.toml"
    config.write_text(CONFIG.format(url=zone.zone_url), encoding="utf-8")
    monkeypatch.setenv("SCHOOL_A_TOKEN", TOKENS["school-a"])
    monkeypatch.delenv("SIF_AGENT_TOKEN", raising=False)

    pushed = sif("agent", "push", "--config", config)

    assert pushed.exit_code == 0, pushed.output
    wanted = [o for o in school_a if o.object_name in ("SchoolInfo", "LearnerPersonal")]
    batches = -(-len(wanted) // 7)
    assert f"sent {len(wanted)} add, 0 change, 0 delete in {batches} batch(es)" in pushed.output
    assert (folder / "state" / "push.sqlite").exists()


def test_flags_override_the_configuration_file(
    zone: AgentZone, tmp_path: Path, school_a: list[SIFObject], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "agent.toml"
    config.write_text(CONFIG.format(url=zone.zone_url), encoding="utf-8")
    export = write_sif_xml(school_a, tmp_path / "other.xml")
    monkeypatch.setenv("SCHOOL_A_TOKEN", "school-a.wrong")

    pushed = sif(
        "agent", "push", export, "--config", config, "--type", "SchoolInfo",
        "--token", TOKENS["school-a"], "--state", tmp_path / "s.sqlite",
    )  # fmt: skip

    assert pushed.exit_code == 0, pushed.output
    assert "sent 1 add, 0 change, 0 delete in 1 batch(es)" in pushed.output
    assert str(export) in pushed.output
    assert (tmp_path / "s.sqlite").exists()


def test_a_mistake_in_the_configuration_names_its_line(tmp_path: Path) -> None:
    config = tmp_path / "agent.toml"
    config.write_text(
        '[zone]\nurl = "http://z/api/zones/main"\n\n[pull]\nout = "x"\nwait_secnds = 5\n',
        encoding="utf-8",
    )

    with pytest.raises(AgentConfigError) as wrong:
        load_agent_config(config)

    assert str(wrong.value) == f"{config}:6: pull.wait_secnds: Extra inputs are not permitted"


def test_a_configuration_that_is_not_toml_says_where(tmp_path: Path) -> None:
    config = tmp_path / "agent.toml"
    config.write_text('[zone]\nurl = "unterminated\n', encoding="utf-8")

    with pytest.raises(AgentConfigError, match=r"not valid TOML: .*line 2"):
        load_agent_config(config)


def test_no_token_anywhere_says_where_to_give_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIF_AGENT_TOKEN", raising=False)

    with pytest.raises(AgentConfigError, match="--token or SIF_AGENT_TOKEN"):
        AgentConfig().token(None)


def test_push_without_a_zone_is_a_usage_error(tmp_path: Path, school_a: list[SIFObject]) -> None:
    export = write_sif_xml(school_a, tmp_path / "a.xml")

    result = sif("agent", "push", export, "--adapter", "sifxml", "--token", "t")

    assert result.exit_code == 2
    assert "give the zone with --zone URL" in result.output


def test_the_configuration_documented_in_agents_md_is_valid(tmp_path: Path) -> None:
    docs = Path(__file__).parents[2] / "docs" / "agents.md"
    text = docs.read_text(encoding="utf-8")
    block = text[text.index("```toml\n") + len("```toml\n") :]
    config = tmp_path / "northgate.toml"
    config.write_text(block[: block.index("```")], encoding="utf-8")

    loaded = load_agent_config(config)

    assert loaded.zone is not None
    assert loaded.push is not None
    assert loaded.pull is not None
    assert loaded.zone.token_env == "NORTHGATE_TOKEN"
    assert loaded.push.input == tmp_path / "exports" / "students.xml"
    assert (loaded.pull.file_name, loaded.pull.options) == ("", {"version": "25.0"})
