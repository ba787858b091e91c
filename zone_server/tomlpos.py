"""Where a key of a TOML document was written: the line a validation error should name.

:mod:`tomllib` parses without positions, so pydantic's error locations (``("parties", 2,
"kind")``) are mapped back to lines by scanning the text for table headers and keys. The scan
covers what a zone file uses: ``[table]``, ``[[array.of.tables]]``, bare, quoted and dotted keys;
values spanning lines (arrays, multi-line strings) are skipped over.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["KeyLines", "key_lines"]

Path = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*(\]\]?)\s*(#.*)?$")
_KEY = re.compile(
    r'^\s*((?:"[^"]*"|\'[^\']*\'|[A-Za-z0-9_\-]+)(?:\s*\.\s*(?:"[^"]*"|\'[^\']*\'|[A-Za-z0-9_\-]+))*)\s*='
)
_PART = re.compile(r'"([^"]*)"|\'([^\']*)\'|([A-Za-z0-9_\-]+)')


def _split_key(text: str) -> tuple[str, ...]:
    return tuple(a or b or c for a, b, c in _PART.findall(text))


class KeyLines:
    """Lines of the keys and tables of one TOML document, looked up by a validation location."""

    def __init__(self, lines: dict[Path, int]) -> None:
        self._lines = lines

    def line_of(self, location: Sequence[str | int]) -> int | None:
        """The line of the longest known prefix of ``location`` (1-based), or ``None``."""
        path = tuple(location)
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return None


def key_lines(text: str) -> KeyLines:
    """Scan ``text`` (a TOML document) and record the line of every table and key."""
    lines: dict[Path, int] = {}
    array_counts: dict[tuple[str, ...], int] = {}
    table: Path = ()
    open_brackets = 0
    in_multiline: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if in_multiline is not None:
            if raw.count(in_multiline) % 2 == 1:
                in_multiline = None
            continue
        if open_brackets > 0:
            open_brackets += _bracket_balance(raw)
            continue
        header = _HEADER.match(raw)
        if header and not _KEY.match(raw):
            names = _split_key(header.group(2))
            is_array = header.group(1) == "[["
            if is_array:
                array_counts[names] = array_counts.get(names, -1) + 1
            table = _resolve(names, array_counts)
            lines.setdefault(table, number)
            continue
        key = _KEY.match(raw)
        if not key:
            continue
        path = table + _split_key(key.group(1))
        lines.setdefault(path, number)
        value = raw[key.end() :]
        for quote in ('"""', "'''"):
            if value.count(quote) % 2 == 1:
                in_multiline = quote
        open_brackets = max(0, _bracket_balance(value))
    return KeyLines(lines)


def _resolve(names: tuple[str, ...], array_counts: dict[tuple[str, ...], int]) -> Path:
    path: list[str | int] = []
    for depth, name in enumerate(names, start=1):
        path.append(name)
        index = array_counts.get(names[:depth])
        if index is not None:
            path.append(index)
    return tuple(path)


def _bracket_balance(text: str) -> int:
    # Brackets inside strings are rare in a zone file; comments are cut before counting.
    text = re.sub(r'"[^"]*"|\'[^\']*\'', "", text).split("#", 1)[0]
    return text.count("[") + text.count("{") - text.count("]") - text.count("}")
