"""Dates as UK exports write them: ``dd/mm/yyyy`` first, ISO dates and date-times always accepted.

A format is a :func:`time.strftime` pattern (``%d/%m/%Y``). Windows tools write dates without a
time, SIMS's XML with one (``2012-09-01T00:00:00``); both mean the same day. A two-digit year is
never guessed: only a format with ``%y`` reads one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Final

__all__ = ["UK_DATE", "describe_format", "format_date", "parse_date"]

#: The day-first format of UK exports.
UK_DATE: Final = "%d/%m/%Y"

_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_WORDS: Final = {
    "%d": "dd",
    "%m": "mm",
    "%Y": "yyyy",
    "%y": "yy",
    "%b": "Mon",
    "%B": "Month",
    "%H": "HH",
    "%M": "MM",
    "%S": "SS",
}


def describe_format(fmt: str) -> str:
    """A strftime format as a person writes it (``%d/%m/%Y`` -> ``dd/mm/yyyy``)."""
    for code, words in _WORDS.items():
        fmt = fmt.replace(code, words)
    return fmt


def parse_date(text: str, formats: Sequence[str] = (UK_DATE,)) -> dt.date:
    """The date ``text`` stands for in one of ``formats``, or an ISO date or date-time.

    Raises ``ValueError`` with a message naming the formats expected.
    """
    value = text.strip()
    for fmt in formats:
        if fmt == UK_DATE:
            match = _UK.match(value)
            if match:
                day, month, year = match.groups()
                try:
                    return dt.date(int(year), int(month), int(day))
                except ValueError as error:
                    raise ValueError(f"{value!r} is not a real date ({error})") from None
            continue
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    match = _ISO.match(value)
    if match:
        year, month, day = match.groups()
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValueError(f"{value!r} is not a real date ({error})") from None
    expected = " or ".join(describe_format(fmt) for fmt in formats)
    raise ValueError(f"{value!r} is not a date in the form {expected} (or yyyy-mm-dd)")


def format_date(value: dt.date, fmt: str = UK_DATE) -> str:
    """``value`` written in ``fmt`` (``UK_DATE`` by default)."""
    if fmt == UK_DATE:
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    return value.strftime(fmt)
