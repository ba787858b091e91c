"""Peak memory of every adapter's read at 2,000, 20,000 and 100,000 pupils: flat or not.

Run: ``python -m benchmarks --only read_memory`` (``--quick``: 200, 1,000 and 2,000 pupils, a
smoke run).

For each adapter and format an integrator reads schools with (CTF, SIF XML, SIMS CommandReporter
XML and CSV, a CSV through the default csvmap mapping, a OneRoster folder), one synthetic school
(``Synth(pupils=N, seed=1, schools=1)``) is written by the adapter itself, then read in a fresh
process that does nothing else; its peak resident memory (``VmHWM``) is the figure. The anchor of
each row is the same read of the 2,000-pupil school, so a ratio of 1.0 means memory did not grow
at all with a school ten or fifty times larger, and 0.1 would mean it grew in step with the
school (as a reader that holds the export would).

The exports are cached in the system's temporary folder, keyed by the source of the adapter and
of the synthetic generator, so only the first run pays for writing them (about a minute for each
100,000-pupil export on a 2-core machine).
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks._harness import Row, run_with_peak_rss
from sif_core.adapter import AdapterSpec, ReadContext, WriteContext
from sif_core.problems import Problem

__all__ = ["FORMATS", "Format", "cached_export", "rows"]

SIZES = (2_000, 20_000, 100_000)
QUICK_SIZES = (200, 1_000, 2_000)
TABLE = "Peak memory of a process reading one school, against the same read of the smallest"


@dataclass(frozen=True)
class Format:
    """One adapter reading one kind of export: ``suffix`` names the file (or folder) written."""

    key: str
    adapter: str
    suffix: str
    label: str
    options: tuple[tuple[str, str], ...] = ()


FORMATS = (
    Format("ctf", "ctf", ".xml", "ctf, CTF 25 XML"),
    Format("sifxml", "sifxml", ".xml", "sifxml, SIF XML (every object type)"),
    Format("sims-xml", "sims", ".xml", "sims, CommandReporter XML"),
    Format("sims-csv", "sims", ".csv", "sims, CommandReporter CSV"),
    Format("csvmap", "csvmap", ".csv", "csvmap, default mapping"),
    Format(
        "oneroster",
        "oneroster",
        "",
        "oneroster, folder of CSV files",
        (("date_last_modified", "2024-09-02T06:00:00.000Z"),),
    ),
)


def _spec(name: str) -> AdapterSpec:
    from sif_core.plugins import get_plugin_host

    return get_plugin_host().adapter(name)


def _source_key(spec: AdapterSpec) -> str:
    import sif_core.testing

    module = sys.modules[spec.read.__module__]
    package = Path(module.__file__ or "").parent
    core = Path(sif_core.testing.__file__).parent.parent
    folders = (package, core / "testing", core / "tabular", core / "codec")
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cached_export(form: Format, pupils: int) -> Path:
    """A synthetic school of ``pupils`` written in ``form``, made once and kept in the temp dir."""
    from sif_core.testing import Synth

    spec = _spec(form.adapter)
    root = Path(tempfile.gettempdir()) / "sifbridge-benchmarks"
    # A folder per export: some adapters write files beside it (csvmap its mapping).
    folder = root / f"memory-{form.key}-{pupils}-seed1-{_source_key(spec)}"
    path, complete = folder / f"school{form.suffix}", folder / "complete"
    if not complete.exists():
        # Exports written by earlier versions of the code are of no more use: drop them.
        for stale in root.glob(f"memory-{form.key}-{pupils}-seed1-*"):
            shutil.rmtree(stale, ignore_errors=True)
        folder.mkdir(parents=True)
        synth = Synth(pupils=pupils, seed=1, schools=1)
        assert spec.write is not None
        spec.write(
            synth.iter_objects(synth.schools[0]), path, WriteContext(options=dict(form.options))
        )
        complete.touch()
    return path


def read_all(adapter: str, path: Path) -> int:
    """Read every object of ``path`` with ``adapter``; a Problem means the export is broken."""
    count = 0
    for item in _spec(adapter).read(path, ReadContext("benchmark")):
        if isinstance(item, Problem):
            raise AssertionError(f"a Problem in a synthetic export: {item}")
        count += 1
    return count


def _peak(form: Format, pupils: int) -> float:
    path = cached_export(form, pupils)
    argv = [sys.executable, "-m", "benchmarks.read_memory", "--read", form.adapter, str(path)]
    _seconds, peak = run_with_peak_rss(argv, timeout=1800)
    return peak


def rows(quick: bool = False) -> list[Row]:
    """For every format, peak RSS at the middle and largest size against the smallest."""
    small, middle, large = QUICK_SIZES if quick else SIZES
    result: list[Row] = []
    for form in FORMATS:
        base = _peak(form, small)
        for size in (middle, large):
            result.append(
                Row.cost(
                    TABLE,
                    f"{form.key}.{'middle' if size == middle else 'largest'}",
                    f"{form.label}, {size:,} pupils",
                    _peak(form, size),
                    "MiB",
                    f"{small:,} pupils",
                    base,
                )
            )
    return result


def main() -> None:
    """``--read ADAPTER PATH`` reads one export (the child process); otherwise prints the rows."""
    if sys.argv[1:2] == ["--read"]:
        print(read_all(sys.argv[2], Path(sys.argv[3])))
        return
    for row in rows(quick="--quick" in sys.argv[1:]):
        print(f"{row.label}: {row.figure:.1f} MiB; {row.anchor_label}: {row.anchor:.1f} MiB")


if __name__ == "__main__":
    main()
