"""Telling a CTF from other files by its first bytes, and the conventional CTF file name."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from adapters.ctf import CTFName, detect
from adapters.ctf.naming import next_free_name
from tests.adapters.ctf.conftest import FILES, FULL

CTF_START = '<?xml version="1.0" encoding="UTF-8"?>\n<CTfile>\n  <Header>'


@pytest.mark.parametrize(
    "head",
    [
        FULL.read_bytes(),
        (FILES / "bom_utf8_ctf23.xml").read_bytes(),
        (FILES / "windows_1252_ctf20.xml").read_bytes(),
        codecs.BOM_UTF16_LE + CTF_START.replace("UTF-8", "UTF-16").encode("utf-16-le"),
        b"<!-- exported by hand -->\n<!DOCTYPE CTfile>\n<CTfile><Header/></CTfile>",
        b"<CTfile/>",
    ],
    ids=["utf-8", "bom", "windows-1252", "utf-16", "comment and doctype", "bare root"],
)
def test_a_ctf_is_recognised_from_its_first_bytes(head: bytes) -> None:
    assert detect(Path("anything.xml"), head[:8192]) is True


@pytest.mark.parametrize(
    "head",
    [
        (FILES / "admissions_atf.xml").read_bytes(),
        b'<?xml version="1.0"?><LearnerPersonals xmlns="http://www.sifinfo.org/uk/datamodel/2.0">',
        b'<?xml version="1.0"?><SuperStarReport><Record><UPN>H801200001001</UPN></Record>',
        b'{"CTfile": {"Header": {}}}',
        b"UPN,Surname\nH801200001001,Okafor\n",
        b"\x00\x01\x02\xff\xfe",
        b"",
        b"<CTfileX/>",
    ],
    ids=["admissions", "sif", "sims report", "json", "csv", "binary", "empty", "longer root name"],
)
def test_anything_else_is_declined(head: bytes) -> None:
    assert detect(Path("anything.xml"), head) is False


def test_conventional_names_are_read_and_written_back() -> None:
    for text in (
        "8012000_CTF_8012001_001.xml",
        "8012000_CTF_MMMMMMM_017.xml",
        "8012000_CTF_XXXXXXX_999.xml",
        "8012000_CTF_801LLLL_002.xml",
    ):
        name = CTFName.parse(text)
        assert name is not None
        assert str(name) == text
    assert CTFName.parse("8012000_ctf_mmmmmmm_001.XML") == CTFName("8012000", "MMMMMMM", 1)
    assert CTFName.parse("8012000_CTF_MMMMMMM_1.xml") is None
    assert CTFName.parse("pupils.xml") is None


def test_the_next_free_name_counts_only_files_between_the_same_two_schools(tmp_path: Path) -> None:
    for name in ("8012000_CTF_8012001_004.xml", "8012000_CTF_8023000_009.xml", "notes.txt"):
        (tmp_path / name).write_text("")
    assert str(next_free_name(tmp_path, "8012000", "8012001")) == "8012000_CTF_8012001_005.xml"
    assert str(next_free_name(tmp_path, "8012000", "MMMMMMM")) == "8012000_CTF_MMMMMMM_001.xml"


def test_a_full_run_of_sequence_numbers_is_an_error_not_an_overwrite(tmp_path: Path) -> None:
    (tmp_path / "8012000_CTF_MMMMMMM_999.xml").write_text("")
    with pytest.raises(ValueError, match="already holds CTF number 999"):
        next_free_name(tmp_path, "8012000", "MMMMMMM")
