"""The bytes of a CTF on their way to the XML parser: declared encoding, transcoding, progress.

The XML parser reads UTF-8, UTF-16, ISO-8859-1 and US-ASCII by itself (a byte order mark
included). A file that declares any other encoding (``windows-1252`` is the usual one from
Windows tools) is decoded here with Python's codec for that encoding and handed on as UTF-8, so
every character arrives as written and a byte that is not valid in the declared encoding is
reported with the encoding's name, its offset and its line.
"""

from __future__ import annotations

import codecs
import os
import re
from typing import IO, Final

from sif_core.adapter import ProgressCallback
from sif_core.errors import MalformedDocumentError

__all__ = ["CTFInput", "declared_encoding"]

#: Encodings the parser reads itself, by the names it knows them by (compared case-blind).
_PARSER_ENCODINGS: Final = frozenset(
    {"utf-8", "utf-16", "utf-16le", "utf-16be", "iso-8859-1", "us-ascii"}
)
_BOMS: Final = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_DECLARED = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*([\"'])([A-Za-z][A-Za-z0-9._:\-]*)\1")
_DECLARED_TEXT = re.compile(r"^(<\?xml[^>]*?encoding\s*=\s*)([\"'])([^\"']*)\2")
#: How much of the file is looked at for the XML declaration.
HEAD_BYTES: Final = 1024


def declared_encoding(head: bytes) -> str | None:
    """The encoding named by the XML declaration at the start of ``head``, if any.

    ``None`` when the file starts with a byte order mark (the mark decides) or declares nothing.
    """
    if head.startswith(_BOMS):
        return None
    match = _DECLARED.match(head)
    return match.group(2).decode("ascii") if match else None


class CTFInput:
    """A binary stream over a CTF file for the parser: reports progress and transcodes if needed.

    ``progress(done, total)`` is called with the bytes of the file read so far and its size.
    """

    def __init__(
        self, raw: IO[bytes], *, source: str, progress: ProgressCallback | None = None
    ) -> None:
        self._raw = raw
        self._source = source
        self._progress = progress
        self._done = 0
        self._lines = 0
        try:
            self._total: int | None = os.fstat(raw.fileno()).st_size
        except (OSError, AttributeError, ValueError):
            self._total = None
        self._head = raw.read(HEAD_BYTES)
        self.encoding = declared_encoding(self._head)
        self._decoder: codecs.IncrementalDecoder | None = None
        self._rewrite_declaration = False
        if self.encoding is not None and self.encoding.lower() not in _PARSER_ENCODINGS:
            try:
                info = codecs.lookup(self.encoding)
            except LookupError:
                raise MalformedDocumentError(
                    f"the file declares the encoding {self.encoding!r}, which is not a known "
                    "character encoding; export it again as UTF-8 or correct the XML declaration",
                    source=source,
                    line=1,
                ) from None
            self._decoder = info.incrementaldecoder("strict")
            self._rewrite_declaration = True

    @property
    def transcoded(self) -> bool:
        """True when the file's bytes are decoded here and handed on as UTF-8."""
        return self._decoder is not None

    def read(self, size: int = -1) -> bytes:
        """Up to about ``size`` bytes for the parser; ``b""`` only at the end of the file."""
        while True:
            if self._head:
                raw, self._head = self._head, b""
            else:
                raw = self._raw.read(size)
            self._done += len(raw)
            if self._progress is not None and raw:
                self._progress(self._done, self._total)
            if self._decoder is None:
                return raw
            data = self._transcode(raw)
            if data or not raw:
                return data

    def _transcode(self, raw: bytes) -> bytes:
        assert self._decoder is not None
        buffered = len(self._decoder.getstate()[0])
        try:
            text = self._decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as error:
            raise self._decode_error(error, raw, buffered) from None
        self._lines += raw.count(b"\n")
        if self._rewrite_declaration and text:
            text = _declare_utf8(text)
            self._rewrite_declaration = False
        return text.encode("utf-8")

    def _decode_error(
        self, error: UnicodeDecodeError, raw: bytes, buffered: int
    ) -> MalformedDocumentError:
        start = max(error.start - buffered, 0)
        offset = self._done - len(raw) + start
        line = self._lines + raw[:start].count(b"\n") + 1
        bad = " ".join(f"0x{byte:02X}" for byte in error.object[error.start : error.end])
        return MalformedDocumentError(
            f"byte {bad} at offset {offset} is not valid {self.encoding} (the encoding the file "
            "declares); export it again as UTF-8 or correct the XML declaration",
            source=self._source,
            line=line,
        )


def _declare_utf8(text: str) -> str:
    """Make the XML declaration say UTF-8, keeping its length so columns stay where they were."""
    match = _DECLARED_TEXT.match(text)
    if match is None:
        return text
    prefix, quote, name = match.groups()
    padding = " " * max(len(name) - len("UTF-8"), 0)
    return f"{prefix}{quote}UTF-8{quote}{padding}{text[match.end() :]}"
