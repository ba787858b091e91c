"""The plugin sifbridge loads through the entry point ``acme`` (group ``sif``)."""

from __future__ import annotations

from collections.abc import Callable

from sif_core.adapter import AdapterSpec
from sif_core.hookspecs import hookimpl

from acme_sif import __version__
from acme_sif.export import FORMAT, OBJECT_TYPES, detect, read
from acme_sif.writer import write


@hookimpl
def sif_register_adapters(register: Callable[[AdapterSpec], None]) -> None:
    """Register the Acme MIS adapter."""
    register(
        AdapterSpec(
            name="acme",
            supplier="Acme School Systems Ltd",
            version=__version__,
            description="Reads and writes Acme MIS pupil exports (JSON, format 3.x).",
            formats=(FORMAT,),
            file_patterns=("*.json",),
            reads=OBJECT_TYPES,
            writes=OBJECT_TYPES,
            detect=detect,
            read=read,
            write=write,
        )
    )
