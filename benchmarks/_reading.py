"""Shared by the adapter read benchmarks: a synthetic school on disk and a timed, traced read.

Not a benchmark itself (no ``main``): ``sims_read``, ``oneroster_read`` and ``csvmap_read`` use it.
"""

from __future__ import annotations

import csv
import gc
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sif_core.adapter import AdapterSpec, ReadContext, WriteContext
from sif_core.testing import Synth

#: The size the issue asks for: one school of 20,000 pupils.
PUPILS = 20_000


@dataclass(frozen=True)
class Measure:
    """How long a piece of work took (best run), its peak traced memory, what it produced."""

    seconds: float
    peak_bytes: int
    count: int

    @property
    def per_second(self) -> float:
        return self.count / self.seconds

    @property
    def peak_mib(self) -> float:
        return self.peak_bytes / 2**20


def measure(work: Callable[[], int], runs: int = 2) -> Measure:
    """Time ``work`` (the best of ``runs``, untraced), then trace one more run for peak memory."""
    best = float("inf")
    count = 0
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        count = work()
        best = min(best, time.perf_counter() - started)
    gc.collect()
    tracemalloc.start()
    try:
        work()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return Measure(best, peak, count)


def write_school(adapter: AdapterSpec, target: Path, **options: str) -> None:
    """Write one synthetic school of :data:`PUPILS` pupils with ``adapter`` at ``target``."""
    synth = Synth(pupils=PUPILS, seed=1, schools=1)
    assert adapter.write is not None
    adapter.write(synth.iter_objects(synth.schools[0]), target, WriteContext(options=options))


def read_count(adapter: AdapterSpec, path: Path) -> Callable[[], int]:
    """Work that reads ``path`` with ``adapter`` and counts the objects (Problems would fail)."""

    def work() -> int:
        count = 0
        for item in adapter.read(path, ReadContext("benchmark")):
            if not hasattr(item, "ref_id"):
                raise AssertionError(f"a Problem in a synthetic export: {item}")
            count += 1
        return count

    return work


def csv_rows(*paths: Path, encoding: str = "utf-8-sig") -> Callable[[], int]:
    """The anchor for CSV: :func:`csv.reader` over every row of ``paths``."""

    def work() -> int:
        rows = 0
        for path in paths:
            with path.open(encoding=encoding, newline="") as stream:
                rows += sum(1 for _ in csv.reader(stream))
        return rows

    return work


def report(label: str, read: Measure, anchor_label: str, anchor: Measure) -> None:
    """Print one adapter's figures and its ratio to the anchor."""
    print(
        f"  {label}: {read.count:,} objects in {read.seconds:.2f} s = "
        f"{read.per_second:,.0f} objects/s; peak memory {read.peak_mib:.1f} MiB"
    )
    print(
        f"    anchor {anchor_label}: {anchor.seconds:.3f} s, peak {anchor.peak_mib:.1f} MiB; "
        f"read takes {read.seconds / anchor.seconds:.1f}x the anchor's time"
    )
