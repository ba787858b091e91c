"""iter_json_members: any JSON object document read member by member, named arrays item by item."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sif_core.codec import JSONMember, iter_json_members
from sif_core.errors import MalformedDocumentError

EXPORT = """{
  "header": {"version": "3.2", "school": "Ashdown"},
  "pupils": [
    {"id": "S1", "name": "Amelia"},
    {"id": "S2", "name": "Ó Súilleabháin"}
  ],
  "count": 2
}
"""


def members(
    text: str | bytes, *, arrays: tuple[str, ...] = ("pupils",), chunk: int = 1 << 16
) -> Iterator[JSONMember]:
    data = text.encode() if isinstance(text, str) else text
    return iter_json_members(
        io.BytesIO(data), source="export.json", arrays=arrays, chunk_size=chunk
    )


def test_members_come_in_order_and_a_named_array_item_by_item_with_lines() -> None:
    assert list(members(EXPORT)) == [
        JSONMember("header", {"version": "3.2", "school": "Ashdown"}, 2),
        JSONMember("pupils", {"id": "S1", "name": "Amelia"}, 4, 1),
        JSONMember("pupils", {"id": "S2", "name": "Ó Súilleabháin"}, 5, 2),
        JSONMember("count", 2, 7),
    ]


def test_an_array_not_named_is_one_member() -> None:
    pupils = [m for m in members(EXPORT, arrays=()) if m.name == "pupils"]
    assert pupils == [JSONMember("pupils", json.loads(EXPORT)["pupils"], 3)]


def test_a_named_member_that_is_not_an_array_is_one_member_without_an_index() -> None:
    found = list(members('{"pupils": {"id": "S1"}}'))
    assert found == [JSONMember("pupils", {"id": "S1"}, 1)]


def test_an_empty_object_and_an_empty_named_array_yield_nothing() -> None:
    assert list(members("{}")) == []
    assert list(members('{"pupils": []}')) == []


@given(
    st.dictionaries(
        st.text(max_size=5),
        st.lists(st.dictionaries(st.text(max_size=4), st.text(max_size=6)), max_size=4),
        max_size=4,
    ),
    st.integers(min_value=1, max_value=40),
)
def test_members_read_the_same_whatever_the_chunk_size(
    document: dict[str, list[dict[str, str]]], chunk: int
) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=1)
    names = tuple(document)[:2]
    whole = list(members(text, arrays=names))
    assert list(members(text, arrays=names, chunk=chunk)) == whole
    rebuilt: dict[str, object] = {}
    for member in whole:
        if member.index is None:
            rebuilt[member.name] = member.value
        else:
            items = rebuilt.setdefault(member.name, [])
            assert isinstance(items, list)
            items.append(member.value)
    assert rebuilt == {
        name: value for name, value in document.items() if value or name not in names
    }


def test_a_byte_order_mark_is_allowed() -> None:
    assert list(members(b"\xef\xbb\xbf" + EXPORT.encode())) == list(members(EXPORT))


def test_members_before_a_fault_are_yielded_then_the_fault_names_file_line_and_column() -> None:
    cut = EXPORT.replace('"name": "Ó Súilleabháin"}', '"name": "Ó Súilleabháin",}')
    read = members(cut, chunk=16)
    assert [next(read).name, next(read).index] == ["header", 1]
    with pytest.raises(MalformedDocumentError) as error:
        next(read)
    assert (error.value.source, error.value.line) == ("export.json", 5)
    assert str(error.value).startswith("export.json:5:")
    assert "not valid JSON" in str(error.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[{"id": "S1"}]', r"export.json:1:1: not a JSON object: expected '\{'"),
        ('{"a": 1} {"b": 2}', r"export.json:1:10: not a JSON object: there is more text"),
        ('{"a": 1 "b": 2}', r"export.json:1:9: not a JSON object: expected ',' or '\}'"),
        ("{a: 1}", r"export.json:1:2: not a JSON object: expected a member name"),
        ('{"pupils": [1, 2', r"export.json:1:17: not a JSON object: expected ',' or '\]'"),
        ("", r"export.json:1:1: not a JSON object: expected '\{' .* found the end of the file"),
    ],
)
def test_text_that_is_not_one_json_object_is_refused_saying_where(text: str, expected: str) -> None:
    with pytest.raises(MalformedDocumentError, match=expected):
        list(members(text))


def test_text_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(MalformedDocumentError, match="not UTF-8 text"):
        list(members(b'{"name": "\xff"}'))
