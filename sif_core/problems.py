"""Problems: what is wrong with one record, reported without stopping the others."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from pydantic import ValidationError

__all__ = ["Problem", "Severity", "problems_from_validation_error"]


class Severity(StrEnum):
    """An error rejects the record; a warning keeps it but says something is doubtful."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one record of an input.

    ``source`` is the file (or stream) name, ``record`` says which record in words a person can
    find (``"pupil 12 (UPN H801200001001, SMITH Zoë)"``), ``field`` is the wire path of the field
    (``"Name[0].FamilyName"``) or ``None`` when the whole record is wrong.
    """

    source: str
    record: str
    field: str | None
    message: str
    severity: Severity = Severity.ERROR
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" field {self.field}:" if self.field else ""
        return f"{where}: {self.record}:{field} {self.message}"

    @property
    def is_error(self) -> bool:
        """True when the record is rejected."""
        return self.severity is Severity.ERROR


def _wire_path(loc: Iterable[int | str]) -> str | None:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path or None


def problems_from_validation_error(
    error: ValidationError,
    *,
    source: str,
    record: str,
    line: int | None = None,
) -> Iterator[Problem]:
    """Turn each error pydantic found in one record into a :class:`Problem` (all of them)."""
    for detail in error.errors(include_url=False):
        message = detail["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        yield Problem(
            source=source,
            record=record,
            field=_wire_path(detail["loc"]),
            message=message,
            line=line,
        )
