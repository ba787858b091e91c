"""The measuring helpers every benchmark shares."""

from __future__ import annotations

import sys

import pytest

from benchmarks._harness import Row, percentile, run_with_peak_rss, traced_peak


def test_a_rate_row_is_better_when_the_figure_is_higher() -> None:
    row = Row.rate("t", "k", "zone", 500.0, "events/s", "broker", 1000.0)
    assert row.ratio == pytest.approx(0.5)


def test_a_cost_row_is_better_when_the_figure_is_lower() -> None:
    row = Row.cost("t", "k", "zone", 20.0, "ms", "broker", 5.0)
    assert row.ratio == pytest.approx(0.25)


def test_a_row_without_its_anchor_has_no_ratio() -> None:
    assert Row.rate("t", "k", "zone", 500.0, "events/s", "broker", None).ratio is None


def test_percentiles_of_one_to_a_hundred() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.5) == pytest.approx(50.5, abs=0.5)
    assert percentile(values, 0.99) == pytest.approx(99, abs=1)


def test_traced_peak_sees_a_large_allocation() -> None:
    peak, size = traced_peak(lambda: len(bytearray(8 * 2**20)))
    assert size == 8 * 2**20
    assert peak >= 8 * 2**20


def test_peak_resident_memory_of_a_subprocess_counts_what_it_touched() -> None:
    _, small = run_with_peak_rss([sys.executable, "-c", "pass"])
    _, large = run_with_peak_rss([sys.executable, "-c", "b = bytearray(64 * 2**20)"])
    assert large - small >= 60
