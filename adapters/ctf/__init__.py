"""The CTF adapter: DfE Common Transfer Files (CTF 20 to 25) in and out of SIF objects.

Registered under the name ``ctf`` through the ``sif`` entry-point group. Reading streams a file
one pupil at a time (:func:`read`); writing streams SIF objects, one pupil at a time, into a
CTF of the chosen version (:func:`write`, :func:`write_ctf`). See ``docs/adapters/ctf.md`` for
what is read and written, the field mapping and the quirks of real files it tolerates.
"""

from __future__ import annotations

from collections.abc import Callable

from adapters.ctf.detect import FILE_PATTERNS, detect
from adapters.ctf.header import CTFHeader, Destination, DestinationKind, SourceSchool
from adapters.ctf.naming import CTFName
from adapters.ctf.reader import read
from adapters.ctf.versions import DEFAULT_VERSION, SUPPORTED_VERSIONS
from adapters.ctf.writer import FORMATS, OPTIONS, write, write_ctf
from sif_core import __version__
from sif_core.adapter import AdapterSpec
from sif_core.hookspecs import hookimpl

__all__ = [
    "ADAPTER",
    "DEFAULT_VERSION",
    "FORMATS",
    "OPTIONS",
    "SUPPORTED_VERSIONS",
    "CTFHeader",
    "CTFName",
    "Destination",
    "DestinationKind",
    "SourceSchool",
    "detect",
    "read",
    "sif_register_adapters",
    "write",
    "write_ctf",
]

_OBJECT_TYPES = (
    "SchoolInfo",
    "LearnerPersonal",
    "ContactPersonal",
    "LearnerContact",
    "LearnerSchoolEnrolment",
    "LearnerAttendanceSummary",
    "LearnerSENHistory",
    "LearnerFSMHistory",
    "LearnerAssessmentResult",
)

#: What the host knows about this adapter.
ADAPTER = AdapterSpec(
    name="ctf",
    supplier="sifbridge",
    version=__version__,
    description="DfE Common Transfer File (CTF 20 to 25): pupils moving between schools",
    formats=FORMATS,
    reads=_OBJECT_TYPES,
    read=read,
    detect=detect,
    writes=_OBJECT_TYPES,
    write=write,
    file_patterns=FILE_PATTERNS,
)


@hookimpl
def sif_register_adapters(register: Callable[[AdapterSpec], None]) -> None:
    """Register the CTF adapter."""
    register(ADAPTER)
