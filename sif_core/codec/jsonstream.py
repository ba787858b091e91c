"""Reading JSON record by record, without holding the whole document.

The document's frame (the root object, the collection object, the array) is walked character by
character; each record inside it is decoded on its own with :meth:`json.JSONDecoder.raw_decode`.
Memory therefore grows with the largest record, not with the number of records. Errors carry
the line and column of the offending character.

:func:`iter_json_records` reads SIF JSON documents; :func:`iter_json_members` reads any JSON
document that is one object (an MIS's JSON export, say), streaming the arrays it is told about.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import IO, Any

from sif_core.codec.profile import MIXED_ROOT, RawRecord, check_root
from sif_core.errors import MalformedDocumentError
from sif_core.model import OBJECT_TYPES

__all__ = ["JSONMember", "iter_json_members", "iter_json_records"]

CHUNK_CHARS = 1 << 16
#: A record bigger than this is reported as malformed rather than read on without end.
MAX_RECORD_CHARS = 1 << 26
_WHITESPACE = " \t\n\r"
# raw_decode reports a value cut off at the end of the buffer at (or just before) its end; an
# escape such as \\uXXXX can be cut within its six characters.
_CUT_OFF_MARGIN = 8


class _Cursor:
    """A position in a JSON text that is read from a stream as needed."""

    def __init__(
        self, stream: IO[bytes], source: str, chunk_size: int, kind: str = "a SIF JSON document"
    ) -> None:
        self._kind = kind
        self._stream = stream
        self._source = source
        self._chunk_size = chunk_size
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._json = json.JSONDecoder()
        self._buffer = ""
        self._pos = 0
        self._eof = False
        # Line and column of self._buffer[0].
        self._line = 1
        self._column = 1
        # A position in the buffer whose line is known, and the last newline before it (-1 for
        # none), so that locating each record counts only the newlines since the one before.
        self._mark = 0
        self._mark_line = 1
        self._mark_newline = -1

    def _fill(self) -> bool:
        """Read more text; False at the end of the stream."""
        if self._eof:
            return False
        raw = self._stream.read(self._chunk_size)
        try:
            text = self._decoder.decode(raw, final=not raw)
        except UnicodeDecodeError:
            raise self.error("the file is not UTF-8 text; JSON is always UTF-8") from None
        self._eof = not raw
        self._line, self._column = self.location()
        self._buffer = self._buffer[self._pos :] + text
        self._pos = 0
        self._mark, self._mark_line, self._mark_newline = 0, self._line, -1
        return True

    def location(self, index: int | None = None) -> tuple[int, int]:
        """Line and column (1-based) of ``index`` in the buffer (default: the cursor)."""
        index = self._pos if index is None else index
        # Counted in place (a slice would copy up to two chunks for every record read), and
        # from the last position located when that is before this one: counting from the start
        # of the buffer each time cost more than decoding the records.
        start, line, newline = 0, self._line, -1
        if index >= self._mark:
            start, line, newline = self._mark, self._mark_line, self._mark_newline
        newlines = self._buffer.count("\n", start, index)
        if newlines:
            line += newlines
            newline = self._buffer.rfind("\n", start, index)
        if index >= self._mark:
            self._mark, self._mark_line, self._mark_newline = index, line, newline
        if newline >= 0:
            return line, index - newline
        return line, self._column + index

    def error(self, message: str, index: int | None = None) -> MalformedDocumentError:
        line, column = self.location(index)
        return MalformedDocumentError(message, source=self._source, line=line, column=column)

    def peek(self) -> str:
        """The next character that is not white space, or ``""`` at the end of the text."""
        while True:
            while self._pos < len(self._buffer) and self._buffer[self._pos] in _WHITESPACE:
                self._pos += 1
            if self._pos < len(self._buffer):
                return self._buffer[self._pos]
            if not self._fill():
                return ""

    def expect(self, char: str, what: str) -> None:
        """Step over ``char`` or fail saying ``what`` was expected."""
        found = self.peek()
        if found != char:
            shown = repr(found) if found else "the end of the file"
            raise self.error(f"not {self._kind}: expected {what}, found {shown}")
        self._pos += 1

    def value(self) -> tuple[Any, int]:
        """Decode the next JSON value; return it with the line it starts on."""
        self.peek()
        while True:
            try:
                value, end = self._json.raw_decode(self._buffer, self._pos)
            except json.JSONDecodeError as error:
                if self._cut_off(error) and self._fill():
                    continue
                raise self.error(f"not valid JSON: {error.msg}", error.pos) from None
            # A number at the very end of the buffer may go on in the next chunk.
            if end == len(self._buffer) and self._fill():
                continue
            line, _ = self.location()
            self._pos = end
            return value, line

    def _cut_off(self, error: json.JSONDecodeError) -> bool:
        if self._eof or len(self._buffer) - self._pos > MAX_RECORD_CHARS:
            return False
        near_end = error.pos >= len(self._buffer) - _CUT_OFF_MARGIN
        return near_end or error.msg.startswith("Unterminated string")

    def member_name(self) -> str:
        """Decode an object member's name and step over the colon after it."""
        if self.peek() != '"':
            self.expect('"', "a member name in double quotes")
        name, _ = self.value()
        self.expect(":", "':' after a member name")
        return str(name)

    def array(self) -> Iterator[tuple[Any, int]]:
        """Yield each value of the array that starts here."""
        self.expect("[", "'[' (an array of objects)")
        if self.peek() == "]":
            self._pos += 1
            return
        while True:
            yield self.value()
            if self.peek() == ",":
                self._pos += 1
                continue
            self.expect("]", "',' or ']' after an array item")
            return


def iter_json_records(
    stream: IO[bytes], *, source: str, chunk_size: int = CHUNK_CHARS
) -> Iterator[RawRecord]:
    """Yield each object of a SIF JSON document, unvalidated, as it is read from ``stream``.

    Raises :class:`MalformedDocumentError` (with line and column) for text that is not JSON or
    not shaped like a SIF document, :class:`~sif_core.errors.CodecError` for an unknown root.
    """
    cursor = _Cursor(stream, source, chunk_size)
    cursor.expect("{", "'{' at the start of the document")
    root = cursor.member_name()
    check_root(root, source=source)
    if root in OBJECT_TYPES:
        content, line = cursor.value()
        yield RawRecord(root, content, root, line)
    elif root == MIXED_ROOT:
        for item, line in cursor.array():
            if isinstance(item, dict) and len(item) == 1:
                ((element, content),) = item.items()
                yield RawRecord(element, content, root, line)
            else:
                yield RawRecord("", item, root, line)
    else:
        yield from _collection(cursor, root)
    cursor.expect("}", "'}' closing the document (a SIF document has a single root)")
    if cursor.peek():
        raise cursor.error("not a SIF JSON document: there is more text after its end")


def _collection(cursor: _Cursor, root: str) -> Iterator[RawRecord]:
    if cursor.peek() == "n":
        value, line = cursor.value()
        if value is not None:
            raise cursor.error(f"not a SIF JSON document: {root} must be an object")
        return
    cursor.expect("{", f"'{{' opening the {root} collection")
    if cursor.peek() == "}":
        cursor.expect("}", "'}'")
        return
    while True:
        element = cursor.member_name()
        if cursor.peek() == "[":
            for content, line in cursor.array():
                yield RawRecord(element, content, root, line)
        else:
            content, line = cursor.value()
            yield RawRecord(element, content, root, line)
        if cursor.peek() == ",":
            cursor.expect(",", "','")
            continue
        cursor.expect("}", f"',' or '}}' in the {root} collection")
        return


@dataclass(frozen=True)
class JSONMember:
    """One member of the object a JSON document holds, or one item of a streamed array member.

    ``name`` is the member's name and ``value`` its decoded value (for a streamed array: the
    item's); ``line`` is the line the value starts on. ``index`` is the item's position in its
    array, counting from 1, for a streamed array, and ``None`` for a member decoded whole.
    """

    name: str
    value: Any
    line: int
    index: int | None = None


def iter_json_members(
    stream: IO[bytes],
    *,
    source: str,
    arrays: Collection[str] = (),
    chunk_size: int = CHUNK_CHARS,
) -> Iterator[JSONMember]:
    """Yield the members of the JSON object that is the whole document in ``stream``, in the
    order they are written, each as soon as it is read.

    A member named in ``arrays`` whose value is an array is not decoded whole: each of its items
    is yielded on its own (with its ``index``; an empty array yields nothing), so memory grows
    with the largest item rather than with the document. Any other member is decoded whole. The
    text is UTF-8, with or without a byte order mark.

    Raises :class:`MalformedDocumentError` naming ``source`` with the line and column for text
    that is not UTF-8, not JSON or not one object; the members before the fault have been
    yielded by then.
    """
    cursor = _Cursor(stream, source, chunk_size, kind="a JSON object")
    cursor.expect("{", "'{' at the start of the document")
    if cursor.peek() == "}":
        cursor.expect("}", "'}'")
    else:
        while True:
            name = cursor.member_name()
            if name in arrays and cursor.peek() == "[":
                for index, (item, line) in enumerate(cursor.array(), start=1):
                    yield JSONMember(name, item, line, index)
            else:
                value, line = cursor.value()
                yield JSONMember(name, value, line)
            if cursor.peek() == ",":
                cursor.expect(",", "','")
                continue
            cursor.expect("}", "',' or '}' after a member")
            break
    if cursor.peek():
        raise cursor.error("not a JSON object: there is more text after its end")
