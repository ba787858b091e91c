"""Conformance statements: what a target claims, read from a TOML file and checked at once.

An adapter's statement (every table optional)::

    [target]
    adapter = "acme"                 # must agree with the adapter named on the command line
    [claims]
    reads = ["SchoolInfo", "LearnerPersonal"]   # default: every type the adapter declares
    writes = []                      # default: every type it declares; [] claims no writing
    xml = false                      # default: true when a sample is XML
    [read]
    source_system = "conformance"    # seeds deterministic RefIds
    options = { laestab = "8012000" }
    [write]
    options = {}
    target = "export.json"           # file name for what the kit writes (default: a sample's)
    [samples]
    include = ["*.json"]             # default: the entries the adapter's file_patterns match
    [[bad_samples]]                  # reference files with one known bad record each
    path = "bad/wrong-upn.json"
    record = "S00018"                # text the Problem's record must contain
    field = "UPN"                    # text its field must contain
    reason = "check letter"          # text its message must contain

A zone's statement::

    [target]
    name = "Northshire zone"
    version = "2.4"
    [claims]
    workflows = ["approval", "transfer"]

Mistakes are reported together by :class:`StatementError`, each with its line.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from sif_core.errors import SIFError
from sif_core.model import OBJECT_TYPES
from sif_core.tabular.tomlpos import toml_positions

__all__ = [
    "AdapterStatement",
    "BadSample",
    "StatementError",
    "ZoneStatement",
    "load_adapter_statement",
    "load_zone_statement",
    "parse_adapter_statement",
    "parse_toml_model",
    "parse_zone_statement",
]

M = TypeVar("M", bound=BaseModel)
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class StatementError(SIFError):
    """A statement (or kit configuration) file cannot be used; ``problems`` lists each mistake."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} problem(s):\n  " + "\n  ".join(problems))


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _AdapterTarget(_Table):
    adapter: Text | None = None


class _AdapterClaims(_Table):
    reads: list[str] | None = None
    writes: list[str] | None = None
    xml: bool | None = None

    @field_validator("reads", "writes")
    @classmethod
    def _known_types(cls, names: list[str] | None) -> list[str] | None:
        unknown = [name for name in names or () if name not in OBJECT_TYPES]
        if unknown:
            raise ValueError(f"unknown object type(s) {unknown}; known: {', '.join(OBJECT_TYPES)}")
        return names


class _Read(_Table):
    source_system: Text = "conformance-kit"
    options: dict[str, str] = Field(default_factory=dict)


class _Write(_Table):
    options: dict[str, str] = Field(default_factory=dict)
    target: Text | None = None

    @field_validator("target")
    @classmethod
    def _plain_name(cls, value: str | None) -> str | None:
        if value is not None and (Path(value).name != value or value in (".", "..")):
            raise ValueError(f"{value!r} must be a file name, without folders")
        return value


class _Samples(_Table):
    include: list[Text] | None = None


class BadSample(_Table):
    """A reference file with a known bad record, and what the Problem about it must say."""

    path: Text
    record: Text | None = None
    field: Text | None = None
    reason: Text | None = None


class AdapterStatement(_Table):
    """What an adapter claims and how the kit should drive it (see the module's example)."""

    target: _AdapterTarget = Field(default_factory=_AdapterTarget)
    claims: _AdapterClaims = Field(default_factory=_AdapterClaims)
    read: _Read = Field(default_factory=_Read)
    write: _Write = Field(default_factory=_Write)
    samples: _Samples = Field(default_factory=_Samples)
    bad_samples: list[BadSample] = Field(default_factory=list)


class _ZoneTarget(_Table):
    name: Text | None = None
    version: Text | None = None


class _ZoneClaims(_Table):
    workflows: list[Literal["approval", "transfer"]] = Field(default_factory=list)


class ZoneStatement(_Table):
    """What a zone claims: its name and version, and the workflows it offers."""

    target: _ZoneTarget = Field(default_factory=_ZoneTarget)
    claims: _ZoneClaims = Field(default_factory=_ZoneClaims)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as error:
        raise StatementError(str(path), [f"cannot read it: {error.strerror or error}"]) from None
    except UnicodeDecodeError:
        raise StatementError(str(path), ["it is not UTF-8 text"]) from None


def parse_toml_model(model: type[M], text: str, source: str) -> M:
    """Validate TOML ``text`` as ``model``; :class:`StatementError` names each mistake's line."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise StatementError(source, [f"not valid TOML: {error}"]) from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        positions = toml_positions(text)
        problems = []
        for detail in error.errors(include_url=False):
            location = tuple(detail["loc"])
            position = positions.key(location)
            where = f"line {position.line}: " if position else ""
            dotted = ".".join(str(part) for part in location)
            message = detail["msg"].removeprefix("Value error, ")
            problems.append(f"{where}{dotted}: {message}")
        raise StatementError(source, problems) from None


def parse_adapter_statement(text: str, *, source: str = "<statement>") -> AdapterStatement:
    """Validate the text of an adapter's conformance statement."""
    return parse_toml_model(AdapterStatement, text, source)


def load_adapter_statement(path: Path) -> AdapterStatement:
    """Read and validate the adapter statement at ``path``."""
    return parse_adapter_statement(_read(path), source=str(path))


def parse_zone_statement(text: str, *, source: str = "<statement>") -> ZoneStatement:
    """Validate the text of a zone's conformance statement."""
    return parse_toml_model(ZoneStatement, text, source)


def load_zone_statement(path: Path) -> ZoneStatement:
    """Read and validate the zone statement at ``path``."""
    return parse_zone_statement(_read(path), source=str(path))
