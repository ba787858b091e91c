"""Reading a CTF file into SIF objects and Problems, one pupil at a time.

Memory holds one chunk of the file and the objects of the pupil being read, whatever the number
of pupils; progress is reported in bytes of the file read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from xml.etree.ElementTree import Element

from adapters.ctf.encoding import CTFInput
from adapters.ctf.header import CTFHeader, HeaderError
from adapters.ctf.pupil import PupilReader
from adapters.ctf.schools import SchoolRegistry
from adapters.ctf.scope import leaves
from adapters.ctf.versions import SUPPORTED_VERSIONS, is_supported
from sif_core.adapter import ReadContext
from sif_core.codec.safexml import iter_elements
from sif_core.errors import AdapterError
from sif_core.model import SIFObject
from sif_core.problems import Problem, Severity

__all__ = ["ROOT", "read"]

#: The root element of every CTF.
ROOT = "CTfile"
_CONTAINERS = frozenset({"CTFpupilData"})
_WHOLE_FILE = "the whole file"
#: Bytes parsed at a time. Small chunks keep few pupils in flight, so the garbage collector finds
#: few live elements to walk (measured: 8 KiB reads a 20,000-pupil file about 15% faster than
#: 64 KiB, and with a lower peak).
_CHUNK_BYTES = 8192


def read(path: Path, context: ReadContext) -> Iterator[SIFObject | Problem]:
    """Read the CTF at ``path``: the schools, then each pupil's objects and Problems in order.

    The header goes into ``context.metadata["ctf"]`` (see
    :meth:`~adapters.ctf.header.CTFHeader.as_metadata`) before the first object. Elements that
    no SIF object carries are listed at the end, one warning for each kind. Raises
    :class:`~sif_core.errors.CodecError` for XML that is malformed or declares entities, and
    :class:`~sif_core.errors.AdapterError` for a file that is not a CTF.
    """
    source = str(path)
    unmapped: Counter[str] = Counter()
    reader: PupilReader | None = None
    position = 0
    with path.open("rb") as raw:
        stream = CTFInput(raw, source=source, progress=context.progress)
        elements = iter_elements(
            stream, source=source, containers=_CONTAINERS, chunk_size=_CHUNK_BYTES
        )
        for parents, element in elements:
            if parents[0] != ROOT:
                raise AdapterError(
                    f"{source}: not a Common Transfer File (its root element is <{parents[0]}>, "
                    f"not <{ROOT}>)"
                )
            if len(parents) == 1:
                if element.tag == "Header" and reader is None:
                    header = _header(element, source)
                    context.metadata["ctf"] = header.as_metadata()
                    schools = SchoolRegistry(context)
                    yield from _header_objects(header, schools, source)
                    reader = PupilReader(
                        context,
                        header,
                        schools,
                        source=source,
                        unmapped=unmapped,
                        earlier=partial(_earlier_pupil, path),
                    )
                else:
                    unmapped[element.tag] += 1
                continue
            if element.tag != "Pupil":
                unmapped[f"{parents[-1]}/{element.tag}"] += 1
                continue
            if reader is None:
                raise AdapterError(f"{source}: the pupils come before the CTF Header")
            position += 1
            yield from reader.read(position, element)
    if reader is None:
        raise AdapterError(f"{source}: not a Common Transfer File (it has no CTF Header)")
    for where, count in sorted(unmapped.items()):
        yield Problem(
            source,
            _WHOLE_FILE,
            where,
            f"not carried into SIF objects ({count} {'time' if count == 1 else 'times'})",
            severity=Severity.WARNING,
        )


def _earlier_pupil(path: Path, upn: str, before: int) -> int | None:
    """The position of the first pupil of the CTF at ``path``, before pupil ``before``, whose
    UPN is ``upn`` (the file read again from the start; see :mod:`adapters.ctf.upns`)."""
    source = str(path)
    position = 0
    with path.open("rb") as raw:
        stream = CTFInput(raw, source=source, progress=None)
        elements = iter_elements(
            stream, source=source, containers=_CONTAINERS, chunk_size=_CHUNK_BYTES
        )
        for parents, element in elements:
            if len(parents) == 1 or element.tag != "Pupil":
                continue
            position += 1
            if position >= before:
                return None
            if leaves(element).get("UPN") == upn:
                return position
    return None


def _header(element: Element, source: str) -> CTFHeader:
    try:
        return CTFHeader.from_element(element)
    except HeaderError as error:
        raise AdapterError(f"{source}: {error}; this is not a usable CTF header") from None


def _header_objects(
    header: CTFHeader, schools: SchoolRegistry, source: str
) -> Iterator[SIFObject | Problem]:
    if not is_supported(header.version):
        yield Problem(
            source,
            _WHOLE_FILE,
            "Header/CTFversion",
            f"CTF version {header.version!r} is not one this adapter knows "
            f"({', '.join(SUPPORTED_VERSIONS)}); it is read as the nearest known version",
            severity=Severity.WARNING,
        )
    school = header.source
    _ref, info, reason = schools.meet(school.la, school.estab, school.name, school.urn)
    if info is not None:
        yield info
    elif reason is not None:
        yield Problem(
            source, _WHOLE_FILE, "Header/SourceSchool", f"left out: {reason}", Severity.WARNING
        )
