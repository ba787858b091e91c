"""A OneRoster CSV bundle on disk: a folder or a zip file holding ``manifest.csv`` and data files.

:class:`Bundle` finds the manifest (at the top or in one folder inside a zip), checks it says
OneRoster 1.1, and opens each data file the manifest lists as a checked
:class:`~sif_core.tabular.CSVTable` (UTF-8, as OneRoster requires; a BOM is accepted).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO

from adapters.oneroster.spec import FILE_KEYS, HEADERS, MANIFEST_FILES
from sif_core.errors import MalformedDocumentError
from sif_core.tabular import CSVTable, Row

__all__ = ["Bundle", "is_bundle", "open_bundle"]

MANIFEST = "manifest.csv"


def is_bundle(path: Path) -> bool:
    """True for a folder or zip file with a ``manifest.csv``, or a ``manifest.csv`` itself."""
    if path.is_dir():
        return (path / MANIFEST).is_file()
    if path.name.lower() == MANIFEST:
        return path.is_file()
    if path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return _manifest_in(archive) is not None
    return False


def _manifest_in(archive: zipfile.ZipFile) -> str | None:
    names = [n for n in archive.namelist() if PurePosixPath(n).name == MANIFEST]
    names.sort(key=lambda n: n.count("/"))
    return names[0] if names else None


class Bundle:
    """An open bundle: ``manifest`` holds its properties, :meth:`table` opens a data file."""

    def __init__(self, path: Path, archive: zipfile.ZipFile | None, prefix: str) -> None:
        self.path = path
        self._archive = archive
        self._prefix = prefix
        self.manifest = self._read_manifest()

    def _source(self, name: str) -> str:
        return f"{self.path}/{self._prefix}{name}" if self._archive else str(self.path / name)

    def _opener(self, name: str) -> IO[bytes]:
        if self._archive is not None:
            return self._archive.open(self._prefix + name)
        return (self.path / name).open("rb")

    def has(self, name: str) -> bool:
        """True when the bundle holds the file ``name``."""
        if self._archive is not None:
            return (self._prefix + name) in self._archive.namelist()
        return (self.path / name).is_file()

    def _read_manifest(self) -> dict[str, str]:
        table = self._open(MANIFEST)
        properties: dict[str, str] = {}
        for row in table.rows():
            if isinstance(row, Row):
                properties[row.cells[table.index["propertyName"]]] = row.cells[table.index["value"]]
        version = properties.get("oneroster.version")
        if version != "1.1":
            raise MalformedDocumentError(
                f"the manifest says oneroster.version is {version!r}; this adapter reads "
                "OneRoster 1.1 CSV (export 1.1 from the rostering system)",
                source=self._source(MANIFEST),
            )
        for name in MANIFEST_FILES:
            mode = properties.get(f"file.{name}", "absent")
            if mode not in FILE_KEYS:
                raise MalformedDocumentError(
                    f"file.{name} is {mode!r}; a manifest says bulk, delta or absent",
                    source=self._source(MANIFEST),
                )
            if mode != "absent" and not self.has(f"{name}.csv"):
                raise MalformedDocumentError(
                    f"the manifest lists {name}.csv as {mode} but the bundle has no such file",
                    source=self._source(MANIFEST),
                )
        return properties

    def listed(self, name: str) -> bool:
        """True when the manifest lists ``name`` (``users.csv``) as bulk or delta."""
        return self.manifest.get(f"file.{name.removesuffix('.csv')}", "absent") != "absent"

    def _open(self, name: str) -> CSVTable:
        table = CSVTable(lambda: self._opener(name), source=self._source(name), encoding="utf-8")
        expected = HEADERS[name]
        if name != MANIFEST:
            unknown = [
                c for c in table.header if c not in expected and not c.startswith("metadata.")
            ]
            if unknown:
                raise MalformedDocumentError(
                    f"column {unknown[0]!r} is not a OneRoster 1.1 column of {name} (expected "
                    f"{', '.join(expected)})",
                    source=table.source,
                    line=1,
                    column=table.index[unknown[0]] + 1,
                )
        missing = [c for c in expected[:2] if c not in table.index] if name == MANIFEST else []
        if missing:
            raise MalformedDocumentError(
                f"{name} has no column {missing[0]!r}", source=table.source, line=1
            )
        return table

    def table(self, name: str, required: tuple[str, ...]) -> CSVTable:
        """The data file ``name``, its header checked: every column 1.1 defines for it (or
        ``metadata.*`` extensions), and at least the ``required`` ones."""
        table = self._open(name)
        missing = [column for column in required if column not in table.index]
        if missing:
            raise MalformedDocumentError(
                f"{name} has no column {missing[0]!r}, which OneRoster 1.1 requires",
                source=table.source,
                line=1,
            )
        return table


@contextmanager
def open_bundle(path: Path) -> Iterator[Bundle]:
    """Open the bundle at ``path`` (folder, zip, or its ``manifest.csv``)."""
    if path.is_file() and path.name.lower() == MANIFEST:
        path = path.parent
    if path.is_dir():
        if not (path / MANIFEST).is_file():
            raise MalformedDocumentError(
                "not a OneRoster bundle: the folder has no manifest.csv", source=str(path)
            )
        yield Bundle(path, None, "")
        return
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise MalformedDocumentError(
            "not a OneRoster bundle: neither a folder nor a zip file", source=str(path)
        ) from None
    with archive:
        manifest = _manifest_in(archive)
        if manifest is None:
            raise MalformedDocumentError(
                "not a OneRoster bundle: the zip file has no manifest.csv", source=str(path)
            )
        yield Bundle(path, archive, manifest[: -len(MANIFEST)])
