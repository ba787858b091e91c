"""SIF JSON: the shapes written, record-by-record reading, and malformed text located."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sif_core.codec import dumps_json, loads_json
from sif_core.codec.jsonstream import iter_json_records
from sif_core.errors import CodecError, MalformedDocumentError
from sif_core.model import LAInfo, SchoolInfo, SIFObject
from tests.strategies import la_infos, sif_objects

LA = LAInfo(ref_id="0123456789ABCDEF0123456789ABCDEF", la_id="801", la_name="Bristol")
LA_CONTENT = '{"@RefId": "0123456789ABCDEF0123456789ABCDEF", "LAId": "801", "LAName": "Bristol"}'


def test_a_collection_is_its_collection_element_holding_an_array() -> None:
    document = json.loads(dumps_json([LA, LA]))
    assert list(document) == ["LAInfos"]
    assert document["LAInfos"]["LAInfo"] == [json.loads(LA_CONTENT)] * 2


def test_mixed_types_keep_their_order_in_sifobjects() -> None:
    school = SchoolInfo(
        ref_id="FEDCBA9876543210FEDCBA9876543210",
        la_id="801",
        establishment_id="2000",
        school_name="Hill School",
    )
    document = json.loads(dumps_json([LA, school, LA]))
    assert [list(item) for item in document["SIFObjects"]] == [
        ["LAInfo"],
        ["SchoolInfo"],
        ["LAInfo"],
    ]
    assert loads_json(dumps_json([LA, school, LA])) == [LA, school, LA]


@given(st.lists(sif_objects(), min_size=1, max_size=4), st.integers(min_value=1, max_value=40))
def test_records_read_the_same_whatever_the_chunk_size(
    objects: list[SIFObject], chunk_size: int
) -> None:
    document = dumps_json(objects)
    whole = list(iter_json_records(io.BytesIO(document), source="x", chunk_size=1 << 20))
    chunked = list(iter_json_records(io.BytesIO(document), source="x", chunk_size=chunk_size))
    assert chunked == whole
    assert [record.content for record in whole] == [
        json.loads(dumps_json(obj))[obj.object_name] for obj in objects
    ]


def test_each_record_knows_the_line_it_starts_on() -> None:
    records = list(iter_json_records(io.BytesIO(dumps_json([LA, LA, LA])), source="x"))
    assert [record.line for record in records] == [2, 3, 4]


def test_a_single_member_where_an_array_is_written_is_read_as_one_record() -> None:
    document = f'{{"LAInfos": {{"LAInfo": {LA_CONTENT}}}}}'
    assert loads_json(document) == [LA]


@pytest.mark.parametrize("document", ['{"LAInfos": null}', '{"LAInfos": {}}', '{"SIFObjects": []}'])
def test_empty_collections_hold_no_objects(document: str) -> None:
    assert loads_json(document) == []


def test_a_byte_order_mark_is_allowed() -> None:
    assert loads_json(b"\xef\xbb\xbf" + dumps_json(LA)) == [LA]


@given(la_infos(), st.integers(min_value=1, max_value=30))
def test_malformed_json_is_reported_at_its_line_and_column(la: LAInfo, chunk_size: int) -> None:
    text = dumps_json([la, la]).decode()
    lines = text.splitlines(keepends=True)
    lines[2] = lines[2].replace('"LAId": ', '"LAId" ', 1)  # the second record loses a colon
    column = lines[2].index('"LAId" ') + len('"LAId" ') + 1
    broken = "".join(lines).encode()
    with pytest.raises(MalformedDocumentError) as error:
        list(iter_json_records(io.BytesIO(broken), source="pupils.json", chunk_size=chunk_size))
    assert (error.value.line, error.value.column) == (3, column)
    assert error.value.source == "pupils.json"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (b"", "'{'"),
        (b"[]", "'{'"),
        (b'{"LAInfo": {}} {}', "more text after its end"),
        (b'{"LAInfo": {}, "LAInfos": {}}', "single root"),
        (b'{"LAInfos": {"LAInfo": [{}, ]}}', "Expecting value"),
        (b'{"LAInfos": {"LAInfo": [{}', "expected ',' or ']'"),
        (b'{"LAInfo": {"LAName": "Caf\xe9"}}', "not UTF-8"),
    ],
)
def test_text_that_is_not_a_sif_json_document_is_refused(document: bytes, expected: str) -> None:
    with pytest.raises(MalformedDocumentError) as error:
        loads_json(document)
    assert expected.lower() in error.value.message.lower()
    assert error.value.line is not None


def test_an_unknown_root_is_refused_naming_it() -> None:
    with pytest.raises(CodecError, match="'users'"):
        loads_json('{"users": []}')
