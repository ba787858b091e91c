"""The ``sims`` adapter: SIMS CommandReporter reports (XML or CSV) to SIF objects and back.

It reads a student details report with contacts through a shipped caption mapping
(``student_details.toml``; ``--option mapping=FILE`` replaces it) and writes the same report
shape, which is how a test school's SIMS export is produced.
"""

from __future__ import annotations

from collections.abc import Callable

from adapters.sims.report import detect, read, shipped_mapping, write
from sif_core import __version__
from sif_core.adapter import AdapterSpec
from sif_core.hookspecs import hookimpl

__all__ = ["SPEC", "shipped_mapping", "sif_register_adapters"]

_TYPES = (
    "SchoolInfo",
    "LearnerPersonal",
    "LearnerSchoolEnrolment",
    "ContactPersonal",
    "LearnerContact",
)

SPEC = AdapterSpec(
    name="sims",
    supplier="sifbridge",
    version=__version__,
    description=(
        "SIMS CommandReporter student details reports with contacts, as XML "
        "(SuperStarReport/Record) or CSV (Windows-1252 or UTF-8 with BOM, dd/mm/yyyy dates). "
        "Rows repeated per contact fold into one learner. Options: mapping=FILE (captions), "
        "format=xml|csv, laestab=NNNNNNN and school_name=NAME (when the report has no school "
        "captions), encoding=windows-1252 (writing CSV)."
    ),
    formats=("sims-xml", "sims-csv"),
    reads=_TYPES,
    writes=_TYPES,
    read=read,
    detect=detect,
    write=write,
    file_patterns=("*.xml", "*.csv"),
)


@hookimpl
def sif_register_adapters(register: Callable[[AdapterSpec], None]) -> None:
    """Register the SIMS adapter."""
    register(SPEC)
