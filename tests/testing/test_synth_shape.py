"""What a synthetic school system looks like: schools, identifiers, names, contacts, histories."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import pytest

from sif_core.model import (
    ContactRelationship,
    EnrolmentStatus,
    LearnerPersonal,
    NameType,
    SchoolPhase,
    SENProvision,
    is_temporary_upn,
    uln_problem,
    upn_problem,
)
from sif_core.testing import Synth, SyntheticPupil

#: NC years each phase teaches, as the DfE's phases of education imply.
PHASE_YEARS = {
    SchoolPhase.PRIMARY: {"R", "1", "2", "3", "4", "5", "6"},
    SchoolPhase.SECONDARY: {"7", "8", "9", "10", "11", "12", "13"},
    SchoolPhase.ALL_THROUGH: {"R", *map(str, range(1, 14))},
    SchoolPhase.SPECIAL: set(map(str, range(1, 15))),
    SchoolPhase.PUPIL_REFERRAL_UNIT: set(map(str, range(3, 12))),
}


@pytest.fixture(scope="module")
def pupils_300() -> list[SyntheticPupil]:
    return list(Synth(pupils=300, seed=11).iter_pupils())


@pytest.fixture(scope="module")
def system_2000() -> tuple[Synth, list[SyntheticPupil]]:
    synth = Synth(pupils=2000, seed=5)
    return synth, list(synth.iter_pupils())


def year_index(pupil: SyntheticPupil) -> int:
    year = pupil.enrolments[0].nc_year
    assert year is not None
    return 0 if year.value == "R" else int(year.value)


def test_schools_default_to_one_per_400_pupils_in_several_las_when_large() -> None:
    assert len(Synth(pupils=300).schools) == 1
    assert len(Synth(pupils=4000).schools) == 10
    many = Synth(pupils=20_000)
    assert len(many.schools) == 50
    assert len(many.las) > 1
    assert {school.la_info_ref_id for school in many.schools} == {la.ref_id for la in many.las}


def test_a_lone_school_is_all_through_so_every_age_appears(
    pupils_300: list[SyntheticPupil],
) -> None:
    years = {pupil.enrolments[0].nc_year for pupil in pupils_300}
    assert pupils_300[0].school.phase is SchoolPhase.ALL_THROUGH
    assert len(years) == 14


def test_enrolled_nc_years_fit_the_school_phase(
    system_2000: tuple[Synth, list[SyntheticPupil]],
) -> None:
    synth, pupils = system_2000
    assert {school.phase for school in synth.schools} >= {
        SchoolPhase.PRIMARY,
        SchoolPhase.SECONDARY,
        SchoolPhase.PUPIL_REFERRAL_UNIT,
    }
    for pupil in pupils:
        assert pupil.school.phase is not None
        year = pupil.enrolments[0].nc_year
        assert year is not None
        assert year.value in PHASE_YEARS[pupil.school.phase], pupil.learner.local_id


def test_date_of_birth_fits_the_nc_year(pupils_300: list[SyntheticPupil]) -> None:
    for pupil in pupils_300:
        start_of_cohort = 2024 - 5 - year_index(pupil)
        born = pupil.learner.date_of_birth
        academic_year_born = born.year if born.month >= 9 else born.year - 1
        assert academic_year_born == start_of_cohort


def test_school_identifiers_are_well_formed_and_unique() -> None:
    synth = Synth(pupils=20_000, seed=2)
    assert len({school.urn for school in synth.schools}) == len(synth.schools)
    assert len({school.laestab for school in synth.schools}) == len(synth.schools)
    for school in synth.schools:
        assert school.address is not None
        assert school.address.post_code is not None
        ranges = {
            SchoolPhase.PRIMARY: range(2000, 4000),
            SchoolPhase.SECONDARY: range(4000, 5000),
            SchoolPhase.SPECIAL: range(7000, 8000),
            SchoolPhase.PUPIL_REFERRAL_UNIT: range(1100, 1200),
        }
        assert school.phase is not None
        assert int(school.establishment_id) in ranges[school.phase]


def test_upns_are_valid_unique_and_allocated_in_the_schools_la(
    system_2000: tuple[Synth, list[SyntheticPupil]],
) -> None:
    _, pupils = system_2000
    people = [p for p in pupils if p.enrolments[0].membership_type is not EnrolmentStatus.S]
    upns = [p.learner.upn for p in people]
    assert len(set(upns)) == len(upns) == 2000
    for pupil in people:
        upn = pupil.learner.upn
        assert upn is not None
        assert upn_problem(upn) is None
        assert upn[1:4] == pupil.school.la_id
        # Positions 9-10: the year the pupil started reception.
        assert int(upn[8:10]) == (2024 - year_index(pupil)) % 100


def test_a_few_pupils_have_temporary_upns_and_a_few_former_upns(
    pupils_300: list[SyntheticPupil],
) -> None:
    temporary = [p for p in pupils_300 if is_temporary_upn(p.learner.upn or "")]
    former = [p for p in pupils_300 if p.learner.former_upns]
    assert 1 <= len(temporary) <= 10
    assert 1 <= len(former) <= 10
    for pupil in former:
        assert all(is_temporary_upn(upn) for upn in pupil.learner.former_upns)
    # A temporary UPN marks a new arrival: no ULN, no earlier results, joined this year.
    for pupil in temporary:
        assert pupil.learner.uln is None
        assert pupil.assessments == ()
        assert pupil.enrolments[0].entry_date.year in (2024, 2025)


def test_ulns_are_valid_for_older_pupils_and_missing_for_some(
    pupils_300: list[SyntheticPupil],
) -> None:
    older = [p for p in pupils_300 if year_index(p) >= 10]
    with_uln = [p for p in older if p.learner.uln]
    assert 0.6 * len(older) < len(with_uln) < len(older)
    assert all(p.learner.uln is None for p in pupils_300 if year_index(p) < 10)
    ulns = [p.learner.uln for p in with_uln if p.learner.uln]
    assert all(uln_problem(uln) is None for uln in ulns)
    assert len(set(ulns)) == len(ulns)


def test_names_carry_accents_apostrophes_and_hyphens(
    system_2000: tuple[Synth, list[SyntheticPupil]],
) -> None:
    _, pupils = system_2000
    spelt = [
        f"{name.given_name} {name.middle_names or ''} {name.family_name}"
        for pupil in pupils
        for name in pupil.learner.names
    ]
    assert any(re.search(r"[^\x00-\x7f]", text) for text in spelt)
    assert any("'" in text for text in spelt)
    assert any(re.search(r"\w-\w", text) for text in spelt)
    types = Counter(name.type for pupil in pupils for name in pupil.learner.names)
    assert types[NameType.LEGAL] == len(pupils)
    assert types[NameType.PREFERRED] > 0
    assert types[NameType.FORMER] > 0


def test_every_pupil_has_an_address_with_postcode_and_uprn(
    pupils_300: list[SyntheticPupil],
) -> None:
    for pupil in pupils_300:
        address = pupil.learner.address
        assert address is not None
        assert address.post_code is not None
        assert address.uprn is not None


def test_contacts_are_one_to_three_in_priority_order_with_parental_responsibility(
    system_2000: tuple[Synth, list[SyntheticPupil]],
) -> None:
    _, pupils = system_2000
    for pupil in pupils:
        links = [link for _, link in pupil.contacts]
        assert 1 <= len(links) <= 3
        assert [link.contact_priority for link in links] == list(range(1, len(links) + 1))
        if pupil.learner.in_care:
            # The LA holds parental responsibility for a looked-after child, not the carers.
            assert not any(link.parental_responsibility for link in links)
            assert links[0].relationship is ContactRelationship.FOSTER_CARER
        else:
            assert any(link.parental_responsibility for link in links)
    assert any(p.learner.in_care for p in pupils)


def test_siblings_share_contacts_and_each_contact_is_exported_once(
    system_2000: tuple[Synth, list[SyntheticPupil]],
) -> None:
    _, pupils = system_2000
    by_ref = {p.learner.ref_id: p for p in pupils}
    younger = [p for p in pupils if p.sibling_ref_id is not None]
    assert len(younger) > 20
    for pupil in younger:
        sibling = by_ref[pupil.sibling_ref_id or ""]
        assert sibling.school == pupil.school
        assert {c.ref_id for c, _ in pupil.contacts} == {c.ref_id for c, _ in sibling.contacts}
        assert sibling.learner.address == pupil.learner.address
    exported = Counter(
        (pupil.school.ref_id, obj.ref_id)
        for pupil in pupils
        for obj in pupil.objects()
        if obj.object_name == "ContactPersonal"
    )
    assert set(exported.values()) == {1}


def test_sen_for_about_15_percent_in_mainstream_with_ranked_needs(
    system_2000: tuple[Synth, list[SyntheticPupil]],
) -> None:
    _, pupils = system_2000
    mainstream = [
        p for p in pupils if p.school.phase in (SchoolPhase.PRIMARY, SchoolPhase.SECONDARY)
    ]
    with_sen = [p for p in mainstream if p.sen is not None]
    assert 0.10 < len(with_sen) / len(mainstream) < 0.20
    provisions = Counter(p.sen.instances[-1].provision for p in with_sen if p.sen)
    assert provisions[SENProvision.SEN_SUPPORT] > provisions[SENProvision.EHC_PLAN] > 0
    for pupil in pupils:
        if pupil.sen is None:
            continue
        for instance in pupil.sen.instances:
            ranks = [need.rank for need in instance.needs]
            assert ranks == list(range(1, len(ranks) + 1))
    special = [p for p in pupils if p.school.phase is SchoolPhase.SPECIAL]
    for pupil in special:  # a special school place comes with an EHC plan
        assert pupil.sen is not None
        assert pupil.sen.instances[-1].provision is SENProvision.EHC_PLAN


def test_fsm_for_about_a_fifth_of_pupils(system_2000: tuple[Synth, list[SyntheticPupil]]) -> None:
    _, pupils = system_2000
    share = sum(p.fsm is not None for p in pupils) / len(pupils)
    assert 0.14 < share < 0.30


def test_attendance_once_per_academic_year_on_roll(pupils_300: list[SyntheticPupil]) -> None:
    for pupil in pupils_300:
        years = [summary.academic_year for summary in pupil.attendance]
        assert years
        assert years == sorted(set(years))
        assert years[-1] == 2024
        assert years[0] >= max(2020, pupil.enrolments[0].entry_date.year - 1)
        assert all(s.school_info_ref_id == pupil.school.ref_id for s in pupil.attendance)


def test_key_stage_results_only_for_pupils_old_enough_and_never_in_2020_or_2021(
    pupils_300: list[SyntheticPupil],
) -> None:
    youngest = {"KS1": 3, "KS2": 7, "KS4": 12}
    stages: dict[str, int] = defaultdict(int)
    for pupil in pupils_300:
        for result in pupil.assessments:
            stages[result.stage] += 1
            assert year_index(pupil) >= youngest[result.stage]
            if result.stage in ("KS1", "KS2"):
                assert result.year not in (2020, 2021)
    assert set(stages) == {"KS1", "KS2", "KS4"}


def test_staff_have_unique_teacher_and_ni_numbers() -> None:
    synth = Synth(pupils=4000, seed=9)
    staff = list(synth.iter_workforce())
    teachers = [s for s in staff if s.teacher_number]
    assert 0 < len(teachers) < len(staff)
    assert len({s.teacher_number for s in teachers}) == len(teachers)
    assert len({s.ni_number for s in staff}) == len(staff)
    assert {s.job_title for s in staff if not s.teacher_number} >= {"Teaching Assistant"}
    assert all(s.school_info_ref_id in {school.ref_id for school in synth.schools} for s in staff)


def test_pupils_are_learner_first_in_their_objects(pupils_300: list[SyntheticPupil]) -> None:
    objects = list(pupils_300[0].objects())
    assert isinstance(objects[0], LearnerPersonal)
    assert all(
        getattr(obj, "learner_personal_ref_id", objects[0].ref_id) == objects[0].ref_id
        for obj in objects[1:]
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"pupils": 0}, "pupils must be between 1 and"),
        ({"pupils": 10, "schools": 11}, "no more than the pupils"),
        ({"pupils": 10, "schools": 0}, "schools must be between 1"),
    ],
)
def test_impossible_sizes_are_refused_with_the_limits(
    arguments: dict[str, int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        Synth(**arguments)


def test_dates_a_school_records_fall_on_term_time_weekdays(
    system_2000: tuple[Synth, list[SyntheticPupil]],
) -> None:
    synth, pupils = system_2000
    for pupil in pupils:
        dates = [enrolment.entry_date for enrolment in pupil.enrolments]
        if pupil.sen:
            dates += [instance.start_date for instance in pupil.sen.instances]
        if pupil.fsm:
            dates += [i.start_date for i in pupil.fsm.instances]
            dates += [i.end_date for i in pupil.fsm.instances if i.end_date]
        for day in dates:
            assert synth.calendar.is_term_day(day), (pupil.learner.local_id, day)
            assert day <= synth.calendar.census_day
