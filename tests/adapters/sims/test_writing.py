"""Writing CommandReporter reports, which is how a test school's SIMS export is made."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path
from xml.parsers import expat

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.sims import SPEC
from adapters.sims.captions import caption_of, element_name
from sif_core.adapter import WriteContext
from sif_core.errors import AdapterError
from sif_core.model import LearnerPersonal, Name, NameType, Sex, SIFObject
from tests.adapters.sims.conftest import XML_REPORT, read


def report_objects() -> list[SIFObject]:
    objects, _, _ = read(XML_REPORT)
    return objects


def test_writing_to_a_folder_makes_a_report_that_reads_back_the_same(tmp_path: Path) -> None:
    objects = report_objects()
    assert SPEC.write is not None
    SPEC.write(objects, tmp_path, WriteContext())
    written = tmp_path / "StudentDetails.xml"
    text = written.read_text(encoding="utf-8")
    assert "<Middle_x0020_Name_x0028_s_x0029_>Ann</Middle_x0020_Name_x0028_s_x0029_>" in text
    assert "<DOB>2015-03-04T00:00:00</DOB>" in text
    assert read(written)[0] == objects


def test_csv_is_written_with_a_bom_and_day_first_dates(tmp_path: Path) -> None:
    assert SPEC.write is not None
    target = tmp_path / "export.csv"
    SPEC.write(report_objects(), target, WriteContext())
    data = target.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    assert ",04/03/2015,Female," in data.decode("utf-8-sig")
    assert read(target)[0] == report_objects()


def test_windows_1252_cannot_hold_every_name_and_nothing_is_left_half_written(
    tmp_path: Path,
) -> None:
    assert SPEC.write is not None
    learner = LearnerPersonal(
        ref_id="A" * 32,
        names=[Name(type=NameType.LEGAL, given_name="Aleksandra", family_name="Wiśniewska")],
        date_of_birth=dt.date(2014, 2, 1),
        sex=Sex.F,
    )
    target = tmp_path / "export.csv"
    with pytest.raises(AdapterError, match="'ś' cannot be written in windows-1252"):
        SPEC.write([learner], target, WriteContext(options={"encoding": "windows-1252"}))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("caption", "element"),
    [
        ("Legal Surname", "Legal_x0020_Surname"),
        ("Middle Name(s)", "Middle_x0020_Name_x0028_s_x0029_"),
        ("2nd Contact", "_x0032_nd_x0020_Contact"),
        ("Odd_x0041_Name", "Odd_x005F_x0041_Name"),
    ],
)
def test_captions_are_encoded_as_commandreporter_does(caption: str, element: str) -> None:
    assert element_name(caption) == element
    assert caption_of(element) == caption


@given(st.text(min_size=1, max_size=30).filter(lambda t: "\x00" not in t))
def test_any_caption_becomes_a_valid_element_name_and_back(caption: str) -> None:
    name = element_name(caption)
    parser = expat.ParserCreate()
    parser.Parse(f"<{name}/>", True)
    assert caption_of(name) == caption
