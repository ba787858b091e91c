"""The fold's key table: every digest keeps the number it was first given, however many come."""

from __future__ import annotations

import random
import tracemalloc

from sif_core.tabular.digests import DigestNumbers, pair_digest


def test_digests_keep_their_first_numbers_as_the_table_grows_past_many_doublings() -> None:
    rng = random.Random(7)
    digests = [rng.getrandbits(128) for _ in range(40_000)]
    table = DigestNumbers()
    expected: dict[int, int] = {}
    for digest in digests + digests[:5_000]:
        seen = len(table)
        number = table.number(digest)
        if digest in expected:
            assert number == expected[digest]
            assert len(table) == seen
        else:
            assert number == seen
            assert len(table) == seen + 1
            expected[digest] = number
    assert all(table.number(digest) == number for digest, number in expected.items())
    assert len(table) == len(expected)
    others = [table.number(rng.getrandbits(128)) for _ in range(5_000)]
    assert others == list(range(len(expected), len(expected) + 5_000))


def test_digests_sharing_their_high_half_are_told_apart() -> None:
    table = DigestNumbers()
    high = 0xABCD << 112
    numbers = [table.number(high | low) for low in (5, 1, 3, 1, 5)]
    assert numbers == [0, 1, 2, 1, 0]
    assert table.number(high | 2) == 3
    assert table.number(high) == 4


def test_pairs_of_numbers_are_exact_keys() -> None:
    table = DigestNumbers()
    pairs = [(learner, contact) for learner in range(120) for contact in range(120)]
    numbers = [table.number(pair_digest(*pair)) for pair in pairs]
    assert numbers == list(range(len(pairs)))
    assert table.number(pair_digest(3, 7)) == 3 * 120 + 7
    assert table.number(pair_digest(7, 3)) == 7 * 120 + 3
    assert pair_digest(2**32 - 1, 2**32 - 1) < 2**128


def test_a_digest_costs_about_twenty_bytes() -> None:
    rng = random.Random(1)
    digests = [rng.getrandbits(128) for _ in range(100_000)]
    tracemalloc.start()
    try:
        table = DigestNumbers()
        for digest in digests:
            table.number(digest)
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    # A set of the same ints holds about 86 bytes for each (the int and its slot), a dict 128.
    assert held / len(table) < 32
