"""A synthetic pupil's histories: special educational needs, free school meals, key stage results.

They follow the patterns of English school data: SEN support far more common than EHC plans, and
SEMH and autism the usual needs in PRUs and special schools; FSM periods that start and stop;
statutory assessments only in the years they were actually collected (none in summer 2020 or
2021, KS1 optional from 2024). Results follow one latent attainment per pupil.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from sif_core.model import (
    FSMInstance,
    FSMType,
    SchoolPhase,
    SENInstance,
    SENNeed,
    SENNeedType,
    SENProvision,
)

__all__ = ["DayPicker", "Result", "assessment_results", "fsm_history", "sen_history"]

_NEEDS_YOUNG = {
    SENNeedType.SLCN: 30, SENNeedType.SEMH: 15, SENNeedType.ASD: 14, SENNeedType.MLD: 12,
    SENNeedType.SPLD: 6, SENNeedType.PD: 4, SENNeedType.HI: 2, SENNeedType.VI: 2,
    SENNeedType.SLD: 3, SENNeedType.PMLD: 1, SENNeedType.MSI: 1, SENNeedType.OTH: 4,
}  # fmt: skip
_NEEDS_OLDER = {
    SENNeedType.SEMH: 25, SENNeedType.SPLD: 16, SENNeedType.ASD: 15, SENNeedType.MLD: 13,
    SENNeedType.SLCN: 10, SENNeedType.PD: 3, SENNeedType.HI: 2, SENNeedType.VI: 2,
    SENNeedType.SLD: 3, SENNeedType.PMLD: 1, SENNeedType.MSI: 1, SENNeedType.OTH: 5,
}  # fmt: skip
_GCSE_OPTIONS = ("HIS", "GEO", "FRE", "SPA", "ART", "REL", "COM", "MUS", "DT", "PE")
_NO_TESTS = frozenset({2020, 2021})

#: Picks a school day between two dates (:meth:`SchoolCalendar.school_day`).
DayPicker = Callable[[random.Random, dt.date, dt.date], dt.date]


@dataclass(frozen=True)
class Result:
    """One assessment result, before it belongs to a school's export."""

    stage: str
    year: int
    subject: str
    method: str
    component: str
    result: str

    @property
    def key(self) -> str:
        """The result's local key within its learner (stage, year, subject, component)."""
        return f"{self.stage}/{self.year}/{self.subject}/{self.component}"


def _need(rng: random.Random, year_index: int, phase: SchoolPhase) -> SENNeedType:
    table = _NEEDS_YOUNG if year_index <= 6 else _NEEDS_OLDER
    if phase is SchoolPhase.PUPIL_REFERRAL_UNIT:
        table = {**table, SENNeedType.SEMH: 80}
    elif phase is SchoolPhase.SPECIAL:
        table = {**table, SENNeedType.ASD: 60, SENNeedType.SLD: 30, SENNeedType.PMLD: 10}
    return rng.choices(list(table), weights=list(table.values()))[0]


def sen_history(
    rng: random.Random,
    *,
    phase: SchoolPhase,
    year_index: int,
    earliest: dt.date,
    latest: dt.date,
    day: DayPicker,
) -> tuple[SENInstance, ...]:
    """SEN instances between ``earliest`` and ``latest``; empty for most pupils (about 85%).

    Every special school pupil has an EHC plan; PRU pupils mostly have identified needs.
    """
    draw = rng.random()
    if phase is SchoolPhase.SPECIAL:
        provision = SENProvision.EHC_PLAN
    elif phase is SchoolPhase.PUPIL_REFERRAL_UNIT:
        provision = SENProvision.EHC_PLAN if draw < 0.25 else SENProvision.SEN_SUPPORT
        if draw >= 0.6:
            return ()
    elif draw < 0.03:
        provision = SENProvision.EHC_PLAN
    elif draw < 0.15:
        provision = SENProvision.SEN_SUPPORT
    else:
        return ()
    primary = _need(rng, year_index, phase)
    if provision is SENProvision.SEN_SUPPORT and rng.random() < 0.05:
        primary = SENNeedType.NSA
    needs = [SENNeed(rank=1, type=primary)]
    second_chance = 0.5 if provision is SENProvision.EHC_PLAN else 0.15
    if primary is not SENNeedType.NSA and rng.random() < second_chance:
        secondary = _need(rng, year_index, phase)
        if secondary is not primary:
            needs.append(SENNeed(rank=2, type=secondary))
    start = day(rng, earliest, latest)
    if provision is SENProvision.EHC_PLAN and rng.random() < 0.5 and start < latest:
        plan_start = day(rng, start + dt.timedelta(days=1), latest)
        support = SENInstance(start_date=start, provision=SENProvision.SEN_SUPPORT, needs=needs[:1])
        return (support, SENInstance(start_date=plan_start, provision=provision, needs=needs))
    return (SENInstance(start_date=start, provision=provision, needs=needs),)


def fsm_history(
    rng: random.Random,
    *,
    low_income: bool,
    earliest: dt.date,
    latest: dt.date,
    day: DayPicker,
) -> tuple[FSMInstance, ...]:
    """FSM instances for a pupil of a low-income household (and a few others who once were)."""
    if not low_income and rng.random() >= 0.04:
        return ()
    dates = sorted(day(rng, earliest, latest) for _ in range(3))
    shape = rng.random()
    if shape < 0.2 or not low_income:  # eligible once, no longer
        if dates[1] <= dates[0]:
            return (FSMInstance(start_date=dates[0], type=FSMType.ELIGIBLE),)
        return (FSMInstance(start_date=dates[0], end_date=dates[1], type=FSMType.ELIGIBLE),)
    if shape < 0.55 and dates[0] < dates[1] < dates[2]:  # a gap, then eligible again
        return (
            FSMInstance(start_date=dates[0], end_date=dates[1], type=FSMType.ELIGIBLE),
            FSMInstance(start_date=dates[2], type=FSMType.ELIGIBLE),
        )
    return (FSMInstance(start_date=dates[0], type=FSMType.ELIGIBLE),)


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _teacher_assessment(attainment: float, *, foundations: bool) -> str:
    if foundations and attainment < -1.4:
        return "PKF"
    if attainment < -0.6:
        return "WTS"
    return "EXS" if attainment < 0.9 else "GDS"


def assessment_results(
    rng: random.Random, *, year_index: int, academic_year: int, attainment: float
) -> tuple[Result, ...]:
    """KS1, KS2 and GCSE results a pupil in NC year ``year_index`` would carry by now."""
    results: list[Result] = []
    ks1 = academic_year - year_index + 3
    if year_index >= 3 and ks1 not in _NO_TESTS and ks1 <= 2023:
        for subject in ("REA", "WRI", "MAT"):
            score = attainment + rng.gauss(0, 0.4)
            grade = _teacher_assessment(score, foundations=True)
            results.append(Result("KS1", ks1, subject, "TA", "TA", grade))
        science = "EXS" if attainment + rng.gauss(0, 0.4) > -0.8 else "HNM"
        results.append(Result("KS1", ks1, "SCI", "TA", "TA", science))
    ks2 = academic_year - year_index + 7
    if year_index >= 7 and ks2 not in _NO_TESTS:
        for subject in ("REA", "MAT", "GPS"):
            score = _clamp(104 + 7 * (attainment + rng.gauss(0, 0.35)), 80, 120)
            results.append(Result("KS2", ks2, subject, "TT", "SS", str(score)))
        writing = _teacher_assessment(attainment + rng.gauss(0, 0.4), foundations=False)
        results.append(Result("KS2", ks2, "WRI", "TA", "TA", writing))
    gcse = academic_year - year_index + 12
    if year_index >= 12:
        subjects = ["ENG", "ENL", "MAT", *rng.sample(_GCSE_OPTIONS, 4)]
        for option in subjects:
            points = 4.6 + 1.9 * (attainment + rng.gauss(0, 0.45))
            grade = "U" if points < 0.5 else str(_clamp(points, 1, 9))
            results.append(Result("KS4", gcse, option, "EX", "GCSE", grade))
        # Combined science is a double award, graded as two adjacent-ish grades ("6-5").
        first, second = (_clamp(4.6 + 1.9 * (attainment + rng.gauss(0, 0.4)), 1, 9) for _ in "ab")
        double = f"{max(first, second)}-{min(first, second)}"
        results.append(Result("KS4", gcse, "CSC", "EX", "GCSE", double))
    return tuple(results)
