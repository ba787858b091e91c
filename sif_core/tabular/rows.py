"""CSV files as numbered rows: header checked, encoding resolved, every row located in the file.

:class:`CSVTable` reads a CSV export (from disk or from a zip member) one row at a time. Each
:class:`Row` carries the line it starts on, so every Problem can send a person to the right line
of the file as a spreadsheet shows it (the header is line 1).
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sif_core.errors import MalformedDocumentError
from sif_core.problems import Problem
from sif_core.tabular.encoding import AUTO, ByteOpener, EncodingFinding, resolve_encoding

__all__ = ["CSVTable", "Row"]

csv.field_size_limit(min(sys.maxsize, 1 << 24))


@dataclass(frozen=True, slots=True)
class Row:
    """One record of a table: ``line`` is where it starts (1-based, ``None`` when the input has
    no lines, as in XML), ``number`` its position among the data rows (1-based), ``cells`` its
    values in header order (stripped of surrounding spaces, padded with ``""``)."""

    line: int | None
    number: int
    cells: Sequence[str]


class CSVTable:
    """A CSV file with a header row, read lazily.

    The encoding is resolved when the table is opened (:func:`resolve_encoding`: the whole file is
    checked first, so a wrong encoding is an error before any row is used, never mojibake). The
    header is read at once: captions are stripped, and an empty header or a caption given twice
    raises :class:`MalformedDocumentError`.
    """

    def __init__(
        self,
        open_bytes: ByteOpener,
        *,
        source: str,
        encoding: str = AUTO,
        delimiter: str = ",",
    ) -> None:
        self.source = source
        self.delimiter = delimiter
        self._open_bytes = open_bytes
        self.encoding: EncodingFinding = resolve_encoding(open_bytes, encoding, source=source)
        self.header: tuple[str, ...] = self._read_header()
        self.index: dict[str, int] = {caption: i for i, caption in enumerate(self.header)}

    @classmethod
    def from_path(cls, path: Path, *, encoding: str = AUTO, delimiter: str = ",") -> CSVTable:
        """The table in the file at ``path`` (named by its path in errors)."""
        return cls(
            lambda: path.open("rb"), source=str(path), encoding=encoding, delimiter=delimiter
        )

    def _text(self) -> io.TextIOWrapper:
        return io.TextIOWrapper(self._open_bytes(), encoding=self.encoding.codec, newline="")

    def _read_header(self) -> tuple[str, ...]:
        with self._text() as text:
            reader = csv.reader(text, delimiter=self.delimiter, strict=False)
            first = next(reader, None)
        if first is None or not any(cell.strip() for cell in first):
            raise MalformedDocumentError(
                "the file is empty or its first line is blank; it needs a header row of column "
                "names",
                source=self.source,
                line=1,
            )
        header = tuple(cell.strip() for cell in first)
        seen: dict[str, int] = {}
        for position, caption in enumerate(header, start=1):
            if caption in seen:
                raise MalformedDocumentError(
                    f"the header names column {caption!r} twice (columns {seen[caption]} and "
                    f"{position}); rename one so each column has its own name",
                    source=self.source,
                    line=1,
                    column=position,
                )
            if caption:
                seen[caption] = position
        return header

    def rows(self) -> Iterator[Row | Problem]:
        """Every data row in order; a :class:`Problem` instead of a row that cannot be used.

        Blank lines are skipped; a row with fewer cells than the header is padded with empty
        values; a row with more is a Problem (usually an unquoted delimiter inside a value).
        """
        width = len(self.header)
        with self._text() as text:
            reader = csv.reader(text, delimiter=self.delimiter, strict=True)
            try:
                next(reader)
                last_line, number = reader.line_num, 0
                for cells in reader:
                    line = last_line + 1
                    last_line = reader.line_num
                    if not any(cells):
                        continue
                    number += 1
                    if len(cells) > width and any(cell.strip() for cell in cells[width:]):
                        yield Problem(
                            source=self.source,
                            record=f"row {line}",
                            field=None,
                            message=(
                                f"the row has {len(cells)} values but the header has {width} "
                                "columns; a value holding the delimiter must be in quotes"
                            ),
                            line=line,
                        )
                        continue
                    if len(cells) > width:
                        del cells[width:]
                    stripped = list(map(str.strip, cells))
                    if len(stripped) < width:
                        stripped.extend([""] * (width - len(stripped)))
                    yield Row(line, number, stripped)
            except csv.Error as error:
                raise MalformedDocumentError(
                    f"not well-formed CSV: {error}; fix the file at this line or export it again",
                    source=self.source,
                    line=reader.line_num,
                ) from None
