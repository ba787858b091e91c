"""Encodings are found and named; a wrong one is refused, never turned into mojibake."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest

from sif_core.tabular import CSVTable, Row, WrongEncodingError, resolve_encoding

ROWS = "Forename,Surname\nZoë,O'Brien\nSiân,Smith-Jones\n"


def opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: path.open("rb")


def cells(table: CSVTable) -> list[list[str]]:
    return [list(row.cells) for row in table.rows() if isinstance(row, Row)]


def write(tmp_path: Path, data: bytes, name: str = "pupils.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_windows_1252_export_is_detected_and_read_without_mojibake(tmp_path: Path) -> None:
    path = write(tmp_path, ROWS.encode("cp1252"))
    table = CSVTable.from_path(path)
    assert table.encoding.label == "Windows-1252"
    assert cells(table)[0] == ["Zoë", "O'Brien"]


def test_utf8_byte_order_mark_is_not_part_of_the_first_caption(tmp_path: Path) -> None:
    path = write(tmp_path, codecs.BOM_UTF8 + ROWS.encode("utf-8"))
    table = CSVTable.from_path(path)
    assert table.header == ("Forename", "Surname")
    assert table.encoding.codec == "utf-8-sig"


def test_plain_utf8_is_read_as_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, ROWS.encode("utf-8"))
    assert resolve_encoding(opener(path)).codec == "utf-8"


def test_utf8_declared_but_windows_1252_given_names_the_encoding_line_and_column(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, ROWS.encode("cp1252"))
    with pytest.raises(WrongEncodingError) as caught:
        resolve_encoding(opener(path), "utf-8", source=str(path))
    error = caught.value
    assert "Windows-1252" in error.message
    assert "'ë'" in error.message
    assert (error.line, error.column) == (2, 3)
    assert str(path) in str(error)


def test_windows_1252_declared_but_utf8_given_is_refused_instead_of_mojibake(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, ROWS.encode("utf-8"))
    with pytest.raises(WrongEncodingError) as caught:
        resolve_encoding(opener(path), "windows-1252")
    assert "the file is UTF-8" in caught.value.message
    assert "'Ã«'" in caught.value.message
    assert caught.value.line == 2


def test_ascii_file_is_fine_in_any_declared_encoding(tmp_path: Path) -> None:
    path = write(tmp_path, b"Forename,Surname\nAnn,Lee\n")
    assert resolve_encoding(opener(path), "windows-1252").codec == "cp1252"


def test_bytes_neither_utf8_nor_windows_1252_are_refused_with_their_position(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, b"Forename,Surname\nAnn,Le\x81e\n")
    with pytest.raises(WrongEncodingError) as caught:
        resolve_encoding(opener(path))
    assert "neither UTF-8 nor Windows-1252" in caught.value.message
    assert "0x81" in caught.value.message
    assert (caught.value.line, caught.value.column) == (2, 7)


def test_bad_byte_deep_in_a_large_file_is_found_on_its_line(tmp_path: Path) -> None:
    body = "".join(f"Pupil{n},Surname{n}\n" for n in range(20_000))
    data = ("Forename,Surname\n" + body).encode("utf-8") + "Zoë,X\n".encode("cp1252")
    path = write(tmp_path, data)
    with pytest.raises(WrongEncodingError) as caught:
        resolve_encoding(opener(path), "utf-8")
    assert caught.value.line == 20_002
    assert caught.value.column == 3


def test_utf16_without_a_byte_order_mark_is_named_not_misread(tmp_path: Path) -> None:
    path = write(tmp_path, ROWS.encode("utf-16-le"))
    with pytest.raises(WrongEncodingError, match="UTF-16"):
        resolve_encoding(opener(path))


def test_utf16_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, ROWS.encode("utf-16"))
    table = CSVTable.from_path(path)
    assert table.header == ("Forename", "Surname")
    assert cells(table)[1] == ["Siân", "Smith-Jones"]
