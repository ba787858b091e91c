"""Reading and writing SIMS CommandReporter reports, as XML or CSV, through a caption mapping."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path

from adapters.sims.xmlreport import ROOT, iter_record_cells, write_report
from sif_core.adapter import ReadContext, WriteContext
from sif_core.errors import AdapterError
from sif_core.model import SIFObject
from sif_core.problems import Problem
from sif_core.tabular import (
    CSVTable,
    Row,
    TableLayout,
    TableMapping,
    TableReader,
    load_mapping,
    parse_mapping,
)

__all__ = ["DEFAULT_STEM", "detect", "read", "shipped_mapping", "write"]

#: The file name (without suffix) written when ``write`` is given a folder.
DEFAULT_STEM = "StudentDetails"


def shipped_mapping() -> TableMapping:
    """The captions of a typical SIMS student details report with contacts."""
    text = resources.files(__package__).joinpath("student_details.toml").read_text("utf-8")
    return parse_mapping(text, source="sims student_details.toml")


def _mapping(options: Mapping[str, str]) -> TableMapping:
    named = options.get("mapping")
    return load_mapping(Path(named)) if named else shipped_mapping()


def _format(path: Path, options: Mapping[str, str], default: str = "") -> str:
    wanted = options.get("format", "").lower() or path.suffix.lower().lstrip(".") or default
    if wanted in ("xml", "sims-xml"):
        return "xml"
    if wanted in ("csv", "sims-csv"):
        return "csv"
    raise AdapterError(
        f"{path}: a SIMS report is .xml or .csv; name the format with --option format=xml|csv"
    )


def detect(path: Path, head: bytes) -> bool:
    """A CommandReporter XML report, or a CSV whose header has at least four of the captions of
    the shipped (or no other) mapping."""
    suffix = path.suffix.lower()
    if suffix == ".xml":
        return f"<{ROOT}".encode() in head[:4096]
    if suffix != ".csv" or not head:
        return False
    text = head.decode("utf-8-sig", errors="replace")
    first = next(csv.reader(io.StringIO(text.splitlines()[0] if text else "")), [])
    mapping = shipped_mapping()
    known = {rule.column for rule in mapping.rules} | set(mapping.learner_key)
    return len(known.intersection(cell.strip() for cell in first)) >= 4


def _school_defaults(options: Mapping[str, str]) -> dict[str, str | bool | int]:
    defaults: dict[str, str | bool | int] = {}
    if options.get("laestab"):
        defaults["SchoolInfo.LAESTAB"] = options["laestab"]
    if options.get("school_name"):
        defaults["SchoolInfo.SchoolName"] = options["school_name"]
    return defaults


def read(path: Path, context: ReadContext) -> Iterator[SIFObject | Problem]:
    """Read a CommandReporter report (``.xml`` or ``.csv``) into SIF objects.

    Options: ``mapping`` (a mapping file replacing the shipped captions), ``format``
    (``xml``/``csv`` when the suffix does not say), ``laestab`` and ``school_name`` (the school,
    when the report has no ``DfE Number`` and ``School Name`` captions).
    """
    mapping = _mapping(context.options)
    defaults = _school_defaults(context.options)
    if _format(path, context.options) == "csv":
        table = CSVTable.from_path(path, encoding=mapping.encoding, delimiter=mapping.delimiter)
        context.metadata["encoding"] = table.encoding.label
        reader = TableReader(
            mapping, context, source=str(path), columns=table.index, defaults=defaults
        )
        yield from reader.read(table.rows())
        return
    captions = [*mapping.learner_key, *mapping.contact_key, *(r.column for r in mapping.rules)]
    columns = {caption: index for index, caption in enumerate(dict.fromkeys(captions))}
    reader = TableReader(
        mapping,
        context,
        source=str(path),
        columns=columns,
        defaults=defaults,
        record_word="record",
    )
    yield from reader.read(_xml_rows(path, columns))


def _xml_rows(path: Path, columns: dict[str, int]) -> Iterator[Row | Problem]:
    for number, cells in enumerate(iter_record_cells(path, columns), start=1):
        if isinstance(cells, str):
            yield Problem(source=str(path), record=f"record {number}", field=None, message=cells)
            continue
        yield Row(None, number, cells)


def write(objects: Iterable[SIFObject], path: Path, context: WriteContext) -> None:
    """Write ``objects`` as a CommandReporter report at ``path`` (XML or CSV by suffix, or the
    ``format`` option), one record per student and contact, with the shipped captions (or the
    ``mapping`` option's). Given a folder, it writes ``StudentDetails.xml`` (or ``.csv``) in it.
    CSV is UTF-8 with a byte order mark unless ``encoding`` says otherwise (``windows-1252``).
    The file appears complete or not at all."""
    mapping = _mapping(context.options)
    folder = path.is_dir() or not path.suffix
    kind = _format(Path() if folder else path, context.options, default="xml")
    if folder:
        path = path / f"{DEFAULT_STEM}.{kind}"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        if kind == "xml":
            layout = TableLayout(mapping, date_format="iso-datetime", yes_no=("true", "false"))
            with temporary.open("w", encoding="utf-8", newline="\n") as stream:
                write_report(stream, layout.header, layout.rows(objects))
        else:
            layout = TableLayout(mapping, yes_no=("Yes", "No"))
            encoding = context.options.get("encoding", "utf-8-sig")
            with temporary.open("w", encoding=encoding, newline="") as stream:
                writer = csv.writer(stream, lineterminator="\r\n")
                writer.writerow(layout.header)
                try:
                    writer.writerows(layout.rows(objects))
                except UnicodeEncodeError as error:
                    raise AdapterError(
                        f"{path}: {error.object[error.start : error.end]!r} cannot be written "
                        f"in {encoding}; write UTF-8 instead (leave out the encoding option)"
                    ) from None
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
