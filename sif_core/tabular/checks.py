"""What a mapping must give: values of the right kind, and the fields objects cannot do without."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Final

from sif_core.tabular.dates import parse_date
from sif_core.tabular.fields import FIELDS, FieldSpec, Kind

__all__ = ["missing_requirement", "value_problem"]


def value_problem(spec: FieldSpec, value: Any) -> str | None:
    """What is wrong with ``value`` as a value of ``spec`` in a mapping, or ``None``."""
    if spec.kind is Kind.CODE:
        if not isinstance(value, str) or value not in spec.codes:
            return f"{value!r} is not a {spec.name} code; the codes are {spec.code_list}"
    elif spec.kind is Kind.BOOL:
        if not isinstance(value, bool):
            return f"{spec.name} is yes/no: give true or false (without quotes), not {value!r}"
    elif spec.kind is Kind.INT:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{spec.name} is a whole number, not {value!r}"
    elif spec.kind is Kind.LAESTAB:
        if not isinstance(value, str) or not (len(value) == 7 and value.isdigit()):
            return f"{spec.name} is 7 digits (LA number and establishment number), not {value!r}"
    elif spec.kind is Kind.DATE:
        if not isinstance(value, str):
            return f'{spec.name} is a date written "yyyy-mm-dd", not {value!r}'
        try:
            parse_date(value, ())
        except ValueError as error:
            return str(error)
    elif not isinstance(value, str) or not value.strip():
        return f"{spec.name} takes text, not {value!r}"
    return None


_NAMES: Final = ("Name.FamilyName", "Name.GivenName")


def missing_requirement(given: Collection[str]) -> str | None:
    """Say which field objects cannot do without is not among ``given``, or ``None``.

    ``given`` names every field a column in force fills or a default gives.
    """
    targets = {FIELDS[name].target for name in given}
    needs: list[tuple[str, tuple[str, ...]]] = [
        ("every learner", ("LearnerPersonal.DateOfBirth",)),
        ("every learner", ("LearnerPersonal.Sex",)),
        ("every learner", tuple(f"LearnerPersonal.{n}" for n in _NAMES)),
    ]
    if "LearnerSchoolEnrolment" in targets:
        needs += [
            ("an enrolment", ("LearnerSchoolEnrolment.EntryDate",)),
            ("an enrolment's school", ("SchoolInfo.LAESTAB",)),
            ("an enrolment's school", ("SchoolInfo.SchoolName",)),
        ]
    elif "SchoolInfo" in targets:
        needs += [("a school", ("SchoolInfo.LAESTAB",)), ("a school", ("SchoolInfo.SchoolName",))]
    if targets & {"ContactPersonal", "LearnerContact"}:
        needs += [
            ("every contact", tuple(f"ContactPersonal.{n}" for n in _NAMES)),
            ("every contact", ("LearnerContact.Relationship",)),
            ("every contact", ("LearnerContact.ParentalResponsibility",)),
        ]
    for who, options in needs:
        if not set(given).intersection(options):
            named = " or ".join(options)
            return (
                f"no column fills {named}, which {who} needs: map a column to it or give it in "
                "[defaults]"
            )
    return None
