"""What every benchmark shares: the :class:`Row` a benchmark returns, and measuring helpers.

A benchmark module exposes ``rows(quick: bool) -> list[Row]`` (``python -m benchmarks`` finds it
and tables the rows); each row holds one figure beside its anchor, measured in the same run, and
their ratio, oriented so that **higher is better** and 1.0 means "as good as the anchor".
"""

from __future__ import annotations

import contextlib
import gc
import socket
import statistics
import subprocess
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

__all__ = [
    "Row",
    "best_of",
    "free_port",
    "peak_rss_mib",
    "percentile",
    "run_with_peak_rss",
    "traced_peak",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Row:
    """One measured figure beside its anchor.

    ``key`` is stable across runs (``batch100.vs-rabbitmq``): ``benchmarks/floors.toml`` names
    rows by ``MODULE.KEY``. ``table`` groups rows into one printed table. ``ratio`` is ``None``
    when the figure or its anchor could not be measured; ``note`` then says why.
    """

    table: str
    key: str
    label: str
    figure: float | None
    unit: str
    anchor_label: str
    anchor: float | None
    ratio: float | None
    note: str = ""

    @classmethod
    def rate(
        cls,
        table: str,
        key: str,
        label: str,
        figure: float | None,
        unit: str,
        anchor_label: str,
        anchor: float | None,
        note: str = "",
    ) -> Row:
        """A row where more is better (events/s): ratio = figure / anchor."""
        ratio = figure / anchor if figure and anchor else None
        return cls(table, key, label, figure, unit, anchor_label, anchor, ratio, note)

    @classmethod
    def cost(
        cls,
        table: str,
        key: str,
        label: str,
        figure: float | None,
        unit: str,
        anchor_label: str,
        anchor: float | None,
        note: str = "",
    ) -> Row:
        """A row where less is better (seconds, bytes): ratio = anchor / figure."""
        ratio = anchor / figure if figure and anchor else None
        return cls(table, key, label, figure, unit, anchor_label, anchor, ratio, note)


def best_of(work: Callable[[], T], runs: int = 3) -> tuple[float, T]:
    """The fastest of ``runs`` timings of ``work`` in seconds, and what its last run returned."""
    gc.collect()
    started = time.perf_counter()
    result = work()
    best = time.perf_counter() - started
    for _ in range(runs - 1):
        gc.collect()
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def traced_peak(work: Callable[[], T]) -> tuple[int, T]:
    """The peak bytes Python allocated (tracemalloc) while ``work`` ran, and its result."""
    gc.collect()
    tracemalloc.start()
    try:
        result = work()
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def peak_rss_mib(pid: int) -> float:
    """The peak resident memory so far of the running process ``pid`` (Linux ``VmHWM``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise OSError(f"/proc/{pid}/status has no VmHWM line (not Linux?)")


def run_with_peak_rss(argv: Sequence[str], *, timeout: float = 600) -> tuple[float, float]:
    """Run ``argv`` to its end: (seconds it took, its peak resident memory in MiB).

    The peak is the process's ``VmHWM``, read every few milliseconds while it runs (the kernel's
    ``ru_maxrss`` of a child also counts the parent it was forked from, so it is not used).
    Raises :class:`subprocess.CalledProcessError` when it fails, with its output.
    """
    started = time.perf_counter()
    peak = 0.0
    with (
        tempfile.TemporaryFile() as output,
        subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT) as process,
    ):
        while process.poll() is None:
            with contextlib.suppress(OSError):
                peak = max(peak, peak_rss_mib(process.pid))
            if time.perf_counter() - started > timeout:
                process.kill()
                raise subprocess.TimeoutExpired(list(argv), timeout)
            time.sleep(0.002)
        seconds = time.perf_counter() - started
        output.seek(0)
        if process.returncode != 0:
            raise subprocess.CalledProcessError(process.returncode, list(argv), output.read())
    return seconds, peak


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile of ``values`` (0.5 is the median, 0.99 the 99th percentile)."""
    if not values:
        raise ValueError("no values to take a percentile of")
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=1000, method="inclusive")
    return cuts[min(len(cuts) - 1, max(0, round(fraction * 1000) - 1))]


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
