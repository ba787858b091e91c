"""SIF XML read straight from elements gives exactly what the Goessner route gave.

The reference below is how SIF XML was read before (xmltodict streaming each object as Goessner
notation, then :func:`~sif_core.codec.goessner.from_goessner`); every document, valid or broken
in the ways a hand-edited or foreign export can be, must read to the same objects and the same
Problems, in the same order.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

import pytest
import xmltodict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sif_core.codec import SIF_NAMESPACE, dumps_xml, iter_document, read_document, safexml
from sif_core.codec.document import validate_records
from sif_core.codec.profile import RawRecord, check_root
from sif_core.errors import CodecError, MalformedDocumentError
from sif_core.model import OBJECT_TYPES, LAInfo, SIFObject
from sif_core.problems import Problem
from sif_core.testing import Synth
from tests.strategies import sif_objects

SOURCE = "export.xml"


def goessner_route(document: bytes) -> list[SIFObject | Problem]:
    """The objects and Problems of ``document`` read the way SIF XML was read before."""
    records: list[RawRecord] = []
    state: dict[str, Any] = {}

    def collect(path: list[tuple[str, dict[str, str] | None]], item: Any) -> bool:
        if "root" not in state:
            root, attributes = path[0]
            check_root(root, source=SOURCE, namespace=(attributes or {}).get("xmlns"))
            state["root"] = root
            if root in OBJECT_TYPES:
                state["whole"] = True
                return False
        records.append(RawRecord(path[1][0], item, state["root"]))
        return True

    with contextlib.suppress(xmltodict.ParsingInterrupted):
        safexml.parse(document, source=SOURCE, item_depth=2, item_callback=collect)
    if "root" not in state or state.get("whole"):
        ((root, content),) = safexml.parse(document, source=SOURCE).items()
        namespace = content.get("@xmlns") if isinstance(content, dict) else None
        check_root(root, source=SOURCE, namespace=namespace)
        records = [RawRecord(root, content, root)] if root in OBJECT_TYPES else []
    return list(validate_records(iter(records), source=SOURCE))


def element_route(document: bytes) -> list[SIFObject | Problem]:
    return list(iter_document(document, source=SOURCE))


_LEAF = re.compile(r'^(\s*)<(\w+)((?: \w+="[^"]*")*)>([^<]*)</\2>$')
_START = re.compile(r'^(\s*)<(\w+)((?: \w+="[^"]*")*)>$')
_NAMES = ["Foo", "RefId", "ref_id", "Type", "Number", "Code", "names", "Name", "UPN", "LocalId",
          "GivenName", "Address", "PhoneNumber", "Language", "SEN", "SENNeed",
          "FormerUPN"]  # fmt: skip
_TEXTS = ["", "  ", "X", "true", "2015-02-30", "H801200001001", "L", "  padded  ", "1"]
_INSERTS = ["<Foo>bar</Foo>", '<Name Type="L"/>', "<Name/>", "<Address/>", "<Address>x</Address>",
            '<PhoneNumber Type="M">0123</PhoneNumber>', '<PhoneNumber Type="M"/>', "stray text",
            "<FormerUPN/>", "<FormerUPN>H801200001001</FormerUPN>", '<Language Type="F">ENG'
            "</Language>", "<SENNeed Rank=\"1\"><Type>SPLD</Type></SENNeed>", "<UPN/>"]  # fmt: skip


def mutate(lines: list[str], data: st.DataObject) -> None:
    """Break one line of a written document in one of the ways a real one can be broken."""
    index = data.draw(st.integers(2, len(lines) - 2), label="line")
    line = lines[index]
    leaf, start = _LEAF.match(line), _START.match(line)
    kind = data.draw(st.integers(0, 9), label="mutation")
    if leaf is not None and kind < 7:
        indent, tag, attributes, text = leaf.groups()
        name = data.draw(st.sampled_from(_NAMES)) if kind == 0 else tag
        body = data.draw(st.sampled_from(_TEXTS)) if kind == 1 else text
        if kind == 2:
            attributes += data.draw(st.sampled_from([' Foo="1"', ' Type="L"', ' RefId="x"']))
        if kind == 3:
            attributes = ""
        if kind == 4:
            inner = data.draw(st.sampled_from(_NAMES))
            body = f"<{inner}>{text}</{inner}>"
        if kind == 5:
            lines.insert(index, line)
            return
        if kind == 6:
            del lines[index]
            return
        lines[index] = f"{indent}<{name}{attributes}>{body}</{name}>"
        if kind == 1 and not body and data.draw(st.booleans()):
            lines[index] = f"{indent}<{name}{attributes}/>"
    elif start is not None and kind < 4:
        indent, tag, attributes = start.groups()
        if kind == 0:
            attributes += data.draw(st.sampled_from([' Foo="1"', ' Type="L"', ' Rank="2"']))
        elif kind == 1:
            attributes = ""
        lines[index] = f"{indent}<{tag}{attributes}>"
        if kind == 2:
            lines.insert(index + 1, data.draw(st.sampled_from(["stray", "  ", "<!-- note -->"])))
    else:
        lines.insert(index, data.draw(st.sampled_from(_INSERTS)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(sif_objects(), min_size=1, max_size=4), st.integers(0, 3), st.data())
def test_broken_documents_read_to_the_same_objects_and_problems(
    objects: list[SIFObject], mutations: int, data: st.DataObject
) -> None:
    single = len(objects) == 1 and data.draw(st.booleans(), label="single")
    lines = dumps_xml(objects[0] if single else objects).decode().splitlines()
    if len(lines) > 3:
        for _ in range(mutations):
            mutate(lines, data)
    document = "\n".join(lines).encode()
    try:
        expected: list[SIFObject | Problem] | str = goessner_route(document)
    except CodecError as error:
        expected = type(error).__name__
    try:
        found: list[SIFObject | Problem] | str = element_route(document)
    except CodecError as error:
        found = type(error).__name__
    assert found == expected


@pytest.mark.parametrize(
    "content",
    [
        "", "\n  ", "Bristol", '<LAId>801</LAId>\n  text', "<LAId/><LAId>801</LAId>",
        '<LAId>801</LAId><LAId>802</LAId>', "<LAId a='1'>801</LAId>", "<LAName><x/></LAName>",
        "<RefId>1</RefId>", "<la_id>801</la_id>",
    ],
)  # fmt: skip
@pytest.mark.parametrize("root", ["LAInfo", "LAInfos", "SIFObjects"])
@pytest.mark.parametrize("namespace", ["", f' xmlns="{SIF_NAMESPACE}"'])
def test_odd_objects_read_as_before(content: str, root: str, namespace: str) -> None:
    attribute = ' RefId="0123456789ABCDEF0123456789ABCDEF"' if "RefId" not in content else ""
    if root == "LAInfo":
        document = f"<LAInfo{namespace}{attribute}>{content}</LAInfo>"
    else:
        document = f"<{root}{namespace}><LAInfo{attribute}>{content}</LAInfo></{root}>"
    assert element_route(document.encode()) == goessner_route(document.encode())


def test_an_object_with_only_text_reads_as_before_with_or_without_a_namespace() -> None:
    for document in (b"<LAInfo>Bristol</LAInfo>", f'<LAInfo xmlns="{SIF_NAMESPACE}">x</LAInfo>'):
        encoded = document.encode() if isinstance(document, str) else document
        assert element_route(encoded) == goessner_route(encoded)


LA = LAInfo(ref_id="0123456789ABCDEF0123456789ABCDEF", la_id="801", la_name="Bristol")


def test_a_document_whose_elements_carry_the_profile_prefix_is_read() -> None:
    # Namespace-aware now: before, sif:LAInfos was refused as not a SIF root.
    document = (
        f'<sif:LAInfos xmlns:sif="{SIF_NAMESPACE}"><sif:LAInfo RefId="{LA.ref_id}">'
        "<sif:LAId>801</sif:LAId><sif:LAName>Bristol</sif:LAName></sif:LAInfo></sif:LAInfos>"
    )
    assert read_document(document.encode()).objects == [LA]


def test_an_element_of_another_namespace_is_a_problem_naming_it() -> None:
    document = (
        f'<LAInfos xmlns="{SIF_NAMESPACE}"><LAInfo RefId="{LA.ref_id}"><LAId>801</LAId>'
        '<LAName>Bristol</LAName><x:LAName xmlns:x="urn:other">B</x:LAName></LAInfo>'
        f'<x:LAInfo xmlns:x="urn:other" RefId="{LA.ref_id}"/></LAInfos>'
    )
    result = read_document(document.encode())
    assert result.objects == []
    assert [(problem.field, problem.message) for problem in result.problems] == [
        ("{urn:other}LAName", "Extra inputs are not permitted"),
        (None, "{urn:other}LAInfo is not a SIF object type; expected one of "
         + ", ".join(OBJECT_TYPES)),
    ]  # fmt: skip


def test_the_root_is_refused_before_the_rest_is_read() -> None:
    # The root is checked when it is read: the malformed end is never reached.
    document = b"<CTfile><Header>" + b"<Pupil/>" * 20_000 + b"</Broken>"
    with pytest.raises(CodecError, match="'CTfile'") as error:
        list(iter_document(document))
    assert type(error.value) is CodecError


def _until_failure(read: Any) -> tuple[list[SIFObject | Problem], tuple[int | None, int | None]]:
    items: list[SIFObject | Problem] = []
    try:
        for item in read():
            items.append(item)
    except MalformedDocumentError as error:
        return items, (error.line, error.column)
    raise AssertionError("the document was read without an error")


@pytest.mark.parametrize("broken_line", [3, 40, 400, 1500, 2900])
def test_what_comes_before_a_malformed_spot_is_read_as_before(broken_line: int) -> None:
    pupils = Synth(pupils=30, seed=4, schools=1)
    lines = dumps_xml(list(pupils.iter_objects(pupils.schools[0]))).decode().splitlines()
    # A bare "<" inside an object: that object and everything after it are never complete.
    lines[broken_line] = lines[broken_line].replace(">", "><", 1)
    document = "\n".join(lines).encode()
    records: list[RawRecord] = []

    def collect(path: list[tuple[str, dict[str, str] | None]], item: Any) -> bool:
        records.append(RawRecord(path[1][0], item, path[0][0]))
        return True

    try:
        safexml.parse(document, source=SOURCE, item_depth=2, item_callback=collect)
    except MalformedDocumentError as error:
        expected = (
            list(validate_records(iter(records), source=SOURCE)),
            (error.line, error.column),
        )
    found = _until_failure(lambda: iter_document(document, source=SOURCE))
    assert len(found[0]) > 0 or broken_line < 10
    assert found == expected
