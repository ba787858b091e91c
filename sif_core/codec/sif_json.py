"""SIF JSON: Goessner notation, one object per line inside a collection.

The shapes written::

    {"LearnerPersonal": {"@RefId": "...", ...}}
    {"LearnerPersonals": {"LearnerPersonal": [
    {"@RefId": "...", ...},
    {"@RefId": "...", ...}
    ]}}
    {"SIFObjects": [
    {"SchoolInfo": {...}},
    {"LearnerPersonal": {...}}
    ]}

Objects of several types keep their order in ``SIFObjects``, a list of one-member objects (a JSON
object cannot repeat a key, so the XML form's interleaving has no other faithful spelling).
Files are UTF-8 without a byte order mark.
"""

from __future__ import annotations

import json
from typing import Any

from sif_core.codec.goessner import to_goessner
from sif_core.codec.profile import MIXED_ROOT, collection_member
from sif_core.errors import CodecError
from sif_core.model import SIFObject

__all__ = ["JsonWriter"]


def _encode(document: Any, obj: SIFObject) -> bytes:
    try:
        return json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as error:
        raise CodecError(
            f"{obj.object_name} {obj.ref_id} holds a lone surrogate character, which UTF-8 "
            "cannot carry; correct it in the source system"
        ) from error


class JsonWriter:
    """Writes the bytes of one SIF JSON document, piece by piece (see :mod:`.writing`)."""

    def __init__(self) -> None:
        self._root = ""
        self._count = 0

    def single(self, obj: SIFObject) -> bytes:
        """A whole document holding ``obj`` alone."""
        return _encode({obj.object_name: to_goessner(obj)}, obj) + b"\n"

    def start(self, root: str) -> bytes:
        """The opening of a collection (or ``SIFObjects``) document."""
        self._root = root
        self._count = 0
        member = collection_member(root)
        if member is None:
            return f'{{"{root}": ['.encode()
        return f'{{"{root}": {{"{member}": ['.encode()

    def member(self, obj: SIFObject) -> bytes:
        """One object of the collection, on its own line."""
        content = to_goessner(obj)
        body = _encode({obj.object_name: content} if self._root == MIXED_ROOT else content, obj)
        separator = b"\n" if self._count == 0 else b",\n"
        self._count += 1
        return separator + body

    def end(self) -> bytes:
        """The close of the document opened by :meth:`start`."""
        tail = "]}" if self._root == MIXED_ROOT else "]}}"
        return (("\n" if self._count else "") + tail + "\n").encode()
