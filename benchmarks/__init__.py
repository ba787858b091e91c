"""Runnable benchmarks: each prints its measurements and ratios against an anchor."""
