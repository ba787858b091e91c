"""Writing SIF documents: one object, a collection, or a stream of any length.

The root of a document written from several objects is their collection element
(``LearnerPersonals``) when they share one type, else ``SIFObjects`` (see
:mod:`sif_core.codec.profile`). An empty collection is written as an empty ``SIFObjects``.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Literal, Protocol

from sif_core.codec.profile import MIXED_ROOT, collection_root
from sif_core.codec.sif_json import JsonWriter
from sif_core.codec.sif_xml import XmlWriter
from sif_core.errors import CodecError
from sif_core.model import SIFObject

__all__ = ["Format", "dumps_json", "dumps_xml", "write_collection"]

Format = Literal["xml", "json"]


class _Writer(Protocol):
    def single(self, obj: SIFObject) -> bytes: ...
    def start(self, root: str) -> bytes: ...
    def member(self, obj: SIFObject) -> bytes: ...
    def end(self) -> bytes: ...


def _writer(fmt: Format) -> _Writer:
    if fmt == "xml":
        return XmlWriter()
    if fmt == "json":
        return JsonWriter()
    raise ValueError(f"unknown format {fmt!r}: choose 'xml' or 'json'")


def _dumps(obj_or_objects: SIFObject | Iterable[SIFObject], fmt: Format) -> bytes:
    writer = _writer(fmt)
    if isinstance(obj_or_objects, SIFObject):
        return writer.single(obj_or_objects)
    objects = list(obj_or_objects)
    root = collection_root(objects) if objects else MIXED_ROOT
    parts = [writer.start(root), *(writer.member(obj) for obj in objects), writer.end()]
    return b"".join(parts)


def dumps_xml(obj_or_objects: SIFObject | Iterable[SIFObject]) -> bytes:
    """SIF XML of one object (its element is the root) or of several (a collection root)."""
    return _dumps(obj_or_objects, "xml")


def dumps_json(obj_or_objects: SIFObject | Iterable[SIFObject]) -> bytes:
    """SIF JSON of one object (``{"LearnerPersonal": ...}``) or of several (a collection)."""
    return _dumps(obj_or_objects, "json")


def write_collection(
    objects: Iterable[SIFObject],
    target: Path | BinaryIO,
    fmt: Format,
    *,
    mixed: bool = False,
) -> int:
    """Write ``objects`` as one collection document, streaming; return how many were written.

    Objects are written as they come, so memory does not grow with their number. The root is the
    collection of the first object's type; with ``mixed=True`` it is ``SIFObjects`` and any types
    may follow one another. An object of another type without ``mixed`` raises
    :class:`CodecError`. A ``Path`` target is written to a temporary file beside it and renamed
    into place only when complete, so a failure never leaves a half-written file; the file is
    readable by its owner only, as school data holds personal data.
    """
    writer = _writer(fmt)
    if isinstance(target, Path):
        with _replace_when_complete(target) as stream:
            return _stream(objects, stream, writer, mixed=mixed)
    return _stream(objects, target, writer, mixed=mixed)


def _stream(objects: Iterable[SIFObject], stream: BinaryIO, writer: _Writer, *, mixed: bool) -> int:
    iterator = iter(objects)
    first = next(iterator, None)
    if first is None or mixed:
        root, only = MIXED_ROOT, None
    else:
        root, only = first.collection_name, type(first)
    stream.write(writer.start(root))
    count = 0
    for obj in _chain(first, iterator):
        if only is not None and type(obj) is not only:
            raise CodecError(
                f"a {root} document holds only {only.object_name} objects, and object "
                f"{count + 1} is a {obj.object_name}; write several types with mixed=True"
            )
        stream.write(writer.member(obj))
        count += 1
    stream.write(writer.end())
    return count


def _chain(first: SIFObject | None, rest: Iterator[SIFObject]) -> Iterator[SIFObject]:
    if first is not None:
        yield first
    yield from rest


@contextlib.contextmanager
def _replace_when_complete(target: Path) -> Iterator[BinaryIO]:
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb", buffering=io.DEFAULT_BUFFER_SIZE * 16) as stream:
            yield stream
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
