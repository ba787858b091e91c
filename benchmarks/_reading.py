"""Shared by the adapter read benchmarks: a synthetic school on disk, read and measured as rows.

Not a benchmark itself: ``sims_read``, ``oneroster_read`` and ``csvmap_read`` use it. Each read
gives two rows: its time against the anchor's (the cheapest pass over the same bytes:
:func:`csv.reader`, or pyexpat with no handlers), and its peak traced memory against the size of
the input (a reader holding the export would need at least that).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from pathlib import Path

from benchmarks._harness import Row, best_of, traced_peak
from sif_core.adapter import AdapterSpec, ReadContext, WriteContext
from sif_core.model import SIFObject
from sif_core.testing import Synth

__all__ = ["csv_rows", "print_rows", "pupils", "read_rows", "write_school"]

#: The size the issue asks for (one school of 20,000 pupils), and the size of a --quick run.
PUPILS, QUICK_PUPILS = 20_000, 2_000


def pupils(quick: bool) -> int:
    """How many pupils the school has in this run."""
    return QUICK_PUPILS if quick else PUPILS


def write_school(adapter: AdapterSpec, target: Path, count: int, **options: str) -> None:
    """Write one synthetic school of ``count`` pupils with ``adapter`` at ``target``."""
    synth = Synth(pupils=count, seed=1, schools=1)
    assert adapter.write is not None
    adapter.write(synth.iter_objects(synth.schools[0]), target, WriteContext(options=options))


def _read_count(adapter: AdapterSpec, path: Path) -> Callable[[], int]:
    def work() -> int:
        count = 0
        for item in adapter.read(path, ReadContext("benchmark")):
            if not isinstance(item, SIFObject):
                raise AssertionError(f"a Problem in a synthetic export: {item}")
            count += 1
        return count

    return work


def csv_rows(paths: Iterable[Path], encoding: str = "utf-8-sig") -> Callable[[], int]:
    """The anchor for CSV: :func:`csv.reader` over every row of ``paths``."""
    files = list(paths)

    def work() -> int:
        rows = 0
        for path in files:
            with path.open(encoding=encoding, newline="") as stream:
                rows += sum(1 for _ in csv.reader(stream))
        return rows

    return work


def _size_mib(path: Path) -> float:
    files = path.rglob("*") if path.is_dir() else [path]
    return sum(file.stat().st_size for file in files if file.is_file()) / 2**20


def read_rows(
    table: str,
    key: str,
    adapter: AdapterSpec,
    path: Path,
    anchor_label: str,
    anchor: Callable[[], object],
) -> list[Row]:
    """Time (best of two) and peak memory of reading ``path`` with ``adapter``, as two rows."""
    seconds, count = best_of(_read_count(adapter, path), runs=2)
    peak, _ = traced_peak(_read_count(adapter, path))
    anchor_seconds, _ = best_of(anchor, runs=3)
    size = _size_mib(path)
    return [
        Row.cost(
            table,
            f"{key}.time",
            f"read {key}: {count:,} objects, {count / seconds:,.0f} objects/s",
            seconds,
            "s",
            anchor_label,
            anchor_seconds,
        ),
        Row.cost(
            table,
            f"{key}.memory",
            f"peak memory reading {key}",
            peak / 2**20,
            "MiB",
            f"size of the {key} input ({size:.1f} MiB)",
            size,
        ),
    ]


def print_rows(rows: Iterable[Row]) -> None:
    """Print rows for a module run on its own (``python -m benchmarks.NAME``)."""
    for row in rows:
        print(
            f"{row.table}: {row.label}: {row.figure:.3f} {row.unit}; {row.anchor_label}: "
            f"{row.anchor:.3f} {row.unit}; ratio {row.ratio:.3f} (higher is better)"
        )
