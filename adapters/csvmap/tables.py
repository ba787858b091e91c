"""Reading and writing mapped CSV files: the mapping is found, checked, then applied row by row."""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path

from sif_core.adapter import ReadContext, WriteContext
from sif_core.errors import AdapterError
from sif_core.model import SIFObject
from sif_core.problems import Problem
from sif_core.tabular import (
    AUTO,
    CSVTable,
    TableLayout,
    TableMapping,
    TableReader,
    load_mapping,
    parse_mapping,
)

__all__ = ["default_mapping", "detect", "mapping_beside", "read", "write"]

MAPPING_SUFFIX = ".mapping.toml"
#: The file written when ``write`` is given a folder.
DEFAULT_NAME = "pupils.csv"


def mapping_beside(path: Path) -> Path:
    """Where the mapping of the CSV at ``path`` sits by default (``pupils.mapping.toml``)."""
    return path.with_name(path.stem + MAPPING_SUFFIX)


def default_mapping() -> TableMapping:
    """The mapping csvmap writes with when none is given (it reads every field synth makes)."""
    text = resources.files(__package__).joinpath("default_mapping.toml").read_text("utf-8")
    return parse_mapping(text, source="csvmap default_mapping.toml")


def _mapping_for(path: Path, options: object) -> TableMapping:
    named = getattr(options, "get", lambda _key: None)("mapping")
    if named:
        return load_mapping(Path(str(named)))
    beside = mapping_beside(path)
    if beside.is_file():
        return load_mapping(beside)
    raise AdapterError(
        f"{path}: csvmap needs a mapping file; pass --option mapping=FILE or put "
        f"{beside.name} beside the CSV (`sif adapters show csvmap` explains the format)"
    )


def detect(path: Path, head: bytes) -> bool:
    """A ``.csv`` file with a mapping beside it is csvmap's."""
    return path.suffix.lower() == ".csv" and mapping_beside(path).is_file()


def read(path: Path, context: ReadContext) -> Iterator[SIFObject | Problem]:
    """Read the CSV at ``path`` through its mapping (``mapping`` option or the file beside it).

    Options ``laestab`` and ``school_name`` give the school when the file has no school columns.
    """
    mapping = _mapping_for(path, context.options)
    table = CSVTable.from_path(path, encoding=mapping.encoding, delimiter=mapping.delimiter)
    context.metadata["encoding"] = table.encoding.label
    defaults: dict[str, str | bool | int] = {}
    if context.options.get("laestab"):
        defaults["SchoolInfo.LAESTAB"] = context.options["laestab"]
    if context.options.get("school_name"):
        defaults["SchoolInfo.SchoolName"] = context.options["school_name"]
    reader = TableReader(mapping, context, source=str(path), columns=table.index, defaults=defaults)
    yield from reader.read(table.rows())


def write(objects: Iterable[SIFObject], path: Path, context: WriteContext) -> None:
    """Write ``objects`` as CSV at ``path`` and their mapping beside it (``NAME.mapping.toml``).

    ``path`` may be a folder (an existing one, or a name without a suffix): the CSV is then
    ``pupils.csv`` inside it. The ``mapping`` option names the mapping to write with; the
    default reads every field the other adapters carry. Both files appear together or not at
    all.
    """
    named = context.options.get("mapping")
    mapping = load_mapping(Path(named)) if named else default_mapping()
    layout = TableLayout(mapping, yes_no=("Yes", "No"))
    encoding = "utf-8" if mapping.encoding.lower() == AUTO else mapping.encoding
    if path.is_dir() or not path.suffix:
        path = path / DEFAULT_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    csv_tmp = _temporary(path)
    map_tmp = _temporary(mapping_beside(path))
    try:
        with csv_tmp.open("w", encoding=encoding, newline="") as stream:
            writer = csv.writer(stream, delimiter=mapping.delimiter, lineterminator="\r\n")
            writer.writerow(layout.header)
            writer.writerows(layout.rows(objects))
        map_tmp.write_text(mapping.text, encoding="utf-8")
        os.replace(csv_tmp, path)
        os.replace(map_tmp, mapping_beside(path))
    finally:
        csv_tmp.unlink(missing_ok=True)
        map_tmp.unlink(missing_ok=True)


def _temporary(path: Path) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    return Path(name)
