"""How fast the oneroster adapter reads a 20,000-pupil OneRoster 1.1 bundle.

Run: ``python -m benchmarks.oneroster_read``. Prints objects per second and peak memory for the
bundle as a folder and as a zip file, and the ratio to the anchor: :func:`csv.reader` over every
CSV file of the folder.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from adapters.oneroster import SPEC
from benchmarks._reading import PUPILS, csv_rows, measure, read_count, report, write_school

STAMP = "2024-09-02T06:00:00.000Z"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        bundle, archive = Path(folder) / "bundle", Path(folder) / "bundle.zip"
        write_school(SPEC, bundle, date_last_modified=STAMP)
        write_school(SPEC, archive, date_last_modified=STAMP)
        files = sorted(bundle.glob("*.csv"))
        size = sum(path.stat().st_size for path in files) / 2**20
        print(f"oneroster read, one school of {PUPILS:,} pupils:")
        print(
            f"  {len(files)} CSV files, {size:.1f} MiB; "
            f"zip {archive.stat().st_size / 2**20:.1f} MiB"
        )
        anchor = measure(csv_rows(*files), runs=3)
        report("folder", measure(read_count(SPEC, bundle)), "csv.reader", anchor)
        report("zip", measure(read_count(SPEC, archive)), "csv.reader (folder)", anchor)


if __name__ == "__main__":
    main()
