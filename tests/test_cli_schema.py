"""``sif schema export``: one JSON Schema file per object type."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from jsonschema import Draft202012Validator

from sif_core.cli import main
from sif_core.codec.schema import SCHEMA_DIRECTORY
from sif_core.model import OBJECT_TYPES


def test_export_writes_one_schema_per_object_type(tmp_path: Path) -> None:
    target = tmp_path / "new" / "schemas"

    result = CliRunner().invoke(main, ["schema", "export", str(target)])

    assert result.exit_code == 0, result.output
    files = sorted(target.iterdir())
    assert [path.name for path in files] == sorted(f"{name}.schema.json" for name in OBJECT_TYPES)
    assert result.stdout.splitlines() == [
        str(target / f"{name}.schema.json") for name in OBJECT_TYPES
    ]
    for path in files:
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        assert schema["title"] == path.name.removesuffix(".schema.json")
        assert path.read_bytes() == (SCHEMA_DIRECTORY / path.name).read_bytes()


def test_export_into_a_file_is_refused(tmp_path: Path) -> None:
    occupied = tmp_path / "schemas"
    occupied.write_text("not a directory")
    result = CliRunner().invoke(main, ["schema", "export", str(occupied)])
    assert result.exit_code == 2
    assert "is a file" in result.stderr


def test_help_explains_the_command_in_a_sentence() -> None:
    result = CliRunner().invoke(main, ["--help"])
    (line,) = [line for line in result.stdout.splitlines() if line.strip().startswith("schema")]
    assert "Export the JSON Schemas of SIF JSON, one per object type." in line
    export_help = CliRunner().invoke(main, ["schema", "export", "--help"]).stdout
    assert "Write one JSON Schema file per object type into DIRECTORY" in export_help
