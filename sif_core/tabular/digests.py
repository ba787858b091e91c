"""128-bit digests numbered in the order they are first seen, in about 20 bytes each.

A fold has to remember every key it has met (a learner, a contact, a link) because an export does
not promise a learner's rows come together. Held as a Python int, a key costs about 86 bytes in a
set and 128 in a dict; :class:`DigestNumbers` keeps the two halves of each digest and its number
in ``array`` buffers (8 + 8 + 4 bytes), sorted in buckets chosen by the digest's top bits, and looks
one up with :func:`bisect.bisect_left` (C code over the buffer). Buckets double when they grow
full, splitting each sorted bucket in two by slicing, so an insert moves a few kilobytes at most.

The digests must be uniformly spread (BLAKE2b output, or :func:`pair_digest`): the buckets are
chosen by their top bits.
"""

from __future__ import annotations

import hashlib
from array import array
from bisect import bisect_left

__all__ = ["DigestNumbers", "key_digest", "pair_digest"]

_LOW = (1 << 64) - 1
_blake2b = hashlib.blake2b
# Average entries a bucket holds before the buckets double: a bucket is searched in about 8
# steps and an insert moves a few KiB at most. Smaller buckets were no faster (the cost of a
# lookup is the interpreter's, not the search's).
_BUCKET_FILL = 128
_FIRST_BITS = 4
# Fibonacci hashing: spreads consecutive numbers over all 64 bits.
_SPREAD = 0x9E3779B97F4A7C15


def key_digest(cells: tuple[str, ...]) -> int:
    """The identity of a key (a tuple of cells of one fixed length, e.g. a learner's key columns
    or a sourcedId) in a fold: a 128-bit BLAKE2b digest of its cells (16 bytes in a
    :class:`DigestNumbers`, against 130 or more for a tuple of strings).

    Two keys are folded together only if their digests are equal: for 10 million keys the chance
    that any two distinct ones share a 128-bit digest is about 1 in 10^24, and BLAKE2b gives no way
    to make such a pair on purpose, so no check against the cells is kept. The cells are joined
    with U+001F; when a cell itself holds one, the join could match another key's, so such a key
    is digested from its ``repr`` (unambiguous) under another personalisation.
    """
    if len(cells) == 1:
        return int.from_bytes(
            _blake2b(cells[0].encode("utf-8", "surrogatepass"), digest_size=16).digest()
        )
    text = "\x1f".join(cells)
    person = b""
    if text.count("\x1f") != len(cells) - 1:
        text = repr(cells)
        person = b"repr"
    digest = _blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16, person=person)
    return int.from_bytes(digest.digest())


def pair_digest(first: int, second: int) -> int:
    """A 128-bit digest standing for the pair of numbers (each below 2**32) exactly: its low half
    is the pair itself, its high half the pair spread over 64 bits (for the buckets)."""
    pair = (first << 32) | second
    return (((pair * _SPREAD) & _LOW) << 64) | pair


class DigestNumbers:
    """Numbers 0, 1, 2, ... given to 128-bit digests in the order they are first added."""

    __slots__ = ("_bits", "_highs", "_limit", "_lows", "_numbers", "_shift", "count")

    def __init__(self) -> None:
        self._bits = _FIRST_BITS
        # A digest's bucket is digest >> _shift; the buckets double past _limit digests.
        self._shift = 128 - _FIRST_BITS
        self._limit = _BUCKET_FILL << _FIRST_BITS
        buckets = 1 << _FIRST_BITS
        self._highs: list[array[int]] = [array("Q") for _ in range(buckets)]
        self._lows: list[array[int]] = [array("Q") for _ in range(buckets)]
        self._numbers: list[array[int]] = [array("I") for _ in range(buckets)]
        #: How many digests were added: the number the next new one gets.
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def number(self, digest: int) -> int:
        """The digest's number, adding it when new: a new digest gets ``len(self)`` as it was
        before the call (so a caller tells new from known by comparing the two)."""
        high = digest >> 64
        bucket = digest >> self._shift
        highs = self._highs[bucket]
        at = bisect_left(highs, high)
        end = len(highs)
        low = digest & _LOW
        lows = self._lows[bucket]
        probe = at
        while probe < end and highs[probe] == high:
            if lows[probe] == low:
                return self._numbers[bucket][probe]
            probe += 1
        number = self.count
        highs.insert(at, high)
        lows.insert(at, low)
        self._numbers[bucket].insert(at, number)
        self.count = number + 1
        if number >= self._limit:
            self._double()
        return number

    def _double(self) -> None:
        """Split every bucket in two by the next bit of the high half: each is sorted, so the
        split is one search and two slices."""
        bits = self._bits + 1
        shift = 64 - bits
        highs: list[array[int]] = []
        lows: list[array[int]] = []
        numbers: list[array[int]] = []
        for bucket in range(len(self._highs)):
            old_highs, old_lows, old_numbers = (
                self._highs[bucket],
                self._lows[bucket],
                self._numbers[bucket],
            )
            cut = bisect_left(old_highs, ((bucket << 1) | 1) << shift)
            highs += (old_highs[:cut], old_highs[cut:])
            lows += (old_lows[:cut], old_lows[cut:])
            numbers += (old_numbers[:cut], old_numbers[cut:])
            # Let each old bucket go as soon as it is split, so at most one is held twice.
            empty = array("Q")
            self._highs[bucket] = self._lows[bucket] = empty
            self._numbers[bucket] = array("I")
        self._bits, self._highs, self._lows, self._numbers = bits, highs, lows, numbers
        self._shift = 128 - bits
        self._limit = _BUCKET_FILL << bits
