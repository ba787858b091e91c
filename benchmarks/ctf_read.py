"""How fast and how lean the ctf adapter reads a 20,000-pupil CTF, against pyexpat and xmltodict.

Run: ``python -m benchmarks.ctf_read`` (or ``python -m benchmarks --only ctf_read``). From one
run it prints:

- the adapter's read time beside a bare pyexpat parse of the same file with empty start, end and
  character handlers (the floor for Python) and beside a whole-file ``xmltodict.parse``; CPU time
  of this process, the best of several interleaved runs, so that other work on a shared machine
  counts as little as it can (wall-clock times are shown too);
- the peak memory of reading 2,000 and of reading 20,000 pupils: the peak resident memory of a
  child process that only reads the file (``VmHWM``), and the peak that ``tracemalloc`` traces.

Targets (issue 4): read within 3x the bare parse (ratio at least 0.33), and peak memory at 20,000
pupils within 10% of that at 2,000 (ratio at least 0.91).

The synthetic files (``Synth(pupils=N, seed=1, schools=1)`` written by the adapter as CTF 25) are
cached under the system's temporary folder, keyed by the adapter's source, so only the first run
pays for generating them.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

import xmltodict

from adapters import ctf
from benchmarks._harness import Row
from benchmarks._reading import bare_parse, count_objects, rss_peak_mib, timed, traced_peak_mib
from sif_core.testing import Synth

__all__ = ["main", "rows"]

PUPILS = 20_000
SMALLER = 2_000
_QUICK = (2_000, 200)
#: The modules whose code decides what the cached files hold.
_WRITER_MODULES = ("writer", "pupil_xml", "grouping", "header", "xmlout", "versions", "naming")
_TIME = "read time, CTF of {pupils:,} pupils ({size:.0f} MiB)"
_MEMORY = "peak memory, reading {small:,} and {large:,} pupils"


def cached_ctf(pupils: int) -> Path:
    """A synthetic CTF of ``pupils`` pupils, generated once and kept in the temporary folder."""
    package = Path(ctf.__file__).parent
    source = b"".join((package / f"{name}.py").read_bytes() for name in _WRITER_MODULES)
    key = hashlib.sha256(source).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / "sifbridge-benchmarks"
    folder.mkdir(exist_ok=True)
    path = folder / f"ctf-{pupils}-seed1-{key}.xml"
    if not path.exists():
        synth = Synth(pupils=pupils, seed=1, schools=1)
        (school,) = synth.schools
        partial = path.with_suffix(f".{os.getpid()}.part")
        ctf.write_ctf(synth.iter_objects(school), partial, {"date_time": "2025-07-18T15:30:00"})
        partial.replace(path)
    return path


def whole_xmltodict(path: Path) -> int:
    """The other anchor: the whole file into one dict with ``xmltodict.parse``."""
    with path.open("rb") as stream:
        document = xmltodict.parse(stream)
    return len(document)


def adapter_read(path: Path) -> int:
    """The measured work: read every object with the ctf adapter (a Problem is a failure)."""
    return count_objects(ctf.read, path)


def rows(quick: bool = False) -> list[Row]:
    """Read time against both anchors, and peak memory at the smaller and the larger size."""
    large, small = _QUICK if quick else (PUPILS, SMALLER)
    path, smaller = cached_ctf(large), cached_ctf(small)
    best = timed(
        {
            "bare": lambda: bare_parse(path),
            "buffered": lambda: bare_parse(path, buffer_text=True),
            "adapter": lambda: adapter_read(path),
        },
        runs=1 if quick else 3,
    )
    best |= timed({"xmltodict": lambda: whole_xmltodict(path)}, runs=1)
    table = _TIME.format(pupils=large, size=path.stat().st_size / 2**20)
    read_cpu, read_wall = best["adapter"]
    result = [
        Row.cost(table, "vs-pyexpat", "ctf read, CPU", read_cpu, "s",
                 "pyexpat, empty handlers", best["bare"][0]),
        Row.cost(table, "vs-pyexpat-buffered", "ctf read, CPU", read_cpu, "s",
                 "pyexpat, empty handlers, buffer_text", best["buffered"][0]),
        Row.cost(table, "vs-xmltodict", "ctf read, CPU", read_cpu, "s",
                 "xmltodict.parse, whole file", best["xmltodict"][0]),
        Row.cost(table, "wall-vs-pyexpat", "ctf read, wall clock", read_wall, "s",
                 "pyexpat, empty handlers", best["bare"][1]),
    ]  # fmt: skip
    memory = _MEMORY.format(small=small, large=large)

    def rss(path: Path) -> float:
        return rss_peak_mib("benchmarks.ctf_read", path)

    def traced(path: Path) -> float:
        return traced_peak_mib(adapter_read, path)

    result += [
        Row.cost(memory, "rss-growth", f"peak RSS, {large:,} pupils", rss(path), "MiB",
                 f"{small:,} pupils", rss(smaller)),
        Row.cost(memory, "traced-growth", f"tracemalloc peak, {large:,}", traced(path),
                 "MiB", f"{small:,} pupils", traced(smaller)),
    ]  # fmt: skip
    return result


def main() -> None:
    """Print the rows, with each ratio also as "times the anchor"."""
    if sys.argv[1:2] == ["--read"]:
        adapter_read(Path(sys.argv[2]))
        return
    quick = "--quick" in sys.argv[1:]
    for row in rows(quick=quick):
        times = f"{row.figure / row.anchor:.2f}x the anchor" if row.figure and row.anchor else "-"
        print(
            f"{row.table}: {row.label} {row.figure:.2f} {row.unit}; {row.anchor_label} "
            f"{row.anchor:.2f} {row.unit}: ratio {row.ratio:.2f} ({times})"
        )


if __name__ == "__main__":
    main()
