"""``sif validate``: every problem with file, record and field; exit 1 on any problem."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sif_core.cli import main
from sif_core.codec import dumps_json, dumps_xml
from sif_core.model import LearnerPersonal, Name, NameType, Sex

UPNS = ["H801200001001", "B801200005001", "G80120000101A"]


def _pupils() -> list[LearnerPersonal]:
    return [
        LearnerPersonal(
            ref_id=f"{number:032X}",
            upn=upn,
            names=[Name(type=NameType.LEGAL, given_name="Zoë", family_name="Smith-Jones")],
            date_of_birth=dt.date(2015, 4, 1),
            sex=Sex.F,
        )
        for number, upn in enumerate(UPNS, start=1)
    ]


def _validate(*args: str | Path) -> Result:
    return CliRunner().invoke(main, ["validate", *map(str, args)])


@pytest.mark.parametrize("dump", [dumps_xml, dumps_json], ids=["xml", "json"])
def test_wrong_upn_check_letter_names_the_pupil_and_field(dump: object, tmp_path: Path) -> None:
    assert callable(dump)
    path = tmp_path / "pupils"
    path.write_bytes(dump(_pupils()).replace(b"B801200005001", b"C801200005001"))

    result = _validate(path)

    assert result.exit_code == 1
    (line,) = [line for line in result.stdout.splitlines() if "UPN" in line]
    refid = f"{2:032X}"
    assert line.startswith(f"{path}")
    assert f"LearnerPersonal 2 (RefId {refid}, UPN C801200005001)" in line
    assert "field UPN:" in line
    assert "wrong check letter 'C'" in line
    assert "1 problem" in result.stderr


def test_clean_files_exit_0_and_say_so(tmp_path: Path) -> None:
    xml_file, json_file = tmp_path / "a.xml", tmp_path / "b.json"
    xml_file.write_bytes(dumps_xml(_pupils()))
    json_file.write_bytes(dumps_json(_pupils()[0]))

    result = _validate(xml_file, json_file)

    assert result.exit_code == 0, result.output
    assert f"{xml_file}: 3 objects, no problems" in result.stdout
    assert f"{json_file}: 1 object, no problems" in result.stdout
    assert "2 files, 4 objects valid, 0 problems" in result.stderr


def test_every_problem_of_every_file_is_printed(tmp_path: Path) -> None:
    first, second = tmp_path / "first.xml", tmp_path / "second.xml"
    first.write_bytes(dumps_xml(_pupils()).replace(b"<Sex>F", b"<Sex>Q"))
    second.write_bytes(dumps_xml(_pupils()).replace(b"2015-04-01", b"2015-02-30", 1))

    result = _validate(first, second)

    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert sum(line.startswith(f"{first}:") and "field Sex:" in line for line in lines) == 3
    assert sum(line.startswith(f"{second}:") and "field DateOfBirth:" in line for line in lines)
    assert "4 problems" in result.stderr


def test_malformed_xml_gives_line_and_column_and_other_files_are_still_checked(
    tmp_path: Path,
) -> None:
    broken, good = tmp_path / "broken.xml", tmp_path / "good.xml"
    broken.write_bytes(b'<?xml version="1.0"?>\n<LearnerPersonals>\n  <LearnerPersonal>\n</Oops>\n')
    good.write_bytes(dumps_xml(_pupils()))

    result = _validate(broken, good)

    assert result.exit_code == 1
    assert f"{broken}:4:3: not well-formed XML: mismatched tag" in result.stdout
    assert f"{good}: 3 objects, no problems" in result.stdout
    assert "1 file unreadable" in result.stderr


def test_doctype_with_entities_is_refused_without_expanding(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    hostile = tmp_path / "hostile.xml"
    hostile.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE LAInfo [\n<!ENTITY xxe SYSTEM "{secret.as_uri()}">\n]>\n'
        '<LAInfo RefId="0123456789ABCDEF0123456789ABCDEF"><LAId>801</LAId>'
        "<LAName>&xxe;</LAName></LAInfo>\n"
    )

    result = _validate(hostile)

    assert result.exit_code == 1
    assert f"{hostile}:3:" in result.stdout
    assert "refused" in result.stdout
    assert "TOP-SECRET-CONTENT" not in result.output


def test_json_report_lists_problems_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "pupils.json"
    path.write_bytes(dumps_json(_pupils()).replace(b"B801200005001", b"C801200005001"))
    result = CliRunner().invoke(main, ["validate", "--json", str(path)])
    assert result.exit_code == 1
    (report,) = json.loads(result.stdout)["files"]
    assert report["objects"] == 2
    assert [(p["field"], p["line"]) for p in report["problems"]] == [("UPN", 3)]
    assert report["error"] is None


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = _validate(tmp_path / "nowhere.xml")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_help_explains_the_command_in_a_sentence() -> None:
    result = CliRunner().invoke(main, ["--help"])
    (line,) = [line for line in result.stdout.splitlines() if line.strip().startswith("validate")]
    assert "name each bad record and field." in line


def test_the_installed_sif_command_validates(tmp_path: Path) -> None:
    path = tmp_path / "pupils.xml"
    path.write_bytes(dumps_xml(_pupils()).replace(b"B801200005001", b"C801200005001"))
    sif = Path(sys.executable).with_name("sif")
    completed = subprocess.run([str(sif), "validate", str(path)], capture_output=True, text=True)
    assert completed.returncode == 1
    assert "field UPN: wrong check letter" in completed.stdout
