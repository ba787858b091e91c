"""The TOML scanner finds keys and values where they were written, whatever TOML surrounds them."""

from __future__ import annotations

import tomllib

from sif_core.tabular.tomlpos import Position, toml_positions

DOCUMENT = '''\
# a comment with = and [brackets]
title = """
line one = not a key
[not.a.table]
"""
path = 'C:\\exports\\'
list = [
  "a", # comment inside
  { name = "b", n = 2 },
]

[[school]]
name = "One"

[[school]]
name = "Two"
"quoted key".'dotted' = { inner = [1, 2], "x y" = "z" }
'''


def test_keys_and_values_are_located_past_strings_arrays_and_comments() -> None:
    tomllib.loads(DOCUMENT)  # the scanner only runs on valid TOML
    found = toml_positions(DOCUMENT)
    assert found.key(("title",)) == Position(2, 1)
    assert found.key(("path",)) == Position(6, 1)
    assert found.value(("list", 1, "n")) == Position(9, 21)
    assert found.key(("school", 1, "name")) == Position(16, 1)
    assert found.key(("school", 1, "quoted key", "dotted", "x y")) == Position(17, 43)
    assert found.value(("school", 1, "quoted key", "dotted", "inner")) == Position(17, 35)


def test_a_key_not_written_falls_back_to_its_nearest_ancestor() -> None:
    found = toml_positions(DOCUMENT)
    assert found.key(("school", 0, "missing")) == Position(12, 1)
    assert found.key(("nowhere",)) is None


def test_a_table_under_an_array_of_tables_belongs_to_its_latest_element() -> None:
    text = '[[parties]]\nid = "a"\n[[parties]]\nid = "b"\n[parties.rights]\nLearner = ["x", "y"]\n'
    positions = toml_positions(text)
    assert positions.key(("parties", 1, "rights", "Learner", 1)) == Position(line=6, column=17)
    assert positions.key(("parties", 1, "rights")) == Position(line=5, column=1)
    assert positions.key(("parties", 0, "id")) == Position(line=2, column=1)


def test_nested_arrays_of_tables_count_within_their_parent_element() -> None:
    text = "[[a]]\n[[a.b]]\nx = 1\n[[a]]\n[[a.b]]\ny = 2\n"
    positions = toml_positions(text)
    assert positions.key(("a", 1, "b", 0, "y")) == Position(line=6, column=1)
    assert positions.key(("a", 0, "b", 0, "x")) == Position(line=3, column=1)
