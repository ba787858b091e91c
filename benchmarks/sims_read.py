"""How fast the sims adapter reads a 20,000-pupil CommandReporter report, XML and CSV.

Run: ``python -m benchmarks.sims_read`` (or ``python -m benchmarks --only sims_read``). For each
form: the read time against the anchor (a bare pyexpat parse of the same XML file with empty
handlers, as issue 10 defines the floor; :func:`csv.reader` over the same CSV file), with objects
per second, the CPU time of validating the same objects alone, and the peak memory of the read
against the size of the file. For XML, one more row sets the read beside pyexpat with no
handlers at all (nothing calls back into Python), a stricter floor.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from adapters.sims import SPEC
from benchmarks._harness import Row
from benchmarks._reading import (
    bare_parse,
    best_cpu,
    csv_rows,
    print_rows,
    pupils,
    read_rows,
    write_school,
)


def rows(quick: bool = False) -> list[Row]:
    """Read a school's report as XML and as CSV."""
    count = pupils(quick)
    table = f"sims: one school of {count:,} pupils, a record per pupil and contact"
    with tempfile.TemporaryDirectory() as folder:
        xml = Path(folder) / "StudentDetails.xml"
        report = Path(folder) / "StudentDetails.csv"
        write_school(SPEC, xml, count)
        write_school(SPEC, report, count)
        xml_rows = read_rows(
            table, "xml", SPEC, xml, "pyexpat, empty handlers", lambda: bare_parse(xml)
        )
        silent, _ = best_cpu(lambda: bare_parse(xml, handlers=False), runs=3)
        read = xml_rows[0]
        stricter = Row.cost(
            table, "xml.vs-no-handlers", read.label, read.figure, "s", "pyexpat, no handlers",
            silent,
        )  # fmt: skip
        return [
            *xml_rows,
            stricter,
            *read_rows(table, "csv", SPEC, report, "csv.reader", csv_rows([report])),
        ]


def main() -> None:
    print_rows(rows())


if __name__ == "__main__":
    main()
