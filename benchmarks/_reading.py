"""Shared by the adapter read benchmarks: a synthetic school on disk, read and measured as rows.

Not a benchmark itself: ``sims_read``, ``oneroster_read`` and ``csvmap_read`` use it. Times are
CPU seconds of this process. Each read gives three rows: its time against the anchor's (the
cheapest pass over the same bytes: :func:`csv.reader`, or pyexpat with no handlers); the time
pydantic alone takes to validate the same objects from their wire dicts, against the same anchor
(the part of the read no adapter code can remove: a read cannot get closer to the anchor than
this row's ratio); and its peak traced memory against the size of the input (a reader holding
the export would need at least that).
"""

from __future__ import annotations

import csv
import gc
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar
from xml.parsers import expat

from pydantic import BaseModel

from benchmarks._harness import Row, run_with_peak_rss, traced_peak
from benchmarks.model_validation import plain_twin
from sif_core.adapter import AdapterSpec, ReadContext, WriteContext
from sif_core.model import SIFObject
from sif_core.testing import Synth

__all__ = [
    "bare_parse",
    "best_cpu",
    "count_objects",
    "csv_rows",
    "print_rows",
    "pupils",
    "read_rows",
    "rss_peak_mib",
    "timed",
    "traced_peak_mib",
    "write_school",
]

T = TypeVar("T")

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


def bare_parse(path: Path, *, buffer_text: bool = False, handlers: bool = True) -> int:
    """The floor for XML (issue 10's "bare pyexpat parse with empty handlers"): pyexpat over the
    file with empty start, end and character-data handlers, pyexpat's defaults otherwise.

    ``buffer_text`` (as xmltodict sets it) hands text over in fewer, longer calls, and
    ``handlers=False`` sets none at all (nothing calls back into Python): stricter floors.
    """

    def start(name: str, attributes: dict[str, str]) -> None:
        pass

    def end(name: str) -> None:
        pass

    def text(data: str) -> None:
        pass

    parser = expat.ParserCreate()
    parser.buffer_text = buffer_text
    if handlers:
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = text
    with path.open("rb") as stream:
        parser.ParseFile(stream)
    return 0


def best_cpu(work: Callable[[], T], runs: int) -> tuple[float, T]:
    """The least CPU time of this process over ``runs`` runs of ``work``, in seconds, and what
    its last run returned. Reads and anchors run in this process alone, so CPU time measures them
    whatever else the machine is doing (wall-clock time mostly measures the other work)."""
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        started = time.process_time()
        result = work()
        best = min(best, time.process_time() - started)
    return best, result


def timed(works: dict[str, Callable[[], int]], runs: int) -> dict[str, tuple[float, float]]:
    """Best CPU and best wall-clock seconds of each work, the runs interleaved."""
    best = {name: (float("inf"), float("inf")) for name in works}
    for _ in range(runs):
        for name, work in works.items():
            gc.collect()
            cpu, wall = time.process_time(), time.perf_counter()
            work()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            best[name] = (min(best[name][0], cpu), min(best[name][1], wall))
    return best


def traced_peak_mib(read: Callable[[Path], object], path: Path) -> float:
    """The most memory Python allocated at once while ``read(path)`` ran."""
    peak, _ = traced_peak(lambda: read(path))
    return peak / 2**20


def rss_peak_mib(module: str, path: Path) -> float:
    """The peak resident memory of a fresh process running ``python -m MODULE --read PATH``
    (a benchmark module that then only imports its adapter and reads ``path``)."""
    _seconds, peak = run_with_peak_rss(
        [sys.executable, "-m", module, "--read", str(path)], timeout=1800
    )
    return peak


def count_objects(read: Callable[[Path, ReadContext], Iterable[object]], path: Path) -> int:
    """Read every object of ``path`` with an adapter's ``read``; a Problem fails the benchmark
    (the synthetic exports are valid)."""
    count = 0
    for item in read(path, ReadContext("benchmark")):
        if not isinstance(item, SIFObject):
            raise AssertionError(f"a Problem in a synthetic export: {item}")
        count += 1
    return count


def _read_count(adapter: AdapterSpec, path: Path) -> Callable[[], int]:
    return lambda: count_objects(adapter.read, path)


def _validation(adapter: AdapterSpec, path: Path, *, plain: bool = False) -> Callable[[], int]:
    """Validating every object the read gives, again, from the wire dict it was made from (its
    fields as set, by alias, in JSON form: what the adapter hands its model); with ``plain``,
    by a pydantic model of the same shape without SIF's rules
    (:func:`benchmarks.model_validation.plain_twin`): what pydantic charges to build it at all."""
    model: Callable[[type[SIFObject]], type[BaseModel]] = plain_twin if plain else _itself
    wires = [
        (model(type(item)).__pydantic_validator__.validate_python, item.model_dump(**_WIRE))
        for item in adapter.read(path, ReadContext("benchmark"))
        if isinstance(item, SIFObject)
    ]

    def work() -> int:
        for validate, wire in wires:
            validate(wire)
        return len(wires)

    return work


def _itself(model: type[SIFObject]) -> type[BaseModel]:
    return model


_WIRE: dict[str, Any] = {"mode": "json", "by_alias": True, "exclude_unset": True}


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
    """CPU time (best of two) and peak memory of reading ``path`` with ``adapter``, and the CPU
    time of validating its objects alone, as three rows; the anchor's CPU time is the best of
    three."""
    seconds, count = best_cpu(_read_count(adapter, path), runs=2)
    peak, _ = traced_peak(_read_count(adapter, path))
    anchor_seconds, _ = best_cpu(anchor, runs=3)
    validation_seconds = _frozen_best_cpu(_validation(adapter, path))
    plain_seconds = _frozen_best_cpu(_validation(adapter, path, plain=True))
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
            f"{key}.validation",
            f"pydantic validation alone of the {count:,} objects read from {key}",
            validation_seconds,
            "s",
            anchor_label,
            anchor_seconds,
        ),
        Row.cost(
            table,
            f"{key}.plain-validation",
            "the same by pydantic models of the same shape without SIF's rules (a bound)",
            plain_seconds,
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


def _frozen_best_cpu(work: Callable[[], int]) -> float:
    """The best of three CPU times of ``work``, which holds wire dicts only for this
    measurement: the collector is kept from walking them over and over, which a read (holding
    one row's objects at a time) never makes it do."""
    gc.collect()
    gc.freeze()
    try:
        seconds, _ = best_cpu(work, runs=3)
    finally:
        gc.unfreeze()
    return seconds


def print_rows(rows: Iterable[Row]) -> None:
    """Print rows for a module run on its own (``python -m benchmarks.NAME``)."""
    for row in rows:
        print(
            f"{row.table}: {row.label}: {row.figure:.3f} {row.unit}; {row.anchor_label}: "
            f"{row.anchor:.3f} {row.unit}; ratio {row.ratio:.3f} (higher is better)"
        )
