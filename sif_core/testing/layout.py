"""The shape of a synthetic school system: which LAs, which schools, how many pupils each.

The layout is small (one record per school) and is computed whole, up front, from the seed; the
pupils themselves are generated lazily from it. Every number that must be unique across the set
(URNs, establishment numbers, the establishments that allocated UPNs, global pupil and staff
numbers behind ULNs and teacher numbers) is settled here, so any one school can later be generated
alone and still agree with the rest.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

from sif_core.model import LAInfo, NCYear, SchoolInfo, SchoolPhase, deterministic_refid
from sif_core.model.parts import Address
from sif_core.testing.places import LOCAL_AUTHORITIES, LocalAuthority, postcode, school_name

__all__ = [
    "MAX_PUPILS",
    "MAX_SCHOOLS",
    "NC_YEARS",
    "SchoolPlan",
    "apportion",
    "dual_registered_serials",
    "plan_schools",
    "seeded",
    "source_system",
]

MAX_PUPILS: Final = 1_000_000
MAX_SCHOOLS: Final = 2_000
#: Schools per LA before another LA is added.
_SCHOOLS_PER_LA: Final = 6
#: UPN serials run 000 to 999 within one allocating establishment and year.
_UPN_SERIALS: Final = 1000

#: NC years in age order; a year's index is its age offset from reception (R = 0).
NC_YEARS: Final[tuple[NCYear, ...]] = (
    NCYear.R, NCYear.Y1, NCYear.Y2, NCYear.Y3, NCYear.Y4, NCYear.Y5, NCYear.Y6, NCYear.Y7,
    NCYear.Y8, NCYear.Y9, NCYear.Y10, NCYear.Y11, NCYear.Y12, NCYear.Y13, NCYear.Y14,
)  # fmt: skip

_YEARS_BY_PHASE: Final[dict[SchoolPhase, tuple[int, int]]] = {
    SchoolPhase.PRIMARY: (0, 6),
    SchoolPhase.SECONDARY: (7, 11),
    SchoolPhase.ALL_THROUGH: (0, 13),
    SchoolPhase.SPECIAL: (1, 14),
    SchoolPhase.PUPIL_REFERRAL_UNIT: (3, 11),
}
#: Relative roll sizes, so that a secondary is about three primaries.
_ROLL_WEIGHT: Final[dict[SchoolPhase, int]] = {
    SchoolPhase.PRIMARY: 350,
    SchoolPhase.SECONDARY: 1000,
    SchoolPhase.ALL_THROUGH: 1400,
    SchoolPhase.SPECIAL: 120,
    SchoolPhase.PUPIL_REFERRAL_UNIT: 80,
}
_ESTABLISHMENT_RANGE: Final[dict[SchoolPhase, range]] = {
    SchoolPhase.PRIMARY: range(2000, 4000),
    SchoolPhase.SECONDARY: range(4000, 5000),
    SchoolPhase.ALL_THROUGH: range(4000, 5000),
    SchoolPhase.SPECIAL: range(7000, 8000),
    SchoolPhase.PUPIL_REFERRAL_UNIT: range(1100, 1200),
}
MAINSTREAM: Final = frozenset({SchoolPhase.PRIMARY, SchoolPhase.SECONDARY, SchoolPhase.ALL_THROUGH})


def seeded(seed: int, *parts: object) -> random.Random:
    """A Random for one named part of the synthetic set; the same parts give the same stream.

    String seeds are hashed with SHA-512 by :mod:`random`, so streams do not depend on
    ``PYTHONHASHSEED`` or the platform.
    """
    return random.Random("/".join(("sif-synth", str(seed), *map(str, parts))))


def source_system(school: SchoolInfo) -> str:
    """The source system id of a synthetic school's export (``8012001/SYNTH``)."""
    return f"{school.laestab}/SYNTH"


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into whole shares proportional to ``weights`` (largest remainder)."""
    whole = sum(weights)
    exact = [total * weight / whole for weight in weights]
    shares = [math.floor(share) for share in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


@dataclass(frozen=True)
class SchoolPlan:
    """One school of the layout and the numbers its pupils and staff are generated from.

    ``pupils`` counts the school's own pupils, split into year groups (blocks) of ``block_sizes``
    for the NC years ``years``. ``first_pupil`` and ``first_staff`` are global running numbers
    that make ULNs and teacher numbers unique across the whole set. A PRU lists in ``mains`` the
    schools whose pupils it also registers (dual registration); those schools name it as their
    ``subsidiary``.
    """

    index: int
    info: SchoolInfo
    la: LocalAuthority
    years: tuple[int, ...]
    block_sizes: tuple[int, ...]
    pupils: int
    first_pupil: int
    upn_establishments: tuple[str, ...]
    staff: int
    first_staff: int
    subsidiary: int | None = None
    mains: tuple[int, ...] = ()

    @property
    def phase(self) -> SchoolPhase:
        """The school's phase (always set on synthetic schools)."""
        assert self.info.phase is not None
        return self.info.phase

    def block_of(self, serial: int) -> tuple[int, int]:
        """The year-group block of pupil ``serial`` and the pupil's offset within it."""
        for block, size in enumerate(self.block_sizes):
            if serial < size:
                return block, serial
            serial -= size
        raise IndexError(f"{self.info.school_name} has no pupil {serial}")


def _phases_for_la(count: int, only_school: bool) -> list[SchoolPhase]:
    if only_school:
        return [SchoolPhase.ALL_THROUGH]
    phases = [
        SchoolPhase.SECONDARY if position % 5 == 0 else SchoolPhase.PRIMARY
        for position in range(count - 1)
    ]
    if count >= 6:
        phases[-1] = SchoolPhase.SPECIAL
    return [*phases, SchoolPhase.PUPIL_REFERRAL_UNIT]


def _years(phase: SchoolPhase, rng: random.Random) -> tuple[int, ...]:
    low, high = _YEARS_BY_PHASE[phase]
    if phase is SchoolPhase.SECONDARY and rng.random() < 0.5:
        high = 13  # a sixth form
    return tuple(range(low, high + 1))


def _free_numbers(rng: random.Random, pool: range, used: set[int], count: int) -> list[int]:
    free = [number for number in pool if number not in used]
    if len(free) < count:
        raise ValueError("too many schools for one LA's establishment numbers; use fewer schools")
    chosen = rng.sample(free, count)
    used.update(chosen)
    return chosen


def plan_schools(
    *, pupils: int, seed: int, schools: int | None
) -> tuple[list[LAInfo], list[SchoolPlan]]:
    """Lay out the LAs and schools of a synthetic set of ``pupils`` pupils."""
    if not 1 <= pupils <= MAX_PUPILS:
        raise ValueError(f"pupils must be between 1 and {MAX_PUPILS:,}, not {pupils}")
    count = max(1, round(pupils / 400)) if schools is None else schools
    if not 1 <= count <= min(pupils, MAX_SCHOOLS):
        raise ValueError(
            f"schools must be between 1 and {min(pupils, MAX_SCHOOLS):,} "
            f"(no more than the pupils), not {count}"
        )
    rng = seeded(seed, "layout")
    la_count = min(len(LOCAL_AUTHORITIES), math.ceil(count / _SCHOOLS_PER_LA))
    authorities = rng.sample(LOCAL_AUTHORITIES, la_count)
    per_la = apportion(count, [1] * la_count)
    urns = rng.sample(range(100_000, 150_000), count)
    las: list[LAInfo] = []
    drafts: list[tuple[LocalAuthority, SchoolPhase, str, SchoolInfo]] = []
    for authority, school_count in zip(authorities, per_la, strict=True):
        la = LAInfo(
            ref_id=deterministic_refid(f"{authority.number}/SYNTH", "LAInfo", authority.number),
            la_id=authority.number,
            la_name=authority.name,
        )
        las.append(la)
        used: set[int] = set()
        stems: set[str] = set()
        for phase in _phases_for_la(school_count, only_school=count == 1):
            (establishment,) = _free_numbers(rng, _ESTABLISHMENT_RANGE[phase], used, 1)
            name, school_type = school_name(rng, phase.value, stems)
            estab = f"{establishment:04d}"
            info = SchoolInfo(
                ref_id=deterministic_refid(
                    f"{authority.number}{estab}/SYNTH", "SchoolInfo", authority.number + estab
                ),
                la_info_ref_id=la.ref_id,
                la_id=authority.number,
                establishment_id=estab,
                urn=f"{urns[len(drafts)]:06d}",
                school_name=name,
                phase=phase,
                school_type=school_type,
                address=Address(
                    street=f"{name.split()[0]} Way" if rng.random() < 0.5 else "School Lane",
                    town=rng.choice(authority.towns),
                    county=authority.county,
                    post_code=postcode(rng, authority),
                    uprn=str(rng.randint(10_000_000, 200_099_999_999)),
                ),
            )
            drafts.append((authority, phase, estab, info))
    rolls = apportion(pupils, [_ROLL_WEIGHT[phase] for _, phase, _, _ in drafts])
    return las, _finish_plans(rng, drafts, rolls)


def _finish_plans(
    rng: random.Random,
    drafts: list[tuple[LocalAuthority, SchoolPhase, str, SchoolInfo]],
    rolls: list[int],
) -> list[SchoolPlan]:
    # UPN-allocating establishments are reserved once every school of an LA has its number.
    used_by_la: dict[str, set[int]] = {}
    for authority, _, estab, _ in drafts:
        used_by_la.setdefault(authority.number, set()).add(int(estab))
    plans: list[SchoolPlan] = []
    first_pupil = first_staff = 0
    for index, ((authority, phase, estab, info), roll) in enumerate(
        zip(drafts, rolls, strict=True)
    ):
        years = _years(phase, rng)
        blocks = tuple(apportion(roll, [0.5 if year >= 12 else 1.0 for year in years]))
        chunks = max(1, math.ceil(max(blocks) / _UPN_SERIALS))
        # Primaries, all-through and special schools allocate their own pupils' UPNs; a
        # secondary's or PRU's pupils got theirs at primaries, here reserved numbers of its LA.
        own = (
            [estab] if phase not in (SchoolPhase.SECONDARY, SchoolPhase.PUPIL_REFERRAL_UNIT) else []
        )
        reserved = _free_numbers(
            rng,
            _ESTABLISHMENT_RANGE[SchoolPhase.PRIMARY],
            used_by_la[authority.number],
            chunks - len(own),
        )
        staff = max(3, round(roll / (14 if phase in MAINSTREAM else 5)))
        plans.append(
            SchoolPlan(
                index=index,
                info=info,
                la=authority,
                years=years,
                block_sizes=blocks,
                pupils=roll,
                first_pupil=first_pupil,
                upn_establishments=(*own, *(f"{number:04d}" for number in reserved)),
                staff=staff,
                first_staff=first_staff,
            )
        )
        first_pupil += roll
        first_staff += staff
    return _link_dual_registration(plans)


def _link_dual_registration(plans: list[SchoolPlan]) -> list[SchoolPlan]:
    linked = list(plans)
    for pru in plans:
        if pru.phase is not SchoolPhase.PUPIL_REFERRAL_UNIT:
            continue
        mains = tuple(
            plan.index
            for plan in plans
            if plan.la is pru.la and plan.phase in MAINSTREAM and plan.pupils > 0
        )
        linked[pru.index] = replace(pru, mains=mains)
        for index in mains:
            linked[index] = replace(linked[index], subsidiary=pru.index)
    return linked


def dual_registered_serials(seed: int, main: SchoolPlan, subsidiary: SchoolPlan) -> tuple[int, ...]:
    """Serials of ``main``'s pupils who are also registered at ``subsidiary`` (a PRU).

    A few pupils (at least two where possible, about 0.6% of the roll) from the year groups the PRU
    teaches; the choice depends only on the seed and the main school.
    """
    eligible: list[range] = []
    start = 0
    for year, size in zip(main.years, main.block_sizes, strict=True):
        if year in subsidiary.years:
            eligible.append(range(start, start + size))
        start += size
    total = sum(len(block) for block in eligible)
    wanted = min(total, max(2, round(main.pupils * 0.006)))
    picks = seeded(seed, "dual", main.index).sample(range(total), wanted)
    serials: list[int] = []
    for pick in sorted(picks):
        for block in eligible:
            if pick < len(block):
                serials.append(block[pick])
                break
            pick -= len(block)
    return tuple(serials)
