"""Acme MIS's words for things, and the DfE codes they stand for (both directions)."""

from __future__ import annotations

import datetime as dt

GENDERS = {"Male": "M", "Female": "F"}
ENROLMENTS = {"Single": "C", "Dual (main)": "M", "Dual (subsidiary)": "S", "Guest": "G"}
PHASES = {
    "Nursery": "NS",
    "Primary": "PS",
    "Secondary": "SS",
    "All-through": "AT",
    "Special": "SP",
    "Pupil referral unit": "PR",
}
YEAR_GROUPS = {
    "Nursery 1": "N1",
    "Nursery 2": "N2",
    "Reception": "R",
    **{f"Year {n}": str(n) for n in range(1, 15)},
}


def reverse(table: dict[str, str]) -> dict[str, str]:
    """The same table from DfE code back to Acme's word."""
    return {code: word for word, code in table.items()}


class UntranslatableError(ValueError):
    """An Acme value with no DfE meaning; ``sif_field`` is the SIF field it was meant for."""

    def __init__(self, sif_field: str, message: str) -> None:
        self.sif_field = sif_field
        super().__init__(message)


def translate(table: dict[str, str], value: object, acme_field: str, sif_field: str) -> str:
    """The DfE code for Acme's ``value`` of ``acme_field``, or :class:`UntranslatableError`."""
    if isinstance(value, str) and value in table:
        return table[value]
    raise UntranslatableError(
        sif_field, f"Acme {acme_field} {value!r} is not one of: {', '.join(table)}"
    )


def acme_date(value: object, acme_field: str, sif_field: str) -> dt.date:
    """An Acme date (``dd/mm/yyyy``) as a date, or :class:`UntranslatableError`."""
    try:
        if isinstance(value, str):
            return dt.datetime.strptime(value, "%d/%m/%Y").date()
    except ValueError:
        pass
    raise UntranslatableError(sif_field, f"Acme {acme_field} {value!r} is not a dd/mm/yyyy date")


def format_acme_date(value: dt.date) -> str:
    """A date as Acme writes it."""
    return value.strftime("%d/%m/%Y")


def postcode(value: object) -> object:
    """Acme stores postcodes as typed (``bn72aa``); SIF wants ``BN7 2AA``."""
    if not isinstance(value, str):
        return value
    compact = value.replace(" ", "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact
