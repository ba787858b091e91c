"""Which text encoding a CSV export is in: found and named, never guessed into mojibake.

Windows tools write CSV as Windows-1252 or as UTF-8 with a byte order mark; newer ones as plain
UTF-8. Reading one as the other silently turns ``Zoë`` into ``ZoÃ«`` (or fails half-way through a
file), so :func:`resolve_encoding` scans the whole file once before any row is read: it accepts the
file only in an encoding that decodes every byte, and when the encoding a mapping declares is not
the one the bytes are in, it raises :class:`WrongEncodingError` naming both and the first byte that
tells them apart.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Final

from sif_core.errors import CodecError

__all__ = [
    "AUTO",
    "EncodingFinding",
    "WrongEncodingError",
    "encoding_label",
    "resolve_encoding",
]

#: Declared encoding meaning "find out": UTF-8 (with or without BOM), else Windows-1252.
AUTO: Final = "auto"

#: Opens the raw bytes of the input afresh (a file on disk, a member of a zip file).
ByteOpener = Callable[[], IO[bytes]]

_CHUNK = 1 << 16
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_LABELS: Final = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with a byte order mark",
    "cp1252": "Windows-1252",
    "utf-16": "UTF-16",
    "latin-1": "ISO-8859-1 (Latin-1)",
    "ascii": "ASCII",
}


class WrongEncodingError(CodecError):
    """The bytes are not in the declared (or any accepted) encoding; the message names the one
    they appear to be in and where the first telling byte is."""


@dataclass(frozen=True)
class EncodingFinding:
    """The codec to open a file with (``utf-8-sig``, ``utf-8``, ``cp1252``...) and its name."""

    codec: str

    @property
    def label(self) -> str:
        """The encoding as a person would name it (``Windows-1252``)."""
        return encoding_label(self.codec)


def encoding_label(codec: str) -> str:
    """A person's name for ``codec`` (``cp1252`` -> ``Windows-1252``)."""
    return _LABELS.get(codecs.lookup(codec).name, codec)


@dataclass(frozen=True)
class _BadByte:
    offset: int
    byte: int
    line: int
    column: int


_STEPS: Final = {
    "utf-8": codecs.utf_8_decode,
    "utf-8-sig": codecs.utf_8_decode,  # the BOM is skipped before scanning
    "utf-16": codecs.utf_16_decode,
    "utf-16-le": codecs.utf_16_le_decode,
    "utf-16-be": codecs.utf_16_be_decode,
}
_SINGLE_BYTE: Final = ("cp1252", "latin-1", "ascii")


def _scan(open_bytes: ByteOpener, codec: str, skip: int = 0) -> _BadByte | None:
    """Decode the whole input with ``codec`` strictly; the first undecodable byte, if any."""
    name = codecs.lookup(codec).name
    step = _STEPS.get(name)
    whole = step is None and name not in _SINGLE_BYTE and not name.startswith("iso8859")
    with open_bytes() as stream:
        stream.read(skip)
        offset, carry = skip, b""
        while True:
            chunk = stream.read() if whole else stream.read(_CHUNK)
            final = whole or not chunk
            data = carry + chunk
            try:
                if step is None:
                    data.decode(codec)
                    used = len(data)
                else:
                    used = step(data, "strict", final)[1]
            except UnicodeDecodeError as error:
                return _locate(open_bytes, offset + error.start, codec)
            carry = data[used:]
            offset += used
            if final:
                return None


def _locate(open_bytes: ByteOpener, offset: int, codec: str) -> _BadByte:
    """Line and column (in characters) of the byte at ``offset``."""
    line, line_bytes, done = 1, b"", 0
    with open_bytes() as stream:
        while done < offset:
            chunk = stream.read(min(_CHUNK, offset - done))
            if not chunk:
                break
            done += len(chunk)
            newlines = chunk.count(b"\n")
            if newlines:
                line += newlines
                line_bytes = chunk[chunk.rindex(b"\n") + 1 :]
            else:
                line_bytes += chunk
        byte = stream.read(1)
    column = len(line_bytes.decode(codec, errors="replace")) + 1
    return _BadByte(offset, byte[0] if byte else 0, line, column)


def _first_non_ascii(open_bytes: ByteOpener) -> tuple[int, str] | None:
    """The line and text of the first non-ASCII character of a valid UTF-8 input, if any."""
    line = 1
    with open_bytes() as stream:
        while chunk := stream.read(_CHUNK):
            index = next((i for i, byte in enumerate(chunk) if byte >= 0x80), None)
            if index is None:
                line += chunk.count(b"\n")
                continue
            line += chunk[:index].count(b"\n")
            rest = chunk[index : index + 4] + stream.read(4)
            return line, rest.decode("utf-8", errors="ignore")[:1]
    return None


def _normal(codec: str) -> str:
    try:
        return codecs.lookup(codec).name
    except LookupError:
        raise ValueError(f"unknown encoding {codec!r}") from None


def resolve_encoding(
    open_bytes: ByteOpener, declared: str = AUTO, *, source: str = "<input>"
) -> EncodingFinding:
    """The codec that decodes every byte of the input, checked against ``declared``.

    ``declared`` is :data:`AUTO` (UTF-8 with or without a BOM, else Windows-1252) or a codec name.
    A UTF-8 or UTF-16 byte order mark is always honoured. Raises :class:`WrongEncodingError` when
    the bytes are not in ``declared`` (naming the encoding they are in, where one fits) and when
    no accepted encoding decodes them, and ``ValueError`` for an unknown codec name.
    """
    wanted = AUTO if declared.lower() == AUTO else _normal(declared)
    with open_bytes() as stream:
        head = stream.read(4)
    if head.startswith(_UTF16_BOMS):
        if wanted not in (AUTO, "utf-16", "utf-16-le", "utf-16-be"):
            raise WrongEncodingError(
                f"the file is UTF-16 (it starts with a UTF-16 byte order mark), not "
                f"{encoding_label(wanted)}; set the encoding to utf-16 or export it as UTF-8",
                source=source,
                line=1,
                column=1,
            )
        return _checked(open_bytes, "utf-16", source, 0)
    if head.startswith(codecs.BOM_UTF8):
        if wanted not in (AUTO, "utf-8", "utf-8-sig"):
            raise WrongEncodingError(
                f"the file is UTF-8 (it starts with a UTF-8 byte order mark), not "
                f"{encoding_label(wanted)}; set the encoding to utf-8",
                source=source,
                line=1,
                column=1,
            )
        return _checked(open_bytes, "utf-8-sig", source, len(codecs.BOM_UTF8))
    if b"\x00" in head:
        raise WrongEncodingError(
            "the file holds NUL bytes: it is UTF-16 without a byte order mark or not a text "
            "file at all; export it again as UTF-8 CSV",
            source=source,
            line=1,
            column=1,
        )
    bad = _scan(open_bytes, "utf-8")
    if wanted in (AUTO, "utf-8", "utf-8-sig"):
        if bad is None:
            return EncodingFinding("utf-8")
        if wanted != AUTO:
            raise _not_utf8(open_bytes, bad, source)
        if _scan(open_bytes, "cp1252") is None:
            return EncodingFinding("cp1252")
        raise _not_utf8(open_bytes, bad, source)
    single_byte = wanted in _SINGLE_BYTE or wanted.startswith("iso8859")
    found = _first_non_ascii(open_bytes) if bad is None and single_byte else None
    if found is not None:
        line, text = found
        wrong = text.encode("utf-8").decode(wanted, errors="replace")
        raise WrongEncodingError(
            f"the file is UTF-8, not {encoding_label(wanted)}: line {line} has {text!r} in "
            f"UTF-8, which {encoding_label(wanted)} would read as {wrong!r}; set the "
            "encoding to utf-8",
            source=source,
            line=line,
        )
    return _checked(open_bytes, wanted, source, 0)


def _checked(open_bytes: ByteOpener, codec: str, source: str, skip: int) -> EncodingFinding:
    bad = _scan(open_bytes, codec, skip)
    if bad is not None:
        hint = ""
        if codec in ("utf-8", "utf-8-sig") and _scan(open_bytes, "cp1252", skip) is None:
            hint = " The bytes read as Windows-1252: the file was probably saved as Windows-1252."
        raise WrongEncodingError(
            f"byte 0x{bad.byte:02X} is not {encoding_label(codec)}.{hint} Export the file "
            "again as UTF-8, or set the encoding the file is really in",
            source=source,
            line=bad.line,
            column=bad.column,
        )
    return EncodingFinding(codec)


def _not_utf8(open_bytes: ByteOpener, bad: _BadByte, source: str) -> WrongEncodingError:
    if _scan(open_bytes, "cp1252") is None:
        meant = bytes([bad.byte]).decode("cp1252")
        return WrongEncodingError(
            f"the file is not UTF-8: byte 0x{bad.byte:02X} is {meant!r} in Windows-1252, so "
            "the file is most likely Windows-1252; set the encoding to windows-1252 (or "
            '"auto"), or export it again as UTF-8',
            source=source,
            line=bad.line,
            column=bad.column,
        )
    return WrongEncodingError(
        f"the file is neither UTF-8 nor Windows-1252 (byte 0x{bad.byte:02X}); set the encoding "
        "the file is in, or export it again as UTF-8",
        source=source,
        line=bad.line,
        column=bad.column,
    )
