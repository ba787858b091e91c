"""Seeded synthetic schools: LAs, schools, staff and pupils that look like real English data.

>>> synth = Synth(pupils=60, seed=1, schools=2)
>>> [school.phase.value for school in synth.schools]
['SS', 'PR']
>>> pupil = next(synth.iter_pupils())
>>> pupil.learner.upn == next(Synth(pupils=60, seed=1, schools=2).iter_pupils()).learner.upn
True

Each school is its own source system (``LLLEEEE/SYNTH``), so its objects' RefIds are
``deterministic_refid(source_system, type, local key)``. Each pupil is generated from its own
stream seeded by (seed, school, pupil number): one school can be generated without the others and
gives the same objects either way, and nothing is held in memory between pupils, so 100,000 pupils
cost no more memory than 100.

What the data looks like:

- Schools: about one per 400 pupils (at least one), six per LA before another LA is added. One
  school alone is an all-through school (reception to year 13); otherwise each LA has a secondary
  for every few primaries, a special school once it has six schools, and always a PRU.
- Dual registration: with two or more schools, a few pupils of each mainstream school are also on
  roll at their LA's PRU: status M at the main school, S at the PRU, same UPN, names and date of
  birth, different RefIds. ``pupils`` counts people, so those pupils have two records.
- Pupils: valid UPNs allocated by the LA and establishment where the pupil started, with the year
  of allocation; temporary UPNs for new arrivals (about 1.4%) and former UPNs for a few; ULNs for
  most pupils in year 10 and above and none for some; names with accents, apostrophes and hyphens;
  addresses with postcodes and UPRNs; one to three contacts with relationship, parental
  responsibility and priority order, shared by siblings; ethnicity with its source; languages;
  SEN (support or EHC plan, ranked needs) for about 15% in mainstream; FSM for about 20%;
  attendance for each year at the school; KS1, KS2 and GCSE results for pupils old enough.
- Staff: leaders, teachers with teacher reference numbers, support staff; NI numbers for all.
- Dates are relative to ``academic_year`` (default 2024, i.e. 2024/25) and its spring census day,
  never to today, so the output of one seed never changes.
"""

from __future__ import annotations

from collections.abc import Iterator

from sif_core.model import (
    EnrolmentStatus,
    LAInfo,
    LearnerPersonal,
    SchoolInfo,
    SIFObject,
    WorkforcePersonal,
    deterministic_refid,
)
from sif_core.testing.calendar import SchoolCalendar
from sif_core.testing.layout import (
    SchoolPlan,
    dual_registered_serials,
    plan_schools,
    seeded,
    source_system,
)
from sif_core.testing.pupils import person, sibling_serial
from sif_core.testing.records import SyntheticPupil, pupil_record
from sif_core.testing.staff import staff_member

__all__ = ["Synth", "SyntheticPupil"]


def _local_id(number: int) -> str:
    return f"{number:06d}"


class Synth:
    """A seeded synthetic school system of ``pupils`` pupils in ``schools`` schools.

    ``schools`` defaults to about one per 400 pupils. Raises :class:`ValueError` when ``pupils``
    is not between 1 and 1,000,000 or ``schools`` is not between 1 and ``pupils`` (at most 2,000).
    """

    def __init__(
        self, *, pupils: int, seed: int = 0, schools: int | None = None, academic_year: int = 2024
    ) -> None:
        self.pupils = pupils
        self.seed = seed
        self.calendar = SchoolCalendar(academic_year)
        self.las: list[LAInfo]
        self.las, self._plans = plan_schools(pupils=pupils, seed=seed, schools=schools)
        self.schools: list[SchoolInfo] = [plan.info for plan in self._plans]
        self._by_ref = {plan.info.ref_id: plan for plan in self._plans}
        self._la_by_ref = {la.ref_id: la for la in self.las}
        self._dual: dict[int, tuple[int, ...]] = {}

    def source_system(self, school: SchoolInfo) -> str:
        """The source system id of ``school``'s export (``8014001/SYNTH``)."""
        return source_system(school)

    def la_of(self, school: SchoolInfo) -> LAInfo:
        """The LA ``school`` belongs to."""
        assert school.la_info_ref_id is not None
        return self._la_by_ref[school.la_info_ref_id]

    def records(self, school: SchoolInfo | None = None) -> int:
        """How many pupil records ``iter_pupils(school)`` yields (a dual registration is two)."""
        plans = self._plans if school is None else [self._plan(school)]
        return sum(
            plan.pupils + sum(len(self._dual_of(self._plans[main])) for main in plan.mains)
            for plan in plans
        )

    def iter_pupils(self, school: SchoolInfo | None = None) -> Iterator[SyntheticPupil]:
        """Every pupil record of ``school`` (or of all schools, school by school), lazily."""
        plans = self._plans if school is None else [self._plan(school)]
        for plan in plans:
            yield from self._pupils_of(plan)

    def iter_workforce(self, school: SchoolInfo | None = None) -> Iterator[WorkforcePersonal]:
        """Every member of staff of ``school`` (or of all schools), lazily."""
        plans = self._plans if school is None else [self._plan(school)]
        for plan in plans:
            for serial in range(plan.staff):
                yield staff_member(self.seed, plan, serial)

    def iter_objects(self, school: SchoolInfo | None = None) -> Iterator[SIFObject]:
        """Every object of ``school``'s export (or of all schools), referenced objects first.

        LAs and schools come first, then for each school its staff and then its pupils' objects
        (each learner before its dependents).
        """
        if school is None:
            yield from self.las
            yield from self.schools
            plans = self._plans
        else:
            plans = [self._plan(school)]
            yield self.la_of(school)
            yield school
        for plan in plans:
            yield from self.iter_workforce(plan.info)
            for pupil in self._pupils_of(plan):
                yield from pupil.objects()

    def _plan(self, school: SchoolInfo) -> SchoolPlan:
        try:
            return self._by_ref[school.ref_id]
        except KeyError:
            raise ValueError(
                f"{school.school_name} ({school.laestab}) is not one of this set's schools"
            ) from None

    def _dual_of(self, main: SchoolPlan) -> tuple[int, ...]:
        if main.subsidiary is None:
            return ()
        if main.index not in self._dual:
            subsidiary = self._plans[main.subsidiary]
            self._dual[main.index] = dual_registered_serials(self.seed, main, subsidiary)
        return self._dual[main.index]

    def _pupils_of(self, plan: SchoolPlan) -> Iterator[SyntheticPupil]:
        system = source_system(plan.info)
        dual = frozenset(self._dual_of(plan))
        for serial in range(plan.pupils):
            pupil = person(self.seed, self.calendar, plan, serial)
            sibling = sibling_serial(plan, serial)
            sibling_ref = None
            if sibling is not None:
                sibling_ref = deterministic_refid(
                    system, LearnerPersonal.object_name, _local_id(sibling + 1)
                )
            yield pupil_record(
                calendar=self.calendar,
                holder=plan,
                person=pupil,
                local_id=_local_id(serial + 1),
                membership=EnrolmentStatus.M if serial in dual else EnrolmentStatus.C,
                entry_date=pupil.entry_date,
                absence_rate=pupil.absence_rate,
                rng=seeded(self.seed, "record", plan.index, serial),
                sibling_ref_id=sibling_ref,
            )
        number = plan.pupils
        for main_index in plan.mains:
            main = self._plans[main_index]
            for serial in self._dual_of(main):
                number += 1
                pupil = person(self.seed, self.calendar, main, serial)
                rng = seeded(self.seed, "guest", plan.index, main.index, serial)
                since = max(pupil.entry_date, self.calendar.term_start(self.calendar.year - 1))
                yield pupil_record(
                    calendar=self.calendar,
                    holder=plan,
                    person=pupil,
                    local_id=_local_id(number),
                    membership=EnrolmentStatus.S,
                    entry_date=self.calendar.school_day(rng, since, self.calendar.census_day),
                    absence_rate=min(0.8, pupil.absence_rate * 2.5),
                    rng=rng,
                )
