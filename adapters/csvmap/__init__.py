"""The ``csvmap`` adapter: any CSV export, read through a declarative TOML mapping.

A school on Bromcom, ScholarPack, iSAMS or anything else that exports CSV describes its columns
once in a mapping file and plugs in without code. ``sif adapters show csvmap`` explains the format.
"""

from __future__ import annotations

from collections.abc import Callable

from adapters.csvmap.guide import GUIDE
from adapters.csvmap.tables import default_mapping, detect, mapping_beside, read, write
from sif_core import __version__
from sif_core.adapter import AdapterSpec
from sif_core.hookspecs import hookimpl

__all__ = ["SPEC", "default_mapping", "mapping_beside", "sif_register_adapters"]

_TYPES = (
    "SchoolInfo",
    "LearnerPersonal",
    "LearnerSchoolEnrolment",
    "ContactPersonal",
    "LearnerContact",
)

SPEC = AdapterSpec(
    name="csvmap",
    supplier="sifbridge",
    version=__version__,
    description=GUIDE,
    formats=("csv",),
    reads=_TYPES,
    writes=_TYPES,
    read=read,
    detect=detect,
    write=write,
    file_patterns=("*.csv",),
)


@hookimpl
def sif_register_adapters(register: Callable[[AdapterSpec], None]) -> None:
    """Register the csvmap adapter."""
    register(SPEC)
