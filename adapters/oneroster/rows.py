"""Reading the rows of a OneRoster bundle: values by column, checks every file shares, Problems.

:class:`BundleRows` is the base of the bundle reader: it opens each listed file, checks the
values every row must have, and builds SIF objects with Problems that name the file, the row's
line and sourcedId, and the column.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, Final

from pydantic import ValidationError

from adapters.oneroster.bundle import Bundle
from adapters.oneroster.spec import HEADERS, REQUIRED
from sif_core.adapter import ReadContext
from sif_core.model import OBJECT_TYPES, SIFObject
from sif_core.problems import Problem
from sif_core.tabular import CSVTable, Row, refid_for_key

__all__ = ["BundleRows", "Values", "sourced_ref", "split_list"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# The date columns of each file (a file has no other columns but metadata.* extensions).
_DATE_COLUMNS: Final = {
    name: tuple(c for c in ("birthDate", "beginDate", "endDate", "startDate") if c in header)
    for name, header in HEADERS.items()
}

#: A row's values by column name; a column the file does not have reads as ``""``.
Values = defaultdict[str, str]


def sourced_ref(context: ReadContext, object_type: str, sourced_id: str) -> str:
    """The RefId for ``sourced_id``: itself when it is one, else derived deterministically."""
    return refid_for_key(context, object_type, (sourced_id,))


def split_list(text: str) -> list[str]:
    """A OneRoster list field (``a,b,c``) as its items."""
    return [item.strip() for item in text.split(",") if item.strip()]


class BundleRows:
    """Shared state and helpers of the bundle reader."""

    def __init__(self, bundle: Bundle, context: ReadContext) -> None:
        self.bundle = bundle
        self.context = context
        self.latest_change = ""

    def rows(self, name: str) -> Iterator[tuple[CSVTable, Row | Problem, Values]]:
        """Each row of the file ``name`` (none when the manifest does not list it), with its
        values by column: ``""`` for a column the file does not have."""
        if not self.bundle.listed(name):
            return
        table = self.bundle.table(name, REQUIRED[name])
        header = table.header
        for row in table.rows():
            if isinstance(row, Problem):
                yield table, row, defaultdict(str)
            else:
                yield table, row, defaultdict(str, zip(header, row.cells, strict=True))

    def cell(self, table: CSVTable, row: Row, column: str) -> str:
        index = table.index.get(column)
        return row.cells[index] if index is not None else ""

    def problem(self, table: CSVTable, row: Row, column: str | None, message: str) -> Problem:
        sourced_id = self.cell(table, row, "sourcedId") or "?"
        return Problem(
            source=table.source,
            record=f"row {row.line} (sourcedId {sourced_id})",
            field=column,
            message=message,
            line=row.line,
        )

    def checked(self, table: CSVTable, row: Row, values: Values, name: str) -> list[Problem]:
        """Problems with the row's required values, status and dates; notes its change time."""
        found = [
            self.problem(table, row, column, f"{column} is required in OneRoster 1.1")
            for column in REQUIRED[name]
            if not values[column]
        ]
        status = values["status"]
        if status not in ("", "active", "tobedeleted"):
            found.append(
                self.problem(
                    table, row, "status", f"status is active or tobedeleted, not {status!r}"
                )
            )
        for column in _DATE_COLUMNS[name]:
            value = values[column]
            if value and not _DATE.match(value):
                found.append(
                    self.problem(table, row, column, f"{value!r} is not a date yyyy-mm-dd")
                )
        changed = values["dateLastModified"]
        if changed > self.latest_change:
            self.latest_change = changed
        return found

    def build(
        self,
        object_type: str,
        wire: dict[str, Any],
        columns: dict[tuple[str | int, ...], str],
        table: CSVTable,
        row: Row,
    ) -> tuple[SIFObject | None, list[Problem]]:
        try:
            return OBJECT_TYPES[object_type].__pydantic_validator__.validate_python(wire), []
        except ValidationError as error:
            problems = []
            for detail in error.errors(include_url=False):
                loc = tuple(detail["loc"])
                column = next(
                    (
                        c
                        for where, c in columns.items()
                        if where[: len(loc)] == loc or loc[: len(where)] == where
                    ),
                    None,
                )
                message = str(detail["msg"]).removeprefix("Value error, ")
                problems.append(self.problem(table, row, column, f"{message} ({object_type})"))
            return None, problems

    # -- files ----------------------------------------------------------------------------
