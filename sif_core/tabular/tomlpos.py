"""Where each key and value of a TOML document was written, to line and column.

:mod:`tomllib` parses without positions, so a mapping error found after parsing ("unknown field
'LearnerPersonal.Sexx'") is located by scanning the text again. The scan knows TOML's structure
(tables, arrays of tables, bare, quoted and dotted keys, strings of all four kinds, inline tables,
arrays spanning lines, comments); it runs only on text :mod:`tomllib` has accepted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["Position", "TomlPositions", "toml_positions"]

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column."""

    line: int
    column: int


@dataclass
class TomlPositions:
    """Positions of the keys and values of one document, by key path (``("columns", "DOB")``)."""

    keys: dict[KeyPath, Position] = field(default_factory=dict)
    values: dict[KeyPath, Position] = field(default_factory=dict)

    def key(self, path: Sequence[str | int]) -> Position | None:
        """Where the key at ``path`` (or its nearest written ancestor) is."""
        probe = tuple(path)
        while probe:
            if probe in self.keys:
                return self.keys[probe]
            probe = probe[:-1]
        return None

    def value(self, path: Sequence[str | int]) -> Position | None:
        """Where the value at ``path`` starts, else where its key (or an ancestor) is."""
        found = self.values.get(tuple(path))
        return found if found is not None else self.key(path)


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.line = 1
        self.column = 1
        self.positions = TomlPositions()
        self.array_tables: dict[KeyPath, int] = {}

    # -- characters -------------------------------------------------------------------------
    def peek(self, n: int = 1) -> str:
        return self.text[self.i : self.i + n]

    def advance(self, n: int = 1) -> None:
        for char in self.text[self.i : self.i + n]:
            if char == "\n":
                self.line += 1
                self.column = 1
            else:
                self.column += 1
        self.i += n

    def here(self) -> Position:
        return Position(self.line, self.column)

    def skip_blanks(self, newlines: bool) -> None:
        while self.i < len(self.text):
            char = self.text[self.i]
            if char in " \t\r" or (newlines and char == "\n"):
                self.advance()
            elif char == "#":
                while self.i < len(self.text) and self.text[self.i] != "\n":
                    self.advance()
            else:
                return

    # -- pieces -----------------------------------------------------------------------------
    def string(self) -> str:
        for quote in ('"""', "'''"):
            if self.peek(3) == quote:
                start = self.i + 3
                self.advance(3)
                while self.i < len(self.text) and self.peek(3) != quote:
                    self.advance(2 if quote == '"""' and self.peek() == "\\" else 1)
                body = self.text[start : self.i]
                self.advance(3)
                while self.peek() == quote[0]:  # up to two quotes may close the content
                    self.advance()
                return body
        quote = self.peek()
        start = self.i
        self.advance()
        while self.i < len(self.text) and self.peek() != quote:
            self.advance(2 if quote == '"' and self.peek() == "\\" else 1)
        self.advance()
        raw = self.text[start : self.i]
        if quote == "'":
            return raw[1:-1]
        try:
            decoded: str = json.loads(raw)
        except ValueError:
            return raw[1:-1]
        return decoded

    def key(self) -> tuple[list[str], Position]:
        parts: list[str] = []
        start = self.here()
        while True:
            self.skip_blanks(newlines=False)
            if self.peek() in ('"', "'"):
                parts.append(self.string())
            else:
                begin = self.i
                while self.i < len(self.text) and (
                    self.text[self.i].isalnum() or self.text[self.i] in "_-"
                ):
                    self.advance()
                parts.append(self.text[begin : self.i])
            self.skip_blanks(newlines=False)
            if self.peek() != ".":
                return parts, start
            self.advance()

    def record_key(self, path: KeyPath, position: Position) -> None:
        for depth in range(1, len(path) + 1):
            self.positions.keys.setdefault(path[:depth], position)

    def value(self, path: KeyPath) -> None:
        self.positions.values[path] = self.here()
        char = self.peek()
        if char in ('"', "'"):
            self.string()
        elif char == "{":
            self.advance()
            while True:
                self.skip_blanks(newlines=False)
                if self.peek() == "}":
                    self.advance()
                    return
                parts, position = self.key()
                self.record_key((*path, *parts), position)
                self.skip_blanks(newlines=False)
                self.advance()  # "="
                self.skip_blanks(newlines=False)
                self.value((*path, *parts))
                self.skip_blanks(newlines=False)
                if self.peek() == ",":
                    self.advance()
        elif char == "[":
            self.advance()
            index = 0
            while True:
                self.skip_blanks(newlines=True)
                if self.peek() == "]":
                    self.advance()
                    return
                self.record_key((*path, index), self.here())
                self.value((*path, index))
                index += 1
                self.skip_blanks(newlines=True)
                if self.peek() == ",":
                    self.advance()
        else:
            while self.i < len(self.text) and self.text[self.i] not in ",]}\n#":
                self.advance()

    def table_path(self, parts: list[str], double: bool, position: Position) -> KeyPath:
        """The key path a table header names, with the index of each array of tables in it.

        As in TOML, a name that is an array of tables refers to its latest element, so
        ``[parties.rights]`` after a second ``[[parties]]`` is ``("parties", 1, "rights")``.
        """
        path: list[str | int] = []
        for number, name in enumerate(parts, start=1):
            path.append(name)
            prefix = tuple(path)
            if double and number == len(parts):
                index = self.array_tables.get(prefix, 0)
                self.array_tables[prefix] = index + 1
                self.record_key(prefix, position)
                path.append(index)
            elif prefix in self.array_tables:
                path.append(self.array_tables[prefix] - 1)
        return tuple(path)

    def document(self) -> TomlPositions:
        table: KeyPath = ()
        while True:
            self.skip_blanks(newlines=True)
            if self.i >= len(self.text):
                return self.positions
            if self.peek() == "[":
                position = self.here()
                double = self.peek(2) == "[["
                self.advance(2 if double else 1)
                parts, _ = self.key()
                self.skip_blanks(newlines=False)
                self.advance(2 if double else 1)
                table = self.table_path(parts, double, position)
                self.record_key(table, position)
                continue
            parts, position = self.key()
            path = (*table, *parts)
            self.record_key(path, position)
            self.skip_blanks(newlines=False)
            self.advance()  # "="
            self.skip_blanks(newlines=False)
            self.value(path)


def toml_positions(text: str) -> TomlPositions:
    """Scan ``text`` (TOML that :mod:`tomllib` accepted) for the position of every key and value."""
    return _Scanner(text).document()
