"""School exports for the agent tests: real files written by the real adapters."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sif_core.adapter import WriteContext
from sif_core.codec import read_document
from sif_core.model import Address, LearnerPersonal, SchoolInfo, SIFObject
from sif_core.plugins import get_plugin_host
from sif_core.testing import Synth

NEW_ADDRESS = Address(paon="17", street="Quarry Lane", town="Northby", post_code="NB1 7QL")


def school_objects(synth: Synth, school: SchoolInfo) -> list[SIFObject]:
    return list(synth.iter_objects(school))


def write_sif_xml(objects: Iterable[SIFObject], path: Path) -> Path:
    """School A's MIS: SIF XML, through the sifxml adapter."""
    adapter = get_plugin_host().adapter("sifxml")
    assert adapter.write is not None
    adapter.write(objects, path, WriteContext())
    return path


def write_oneroster(objects: Iterable[SIFObject], path: Path) -> Path:
    """School B's MIS: a OneRoster 1.1 bundle (zip), through the oneroster adapter."""
    adapter = get_plugin_host().adapter("oneroster")
    assert adapter.write is not None
    writable = [obj for obj in objects if obj.object_name in adapter.writes]
    options = {"date_last_modified": "2025-01-15T08:00:00Z"}
    adapter.write(writable, path, WriteContext(options=options))
    return path


def first_learner(objects: Iterable[SIFObject]) -> LearnerPersonal:
    return next(obj for obj in objects if isinstance(obj, LearnerPersonal))


def moved_house(objects: list[SIFObject], learner: LearnerPersonal) -> list[SIFObject]:
    """The export the day after ``learner`` moved to :data:`NEW_ADDRESS`."""
    moved = learner.model_copy(update={"address": NEW_ADDRESS})
    return [moved if obj.ref_id == learner.ref_id else obj for obj in objects]


def read_sif(path: Path) -> list[SIFObject]:
    """Every object of a SIF XML document the LA's pull wrote (problems would fail the test)."""
    result = read_document(path)
    assert not result.problems, result.problems
    return list(result.objects)
