"""Bad CTFs: malformed or hostile XML stops with a located error; a bad pupil is a Problem
naming the pupil and the element while every other pupil is read."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from adapters.ctf import detect, upns
from adapters.ctf import reader as ctf_reader
from sif_core.errors import AdapterError, HostileXMLError, MalformedDocumentError
from sif_core.model import ContactPersonal, LearnerContact, LearnerPersonal, SchoolInfo
from sif_core.problems import Severity
from tests.adapters.ctf.conftest import FILES, FULL, of_type, read


def edited(tmp_path: Path, old: str, new: str, source: Path = FULL) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / source.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_malformed_xml_names_the_file_line_and_column() -> None:
    with pytest.raises(MalformedDocumentError) as raised:
        read(FILES / "malformed_line8.xml")
    assert (raised.value.line, raised.value.column) == (8, 27)
    assert str(raised.value).startswith(f"{FILES / 'malformed_line8.xml'}:8:27: ")
    assert "mismatched tag" in str(raised.value)


def test_a_file_cut_short_is_malformed_not_a_shorter_list_of_pupils(tmp_path: Path) -> None:
    text = FULL.read_text(encoding="utf-8")
    path = tmp_path / "cut.xml"
    path.write_text(text[: text.index("<UPN>X801200001002")], encoding="utf-8")
    with pytest.raises(MalformedDocumentError, match="no element found"):
        read(path)


def test_entity_declarations_are_refused_before_anything_is_expanded() -> None:
    with pytest.raises(HostileXMLError) as raised:
        read(FILES / "entity_declaration.xml")
    assert raised.value.line == 3
    assert "declares the entity 'lol'" in str(raised.value)


def test_an_external_entity_is_refused_and_the_file_it_names_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the head teacher's password", encoding="utf-8")
    path = edited(
        tmp_path,
        "<CTfile>",
        f'<!DOCTYPE CTfile [<!ENTITY secret SYSTEM "{secret.as_uri()}">]>\n<CTfile>',
    )
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "<Surname>Okafor</Surname>", "<Surname>&secret;</Surname>"
        ),
        encoding="utf-8",
    )
    with pytest.raises(HostileXMLError) as raised:
        read(path)
    assert "password" not in str(raised.value)


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'<!ENTITY lol "lol">')

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def dtd_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on a free port that serves a DTD and records every request."""
    requests: list[str] = []
    handler = type("Handler", (_CountingHandler,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE CTfile SYSTEM "{url}/ctf.dtd">',
        '<!DOCTYPE CTfile [<!ENTITY % remote SYSTEM "{url}/remote.dtd"> %remote;]>',
    ],
    ids=["external DTD", "external parameter entity"],
)
def test_external_dtds_and_parameter_entities_are_refused_and_never_fetched(
    tmp_path: Path, dtd_server: tuple[str, list[str]], doctype: str
) -> None:
    url, requests = dtd_server
    path = edited(tmp_path, "<CTfile>", doctype.format(url=url) + "\n<CTfile>")
    with pytest.raises(HostileXMLError, match="refused"):
        read(path)
    assert requests == []


def test_an_admissions_file_is_not_taken_for_a_ctf() -> None:
    path = FILES / "admissions_atf.xml"
    assert detect(path, path.read_bytes()) is False
    with pytest.raises(
        AdapterError, match=r"not a Common Transfer File \(its root element is <ATfile>"
    ):
        read(path)


def test_a_header_without_a_source_school_says_what_is_missing(tmp_path: Path) -> None:
    path = edited(tmp_path, "<LEA>801</LEA>\n      <Estab>2000</Estab>", "")
    with pytest.raises(AdapterError, match="SourceSchool needs an LEA of 3 digits and an Estab"):
        read(path)


def test_bad_pupils_are_problems_naming_position_upn_name_and_element() -> None:
    objects, problems, _ = read(FILES / "invalid_pupils.xml")
    assert [p.upn for p in of_type(objects, LearnerPersonal)] == ["H801200001001", "U801200002001"]
    assert [(p.record, p.field, p.severity) for p in problems] == [
        ("pupil 2 (UPN Z801200001002, Wrong Letter)", "UPN", Severity.ERROR),
        ("pupil 3 (UPN L801200001003, Nodate Ofbirth)", "DOB", Severity.ERROR),
        ("pupil 4 (UPN A801200001004, Nosurname)", "Surname", Severity.ERROR),
    ]
    assert "wrong check letter 'Z': the digits give 'X'" in problems[0].message
    assert problems[1].message.startswith("missing")
    assert all(p.source == str(FILES / "invalid_pupils.xml") for p in problems)


def test_a_pupil_with_no_sex_or_gender_is_rejected_naming_sex(tmp_path: Path) -> None:
    path = edited(tmp_path, "<Sex>F</Sex>", "")
    objects, problems, _ = read(path)
    assert [p.upn for p in of_type(objects, LearnerPersonal)] == ["H801200001001"]
    assert [(p.record, p.field) for p in problems] == [
        ("pupil 2 (UPN X801200001002, Nowak Zofia)", "Sex")
    ]


def test_doubtful_optional_parts_are_left_out_with_a_warning_and_the_pupil_kept() -> None:
    objects, problems, _ = read(FILES / "doubtful_parts.xml")
    (learner,) = of_type(objects, LearnerPersonal)
    assert (learner.uln, learner.address) == (None, None)
    assert [phone.number for phone in learner.phone_numbers] == ["07700 900555"]
    (link,) = of_type(objects, LearnerContact)
    assert link.contact_priority == 1
    pupil = [(p.field, p.severity) for p in problems if p.record.startswith("pupil 1")]
    assert pupil == [
        ("UniqueLearnerNumber", Severity.WARNING),
        ("Address/PostCode", Severity.WARNING),
        ("Phones/Phone[1]/PhoneNo", Severity.WARNING),
        ("Contacts/Contact[1]/Order", Severity.WARNING),
    ]
    assert "temporary ULN" in problems[0].message


def test_elements_no_sif_object_carries_are_listed_once_each_at_the_end() -> None:
    _, problems, _ = read(FILES / "doubtful_parts.xml")
    whole_file = [(p.field, p.message) for p in problems if p.record == "the whole file"]
    assert whole_file == [
        ("Attendance/YearData/AttendanceMarks", "not carried into SIF objects (1 time)"),
        ("BasicDetails/Disabilities", "not carried into SIF objects (1 time)"),
        ("Contacts/Contact/Address/AddressLines", "not carried into SIF objects (1 time)"),
    ]
    assert problems[-len(whole_file) :] == [p for p in problems if p.record == "the whole file"]


def test_a_contact_with_an_unknown_relationship_is_rejected_and_the_pupil_kept(
    tmp_path: Path,
) -> None:
    path = edited(
        tmp_path, "<Relationship>DAD</Relationship>", "<Relationship>UNCLE</Relationship>"
    )
    objects, problems, _ = read(path)
    assert len(of_type(objects, LearnerPersonal)) == 2
    assert [c.names[0].given_name for c in of_type(objects, ContactPersonal)] == ["Ngozi", "Anna"]
    (problem,) = problems
    assert (problem.field, problem.severity) == ("Contacts/Contact[2]/Relationship", Severity.ERROR)


def test_a_history_school_with_no_name_that_the_file_never_named_is_left_out(
    tmp_path: Path,
) -> None:
    path = edited(tmp_path, "<SchoolName>Riverside Infant School</SchoolName>", "")
    objects, problems, _ = read(path)
    assert [s.laestab for s in of_type(objects, SchoolInfo)] == ["8012000"]
    (problem,) = problems
    assert (problem.field, problem.severity) == ("SchoolHistory/School[1]", Severity.WARNING)
    assert "school 8022100 has no SchoolName here" in problem.message


def test_an_unknown_ctf_version_is_read_with_a_warning(tmp_path: Path) -> None:
    path = edited(tmp_path, "<CTFversion>25.0</CTFversion>", "<CTFversion>19.0</CTFversion>")
    objects, problems, _ = read(path)
    assert len(of_type(objects, LearnerPersonal)) == 2
    (problem,) = problems
    assert (problem.field, problem.severity) == ("Header/CTFversion", Severity.WARNING)


def test_a_byte_the_declared_encoding_lacks_is_named_with_encoding_offset_and_line() -> None:
    with pytest.raises(MalformedDocumentError) as raised:
        read(FILES / "windows_1252_undefined_byte.xml")
    assert raised.value.line == 24
    assert "byte 0x81 at offset 738 is not valid windows-1252" in str(raised.value)


def test_an_unknown_declared_encoding_is_named() -> None:
    with pytest.raises(MalformedDocumentError, match="declares the encoding 'x-mac-klingon'"):
        read(FILES / "unknown_encoding.xml")


def test_a_second_pupil_with_the_same_upn_is_rejected_naming_the_first(tmp_path: Path) -> None:
    path = edited(tmp_path, "<UPN>X801200001002</UPN>", "<UPN>H801200001001</UPN>")
    objects, problems, _ = read(path)
    first, *others = of_type(objects, LearnerPersonal)
    assert others == []
    assert first.upn == "H801200001001"
    (problem,) = [p for p in problems if p.severity is Severity.ERROR]
    assert problem.record.startswith("pupil 2 (UPN H801200001001, ")
    assert problem.field == "UPN"
    assert problem.message.startswith("pupil 1 has the same UPN")
    # Nothing of the second pupil is read: its contacts would take the first one's RefIds.
    assert {link.learner_personal_ref_id for link in of_type(objects, LearnerContact)} == {
        first.ref_id
    }


def test_upns_the_filter_takes_for_met_ones_are_checked_in_the_file_and_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A filter that takes every UPN for one met before (as a full one would): each pupil's UPN
    # is looked for earlier in the file, found to be new, and the pupil read as usual.
    expected = read(FULL)
    looked_for: list[tuple[str, int]] = []
    earlier_pupil = ctf_reader._earlier_pupil

    def spy(path: Path, upn: str, before: int) -> int | None:
        looked_for.append((upn, before))
        return earlier_pupil(path, upn, before)

    monkeypatch.setattr(ctf_reader, "_earlier_pupil", spy)
    monkeypatch.setattr(upns.UPNFilter, "add", lambda self, upn: True)
    assert read(FULL) == expected
    assert looked_for == [("H801200001001", 1), ("X801200001002", 2)]
    objects, problems, _ = read(FILES / "invalid_pupils.xml")
    assert [p.upn for p in of_type(objects, LearnerPersonal)] == ["H801200001001", "U801200002001"]
    assert [p.field for p in problems] == ["UPN", "DOB", "Surname"]


def test_the_upn_filter_says_new_for_a_new_upn_and_maybe_for_a_met_one() -> None:
    seen = upns.UPNFilter()
    assert [seen.add(upn) for upn in ("H801200001001", "X801200001002", "H801200001001")] == [
        False,
        False,
        True,
    ]
