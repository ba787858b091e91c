"""Synthetic school staff: teachers with teacher reference numbers, support staff without.

Teacher numbers and NI numbers come from permutations of a member of staff's global number, so
none repeats across the whole set; NI prefixes that HMRC never allocates are avoided.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from sif_core.model import Name, NameType, Sex, WorkforcePersonal, deterministic_refid
from sif_core.testing.layout import SchoolPlan, seeded, source_system
from sif_core.testing.names import ETHNICITY_WEIGHTS, ascii_fold, heritage_for

__all__ = ["staff_member"]

_LEADERS: Final = ("Head Teacher", "Deputy Head Teacher", "SENCO")
_OTHERS: Final = (
    ("Teacher", 55),
    ("Teaching Assistant", 28),
    ("Higher Level Teaching Assistant", 5),
    ("School Business Manager", 2),
    ("Administrator", 6),
    ("Site Manager", 2),
    ("Learning Mentor", 2),
)
_TEACHING: Final = frozenset({"Head Teacher", "Deputy Head Teacher", "SENCO", "Teacher"})
_NI_FIRST: Final = "ABCEGHJKLMNPRSTWXYZ"
_NI_SECOND: Final = "ABCEGHJKLMNPRSTWXYZ"
_NI_NEVER: Final = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})


def _ni_number(seed: int, number: int) -> str:
    digits = (number * 7919 + seed * 613) % 1_000_000
    first = _NI_FIRST[(number + seed) % len(_NI_FIRST)]
    second = _NI_SECOND[(number // len(_NI_FIRST) + seed) % len(_NI_SECOND)]
    if first + second in _NI_NEVER:
        second = "A"
    return f"{first}{second}{digits:06d}{'ABCD'[number % 4]}"


def staff_member(seed: int, plan: SchoolPlan, serial: int) -> WorkforcePersonal:
    """Member of staff ``serial`` of ``plan``: the first three lead the school."""
    rng = seeded(seed, "staff", plan.index, serial)
    number = plan.first_staff + serial
    if serial < len(_LEADERS):
        role = _LEADERS[serial]
    else:
        roles, weights = zip(*_OTHERS, strict=True)
        role = rng.choices(roles, weights=weights)[0]
    ethnicity = rng.choices(list(ETHNICITY_WEIGHTS), weights=list(ETHNICITY_WEIGHTS.values()))[0]
    given_heritage, family_heritage = heritage_for(ethnicity, rng)
    sex = Sex.F if rng.random() < 0.72 else Sex.M  # most school staff are women
    given = rng.choice(given_heritage.girls if sex is Sex.F else given_heritage.boys)
    family = rng.choice(family_heritage.family)
    if sex is Sex.F:
        title = rng.choice(("Mrs", "Ms", "Miss", "Dr" if role in _TEACHING else "Mrs"))
    else:
        title = "Dr" if role in _TEACHING and rng.random() < 0.04 else "Mr"
    born = dt.date(1962, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 39))
    domain = "-".join(filter(None, map(ascii_fold, plan.info.school_name.split()[:2])))
    teacher_number = None
    if role in _TEACHING:
        teacher_number = f"{(number * 7919 + seed * 104_729) % 9_000_000 + 1_000_000:07d}"
    local_id = f"S{serial + 1:04d}"
    return WorkforcePersonal(
        ref_id=deterministic_refid(source_system(plan.info), "WorkforcePersonal", local_id),
        local_id=local_id,
        school_info_ref_id=plan.info.ref_id,
        names=[Name(type=NameType.LEGAL, title=title, given_name=given, family_name=family)],
        teacher_number=teacher_number,
        ni_number=_ni_number(seed, number),
        date_of_birth=born,
        sex=sex,
        job_title=role,
        email=f"{ascii_fold(given)[:1]}.{ascii_fold(family)}@{domain}.example.org",
    )
