"""The ``oneroster`` adapter: OneRoster 1.1 CSV bundles (zip or folder) to SIF objects and back.

SIMS ID, Wonde and Groupcall Xporter all offer OneRoster, the lingua franca of UK edtech
rostering. A bundle sifbridge wrote reads back into the same objects, and those write back into
the same CSV files, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from adapters.oneroster.bundle import is_bundle, open_bundle
from adapters.oneroster.reader import read_bundle
from adapters.oneroster.writer import write_bundle
from sif_core import __version__
from sif_core.adapter import AdapterSpec, ReadContext
from sif_core.hookspecs import hookimpl
from sif_core.model import SIFObject
from sif_core.problems import Problem

__all__ = ["SPEC", "sif_register_adapters"]


def detect(path: Path, head: bytes) -> bool:
    """A folder or zip file with a ``manifest.csv`` (or the manifest itself)."""
    if path.is_file() and path.suffix.lower() == ".zip" and not head.startswith(b"PK"):
        return False
    return is_bundle(path)


def read(path: Path, context: ReadContext) -> Iterator[SIFObject | Problem]:
    """Read the OneRoster 1.1 bundle at ``path`` (folder, zip file or its ``manifest.csv``).

    Afterwards ``context.metadata`` holds ``oneroster.date_last_modified`` (the latest row
    change) and ``oneroster.source_system`` (the manifest's ``source.systemName``).
    """
    with open_bundle(path) as bundle:
        yield from read_bundle(bundle, context)


_READS = ("LAInfo", "SchoolInfo", "LearnerPersonal", "ContactPersonal", "LearnerContact",
          "LearnerSchoolEnrolment")  # fmt: skip

SPEC = AdapterSpec(
    name="oneroster",
    supplier="sifbridge",
    version=__version__,
    description=(
        "OneRoster 1.1 CSV bundles (a zip file or a folder with manifest.csv): orgs to LAInfo "
        "and SchoolInfo (identifier: LA number, LAESTAB), students and demographics to "
        "LearnerPersonal (UPN, ULN, UCI in userIds), parent, guardian and relative users to "
        "ContactPersonal and LearnerContact (agentSourcedIds), enrollments to enrolments. "
        "Writes valid 1.1 bundles (.zip or folder); options date_last_modified, academic_year, "
        "source_system_name, source_system_code."
    ),
    formats=("oneroster-1.1-csv",),
    reads=_READS,
    writes=_READS,
    read=read,
    detect=detect,
    write=write_bundle,
)


@hookimpl
def sif_register_adapters(register: Callable[[AdapterSpec], None]) -> None:
    """Register the OneRoster adapter."""
    register(SPEC)
