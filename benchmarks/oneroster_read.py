"""How fast the oneroster adapter reads a 20,000-pupil OneRoster 1.1 bundle, folder and zip.

Run: ``python -m benchmarks.oneroster_read`` (or ``python -m benchmarks --only oneroster_read``):
the read time against :func:`csv.reader` over every CSV file of the bundle, with objects per
second, and the peak memory of the read against the size of the bundle.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from adapters.oneroster import SPEC
from benchmarks._harness import Row
from benchmarks._reading import csv_rows, print_rows, pupils, read_rows, write_school

STAMP = "2024-09-02T06:00:00.000Z"


def rows(quick: bool = False) -> list[Row]:
    """Read a school's bundle as a folder and as a zip file."""
    count = pupils(quick)
    table = f"oneroster: one school of {count:,} pupils"
    with tempfile.TemporaryDirectory() as folder:
        bundle, archive = Path(folder) / "bundle", Path(folder) / "bundle.zip"
        write_school(SPEC, bundle, count, date_last_modified=STAMP)
        write_school(SPEC, archive, count, date_last_modified=STAMP)
        anchor = csv_rows(sorted(bundle.glob("*.csv")))
        return [
            *read_rows(table, "folder", SPEC, bundle, "csv.reader, every file", anchor),
            *read_rows(table, "zip", SPEC, archive, "csv.reader, every file unzipped", anchor),
        ]


def main() -> None:
    print_rows(rows())


if __name__ == "__main__":
    main()
