"""Pupils that share a UPN, found in memory that does not grow with the file.

Each UPN read goes into a Bloom filter of fixed size (1 MiB): when a UPN is certainly new, that is
all. When the filter says it may have been met (it was; or another UPN set the same bits, which
in a 100,000-pupil file happens to about one pupil in ten files), the file is read again up to
the pupil to find the earlier one; only a pupil found there is a duplicate. So the reader's
memory stays flat, and a duplicate is reported with the pupil that had the UPN first.
"""

from __future__ import annotations

from collections.abc import Callable

from sif_core.tabular.digests import key_digest

__all__ = ["UPNFilter"]

# 2**23 bits: with 100,000 UPNs in, a new UPN is taken for a met one once in 200,000 (4 probes).
_BITS = 1 << 23
_PROBES = 4

#: Finds the position of the first pupil before ``before`` (1-based) whose UPN is ``upn``.
EarlierPupil = Callable[[str, int], int | None]


class UPNFilter:
    """The UPNs of the pupils read so far, as bits (see the module docstring)."""

    def __init__(self) -> None:
        self._bits = bytearray(_BITS // 8)
        self._mask = _BITS - 1

    def add(self, upn: str) -> bool:
        """Note ``upn``; whether it may have been noted before (``False``: certainly not)."""
        digest = key_digest((upn,))
        maybe = True
        bits = self._bits
        for probe in range(_PROBES):
            bit = (digest >> (32 * probe)) & self._mask
            byte, flag = bit >> 3, 1 << (bit & 7)
            if not bits[byte] & flag:
                maybe = False
                bits[byte] |= flag
        return maybe
