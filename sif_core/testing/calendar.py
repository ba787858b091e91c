"""The school calendar synthetic data is dated against: terms, census day, school days.

Everything is relative to one academic year (2024 means 2024/25) and its spring census day, never
to today's date, so a seed gives the same pupils whenever it is run.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

__all__ = ["SchoolCalendar"]

#: Attempts at drawing a term-time day before settling for the earliest allowed one.
_DRAWS = 20
#: Sessions (mornings and afternoons) in a full school year: 190 days.
FULL_YEAR_SESSIONS = 380


def _weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _weekday_on_or_before(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


@dataclass(frozen=True)
class SchoolCalendar:
    """Dates of the synthetic set's current academic year ``year`` (its start year)."""

    year: int

    @property
    def census_day(self) -> dt.date:
        """The day the data describes: the spring census day of the current academic year."""
        return _weekday_on_or_after(dt.date(self.year + 1, 1, 16))

    def term_start(self, year: int) -> dt.date:
        """The first day of the academic year starting in ``year``."""
        return _weekday_on_or_after(dt.date(year, 9, 2))

    def term_end(self, year: int) -> dt.date:
        """The last day of the academic year starting in ``year``."""
        return _weekday_on_or_before(dt.date(year + 1, 7, 22))

    @staticmethod
    def academic_year_of(day: dt.date) -> int:
        """The start year of the academic year ``day`` falls in."""
        return day.year if day.month >= 9 else day.year - 1

    def school_day(self, rng: random.Random, earliest: dt.date, latest: dt.date) -> dt.date:
        """A term-time weekday between ``earliest`` and ``latest`` (else ``earliest`` itself)."""
        if latest <= earliest:
            return earliest
        for _ in range(_DRAWS):
            day = earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days))
            if self.is_term_day(day):
                return day
        return earliest

    def is_term_day(self, day: dt.date) -> bool:
        """True for a weekday in term: not in the summer or Christmas holidays."""
        year = self.academic_year_of(day)
        christmas = (day.month, day.day) >= (12, 20) or (day.month, day.day) <= (1, 3)
        in_year = self.term_start(year) <= day <= self.term_end(year)
        return day.weekday() < 5 and in_year and not christmas

    def sessions_possible(self, year: int, start: dt.date) -> int:
        """Sessions a pupil on roll from ``start`` could attend in academic year ``year``.

        Counted up to census day in the current year and to the end of the year before it.
        """
        first, last = self.term_start(year), self.term_end(year)
        until = min(last, self.census_day)
        begin = max(first, start)
        if until <= begin:
            return 0
        return round(FULL_YEAR_SESSIONS * (until - begin).days / (last - first).days)

    def birth_window(self, year_index: int) -> tuple[dt.date, dt.date]:
        """The first and last birthday of pupils in NC year ``year_index`` (reception is 0)."""
        start = self.year - 5 - year_index
        return dt.date(start, 9, 1), dt.date(start + 1, 8, 31)
