"""Bad SIMS reports: each bad record is a Problem naming record, key and caption; the rest read."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.sims import SPEC
from sif_core.errors import HostileXMLError, MalformedDocumentError
from sif_core.model import LearnerPersonal
from sif_core.problems import Severity
from sif_core.tabular import MappingError, WrongEncodingError
from tests.adapters.sims.conftest import CSV_REPORT, XML_REPORT, of_type, read


def edited(tmp_path: Path, source: Path, old: str, new: str, count: int = -1) -> Path:
    path = tmp_path / source.name
    encoding = "cp1252" if source.suffix == ".csv" else "utf-8"
    text = source.read_text(encoding=encoding)
    assert old in text
    path.write_text(text.replace(old, new, count), encoding=encoding, newline="")
    return path


def test_wrong_upn_names_the_record_key_and_caption_and_others_are_read(tmp_path: Path) -> None:
    path = edited(tmp_path, XML_REPORT, "B801200005001", "Z801200005001")
    objects, problems, _ = read(path)
    (problem,) = problems
    assert (problem.record, problem.field) == ("record 3 (ID 1002)", "UPN")
    assert "wrong check letter 'Z'" in problem.message
    assert [lp.local_id for lp in of_type(objects, LearnerPersonal)] == ["000101", "000103"]


def test_csv_problem_gives_the_line_and_the_value_map_it_missed(tmp_path: Path) -> None:
    path = edited(tmp_path, CSV_REPORT, ",Male,", ",Boy,")
    objects, problems, _ = read(path)
    (problem,) = problems
    assert (problem.record, problem.line, problem.field) == ("row 4 (ID 1002)", 4, "Gender")
    assert "'Boy' has no entry in the value map of column 'Gender'" in problem.message
    assert "student_details.toml:" in problem.message
    assert len(of_type(objects, LearnerPersonal)) == 2


def test_day_and_month_swapped_is_a_problem_not_a_wrong_date(tmp_path: Path) -> None:
    path = edited(tmp_path, CSV_REPORT, "30/06/2019", "06/30/2019")
    _, problems, _ = read(path)
    (problem,) = problems
    assert (problem.field, problem.line) == ("DOB", 5)
    assert "not a real date" in problem.message


def test_record_with_nested_elements_is_a_problem_and_the_others_are_read(tmp_path: Path) -> None:
    path = edited(tmp_path, XML_REPORT, "<Gender>Male</Gender>", "<Gender><M/></Gender>")
    objects, problems, _ = read(path)
    (problem,) = problems
    assert problem.record == "record 3"
    assert "'Gender' holds elements" in problem.message
    assert len(of_type(objects, LearnerPersonal)) == 2


def test_entity_declarations_are_refused(tmp_path: Path) -> None:
    path = edited(
        tmp_path,
        XML_REPORT,
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY boom "boom">]>',
    )
    with pytest.raises(HostileXMLError):
        read(path)


def test_broken_xml_names_line_and_column(tmp_path: Path) -> None:
    path = edited(tmp_path, XML_REPORT, "<Town>Bristol</Town>", "<Town>Bristol</Twn>", 1)
    with pytest.raises(MalformedDocumentError) as caught:
        read(path)
    assert (caught.value.line, caught.value.column) == (18, 20)
    assert caught.value.source == str(path)


def test_another_xml_document_is_not_taken_for_a_report(tmp_path: Path) -> None:
    path = tmp_path / "ctf.xml"
    path.write_text("<CTfile><Header><X>1</X></Header></CTfile>", encoding="utf-8")
    with pytest.raises(MalformedDocumentError, match="not a SIMS CommandReporter report"):
        read(path)


def test_a_mapping_saying_utf8_for_a_windows_1252_file_names_windows_1252(
    tmp_path: Path,
) -> None:
    mapping = tmp_path / "captions.toml"
    shipped = Path(SPEC.read.__code__.co_filename).with_name("student_details.toml")
    mapping.write_text(
        shipped.read_text(encoding="utf-8").replace('encoding = "auto"', 'encoding = "utf-8"'),
        encoding="utf-8",
    )
    with pytest.raises(WrongEncodingError) as caught:
        read(CSV_REPORT, mapping=str(mapping))
    assert "Windows-1252" in caught.value.message
    assert caught.value.line == 2


def test_mapping_naming_an_unknown_field_names_its_line_and_column(tmp_path: Path) -> None:
    mapping = tmp_path / "captions.toml"
    mapping.write_text(
        '[keys]\nlearner = ["ID"]\n\n[columns]\n"DOB" = "LearnerPersonal.Birthday"\n',
        encoding="utf-8",
    )
    with pytest.raises(MappingError) as caught:
        read(CSV_REPORT, mapping=str(mapping))
    assert (caught.value.source, caught.value.line, caught.value.column) == (str(mapping), 5, 9)


def test_a_learner_repeated_with_other_details_is_a_warning_naming_its_first_record(
    tmp_path: Path,
) -> None:
    text = XML_REPORT.read_text(encoding="utf-8")
    first_ends = text.index("</Record>")
    forename = "<Legal_x0020_Forename>Zoë</Legal_x0020_Forename>"
    assert forename in text[first_ends:]
    path = tmp_path / XML_REPORT.name
    changed = text[first_ends:].replace(forename, forename.replace("Zoë", "Zoe"), 1)
    path.write_text(text[:first_ends] + changed, encoding="utf-8")

    objects, problems, _ = read(path)

    (warning,) = problems
    assert warning.severity is Severity.WARNING
    assert warning.record == "record 2 (ID 1001)"
    assert warning.message.startswith(
        "repeats the learner of record 1 with different learner details (columns Legal Forename)"
    )
    names = [lp.legal_name.given_name for lp in of_type(objects, LearnerPersonal)]
    assert names[0] == "Zoë"  # the first record is kept
