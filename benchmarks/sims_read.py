"""How fast the sims adapter reads a 20,000-pupil CommandReporter report, XML and CSV.

Run: ``python -m benchmarks.sims_read``. Prints objects per second and peak memory for each, and
the ratio to the anchor: a bare pyexpat parse of the same XML file (no handlers), and
:func:`csv.reader` over the same CSV file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from xml.parsers import expat

from adapters.sims import SPEC
from benchmarks._reading import PUPILS, csv_rows, measure, read_count, report, write_school


def pyexpat_parse(path: Path) -> int:
    """The anchor for XML: parse the whole file with pyexpat and no handlers."""
    parser = expat.ParserCreate()
    with path.open("rb") as stream:
        parser.ParseFile(stream)
    return 1


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        xml, csv_file = Path(folder) / "StudentDetails.xml", Path(folder) / "StudentDetails.csv"
        write_school(SPEC, xml)
        write_school(SPEC, csv_file)
        print(f"sims read, one school of {PUPILS:,} pupils (a record per pupil and contact):")
        print(
            f"  XML {xml.stat().st_size / 2**20:.1f} MiB, "
            f"CSV {csv_file.stat().st_size / 2**20:.1f} MiB"
        )
        report(
            "XML",
            measure(read_count(SPEC, xml)),
            "pyexpat parse",
            measure(lambda: pyexpat_parse(xml), runs=3),
        )
        report(
            "CSV",
            measure(read_count(SPEC, csv_file)),
            "csv.reader",
            measure(csv_rows(csv_file), runs=3),
        )


if __name__ == "__main__":
    main()
