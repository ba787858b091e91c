"""Any object of any type survives SIF XML and SIF JSON unchanged, and written XML is stable."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sif_core.codec import (
    dumps_json,
    dumps_xml,
    from_goessner,
    loads_json,
    loads_xml,
    to_goessner,
    write_collection,
)
from sif_core.model import OBJECT_TYPES, SIFObject
from tests.strategies import OBJECT_STRATEGIES, sif_objects

TYPE_NAMES = list(OBJECT_TYPES)


def test_every_object_type_has_a_strategy() -> None:
    assert set(OBJECT_STRATEGIES) == set(OBJECT_TYPES)


@pytest.mark.parametrize("type_name", TYPE_NAMES)
def test_any_object_survives_xml_json_and_goessner(type_name: str) -> None:
    @given(OBJECT_STRATEGIES[type_name])
    def check(obj: SIFObject) -> None:
        assert loads_xml(dumps_xml(obj)) == [obj]
        assert loads_json(dumps_json(obj)) == [obj]
        content = json.loads(json.dumps(to_goessner(obj)))
        assert from_goessner(type_name, content) == obj

    check()


@given(sif_objects())
def test_written_xml_is_byte_stable_when_read_and_written_again(obj: SIFObject) -> None:
    written = dumps_xml(obj)
    (read_back,) = loads_xml(written)
    assert dumps_xml(read_back) == written


@given(st.lists(sif_objects(), max_size=6))
def test_any_sequence_of_objects_survives_both_formats_in_order(objects: list[SIFObject]) -> None:
    assert loads_xml(dumps_xml(objects)) == objects
    assert loads_json(dumps_json(objects)) == objects


@given(st.lists(sif_objects(), min_size=1, max_size=6))
def test_collection_xml_is_byte_stable(objects: list[SIFObject]) -> None:
    written = dumps_xml(objects)
    assert dumps_xml(loads_xml(written)) == written


@given(st.lists(OBJECT_STRATEGIES["LearnerPersonal"], max_size=3), st.sampled_from(["xml", "json"]))
def test_streamed_collection_is_the_same_bytes_as_dumps(pupils: list[SIFObject], fmt: str) -> None:
    target = io.BytesIO()
    count = write_collection(iter(pupils), target, "xml" if fmt == "xml" else "json")
    assert count == len(pupils)
    expected = dumps_xml(pupils) if fmt == "xml" else dumps_json(pupils)
    assert target.getvalue() == expected
