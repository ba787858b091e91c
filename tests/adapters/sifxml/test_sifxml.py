"""The built-in sifxml adapter: SIF XML, SIF JSON and NDJSON, read and written."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import Result

from adapters import sifxml
from adapters.sifxml import SPEC
from adapters.sifxml.reading import _read_line
from sif_core.adapter import AdapterError, ReadContext, WriteContext
from sif_core.codec import (
    SIF_NAMESPACE,
    dumps_json,
    dumps_xml,
    iter_document,
    loads_json,
    write_collection,
)
from sif_core.errors import CodecError, HostileXMLError
from sif_core.model import LearnerPersonal, SIFObject
from sif_core.plugins import PluginHost
from sif_core.problems import Problem
from sif_core.testing import Synth
from sif_core.testing.plugin_fixtures import check_adapter, read_all

Sif = Callable[..., Result]


@pytest.fixture(scope="module")
def school() -> list[SIFObject]:
    """A small synthetic school's export: LA, school, staff, pupils and all their records."""
    return list(Synth(pupils=6, seed=3).iter_objects())


def sample(tmp_path: Path, objects: list[SIFObject], name: str) -> Path:
    path = tmp_path / name
    if name.endswith(".ndjson"):
        path.write_bytes(b"".join(dumps_json(obj) for obj in objects))
    else:
        write_collection(objects, path, "xml" if name.endswith(".xml") else "json", mixed=True)
    return path


@pytest.mark.parametrize("name", ["school.xml", "school.json", "school.ndjson"])
def test_sifxml_does_what_every_adapter_must_in_each_format(
    name: str, school: list[SIFObject], tmp_path: Path
) -> None:
    result = check_adapter(SPEC, sample(tmp_path, school, name), tmp_path)
    assert result.objects == school


def test_sifxml_is_installed_through_the_sif_entry_point(installed_sif_host: PluginHost) -> None:
    spec = installed_sif_host.adapter("sifxml")
    assert spec.distribution == "sifbridge"
    assert set(spec.reads) == set(spec.writes) == set(SPEC.reads)


@pytest.mark.parametrize(
    "head",
    [
        '<?xml version="1.0" encoding="UTF-8"?>\n<!-- export -->\n'
        f'<LearnerPersonals xmlns="{SIF_NAMESPACE}">',
        f'\ufeff<SIFObjects xmlns="{SIF_NAMESPACE}"><SchoolInfo RefId="',
        f'<sif:LearnerPersonal xmlns:sif="{SIF_NAMESPACE}" RefId="',
        '{"LearnerPersonals": {"LearnerPersonal": [',
        '\n  {\n  "SIFObjects": [',
        '{"LearnerPersonal": {"@RefId": "',
    ],
)
def test_detect_recognises_sif_documents(head: str) -> None:
    assert SPEC.detect(Path("export"), head.encode("utf-8"))


def test_detect_recognises_utf16_sif_xml() -> None:
    head = '<?xml version="1.0" encoding="UTF-16"?><LearnerPersonals>'.encode("utf-16")
    assert SPEC.detect(Path("export.xml"), head)


@pytest.mark.parametrize(
    "head",
    [
        '<?xml version="1.0"?><CTfile><Header><DocumentName>Common Transfer File',
        '{"acme_mis_export": {"format_version": "3.2"}}',
        '{"students": []}',
        "UPN,Surname,Forename\n",
        "",
        "<html><body>Pupils</body></html>",
    ],
)
def test_detect_refuses_other_formats(head: str) -> None:
    assert not SPEC.detect(Path("export"), head.encode("utf-8"))


def test_invalid_record_is_a_problem_and_the_others_are_read(
    school: list[SIFObject], tmp_path: Path
) -> None:
    path = sample(tmp_path, school, "school.xml")
    learner = next(obj for obj in school if isinstance(obj, LearnerPersonal))
    assert learner.upn is not None
    wrong = "Z" + learner.upn[1:] if learner.upn[0] != "Z" else "A" + learner.upn[1:]
    path.write_text(path.read_text("utf-8").replace(learner.upn, wrong, 1), "utf-8")
    result = read_all(SPEC, path)
    [problem] = result.problems
    assert problem.field == "UPN"
    assert "LearnerPersonal" in problem.record
    assert len(result.objects) == len(school) - 1


def test_bad_ndjson_line_is_a_problem_for_that_line_only(
    school: list[SIFObject], tmp_path: Path
) -> None:
    path = sample(tmp_path, school[:4], "school.ndjson")
    lines = path.read_bytes().splitlines(keepends=True)
    lines[1] = b'{"LearnerPersonal": {"@RefId": \n'
    lines[2] = b'{"LearnerPersonals": {"LearnerPersonal": []}}\n'
    path.write_bytes(b"".join(lines))
    result = read_all(SPEC, path)
    assert [(p.record, p.line) for p in result.problems] == [("line 2", 2), ("line 3", 3)]
    assert "each line must hold one object" in result.problems[1].message
    assert result.objects == [school[0], school[3]]


def test_hostile_xml_is_refused_without_expanding_entities(tmp_path: Path) -> None:
    path = tmp_path / "hostile.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE LearnerPersonals [<!ENTITY a "aaaaaaaaaa">]>\n'
        f'<LearnerPersonals xmlns="{SIF_NAMESPACE}">&a;</LearnerPersonals>\n',
        encoding="utf-8",
    )
    assert SPEC.detect(path, path.read_bytes())
    with pytest.raises(HostileXMLError):
        read_all(SPEC, path)


@pytest.mark.parametrize(
    ("name", "option", "starts"),
    [
        ("out.xml", None, b"<SIFObjects"),
        ("out.json", None, b'{"SIFObjects"'),
        ("out.jsonl", None, b'{"LAInfo"'),
        ("out.txt", "sif-xml", b"<SIFObjects"),
        ("out.xml", "sif-json", b'{"SIFObjects"'),
    ],
)
def test_write_chooses_the_format_by_option_then_suffix(
    name: str, option: str | None, starts: bytes, school: list[SIFObject], tmp_path: Path
) -> None:
    target = tmp_path / name
    options = {"format": option} if option else {}
    assert SPEC.write is not None
    SPEC.write(school, target, WriteContext(options=options))
    assert starts in target.read_bytes()[:100]
    assert read_all(SPEC, target).objects == school


def test_write_to_a_name_with_no_known_suffix_asks_for_the_format(
    school: list[SIFObject], tmp_path: Path
) -> None:
    assert SPEC.write is not None
    with pytest.raises(AdapterError, match=r"name the file .xml, .json or .ndjson"):
        SPEC.write(school, tmp_path / "out.txt", WriteContext())
    assert list(tmp_path.iterdir()) == []


def test_sif_convert_turns_sif_xml_into_sif_json(
    sif_host: PluginHost, sif_cli: Sif, school: list[SIFObject], tmp_path: Path
) -> None:
    sif_host.register(sifxml, name="sifxml", distribution="sifbridge")
    source = tmp_path / "school.xml"
    source.write_bytes(dumps_xml(school))
    out = tmp_path / "school.json"
    result = sif_cli("convert", str(source), "--to", "sif-json", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert loads_json(out.read_bytes()) == school
    assert json.loads(out.read_bytes())  # a single well-formed JSON document


def _line_as_a_document(line: bytes, number: int) -> list[SIFObject | Problem]:
    """An NDJSON line read the way every line was before: as a whole SIF JSON document."""
    items: list[SIFObject | Problem] = []
    try:
        for item in iter_document(line, source="pupils.ndjson"):
            items.append(replace(item, line=number) if isinstance(item, Problem) else item)
    except CodecError as error:
        items.append(Problem("pupils.ndjson", f"line {number}", None, error.message, line=number))
    return items


_LINE_CHANGES: list[Callable[[str], str]] = [
    lambda text: text,
    lambda text: "  \t" + text.replace(": {", " :\r\n{", 1) + " \r\n",
    lambda text: text.rstrip() + ' "extra"',
    lambda text: text.rstrip()[:-1] + ', "LAInfo": {}}',
    lambda text: text.rstrip()[:-1] + ', "Other": 1}',
    lambda text: "\ufeff" + text,
    lambda text: "\u00a0" + text,
    lambda text: text.replace("@RefId", "@Ref\\u0049d", 1),
    lambda text: text.replace("}", "", 1),
    lambda text: text.replace('"@RefId": "', '"@RefId": "Z', 1),
    lambda text: text[: len(text) // 2],
]


@pytest.mark.parametrize("change", range(len(_LINE_CHANGES)))
def test_an_ndjson_line_reads_as_the_same_line_read_as_a_document(
    change: int, school: list[SIFObject]
) -> None:
    for obj in school[:8]:
        line = _LINE_CHANGES[change](dumps_json(obj).decode()).encode()
        if not line.strip():
            continue
        assert list(_read_line(line, 7, "pupils.ndjson")) == _line_as_a_document(line, 7)


def test_an_ndjson_file_reads_as_its_lines_each_read_alone(
    school: list[SIFObject], tmp_path: Path
) -> None:
    # The file reader builds a plain valid line at once; every line, changed in every way the
    # test above changes one, must come out exactly as the general line reader gives it.
    lines = [
        _LINE_CHANGES[(number * 7) % len(_LINE_CHANGES)](dumps_json(obj).decode()).encode()
        for number, obj in enumerate(school[:60])
    ]
    path = tmp_path / "mixed.ndjson"
    path.write_bytes(b"\n".join(line.replace(b"\n", b" ").replace(b"\r", b" ") for line in lines))
    with path.open("rb") as stream:
        written = list(stream)
    expected = [
        item
        for number, line in enumerate(written, start=1)
        if line.strip()
        for item in _read_line(line.removeprefix(b"\xef\xbb\xbf"), number, str(path))
    ]
    got = list(SPEC.read(path, ReadContext("test")))
    assert got == expected
    assert any(isinstance(item, Problem) for item in got)
    assert sum(isinstance(item, SIFObject) for item in got) > 10
