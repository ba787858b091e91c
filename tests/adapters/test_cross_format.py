"""One synthetic school, exported through `sif synth` in every MIS format and read back.

Each format's learners must match the school as generated, as far as the format can carry them;
and every format must give the same core: UPNs, legal names, dates of birth, enrolments and the
parental contacts in priority order. CTF takes part when the ``adapters.ctf`` package imports.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from sif_core.adapter import ReadContext
from sif_core.cli import main
from sif_core.model import (
    ContactPersonal,
    ContactRelationship,
    EnrolmentStatus,
    LearnerContact,
    LearnerPersonal,
    LearnerSchoolEnrolment,
    SchoolInfo,
    SIFObject,
)
from sif_core.plugins import get_plugin_host
from sif_core.problems import Problem
from sif_core.testing import Synth

PUPILS, SEED, SCHOOLS = 160, 7, 2

#: --format given to `sif synth`, the adapter that must recognise the output, and the file.
FORMATS: dict[str, tuple[str, str]] = {
    "sims-xml": ("sims", "StudentDetails.xml"),
    "sims-csv": ("sims", "StudentDetails.csv"),
    "oneroster": ("oneroster", "."),
    "csv": ("csvmap", "pupils.csv"),
}
if importlib.util.find_spec("adapters.ctf") is not None:
    FORMATS["ctf"] = ("ctf", "*.xml")

#: The relationships OneRoster carries (as a parent, guardian or relative user) and what each
#: reads back as.
_PARENTAL = {
    ContactRelationship.PARENT: ContactRelationship.PARENT,
    ContactRelationship.MOTHER: ContactRelationship.PARENT,
    ContactRelationship.FATHER: ContactRelationship.PARENT,
    ContactRelationship.STEP_PARENT: ContactRelationship.PARENT,
    ContactRelationship.CARER: ContactRelationship.CARER,
    ContactRelationship.FOSTER_CARER: ContactRelationship.CARER,
    ContactRelationship.FAMILY_MEMBER: ContactRelationship.RELATIVE,
    ContactRelationship.RELATIVE: ContactRelationship.RELATIVE,
}


@dataclass(frozen=True)
class Contact:
    title: str | None
    given: str | None
    family: str | None
    relationship: str
    parental_responsibility: bool
    lives_with: bool
    emergency: bool


@dataclass(frozen=True)
class Learner:
    upn: str | None
    names: tuple[str | None, str | None, str | None]
    date_of_birth: str
    enrolments: tuple[tuple[str, str, str | None, str | None, str | None], ...]
    contacts: tuple[Contact, ...]


def learners(objects: list[SIFObject]) -> dict[str | None, Learner]:
    """Each learner by UPN, with its enrolments (by school LAESTAB) and contacts by priority."""
    by_ref = {obj.ref_id: obj for obj in objects}
    found: dict[str | None, Learner] = {}
    upn_of: dict[str, str | None] = {}
    for obj in objects:
        if isinstance(obj, LearnerPersonal):
            name = obj.legal_name
            upn_of[obj.ref_id] = obj.upn
            names = (name.given_name, name.middle_names, name.family_name)
            found[obj.upn] = Learner(obj.upn, names, obj.date_of_birth.isoformat(), (), ())
    links: dict[str | None, list[tuple[int, Contact]]] = {}
    for obj in objects:
        if isinstance(obj, LearnerSchoolEnrolment):
            school = by_ref[obj.school_info_ref_id]
            assert isinstance(school, SchoolInfo)
            enrolment = (
                school.laestab,
                obj.entry_date.isoformat(),
                obj.exit_date.isoformat() if obj.exit_date else None,
                obj.nc_year.value if obj.nc_year else None,
                obj.membership_type.value if obj.membership_type else None,
            )
            upn = upn_of[obj.learner_personal_ref_id]
            found[upn] = replace(found[upn], enrolments=(*found[upn].enrolments, enrolment))
        elif isinstance(obj, LearnerContact):
            person = by_ref[obj.contact_personal_ref_id]
            assert isinstance(person, ContactPersonal)
            name = person.names[0]
            contact = Contact(
                name.title,
                name.given_name,
                name.family_name,
                obj.relationship.value,
                obj.parental_responsibility,
                obj.lives_with,
                obj.emergency_contact,
            )
            links.setdefault(upn_of[obj.learner_personal_ref_id], []).append(
                (obj.contact_priority, contact)
            )
    for upn, found_links in links.items():
        ordered = tuple(contact for _, contact in sorted(found_links, key=lambda link: link[0]))
        found[upn] = replace(found[upn], contacts=ordered)
    return {upn: replace(v, enrolments=tuple(sorted(v.enrolments))) for upn, v in found.items()}


def as_oneroster_carries(learner: Learner) -> Learner:
    """What survives OneRoster: parental contacts by role (no title, no household flags) and
    enrolments without a membership type."""
    contacts = tuple(
        Contact(
            None,
            c.given,
            c.family,
            _PARENTAL[ContactRelationship(c.relationship)].value,
            _PARENTAL[ContactRelationship(c.relationship)] is not ContactRelationship.RELATIVE,
            False,
            False,
        )
        for c in learner.contacts
        if ContactRelationship(c.relationship) in _PARENTAL
    )
    enrolments = tuple((*e[:4], None) for e in learner.enrolments)
    return replace(learner, contacts=contacts, enrolments=enrolments)


def as_ctf_carries(learner: Learner) -> Learner:
    """What survives CTF: contacts without the household flags CTF has no place for."""
    contacts = tuple(replace(c, lives_with=False, emergency=False) for c in learner.contacts)
    return replace(learner, contacts=contacts)


def as_given(learner: Learner) -> Learner:
    """SIMS and mapped CSV carry every field compared here."""
    return learner


CARRIES = {"oneroster": as_oneroster_carries, "ctf": as_ctf_carries}


def core(learner: Learner) -> tuple[object, ...]:
    """What every format carries: identity, enrolment dates and year, parental contacts' names."""
    names = tuple(
        (c.given, c.family)
        for c in learner.contacts
        if c.relationship in _PARENTAL
        or c.relationship in ("parent", "guardian", "relative")
        or ContactRelationship(c.relationship) in _PARENTAL
    )
    return (
        learner.upn,
        learner.names,
        learner.date_of_birth,
        [e[:4] for e in learner.enrolments],
        names,
    )


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`sif synth --format F` for every format, into one folder per format."""
    root = tmp_path_factory.mktemp("synth")
    runner = CliRunner()
    for name in FORMATS:
        result = runner.invoke(
            main,
            ["synth", "--pupils", str(PUPILS), "--seed", str(SEED), "--schools", str(SCHOOLS),
             "--format", name, "--out", str(root / name), "--no-progress"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    return {name: root / name for name in FORMATS}


def read_school(exports: dict[str, Path], name: str, laestab: str) -> list[SIFObject]:
    adapter_name, pattern = FORMATS[name]
    folder = exports[name] / laestab
    (path,) = [folder] if pattern == "." else folder.glob(pattern)
    spec = get_plugin_host().detect(path)
    assert spec.name == adapter_name, f"{path} was taken for {spec.name}"
    items = list(spec.read(path, ReadContext(f"{laestab}/{name}")))
    problems = [item for item in items if isinstance(item, Problem)]
    assert problems == [], problems[:3]
    return [item for item in items if isinstance(item, SIFObject)]


SYNTH = Synth(pupils=PUPILS, seed=SEED, schools=SCHOOLS)
SCHOOL_IDS = [school.laestab for school in SYNTH.schools]


@pytest.mark.parametrize("laestab", SCHOOL_IDS)
@pytest.mark.parametrize("name", list(FORMATS))
def test_each_format_reads_back_the_school_it_was_given(
    exports: dict[str, Path], name: str, laestab: str
) -> None:
    school = next(s for s in SYNTH.schools if s.laestab == laestab)
    truth = learners(list(SYNTH.iter_objects(school)))
    found = learners(read_school(exports, name, laestab))
    assert sorted(found, key=str) == sorted(truth, key=str)
    carried = CARRIES.get(name, as_given)
    for upn, learner in truth.items():
        assert found[upn] == carried(learner), upn


@pytest.mark.parametrize("laestab", SCHOOL_IDS)
def test_every_format_gives_the_same_learners(exports: dict[str, Path], laestab: str) -> None:
    views = {name: learners(read_school(exports, name, laestab)) for name in FORMATS}
    reference = {upn: core(learner) for upn, learner in views["sims-xml"].items()}
    assert any(learner.contacts for learner in views["sims-xml"].values())
    for name, view in views.items():
        assert {upn: core(learner) for upn, learner in view.items()} == reference, name


def test_dual_registration_survives_where_the_format_carries_it(
    exports: dict[str, Path],
) -> None:
    statuses = {
        e[4]
        for laestab in SCHOOL_IDS
        for learner in learners(read_school(exports, "csv", laestab)).values()
        for e in learner.enrolments
    }
    assert {EnrolmentStatus.M.value, EnrolmentStatus.S.value} <= statuses
