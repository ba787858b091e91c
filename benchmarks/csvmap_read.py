"""How fast the csvmap adapter reads a 20,000-pupil mapped CSV export.

Run: ``python -m benchmarks.csvmap_read``. Prints objects per second and peak memory, and the
ratio to the anchor: :func:`csv.reader` over the same file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from adapters.csvmap import SPEC
from benchmarks._reading import PUPILS, csv_rows, measure, read_count, report, write_school


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pupils.csv"
        write_school(SPEC, path)
        print(f"csvmap read, one school of {PUPILS:,} pupils (a row per pupil and contact):")
        print(f"  CSV {path.stat().st_size / 2**20:.1f} MiB with the default mapping")
        report(
            "CSV", measure(read_count(SPEC, path)), "csv.reader", measure(csv_rows(path), runs=3)
        )


if __name__ == "__main__":
    main()
