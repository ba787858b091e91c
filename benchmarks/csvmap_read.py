"""How fast the csvmap adapter reads a 20,000-pupil CSV export through its mapping.

Run: ``python -m benchmarks.csvmap_read`` (or ``python -m benchmarks --only csvmap_read``): the
read time against :func:`csv.reader` over the same file, with objects per second, and the peak
memory of the read against the size of the file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from adapters.csvmap import SPEC
from benchmarks._harness import Row
from benchmarks._reading import csv_rows, print_rows, pupils, read_rows, write_school


def rows(quick: bool = False) -> list[Row]:
    """Read a school's CSV written with the default mapping."""
    count = pupils(quick)
    table = f"csvmap: one school of {count:,} pupils, a row per pupil and contact"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pupils.csv"
        write_school(SPEC, path, count)
        return read_rows(table, "csv", SPEC, path, "csv.reader", csv_rows([path]))


def main() -> None:
    print_rows(rows())


if __name__ == "__main__":
    main()
