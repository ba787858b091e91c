"""Writing SIF objects as a CTF: options, header, pupils streamed to a temporary file, renamed.

Write options (``WriteContext.options``; ``sif convert --option name=value``):

``version``
    ``20.0`` to ``25.0`` (``25`` will do); the newest, 25.0, unless given.
``format``
    ``CTF`` or one version by name, ``ctf-20`` to ``ctf-25`` (what ``sif synth --format`` passes);
    ``version``, when given too, wins.
``qualifier``
    ``full`` (the default) or ``partial``; a partial CTF needs ``sections``.
``sections``
    For a partial CTF, which parts of each pupil to write, separated by commas, from
    ``basic, fsm, looked_after, sen, address, contacts, attendance, assessments, history``.
``dest_la``, ``dest_estab``, ``dest_urn``
    The destination: a school's LA and establishment numbers (and URN); ``MMM``/``MMMM`` when the
    destination is unknown (the default), ``XXX``/``XXXX`` when the pupil leaves the maintained
    sector, an LA number with ``LLLL`` for the local authority itself.
``source_la``, ``source_estab``
    The school making the file, when the pupils' own enrolments do not make it plain.
``supplier``, ``date_time``, ``academic_year``, ``data_qualifier``, ``data_descriptor``
    Header values: ``SupplierID`` (default ``sifbridge``), ``DateTime`` (default now,
    ``yyyy-MM-ddTHH:mm:ss``), the source school's ``AcademicYear`` (default the year in which the
    current academic year began), ``DataQualifier`` and ``DataDescriptor`` (left out by default).
``sequence``
    The file name's ``NNN`` when the target is a directory (default: the next unused number).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from adapters.ctf.grouping import PupilGrouper, PupilRecord
from adapters.ctf.header import (
    UNKNOWN_DESTINATION,
    CTFHeader,
    Destination,
    HeaderError,
    SourceSchool,
)
from adapters.ctf.naming import CTFName, next_free_name
from adapters.ctf.pupil_xml import ALL_SECTIONS, PupilWriter
from adapters.ctf.versions import (
    DEFAULT_VERSION,
    SUPPORTED_VERSIONS,
    is_supported,
    normalise_version,
    sex_element,
)
from sif_core.adapter import ProgressCallback, WriteContext
from sif_core.errors import AdapterError
from sif_core.model import SchoolInfo, SIFObject

__all__ = ["FORMATS", "OPTIONS", "write", "write_ctf"]

#: The formats this adapter writes: ``CTF`` (the newest version) and each version by name, so
#: that ``sif synth --format ctf-21`` writes CTF 21.
FORMATS = ("CTF", *(f"ctf-{version.split('.')[0]}" for version in SUPPORTED_VERSIONS))

#: Every write option this adapter understands.
OPTIONS = frozenset(
    {
        "version", "qualifier", "sections", "dest_la", "dest_estab", "dest_urn", "source_la",
        "source_estab", "supplier", "date_time", "academic_year", "data_qualifier",
        "data_descriptor", "sequence", "format",
    }
)  # fmt: skip
_DATE_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$")


@dataclass(frozen=True)
class _Settings:
    version: str
    qualifier: str
    sections: tuple[str, ...]
    destination: Destination
    source: tuple[str, str] | None
    supplier: str
    date_time: str
    academic_year: str | None
    data_qualifier: str | None
    data_descriptor: str | None
    sequence: int | None


def write(objects: Iterable[SIFObject], target: Path, context: WriteContext) -> None:
    """Write ``objects`` as one CTF at ``target`` (a file, or a directory to name it in)."""
    write_ctf(objects, target, context.options, progress=context.progress)


def write_ctf(
    objects: Iterable[SIFObject],
    target: Path,
    options: Mapping[str, str] | None = None,
    *,
    progress: ProgressCallback | None = None,
) -> Path:
    """Write ``objects`` as one CTF and return the path written.

    ``target`` is the file to write, or an existing directory in which the file gets its
    conventional name (``LLLEEEE_CTF_LLLEEEE_NNN.xml``). The file is written under a temporary
    name beside its final one and renamed only when complete, so a failure leaves nothing behind.
    ``progress(pupils, None)`` is called after each pupil. Raises
    :class:`~sif_core.errors.AdapterError` for bad options or objects a CTF cannot be made from.
    """
    settings = _settings(options or {})
    directory = target if target.is_dir() else target.parent
    if not directory.is_dir():
        raise AdapterError(f"cannot write {target}: the directory {directory} does not exist")
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".ctf-", suffix=".part")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            header = _write_document(objects, out, settings, progress)
        final = target
        if target.is_dir():
            final = target / _file_name(target, header, settings.sequence)
        os.replace(temporary, final)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return final


def _write_document(
    objects: Iterable[SIFObject],
    out: IO[str],
    settings: _Settings,
    progress: ProgressCallback | None,
) -> CTFHeader:
    grouper = PupilGrouper()
    writer: PupilWriter | None = None
    header: CTFHeader | None = None
    written = 0

    def emit(record: PupilRecord) -> None:
        nonlocal writer, header, written
        if writer is None:
            header = _header(settings, grouper.schools, record)
            out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<CTfile>\n{header.to_xml()}')
            out.write("  <CTFpupilData>\n")
            writer = PupilWriter(
                sex_element=sex_element(settings.version),
                source=(header.source.la, header.source.estab),
                schools=grouper.schools,
                sections=settings.sections,
            )
        out.write(writer.pupil(record))
        written += 1
        if progress is not None:
            progress(written, None)

    for item in objects:
        record = grouper.add(item)
        if record is not None:
            emit(record)
    record = grouper.finish()
    if record is not None:
        emit(record)
    if header is None:
        header = _header(settings, grouper.schools, None)
        out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<CTfile>\n{header.to_xml()}')
        out.write("  <CTFpupilData>\n")
    out.write("  </CTFpupilData>\n</CTfile>\n")
    return header


def _settings(options: Mapping[str, str]) -> _Settings:
    unknown = sorted(set(options) - OPTIONS)
    if unknown:
        raise AdapterError(
            f"unknown CTF write option(s) {', '.join(unknown)}; the options are "
            f"{', '.join(sorted(OPTIONS))}"
        )
    try:
        version = normalise_version(options.get("version") or _format_version(options))
    except ValueError as error:
        raise AdapterError(str(error)) from None
    qualifier = options.get("qualifier", "full").strip().lower()
    if qualifier not in {"full", "partial"}:
        raise AdapterError(f"qualifier must be full or partial, not {qualifier!r}")
    sections: tuple[str, ...] = ALL_SECTIONS
    if qualifier == "partial":
        chosen = tuple(part.strip() for part in options.get("sections", "").split(",") if part)
        wrong = [part for part in chosen if part not in ALL_SECTIONS]
        if not chosen or wrong:
            raise AdapterError(
                "a partial CTF needs sections=... naming the parts to write, from "
                f"{', '.join(ALL_SECTIONS)}" + (f" (not {', '.join(wrong)})" if wrong else "")
            )
        sections = chosen
    elif "sections" in options:
        raise AdapterError("sections only applies to a partial CTF: add qualifier=partial")
    try:
        destination = UNKNOWN_DESTINATION
        if "dest_la" in options or "dest_estab" in options:
            destination = Destination.parse(
                options.get("dest_la", ""), options.get("dest_estab", ""), options.get("dest_urn")
            )
    except HeaderError as error:
        raise AdapterError(str(error)) from None
    source = None
    if "source_la" in options or "source_estab" in options:
        la, estab = options.get("source_la", ""), options.get("source_estab", "")
        if not (re.match(r"^[0-9]{3}$", la) and re.match(r"^[0-9]{4}$", estab)):
            raise AdapterError(
                "source_la must be 3 digits and source_estab 4 digits, given together"
            )
        source = (la, estab)
    date_time = options.get("date_time") or dt.datetime.now().replace(microsecond=0).isoformat()
    if not _DATE_TIME.match(date_time):
        raise AdapterError(f"date_time must look like 2025-07-18T15:30:00, not {date_time!r}")
    sequence = options.get("sequence")
    if sequence is not None and not (sequence.isdigit() and 1 <= int(sequence) <= 999):
        raise AdapterError(f"sequence must be a number from 1 to 999, not {sequence!r}")
    return _Settings(
        version=version,
        qualifier=qualifier,
        sections=sections,
        destination=destination,
        source=source,
        supplier=options.get("supplier", "sifbridge"),
        date_time=date_time,
        academic_year=options.get("academic_year"),
        data_qualifier=options.get("data_qualifier"),
        data_descriptor=options.get("data_descriptor"),
        sequence=int(sequence) if sequence is not None else None,
    )


def _format_version(options: Mapping[str, str]) -> str:
    """The version a ``format`` option names (``ctf-21`` is CTF 21; ``CTF`` the newest)."""
    name = options.get("format", "CTF").strip().lower()
    if name == "ctf":
        return DEFAULT_VERSION
    if name.startswith("ctf-") and is_supported(name[4:]):
        return name[4:]
    raise AdapterError(f"format {name!r} is not one of {', '.join(FORMATS)}")


def _header(
    settings: _Settings, schools: Mapping[str, SchoolInfo], first: PupilRecord | None
) -> CTFHeader:
    la_estab = settings.source or _source_of(first, schools)
    school = next((s for s in schools.values() if (s.la_id, s.establishment_id) == la_estab), None)
    when = dt.datetime.fromisoformat(settings.date_time)
    academic_year = settings.academic_year or str(when.year if when.month >= 9 else when.year - 1)
    return CTFHeader(
        version=settings.version,
        source=SourceSchool(
            la=la_estab[0],
            estab=la_estab[1],
            urn=school.urn if school else None,
            name=school.school_name if school else None,
            academic_year=academic_year,
        ),
        destination=settings.destination,
        date_time=settings.date_time,
        document_qualifier=settings.qualifier,
        data_qualifier=settings.data_qualifier,
        data_descriptor=settings.data_descriptor,
        supplier_id=settings.supplier,
    )


def _source_of(first: PupilRecord | None, schools: Mapping[str, SchoolInfo]) -> tuple[str, str]:
    """The school of the first pupil's current registration: the latest with a known status."""
    enrolments = first.enrolments if first else []
    ranked = sorted(
        enrolments, key=lambda e: (e.membership_type is not None, e.entry_date), reverse=True
    )
    school = schools.get(ranked[0].school_info_ref_id) if ranked else None
    if school is None:
        raise AdapterError(
            "cannot tell which school is making this CTF: give source_la and source_estab, or "
            "the pupils' enrolments with their SchoolInfo objects first"
        )
    return school.la_id, school.establishment_id


def _file_name(directory: Path, header: CTFHeader, sequence: int | None) -> str:
    destination = header.destination or UNKNOWN_DESTINATION
    if sequence is not None:
        name = CTFName(header.source.laestab, destination.code, sequence)
        if (directory / str(name)).exists():
            raise AdapterError(f"{directory / str(name)} already exists; choose another sequence")
        return str(name)
    try:
        return str(next_free_name(directory, header.source.laestab, destination.code))
    except ValueError as error:
        raise AdapterError(str(error)) from None
