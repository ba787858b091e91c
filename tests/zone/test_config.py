"""The zone file: validated at the boundary, every mistake named with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from zone_server.config import PartyKind, Right, load_zone_file, parse_zone_file
from zone_server.errors import ZoneFileError
from zone_server.tokens import hash_token, parse_token_hash

from .zonefile import (
    TOKENS,
    party,
    table,
    uln_provider,
    write_zone,
    zone_file,
    zone_text,
    zones,
)

GOOD_HASH = hash_token("t")
APP = {"id": "app", "name": "App", "kind": "app"}
NORTHGATE = {"id": "northgate", "name": "Northgate", "kind": "school", "la": "801"}


def _zone(*sections: str) -> str:
    """A zone file of zone "north" (lines 1-3), a blank line, then ``sections``."""
    return zone_file(zones(), *sections)


def _problems(text: str) -> list[str]:
    with pytest.raises(ZoneFileError) as caught:
        parse_zone_file(text, source="zone.toml")
    return [f"{p.line}|{p.location}|{p.message}" for p in caught.value.problems]


def test_the_tests_zone_file_loads_with_every_party_and_right(tmp_path: Path) -> None:
    zone = load_zone_file(write_zone(tmp_path))
    assert [z.id for z in zone.zones] == ["north"]
    northgate = zone.party("northgate")
    assert northgate is not None
    assert northgate.kind is PartyKind.SCHOOL
    assert northgate.laestab == "8012000"
    assert northgate.rights["*"] == [Right.PROVIDE, Right.QUERY]
    assert zone.storage_url() == f"sqlite:{tmp_path.resolve() / 'zone.db'}"


def test_a_wrong_kind_and_a_bad_la_number_are_both_reported_with_their_lines() -> None:
    text = _zone(
        party(id="northgate", name="Northgate", kind="academy", la="8O1", token_hash=GOOD_HASH)
    )
    problems = _problems(text)
    assert len(problems) == 2
    assert problems[0].startswith("8|parties[0].kind|")
    assert "'school'" in problems[0]
    assert problems[1].startswith("9|parties[0].la|'8O1' is not an LA number")


def test_a_token_in_place_of_its_hash_is_refused_and_the_message_says_how_to_hash_it() -> None:
    text = _zone(party(**NORTHGATE, establishment="2000", token_hash="my-secret-token"))
    (problem,) = _problems(text)
    assert problem.startswith("11|parties[0].token_hash|")
    assert "never put the token itself" in problem
    assert "my-secret-token" not in problem


def test_a_school_without_its_establishment_number_is_refused_at_its_table() -> None:
    text = _zone(
        party(id="ok", name="OK", kind="la", la="801", token_hash=hash_token("a")),
        party(**NORTHGATE, token_hash=GOOD_HASH),
    )
    (problem,) = _problems(text)
    assert problem.startswith("12|parties[1]|")
    assert "establishment" in problem


def test_rights_on_an_unknown_object_type_or_an_unknown_right_are_named() -> None:
    text = _zone(party({"LearnerPersonal": ["query", "read"]}, **APP, token_hash=GOOD_HASH))
    (problem,) = _problems(text)
    assert problem.startswith("11|parties[0].rights.LearnerPersonal[1]|")
    assert "'query'" in problem


def test_a_profile_removing_a_field_the_object_does_not_have_names_the_field() -> None:
    text = _zone(
        table(
            "[profiles.transport]",
            {"description": "transport", "remove": {"LearnerPersonal": ["Ethnicity", "Religion"]}},
        )
    )
    (problem,) = _problems(text)
    assert problem.startswith("7|profiles.transport.remove|")
    assert "no field 'Religion'" in problem


def test_a_party_naming_a_missing_zone_or_profile_is_refused() -> None:
    text = _zone(party(**APP, zones=["south"], token_hash=GOOD_HASH))
    (problem,) = _problems(text)
    assert "zone 'south' is not in [[zones]]" in problem


def test_two_providers_of_one_service_are_refused() -> None:
    text = _zone(uln_provider("lrs-a", "A", "a"), uln_provider("lrs-b", "B", "b"))
    (problem,) = _problems(text)
    assert "provided by both lrs-a and lrs-b" in problem


def test_admin_is_accepted_only_as_a_zone_wide_right() -> None:
    text = _zone(party(**APP, token_hash=GOOD_HASH, rights={"LearnerPersonal": ["admin"]}))
    (problem,) = _problems(text)
    assert 'list it under "*"' in problem


def test_broken_toml_is_reported_with_its_line() -> None:
    (problem,) = _problems('[[zones]]\nid = "north"\nname = North\n')
    assert problem.startswith("3||not valid TOML")


def test_a_missing_zone_file_is_a_zone_file_error_naming_the_path(tmp_path: Path) -> None:
    with pytest.raises(ZoneFileError, match="cannot read it"):
        load_zone_file(tmp_path / "absent.toml")


def test_sha256_and_scrypt_hashes_match_only_their_own_token() -> None:
    for scheme in ("sha256", "scrypt"):
        stored = parse_token_hash(hash_token(TOKENS["northgate"], scheme=scheme))
        assert stored.matches(TOKENS["northgate"])
        assert not stored.matches(TOKENS["riverside"])
    assert parse_token_hash(hash_token("x", scheme="scrypt")).hmac_key is None


def test_storage_is_taken_relative_to_the_zone_files_folder(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    path = tmp_path / "conf" / "zone.toml"
    path.write_text(zone_text(storage="sqlite:data/zone.db"), encoding="utf-8")
    zone = load_zone_file(path)
    assert zone.storage_url() == f"sqlite:{(tmp_path / 'conf' / 'data' / 'zone.db').resolve()}"
