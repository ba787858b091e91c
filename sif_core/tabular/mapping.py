"""Table mappings: a TOML file saying which column of an export fills which SIF field.

The format (``sif adapters show csvmap`` prints it with an example)::

    [file]
    encoding = "auto"          # or utf-8, windows-1252 ... (checked against the bytes)
    delimiter = ","
    date_format = "%d/%m/%Y"   # default for date columns; ISO dates are always accepted
    missing_columns = "error"  # or "ignore": mapped columns absent from the file are skipped

    [keys]
    learner = ["Admission No"] # columns identifying a learner; RefIds are derived from them
    contact = ["Contact ID"]   # optional; without it a contact is identified by its values

    [defaults]                 # values for fields no column gives (or whose cell is empty)
    "LearnerSchoolEnrolment.MembershipType" = "C"

    [columns]
    "Admission No" = "LearnerPersonal.LocalId"
    "Gender" = { field = "LearnerPersonal.Sex", values = { Male = "M", Female = "F" } }
    "Start" = { field = "LearnerSchoolEnrolment.EntryDate", date_format = "%Y-%m-%d" }

Every mistake is a :class:`MappingError` naming the mapping file, line and column.
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from sif_core.errors import CodecError
from sif_core.tabular.checks import missing_requirement, value_problem
from sif_core.tabular.dates import UK_DATE, format_date, parse_date
from sif_core.tabular.encoding import AUTO
from sif_core.tabular.fields import FIELDS, FieldSpec, Kind
from sif_core.tabular.tomlpos import Position, TomlPositions, toml_positions

__all__ = ["ColumnRule", "MappingError", "TableMapping", "load_mapping", "parse_mapping"]

MissingColumns = Literal["error", "ignore"]
Value = str | bool | int

_SAMPLE_DATE: Final = dt.date(2013, 11, 28)
_TOML_AT: Final = re.compile(r" \(at line (\d+), column (\d+)\)")
_TOP: Final = ("file", "keys", "defaults", "columns")
_FILE_KEYS: Final = ("encoding", "delimiter", "date_format", "missing_columns")
_RULE_KEYS: Final = ("field", "values", "date_format")


class MappingError(CodecError):
    """A mapping file is wrong; ``line`` and ``column`` point into the mapping file."""


@dataclass(frozen=True)
class ColumnRule:
    """One column of the export and the field it fills.

    ``values`` maps the export's local values to the field's values (``"Male"`` -> ``"M"``);
    when present, a value missing from it is a Problem. ``where`` is the rule's place in the
    mapping file, for messages.
    """

    column: str
    field: FieldSpec
    values: Mapping[str, Value] | None
    date_formats: tuple[str, ...]
    source: str
    position: Position | None
    values_position: Position | None = None

    @property
    def where(self) -> str:
        """``mapping-file:line`` of this rule."""
        if self.position is None:
            return self.source
        return f"{self.source}:{self.position.line}"

    @property
    def values_where(self) -> str:
        """``mapping-file:line`` of this rule's value map."""
        position = self.values_position or self.position
        return f"{self.source}:{position.line}" if position else self.source


@dataclass(frozen=True)
class TableMapping:
    """A validated mapping: file settings, key columns, defaults and column rules."""

    source: str
    text: str
    encoding: str
    delimiter: str
    date_format: str
    missing_columns: MissingColumns
    learner_key: tuple[str, ...]
    contact_key: tuple[str, ...]
    defaults: Mapping[str, Value]
    rules: tuple[ColumnRule, ...]
    positions: TomlPositions = field(repr=False, compare=False, default_factory=TomlPositions)

    def where(self, *path: str | int) -> str:
        """``file:line:column`` of the key at ``path`` in the mapping file."""
        position = self.positions.key(path)
        if position is None:
            return self.source
        return f"{self.source}:{position.line}:{position.column}"

    def targets(self) -> set[str]:
        """The objects this mapping fills (``LearnerPersonal``, ``ContactPersonal`` ...)."""
        names = {rule.field.target for rule in self.rules}
        return names | {FIELDS[name].target for name in self.defaults}


def load_mapping(path: Path) -> TableMapping:
    """Read and validate the mapping file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise MappingError(
            f"a mapping file is UTF-8 text; byte 0x{error.object[error.start]:02X} is not UTF-8",
            source=str(path),
        ) from None
    except OSError as error:
        raise MappingError(
            f"cannot read the mapping file: {error.strerror}", source=str(path)
        ) from None
    return parse_mapping(text, source=str(path))


def parse_mapping(text: str, *, source: str = "<mapping>") -> TableMapping:
    """Validate mapping ``text``; ``source`` names it in errors."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # Python 3.11's tomllib gives the position only in its message: "(at line 6, column 12)".
        found = _TOML_AT.search(str(error))
        line, column = (int(found[1]), int(found[2])) if found else (None, None)
        message = _TOML_AT.sub("", str(error))
        raise MappingError(
            f"not valid TOML: {message}", source=source, line=line, column=column
        ) from None
    return _Builder(document, text, source).build()


def _suggest(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


class _Builder:
    def __init__(self, document: dict[str, Any], text: str, source: str) -> None:
        self.document = document
        self.text = text
        self.source = source
        self.positions = toml_positions(text)

    def error(self, message: str, *path: str | int, value: bool = False) -> MappingError:
        position: Position | None = (
            self.positions.value(path) if value else self.positions.key(path)
        )
        return MappingError(
            message,
            source=self.source,
            line=position.line if position else None,
            column=position.column if position else None,
        )

    def table(self, name: str) -> dict[str, Any]:
        found = self.document.get(name, {})
        if not isinstance(found, dict):
            raise self.error(f"[{name}] must be a table", name)
        return found

    def build(self) -> TableMapping:
        for name in self.document:
            if name not in _TOP:
                raise self.error(
                    f"unknown table or key {name!r}; a mapping has [file], [keys], [defaults] "
                    f"and [columns]{_suggest(name, list(_TOP))}",
                    name,
                )
        settings = self.table("file")
        for name in settings:
            if name not in _FILE_KEYS:
                raise self.error(
                    f"unknown setting {name!r} in [file]; known: {', '.join(_FILE_KEYS)}"
                    f"{_suggest(name, list(_FILE_KEYS))}",
                    "file",
                    name,
                )
        encoding = self.text_setting(settings, "encoding", AUTO)
        if encoding.lower() != AUTO:
            try:
                codecs.lookup(encoding)
            except LookupError:
                raise self.error(
                    f"unknown encoding {encoding!r}; use auto, utf-8, windows-1252 or another "
                    "codec name",
                    "file",
                    "encoding",
                    value=True,
                ) from None
        delimiter = self.text_setting(settings, "delimiter", ",")
        if len(delimiter) != 1:
            raise self.error("the delimiter is one character", "file", "delimiter", value=True)
        date_format = self.date_format(settings.get("date_format", UK_DATE), "file", "date_format")
        missing = self.text_setting(settings, "missing_columns", "error")
        if missing not in ("error", "ignore"):
            raise self.error(
                'missing_columns is "error" or "ignore"', "file", "missing_columns", value=True
            )
        columns = self.table("columns")
        if not columns:
            raise self.error("the mapping maps no columns: add a [columns] table", "columns")
        rules = tuple(self.rule(column, spec, date_format) for column, spec in columns.items())
        self.no_field_twice(rules)
        defaults = self.defaults()
        learner_key, contact_key = self.keys()
        mapping = TableMapping(
            source=self.source,
            text=self.text,
            encoding=encoding,
            delimiter=delimiter,
            date_format=date_format,
            missing_columns="ignore" if missing == "ignore" else "error",
            learner_key=learner_key,
            contact_key=contact_key,
            defaults=defaults,
            rules=rules,
            positions=self.positions,
        )
        problem = missing_requirement({rule.field.name for rule in rules} | set(mapping.defaults))
        if problem:
            raise self.error(problem, "columns")
        return mapping

    def text_setting(self, settings: dict[str, Any], name: str, default: str) -> str:
        value = settings.get(name, default)
        if not isinstance(value, str):
            raise self.error(f"{name} must be a string", "file", name, value=True)
        return value

    def date_format(self, value: Any, *path: str | int) -> str:
        if not isinstance(value, str) or "%" not in value:
            raise self.error(
                'a date format is a strftime pattern such as "%d/%m/%Y"', *path, value=True
            )
        try:
            sample = format_date(_SAMPLE_DATE, value)
            ok = parse_date(sample, (value,)) == _SAMPLE_DATE
        except ValueError:
            ok = False
        if not ok:
            raise self.error(
                f"the date format {value!r} cannot write and read back a date; it needs day, "
                "month and year (%d, %m or %b, %Y)",
                *path,
                value=True,
            )
        return value

    def field_spec(self, name: Any, *path: str | int) -> FieldSpec:
        if not isinstance(name, str):
            raise self.error(
                'a field is named by a string such as "LearnerPersonal.UPN"', *path, value=True
            )
        spec = FIELDS.get(name)
        if spec is None:
            raise self.error(
                f"unknown field {name!r}{_suggest(name, list(FIELDS))} "
                "(`sif adapters show csvmap` lists every field)",
                *path,
                value=True,
            )
        return spec

    def rule(self, column: str, entry: Any, default_format: str) -> ColumnRule:
        path: tuple[str | int, ...] = ("columns", column)
        if not column.strip():
            raise self.error("a column name cannot be empty", *path)
        if isinstance(entry, str):
            spec = self.field_spec(entry, *path)
            return ColumnRule(
                column, spec, None, (default_format,), self.source, self.positions.key(path)
            )
        if not isinstance(entry, dict):
            raise self.error(
                f"column {column!r} maps to a field name or to a table with field, values and "
                "date_format",
                *path,
                value=True,
            )
        for name in entry:
            if name not in _RULE_KEYS:
                raise self.error(
                    f"unknown key {name!r} for column {column!r}; known: {', '.join(_RULE_KEYS)}"
                    f"{_suggest(name, list(_RULE_KEYS))}",
                    *path,
                    name,
                )
        if "field" not in entry:
            raise self.error(f"column {column!r} does not say which field it fills", *path)
        spec = self.field_spec(entry["field"], *path, "field")
        formats = (default_format,)
        if "date_format" in entry:
            if spec.kind is not Kind.DATE:
                raise self.error(
                    f"column {column!r} fills {spec.name}, which is not a date",
                    *path,
                    "date_format",
                )
            formats = (self.date_format(entry["date_format"], *path, "date_format"),)
        values = None
        if "values" in entry:
            raw = entry["values"]
            if not isinstance(raw, dict) or not raw:
                raise self.error("values is a table of local value = field value", *path, "values")
            if spec.kind in (Kind.DATE, Kind.LIST, Kind.LAESTAB):
                raise self.error(
                    f"{spec.name} is a {spec.kind.value}; it cannot have a value map",
                    *path,
                    "values",
                )
            values = {
                local: self.check_value(spec, target, *path, "values", local)
                for local, target in raw.items()
            }
        return ColumnRule(
            column,
            spec,
            values,
            formats,
            self.source,
            self.positions.key(path),
            self.positions.key((*path, "values")) if values else None,
        )

    def check_value(self, spec: FieldSpec, value: Any, *path: str | int) -> Value:
        problem = value_problem(spec, value)
        if problem:
            raise self.error(problem, *path, value=True)
        assert isinstance(value, str | bool | int)
        return value

    def no_field_twice(self, rules: tuple[ColumnRule, ...]) -> None:
        first: dict[str, ColumnRule] = {}
        for rule in rules:
            earlier = first.get(rule.field.name)
            if earlier is not None:
                raise self.error(
                    f"{rule.field.name} is already filled by column {earlier.column!r} "
                    f"({earlier.where}); a field takes one column",
                    "columns",
                    rule.column,
                )
            first[rule.field.name] = rule

    def defaults(self) -> dict[str, Value]:
        found: dict[str, Value] = {}
        for name, value in self.table("defaults").items():
            spec = self.field_spec(name, "defaults", name)
            found[spec.name] = self.check_value(spec, value, "defaults", name)
        return found

    def keys(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        keys = self.table("keys")
        for name in keys:
            if name not in ("learner", "contact"):
                raise self.error(
                    f"unknown key set {name!r}; [keys] has learner and contact", "keys", name
                )
        if "learner" not in keys:
            raise self.error(
                '[keys] must name the learner key columns, e.g. learner = ["Admission No"]',
                "keys",
            )
        return self.key_list(keys, "learner"), self.key_list(keys, "contact")

    def key_list(self, keys: dict[str, Any], name: str) -> tuple[str, ...]:
        value = keys.get(name, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(f"{name} is a list of column names", "keys", name, value=True)
        if name == "learner" and not value:
            raise self.error("the learner key needs at least one column", "keys", name, value=True)
        return tuple(value)
