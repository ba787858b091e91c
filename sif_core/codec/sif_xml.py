"""SIF XML: objects written as namespaced, indented XML and read back record by record.

Written documents are UTF-8, start with an XML declaration, carry :data:`SIF_NAMESPACE` as the
default namespace of the root and indent by two spaces, one element per line. Writing the same
objects always gives the same bytes.

Reading goes through :mod:`sif_core.codec.safexml`, so entity declarations and external entities
are refused and malformed XML is reported with its line and column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import xmltodict

from sif_core.codec import safexml
from sif_core.codec.goessner import to_goessner
from sif_core.codec.profile import SIF_NAMESPACE, RawRecord, check_root
from sif_core.codec.pump import pump
from sif_core.errors import CodecError
from sif_core.model import OBJECT_TYPES, SIFObject

__all__ = ["XML_DECLARATION", "XmlWriter", "iter_xml_records"]

XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
_INDENT = "  "
# What XML 1.0 cannot carry at all; written anyway, the document could never be read back.
_NOT_XML_CHARACTER = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _render(obj: SIFObject, content: dict[str, Any], depth: int) -> bytes:
    text = xmltodict.unparse(
        {obj.object_name: content},
        full_document=False,
        pretty=True,
        indent=_INDENT,
        depth=depth,
    )
    bad = _NOT_XML_CHARACTER.search(text)
    if bad is not None:
        raise CodecError(
            f"{obj.object_name} {obj.ref_id} holds the character U+{ord(bad.group()):04X}, "
            "which XML cannot carry; correct it in the source system"
        )
    if depth == 0:
        text += "\n"
    return text.encode("utf-8")


class XmlWriter:
    """Writes the bytes of one SIF XML document, piece by piece (see :mod:`.writing`)."""

    def __init__(self) -> None:
        self._root = ""

    def single(self, obj: SIFObject) -> bytes:
        """A whole document whose root is ``obj``'s own element."""
        return XML_DECLARATION + _render(obj, {"@xmlns": SIF_NAMESPACE, **to_goessner(obj)}, 0)

    def start(self, root: str) -> bytes:
        """The declaration and the opening tag of a collection (or ``SIFObjects``) root."""
        self._root = root
        return XML_DECLARATION + f'<{root} xmlns="{SIF_NAMESPACE}">\n'.encode()

    def member(self, obj: SIFObject) -> bytes:
        """One object inside the root, indented one level."""
        return _render(obj, to_goessner(obj), 1)

    def end(self) -> bytes:
        """The closing tag of the root opened by :meth:`start`."""
        return f"</{self._root}>\n".encode()


XMLSource = Path | bytes | str


def iter_xml_records(data: XMLSource, *, source: str, stream: bool = True) -> Iterator[RawRecord]:
    """Yield each object element of a SIF XML document, unvalidated, as it is parsed.

    ``data`` is a file or the document itself. With ``stream`` (the default) the parser runs in
    a worker thread and hands records over as it finds them, so a collection of any length is
    read in bounded memory; without it the records are collected first (quicker for a small
    document that is wanted whole). A single-object document is parsed whole. Raises
    :class:`~sif_core.errors.CodecError` subclasses for hostile, malformed or non-SIF documents.
    """
    if stream:
        return pump(lambda offer: _produce(data, source, offer), name=f"sif-xml-reader {source}")
    records: list[RawRecord] = []

    def keep(record: RawRecord) -> bool:
        records.append(record)
        return True

    _produce(data, source, keep)
    return iter(records)


def _produce(data: XMLSource, source: str, offer: Callable[[RawRecord], bool]) -> None:
    reader = _CollectionReader(source, offer)
    try:
        _parse(data, source, item_depth=2, item_callback=reader)
    except xmltodict.ParsingInterrupted:
        if not reader.parse_whole:
            return  # the consumer stopped reading
    if reader.root is None or reader.parse_whole:
        # A single object, or a root with no children: small enough to parse at once.
        _offer_whole(_parse(data, source), source, offer)


def _offer_whole(document: dict[str, Any], source: str, offer: Callable[[RawRecord], bool]) -> None:
    """Check a wholly parsed document's root and offer its one object, if it holds one."""
    ((root, content),) = document.items()
    namespace = content.get("@xmlns") if isinstance(content, dict) else None
    check_root(root, source=source, namespace=namespace)
    if root in OBJECT_TYPES:
        offer(RawRecord(root, content, root))


class _CollectionReader:
    """xmltodict's item callback at depth 2: each child of the root is one object."""

    def __init__(self, source: str, offer: Callable[[RawRecord], bool]) -> None:
        self.source = source
        self.offer = offer
        self.root: str | None = None
        self.parse_whole = False

    def __call__(self, path: list[tuple[str, dict[str, Any] | None]], item: Any) -> bool:
        if self.root is None:
            root, attributes = path[0]
            namespace = (attributes or {}).get("xmlns")
            check_root(root, source=self.source, namespace=namespace)
            self.root = root
            if root in OBJECT_TYPES:
                # Depth-2 items would be the object's fields, and xmltodict drops the text of a
                # streamed element that has attributes: parse the document whole instead.
                self.parse_whole = True
                return False
        return self.offer(RawRecord(path[1][0], item, self.root))


def _parse(data: XMLSource, source: str, **options: Any) -> dict[str, Any]:
    if isinstance(data, Path):
        stream: IO[bytes]
        with data.open("rb") as stream:
            return safexml.parse(stream, source=source, **options)
    return safexml.parse(data, source=source, **options)
