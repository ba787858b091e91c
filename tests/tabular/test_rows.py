"""CSV rows carry their line; broken rows are Problems, broken headers are errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from sif_core.errors import MalformedDocumentError
from sif_core.problems import Problem
from sif_core.tabular import CSVTable, Row


def table(tmp_path: Path, text: str) -> CSVTable:
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8", newline="")
    return CSVTable.from_path(path)


def test_rows_know_the_line_they_start_on_even_after_a_multiline_value(tmp_path: Path) -> None:
    found = list(table(tmp_path, 'A,B\r\n1,"two\r\nlines"\r\n\r\n3,4\r\n').rows())
    assert [(r.line, r.number, list(r.cells)) for r in found if isinstance(r, Row)] == [
        (2, 1, ["1", "two\r\nlines"]),
        (5, 2, ["3", "4"]),
    ]


def test_short_rows_are_padded_and_values_stripped(tmp_path: Path) -> None:
    (row,) = table(tmp_path, "A,B,C\n 1 ,2\n").rows()
    assert isinstance(row, Row)
    assert list(row.cells) == ["1", "2", ""]


def test_row_with_too_many_values_is_a_problem_and_the_next_row_still_reads(
    tmp_path: Path,
) -> None:
    found = list(table(tmp_path, "A,B\n1,2,3\n4,5\n").rows())
    problem, row = found
    assert isinstance(problem, Problem)
    assert problem.line == 2
    assert "3 values but the header has 2" in problem.message
    assert isinstance(row, Row)
    assert list(row.cells) == ["4", "5"]


def test_a_caption_given_twice_is_refused_naming_both_columns(tmp_path: Path) -> None:
    with pytest.raises(MalformedDocumentError) as caught:
        table(tmp_path, "UPN,Surname,UPN\n")
    assert "'UPN' twice (columns 1 and 3)" in caught.value.message
    assert caught.value.column == 3


def test_an_empty_file_needs_a_header(tmp_path: Path) -> None:
    with pytest.raises(MalformedDocumentError, match="header row"):
        table(tmp_path, "")
