"""The ``sifxml`` adapter: sifbridge's own SIF XML, SIF JSON and NDJSON documents.

A built-in plugin, registered through the entry point ``sifxml`` in the group ``sif`` exactly as an
outside adapter would be. It reads any document the codec writes (one object, a collection, or
``SIFObjects``), and NDJSON (one SIF JSON object a line); it writes all three, choosing by the
target's suffix (``.xml``, ``.json``, ``.ndjson`` or ``.jsonl``) unless the ``format`` option
(``sif-xml``, ``sif-json``, ``ndjson``) says otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

from adapters.sifxml.reading import FILE_PATTERNS, FORMATS, detect, read
from adapters.sifxml.writing import write
from sif_core import __version__
from sif_core.adapter import AdapterSpec
from sif_core.model import OBJECT_TYPES
from sif_core.plugins import hookimpl

__all__ = ["SPEC", "sif_register_adapters"]

SPEC = AdapterSpec(
    name="sifxml",
    supplier="sifbridge",
    version=__version__,
    description="sifbridge's SIF XML, SIF JSON and NDJSON documents, every object type.",
    formats=FORMATS,
    file_patterns=FILE_PATTERNS,
    reads=tuple(OBJECT_TYPES),
    writes=tuple(OBJECT_TYPES),
    detect=detect,
    read=read,
    write=write,
)


@hookimpl
def sif_register_adapters(register: Callable[[AdapterSpec], None]) -> None:
    """Register the sifxml adapter."""
    register(SPEC)
