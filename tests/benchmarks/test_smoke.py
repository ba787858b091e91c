"""A quick run of each benchmark that has a quick mode: it runs, and every row is whole.

Sizes are tiny, so the figures mean nothing here; what is checked is that each benchmark still
measures what it says and that every floor in floors.toml names a row it returns.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import benchmarks
from benchmarks.__main__ import discover, load_floors

FLOORS = load_floors(Path(benchmarks.__file__).parent / "floors.toml")
QUICK = [
    name
    for name in discover(benchmarks)
    if callable(getattr(importlib.import_module(f"benchmarks.{name}"), "rows", None))
]


def test_the_zone_and_growth_benchmarks_have_a_quick_mode() -> None:
    assert {"zone_throughput", "growth"} <= set(QUICK)


@pytest.mark.slow
@pytest.mark.parametrize("name", QUICK)
def test_quick_run_measures_every_row_and_every_floor_names_one(name: str) -> None:
    module = importlib.import_module(f"benchmarks.{name}")
    rows = module.rows(quick=True)
    keys = [row.key for row in rows]
    assert rows
    assert len(keys) == len(set(keys)), f"{name} repeats a row key"
    for row in rows:
        assert row.ratio is not None or row.note, f"{row.key} has no ratio and says not why"
        assert row.figure is None or row.figure > 0, row
    floored = {key.partition(".")[2] for key in FLOORS if key.startswith(f"{name}.")}
    assert floored <= set(keys), f"floors.toml names rows {name} does not return"
