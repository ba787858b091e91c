"""How fast the sims adapter reads a 20,000-pupil CommandReporter report, XML and CSV.

Run: ``python -m benchmarks.sims_read`` (or ``python -m benchmarks --only sims_read``). For each
form: the read time against the anchor (a bare pyexpat parse of the same XML file with no
handlers; :func:`csv.reader` over the same CSV file), with objects per second, and the peak
memory of the read against the size of the file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from xml.parsers import expat

from adapters.sims import SPEC
from benchmarks._harness import Row
from benchmarks._reading import csv_rows, print_rows, pupils, read_rows, write_school


def _pyexpat_parse(path: Path) -> None:
    parser = expat.ParserCreate()
    with path.open("rb") as stream:
        parser.ParseFile(stream)


def rows(quick: bool = False) -> list[Row]:
    """Read a school's report as XML and as CSV."""
    count = pupils(quick)
    table = f"sims: one school of {count:,} pupils, a record per pupil and contact"
    with tempfile.TemporaryDirectory() as folder:
        xml = Path(folder) / "StudentDetails.xml"
        report = Path(folder) / "StudentDetails.csv"
        write_school(SPEC, xml, count)
        write_school(SPEC, report, count)
        return [
            *read_rows(table, "xml", SPEC, xml, "pyexpat parse", lambda: _pyexpat_parse(xml)),
            *read_rows(table, "csv", SPEC, report, "csv.reader", csv_rows([report])),
        ]


def main() -> None:
    print_rows(rows())


if __name__ == "__main__":
    main()
