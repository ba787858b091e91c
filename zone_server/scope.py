"""Scope: which schools' data a party may see, and the keys objects carry to be matched against.

Every stored object carries *scope keys*: a school's 7-digit LA and establishment number
(``8012000``) or, for data an LA published without naming a school, the LA's 3-digit number
(``801``). A party's :class:`Scope` covers a key when the key is one of its schools, or the key
(school or LA) lies within one of its LAs, or the scope is ``all``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["Scope"]


@dataclass(frozen=True, slots=True)
class Scope:
    """The schools and LAs whose learners a party may see (``all`` for the DfE)."""

    all: bool = False
    las: frozenset[str] = field(default_factory=frozenset)
    schools: frozenset[str] = field(default_factory=frozenset)

    def covers(self, key: str) -> bool:
        """True when this scope reaches data carrying ``key``."""
        return self.all or key in self.schools or key[:3] in self.las

    def covers_any(self, keys: Iterable[str]) -> bool:
        """True when this scope reaches at least one of ``keys``."""
        return any(self.covers(key) for key in keys)

    @property
    def is_empty(self) -> bool:
        """True when the scope reaches nothing."""
        return not (self.all or self.las or self.schools)
