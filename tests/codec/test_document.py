"""Reading whole documents record by record, and writing collections as a stream."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from sif_core.codec import (
    InvalidRecordsError,
    dumps_json,
    dumps_xml,
    iter_document,
    loads_xml,
    read_document,
    write_collection,
)
from sif_core.errors import CodecError, MalformedDocumentError
from sif_core.model import LAInfo, LearnerPersonal, Name, NameType, SchoolInfo, Sex, SIFObject
from sif_core.problems import Problem

LA = LAInfo(ref_id="0123456789ABCDEF0123456789ABCDEF", la_id="801", la_name="Bristol")
SCHOOL = SchoolInfo(
    ref_id="FEDCBA9876543210FEDCBA9876543210",
    la_id="801",
    establishment_id="2000",
    school_name="Hill School",
)


def _pupil(number: int, upn: str | None = None) -> LearnerPersonal:
    return LearnerPersonal(
        ref_id=f"{number:032X}",
        local_id=str(number),
        upn=upn,
        names=[Name(type=NameType.LEGAL, given_name="Zoë", family_name=f"Smith-Jones {number}")],
        date_of_birth=dt.date(2015, 4, 1),
        sex=Sex.F,
    )


def _pupils(count: int) -> list[LearnerPersonal]:
    return [_pupil(number) for number in range(1, count + 1)]


@pytest.fixture
def three_pupils() -> list[LearnerPersonal]:
    upns = ["H801200001001", "B801200005001", "G80120000101A"]
    return [_pupil(number, upn) for number, upn in enumerate(upns, start=1)]


@pytest.mark.parametrize("dump", [dumps_xml, dumps_json], ids=["xml", "json"])
def test_a_bad_record_is_a_problem_naming_it_and_reading_carries_on(
    dump: object, three_pupils: list[LearnerPersonal], tmp_path: Path
) -> None:
    assert callable(dump)
    document: bytes = dump(three_pupils)
    # B -> C makes the second pupil's check letter wrong and leaves the others alone.
    broken = document.replace(b"B801200005001", b"C801200005001")
    path = tmp_path / "pupils.sif"
    path.write_bytes(broken)

    items = list(iter_document(path))

    assert items[0] == three_pupils[0]
    assert items[2] == three_pupils[2]
    problem = items[1]
    assert isinstance(problem, Problem)
    assert problem.source == str(path)
    assert problem.record == (
        f"LearnerPersonal 2 (RefId {three_pupils[1].ref_id}, UPN C801200005001, LocalId 2)"
    )
    assert problem.field == "UPN"
    assert "check letter" in problem.message


def test_read_document_collects_objects_and_problems(three_pupils: list[LearnerPersonal]) -> None:
    broken = dumps_xml(three_pupils).replace(b"<Sex>", b"<Sex>X", 1)
    result = read_document(broken, source="upload")
    assert result.objects == three_pupils[1:]
    assert [(problem.record.split(" (")[0], problem.field) for problem in result.problems] == [
        ("LearnerPersonal 1", "Sex")
    ]
    assert not result.ok


def test_the_format_is_recognised_from_the_content(tmp_path: Path) -> None:
    for name, document in (("a.json", dumps_xml(LA)), ("b.xml", dumps_json(LA))):
        path = tmp_path / name
        path.write_bytes(document)
        assert read_document(path).objects == [LA]


def test_a_file_that_is_neither_xml_nor_json_is_refused_at_line_1() -> None:
    with pytest.raises(MalformedDocumentError) as error:
        list(iter_document(b"UPN,Surname\nH801200001001,Smith\n", source="pupils.csv"))
    assert (error.value.source, error.value.line, error.value.column) == ("pupils.csv", 1, 1)


def test_an_object_of_another_type_in_a_collection_is_a_problem() -> None:
    document = (
        dumps_xml([LA, LA])
        .replace(b"<LAInfo ", b"<SchoolInfo ", 1)
        .replace(b"</LAInfo>", b"</SchoolInfo>", 1)
    )
    result = read_document(document)
    assert result.objects == [LA]
    (problem,) = result.problems
    assert problem.record.startswith("SchoolInfo 1")
    assert "holds only LAInfo" in problem.message


def test_an_unknown_element_in_sifobjects_is_a_problem() -> None:
    document = (
        dumps_xml([LA, SCHOOL]).replace(b"<LAInfo ", b"<Pupil ").replace(b"</LAInfo>", b"</Pupil>")
    )
    result = read_document(document)
    assert result.objects == [SCHOOL]
    assert "Pupil is not a SIF object type" in result.problems[0].message


def test_loads_refuses_a_document_with_bad_records_listing_every_problem(
    three_pupils: list[LearnerPersonal],
) -> None:
    broken = dumps_xml(three_pupils).replace(b"<Sex>", b"<Sex>X")
    with pytest.raises(InvalidRecordsError) as error:
        loads_xml(broken, source="in.xml")
    assert len(error.value.problems) == 3
    assert "and 2 more problems" in str(error.value)


def test_reading_stops_cleanly_when_the_reader_stops_early(tmp_path: Path) -> None:
    path = tmp_path / "many.xml"
    write_collection(_pupils(1) * 500, path, "xml")
    items = iter_document(path)
    first = next(items)
    assert isinstance(first, LearnerPersonal)
    items.close()  # the parser thread must stop; a hang here fails the test run


def test_write_collection_writes_while_objects_are_still_coming() -> None:
    target = io.BytesIO()
    pupils = _pupils(3)
    written_before_last: list[bytes] = []

    def produce() -> Iterator[SIFObject]:
        yield from pupils[:-1]
        written_before_last.append(target.getvalue())
        yield pupils[-1]

    assert write_collection(produce(), target, "xml") == 3
    assert pupils[1].ref_id.encode() in written_before_last[0]
    assert pupils[2].ref_id.encode() not in written_before_last[0]
    assert loads_xml(target.getvalue()) == pupils


def test_a_failed_write_leaves_no_file_behind(tmp_path: Path) -> None:
    target = tmp_path / "out.xml"
    with pytest.raises(CodecError, match="write several types with mixed=True"):
        write_collection([LA, SCHOOL], target, "xml")
    assert list(tmp_path.iterdir()) == []


def test_mixed_writes_several_types_in_order(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    assert write_collection([LA, SCHOOL, LA], target, "json", mixed=True) == 3
    assert read_document(target).objects == [LA, SCHOOL, LA]


@pytest.mark.parametrize(
    "document",
    [b'{"LAInfo": "Bristol"}', b'{"LAInfo": ["Bristol"]}', b"<LAInfo>Bristol</LAInfo>"],
)
def test_an_object_that_is_not_a_structure_is_a_problem(document: bytes) -> None:
    result = read_document(document)
    assert result.objects == []
    (problem,) = result.problems
    assert problem.record == "LAInfo 1"
    assert "valid dictionary" in problem.message
