"""How synthetic generation scales: time per pupil and memory, streaming vs holding a list.

Run: ``python -m benchmarks --only synth_scale`` (or ``python -m benchmarks.synth_scale``).
Prints time per pupil record at two sizes (their ratio should stay near 1: generation is linear)
and the peak memory of streaming many pupils against the anchor of holding a tenth as many in a
list (streaming should stay far below it).
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable

from benchmarks._harness import Row
from sif_core.testing import Synth


def seconds_per_record(pupils: int) -> float:
    synth = Synth(pupils=pupils, seed=1)
    started = time.perf_counter()
    records = sum(1 for _ in synth.iter_pupils())
    return (time.perf_counter() - started) / records


def peak_bytes(work: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def rows(quick: bool = False) -> list[Row]:
    """Time per pupil at a size and twenty times it; peak memory streaming against holding."""
    small, large = (100, 2_000) if quick else (1_000, 20_000)
    per_small, per_large = seconds_per_record(small), seconds_per_record(large)
    streaming = peak_bytes(lambda: sum(1 for _ in Synth(pupils=large, seed=1).iter_pupils()))
    holding = peak_bytes(lambda: list(Synth(pupils=large // 10, seed=1).iter_pupils()))
    table = "Synthetic generation: linear in pupils, flat in memory"
    return [
        Row.cost(
            table,
            "time.linear",
            f"ms per pupil at {large:,}",
            per_large * 1e3,
            "ms",
            f"ms per pupil at {small:,}",
            per_small * 1e3,
        ),
        Row.cost(
            table,
            "memory.streaming",
            f"streaming {large:,} pupils, peak",
            streaming / 2**20,
            "MiB",
            f"holding {large // 10:,} in a list",
            holding / 2**20,
        ),
    ]


def main() -> None:
    small, large = 1_000, 20_000
    per_small, per_large = seconds_per_record(small), seconds_per_record(large)
    print(
        f"generation: {per_small * 1e3:.3f} ms per pupil at {small:,}, "
        f"{per_large * 1e3:.3f} at {large:,}"
    )
    print(f"  ratio large/small {per_large / per_small:.2f} (1.00 = linear)")
    streaming = peak_bytes(lambda: sum(1 for _ in Synth(pupils=large, seed=1).iter_pupils()))
    holding = peak_bytes(lambda: list(Synth(pupils=large // 10, seed=1).iter_pupils()))
    print(
        f"memory: streaming {large:,} pupils peaks at {streaming / 2**20:.1f} MiB; "
        f"holding {large // 10:,} in a list {holding / 2**20:.1f} MiB"
    )
    print(f"  ratio streaming/holding {streaming / holding:.2f} (below 1 = flat memory)")


if __name__ == "__main__":
    main()
