"""`sif zone init`, `sif zone serve` and `sif zone hash-token`."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import requests
from click.testing import CliRunner

from sif_core.cli import main
from sif_core.storage import StorageBackendSpec
from zone_server.cli import zone
from zone_server.config import load_zone_file
from zone_server.plugin import sif_register_storage_backends
from zone_server.serving import open_store
from zone_server.store.sqlite import SQLiteStore
from zone_server.tokens import parse_token_hash

from .server import SIF, free_port


def _tokens(output: str) -> dict[str, str]:
    return dict(re.findall(r"^  (\S+)\s+(\S+\.\S+)$", output, flags=re.MULTILINE))


def test_init_writes_a_zone_file_that_loads_and_prints_each_token_once(tmp_path: Path) -> None:
    result = CliRunner().invoke(zone, ["init", str(tmp_path / "z"), "--la", "802"])
    assert result.exit_code == 0, result.output
    tokens = _tokens(result.output)
    assert sorted(tokens) == ["admin", "la-802", "school-8022000", "school-8022001"]
    path = tmp_path / "z" / "zone.toml"
    text = path.read_text()
    assert path.stat().st_mode & 0o777 == 0o600
    zone_file = load_zone_file(path)
    for party_id, token in tokens.items():
        assert token not in text
        assert result.output.count(token) == 1
        party = zone_file.party(party_id)
        assert party is not None
        assert parse_token_hash(party.token_hash).matches(token)


def test_init_names_the_schools_it_is_given_and_refuses_to_overwrite(tmp_path: Path) -> None:
    runner = CliRunner()
    target = str(tmp_path / "z")
    result = runner.invoke(zone, ["init", target, "--school", "3001=St Mary's C of E"])
    assert result.exit_code == 0, result.output
    school = load_zone_file(tmp_path / "z" / "zone.toml").party("school-8013001")
    assert school is not None
    assert school.name == "St Mary's C of E"
    again = runner.invoke(zone, ["init", target])
    assert again.exit_code != 0
    assert "exists already" in again.output


def test_init_refuses_a_malformed_school_option(tmp_path: Path) -> None:
    result = CliRunner().invoke(zone, ["init", str(tmp_path / "z"), "--school", "Northgate"])
    assert result.exit_code != 0
    assert "ESTABLISHMENT=NAME" in result.output
    assert not (tmp_path / "z" / "zone.toml").exists()


def test_serve_with_a_broken_zone_file_exits_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "zone.toml"
    path.write_text('[[zones]]\nid = "north"\nname = "North"\n\n[server]\nlease_seconds = -1\n')
    result = CliRunner().invoke(zone, ["serve", "--config", str(path)])
    assert result.exit_code == 1
    assert f"{path}:6: server.lease_seconds" in result.output


def test_hash_token_prints_a_hash_that_matches_the_token_from_stdin() -> None:
    result = CliRunner().invoke(zone, ["hash-token"], input="school-x.secret\n")
    assert result.exit_code == 0
    assert parse_token_hash(result.output.strip()).matches("school-x.secret")
    slow = CliRunner().invoke(zone, ["hash-token", "--scrypt"], input="chosen by a person\n")
    assert slow.output.startswith("scrypt:")


def test_the_zone_group_is_a_sif_command_through_the_plugin_hook() -> None:
    result = CliRunner().invoke(main, ["zone", "--help"])
    assert result.exit_code == 0
    assert "init" in result.output
    assert "serve" in result.output


def test_the_plugin_registers_the_sqlite_and_postgresql_backends() -> None:
    registered: list[StorageBackendSpec] = []
    sif_register_storage_backends(registered.append)
    assert [spec.name for spec in registered] == ["sqlite", "postgresql"]


def test_the_store_is_opened_through_the_storage_backend_hook(tmp_path: Path) -> None:
    CliRunner().invoke(zone, ["init", str(tmp_path)])
    store = open_store(load_zone_file(tmp_path / "zone.toml"))
    try:
        assert isinstance(store, SQLiteStore)
        assert store.path == tmp_path.resolve() / "zone.db"
    finally:
        store.close()


def test_a_zone_made_by_init_serves_its_parties_with_sif_zone_serve(tmp_path: Path) -> None:
    init = CliRunner().invoke(zone, ["init", str(tmp_path)])
    tokens = _tokens(init.output)
    port = free_port()
    with (tmp_path / "log").open("wb") as log:
        server = subprocess.Popen(
            [SIF, "zone", "serve", "--config", str(tmp_path / "zone.toml"), "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}/api/zones/main/SchoolInfos"
        headers = {"Authorization": f"Bearer {tokens['la-801']}"}
        deadline = time.monotonic() + 60
        while True:
            try:
                reply = requests.get(url, headers=headers, timeout=2)
                break
            except requests.ConnectionError:
                assert server.poll() is None, (tmp_path / "log").read_text()
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert reply.status_code == 200
        assert reply.json() == {"SchoolInfos": {"SchoolInfo": []}}
    finally:
        server.terminate()
        server.wait(timeout=20)
