"""Synthetic pupils as people: what stays the same whichever school holds the record.

A pupil is generated from a stream seeded by (seed, school, pupil number), so any pupil can be
generated alone: that is what lets a PRU list its dual-registered pupils without generating the
mainstream schools they come from. Identifiers are unique by construction, not by luck:

- UPN: LA number, the allocating establishment, the two-digit year the pupil started reception and
  a serial from the pupil's place in its year group; new arrivals have a temporary UPN (a letter in
  position 13) and a few pupils carry the temporary UPN they once had as a former UPN.
- ULN: eight digits from a permutation of the pupil's global number, so no two pupils share one,
  then a digit chosen so the check digit exists, then the check digit.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sif_core.model import (
    Address,
    Ethnicity,
    EthnicitySource,
    FSMInstance,
    Language,
    Name,
    NameType,
    PhoneNumber,
    PhoneType,
    SchoolPhase,
    SENInstance,
    Sex,
    upn_check_letter,
)
from sif_core.model.identifiers import UPN_CHECK_LETTERS
from sif_core.testing.calendar import SchoolCalendar
from sif_core.testing.histories import Result, assessment_results, fsm_history, sen_history
from sif_core.testing.households import Household, household
from sif_core.testing.layout import SchoolPlan, seeded
from sif_core.testing.names import ascii_fold, preferred_form
from sif_core.testing.places import LOCAL_AUTHORITIES, mobile_number

__all__ = ["Person", "person", "sibling_serial", "uln_for"]

_UPN_SERIALS = 1000


@dataclass(frozen=True)
class Person:
    """A pupil's own facts, shared by every school that has the pupil on roll."""

    upn: str
    former_upns: tuple[str, ...]
    uln: str | None
    names: tuple[Name, ...]
    date_of_birth: dt.date
    sex: Sex
    ethnicity: Ethnicity
    ethnicity_source: EthnicitySource | None
    languages: tuple[Language, ...]
    address: Address
    phones: tuple[PhoneNumber, ...]
    email: str | None
    care_authority: str | None
    home_la: str
    medical_flag: bool
    year_index: int
    new_arrival: bool
    household: Household
    sen: tuple[SENInstance, ...]
    fsm: tuple[FSMInstance, ...]
    results: tuple[Result, ...]
    absence_rate: float
    #: When the pupil joined the school that generated it.
    entry_date: dt.date


def _partner_block(plan: SchoolPlan, block: int, offset: int) -> int | None:
    """The year-group block of this pupil's sibling at the same school, if it has one.

    Every sixth pupil of a year group is paired with the pupil at the same place two year groups
    up or down; both sides compute the same pairing.
    """
    if offset % 6 != 1:
        return None
    partner = block + 2 if block % 4 in (0, 1) else block - 2
    if not 0 <= partner < len(plan.block_sizes) or offset >= plan.block_sizes[partner]:
        return None
    return partner


def sibling_serial(plan: SchoolPlan, serial: int) -> int | None:
    """The serial of this pupil's sibling if the sibling comes earlier in the school's roll."""
    block, offset = plan.block_of(serial)
    partner = _partner_block(plan, block, offset)
    if partner is None or partner > block:
        return None
    return sum(plan.block_sizes[:partner]) + offset


def _upn(
    plan: SchoolPlan, calendar: SchoolCalendar, block: int, offset: int, temporary: bool
) -> str:
    year_index = plan.years[block]
    establishment = plan.upn_establishments[offset // _UPN_SERIALS]
    allocated = (calendar.year - year_index) % 100
    serial = offset % _UPN_SERIALS
    tail = f"{serial // 23:02d}{UPN_CHECK_LETTERS[serial % 23]}" if temporary else f"{serial:03d}"
    body = f"{plan.la.number}{establishment}{allocated:02d}{tail}"
    return upn_check_letter(body) + body


def uln_for(seed: int, global_number: int) -> str:
    """The ULN of the pupil with this global number: unique, with a valid check digit."""
    digits = str((global_number * 7919 + seed * 104_729) % 90_000_000 + 10_000_000)
    for ninth in "01":  # the ninth digit weighs 2, so at most one of these has no check digit
        body = digits + ninth
        remainder = sum(int(digit) * (10 - i) for i, digit in enumerate(body)) % 11
        if remainder:
            return body + str(10 - remainder)
    raise AssertionError("unreachable: two ninth digits cannot both leave remainder 0")


def _entry_date(
    rng: random.Random, plan: SchoolPlan, calendar: SchoolCalendar, year_index: int, new: bool
) -> dt.date:
    census = calendar.census_day
    if new:
        return calendar.school_day(rng, calendar.term_start(calendar.year), census)
    if plan.phase is SchoolPhase.PUPIL_REFERRAL_UNIT:
        back = 1 if year_index > plan.years[0] else 0
        return calendar.school_day(rng, calendar.term_start(calendar.year - back), census)
    first_year = plan.years[0]
    if plan.phase is SchoolPhase.SPECIAL:
        first_year = rng.randint(first_year, year_index)
    started = calendar.term_start(calendar.year - (year_index - first_year))
    if rng.random() < 0.88:
        return started
    return calendar.school_day(rng, started, census)


def _ethnicity_source(
    rng: random.Random, ethnicity: Ethnicity, year_index: int
) -> EthnicitySource | None:
    if ethnicity is Ethnicity.NOBT:
        return None
    draw = rng.random()
    if year_index >= 7 and draw < 0.15:
        return EthnicitySource.C
    if draw < 0.75:
        return EthnicitySource.P
    return EthnicitySource.S if draw < 0.87 else EthnicitySource.T


def _names(rng: random.Random, home: Household, sex: Sex) -> tuple[Name, ...]:
    pool = home.given_heritage.girls if sex is Sex.F else home.given_heritage.boys
    given = rng.choice(pool)
    middle = rng.choice(pool) if rng.random() < 0.45 else None
    if middle == given:
        middle = None
    family = home.family_name
    names = [Name(type=NameType.LEGAL, given_name=given, middle_names=middle, family_name=family)]
    short = preferred_form(given)
    if short and rng.random() < 0.6:
        names.append(Name(type=NameType.PREFERRED, given_name=short, family_name=family))
    if rng.random() < 0.02:
        former = rng.choice(home.given_heritage.family)
        names.append(Name(type=NameType.FORMER, given_name=given, family_name=former))
    return tuple(names)


def person(seed: int, calendar: SchoolCalendar, plan: SchoolPlan, serial: int) -> Person:
    """Pupil ``serial`` of ``plan``'s own roll."""
    rng = seeded(seed, "pupil", plan.index, serial)
    block, offset = plan.block_of(serial)
    year_index = plan.years[block]
    partner = _partner_block(plan, block, offset)
    home_block = block if partner is None else min(block, partner)
    key = f"{plan.index}.{home_block}.{offset}"
    home = household(seeded(seed, "household", key), key, plan.la, may_be_in_care=partner is None)
    new_arrival = serial % 71 == 13 and year_index >= 1
    upn = _upn(plan, calendar, block, offset, temporary=new_arrival)
    former: tuple[str, ...] = ()
    if serial % 89 == 40 and not new_arrival:
        former = (_upn(plan, calendar, block, offset, temporary=True),)
    uln = None
    if year_index >= 10 and not new_arrival and rng.random() < 0.85:
        uln = uln_for(seed, plan.first_pupil + serial)
    sex = Sex.F if rng.random() < 0.49 else Sex.M
    names = _names(rng, home, sex)
    born_from, born_to = calendar.birth_window(year_index)
    dob = born_from + dt.timedelta(days=rng.randint(0, (born_to - born_from).days))
    entry = _entry_date(rng, plan, calendar, year_index, new_arrival)
    since = entry if new_arrival else calendar.term_start(calendar.year - year_index)
    census = calendar.census_day
    sen = sen_history(
        rng, phase=plan.phase, year_index=year_index, earliest=since, latest=census,
        day=calendar.school_day,
    )  # fmt: skip
    fsm = fsm_history(
        rng, low_income=home.low_income, earliest=since, latest=census, day=calendar.school_day
    )
    attainment = rng.gauss(0, 1) - (0.9 if sen else 0) - (0.3 if fsm else 0)
    if plan.phase is SchoolPhase.SPECIAL:
        attainment -= 1.5
    results = () if new_arrival else assessment_results(
        rng, year_index=year_index, academic_year=calendar.year, attainment=attainment
    )  # fmt: skip
    phones: tuple[PhoneNumber, ...] = ()
    if year_index >= 10 and rng.random() < 0.3:
        phones = (PhoneNumber(type=PhoneType.MOBILE, number=mobile_number(rng)),)
    email = None
    if year_index >= 12 and rng.random() < 0.5:
        legal = names[0]
        email = f"{ascii_fold(legal.given_name or '')}.{ascii_fold(home.family_name)}@example.net"
    home_la = plan.la.number
    if rng.random() < 0.03:
        home_la = rng.choice(LOCAL_AUTHORITIES).number
    return Person(
        upn=upn,
        former_upns=former,
        uln=uln,
        names=names,
        date_of_birth=dob,
        sex=sex,
        ethnicity=home.ethnicity,
        ethnicity_source=_ethnicity_source(rng, home.ethnicity, year_index),
        languages=home.languages,
        address=home.address,
        phones=phones,
        email=email,
        care_authority=plan.la.number if home.in_care else None,
        home_la=home_la,
        medical_flag=rng.random() < 0.08,
        year_index=year_index,
        new_arrival=new_arrival,
        household=home,
        sen=sen,
        fsm=fsm,
        results=results,
        absence_rate=min(0.6, rng.betavariate(1.3, 22) + (0.03 if fsm else 0)),
        entry_date=entry,
    )
