"""Writing SIF documents: the format from the ``format`` option or the target's suffix."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from adapters.sifxml.reading import NDJSON_SUFFIXES
from sif_core.adapter import AdapterError, WriteContext
from sif_core.codec import dumps_json, write_collection
from sif_core.model import SIFObject

__all__ = ["target_format", "write"]

_BY_SUFFIX = {".xml": "sif-xml", ".json": "sif-json"} | dict.fromkeys(NDJSON_SUFFIXES, "ndjson")


def target_format(target: Path, context: WriteContext) -> str:
    """``sif-xml``, ``sif-json`` or ``ndjson``: the ``format`` option, else by suffix."""
    chosen = context.options.get("format") or _BY_SUFFIX.get(target.suffix.lower())
    if chosen not in ("sif-xml", "sif-json", "ndjson"):
        raise AdapterError(
            f"{target}: cannot tell which format to write; name the file .xml, .json or .ndjson, "
            "or set the option format=sif-xml|sif-json|ndjson"
        )
    return chosen


def write(objects: Iterable[SIFObject], target: Path, context: WriteContext) -> None:
    """Write ``objects`` to ``target`` as one document (``SIFObjects`` root) or NDJSON.

    The file is written beside ``target`` and renamed into place when complete.
    """
    fmt = target_format(target, context)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            counted = _counting(objects, context)
            if fmt == "ndjson":
                for obj in counted:
                    stream.write(dumps_json(obj))
            else:
                write_collection(counted, stream, "xml" if fmt == "sif-xml" else "json", mixed=True)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _counting(objects: Iterable[SIFObject], context: WriteContext) -> Iterator[SIFObject]:
    for count, obj in enumerate(objects, start=1):
        yield obj
        if count % 1000 == 0:
            context.progress(count, None)
