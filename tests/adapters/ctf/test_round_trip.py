"""CTF -> SIF -> CTF -> SIF gives identical objects, for every supported version and every
hand-written quirk; and a synthetic school's learners survive the trip into CTF."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.ctf import SUPPORTED_VERSIONS, write_ctf
from sif_core.model import LearnerPersonal, SchoolInfo, SIFObject
from sif_core.testing import Synth
from tests.adapters.ctf.conftest import FULL, QUIRKS, of_type, read

WHEN = "2025-07-18T15:30:00"


def rewritten(path: Path, folder: Path, version: str | None = None) -> Path:
    """Read ``path`` and write its objects again as a CTF from the same school and version."""
    objects, problems, context = read(path)
    assert problems == []
    header = context.metadata["ctf"]
    assert isinstance(header, dict)
    options = {
        "version": version or header["version"],
        "source_la": header["source"]["la"],
        "source_estab": header["source"]["estab"],
        "date_time": WHEN,
    }
    return write_ctf(objects, folder, options)


@pytest.mark.parametrize("path", [FULL, *QUIRKS], ids=lambda path: path.stem)
def test_hand_written_files_survive_ctf_sif_ctf_sif(path: Path, tmp_path: Path) -> None:
    first = read(path)[0]
    again = rewritten(path, tmp_path)
    second, problems, _ = read(again)
    assert problems == []
    assert second == first


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_synthetic_schools_survive_ctf_sif_ctf_sif_in_every_version(
    version: str, tmp_path: Path
) -> None:
    synth = Synth(pupils=120, seed=11, schools=2)
    for school in synth.schools:
        folder = tmp_path / school.laestab
        folder.mkdir()
        options = {"version": version, "date_time": WHEN}
        written = write_ctf(synth.iter_objects(school), folder, options)
        first, problems, context = read(written)
        assert problems == []
        assert context.metadata["ctf"]["version"] == version  # type: ignore[index]
        second = read(rewritten(written, folder))[0]
        assert second == first
        assert of_type(first, LearnerPersonal)


def test_a_synthetic_schools_learners_arrive_as_generated(tmp_path: Path) -> None:
    synth = Synth(pupils=200, seed=3, schools=1)
    (school,) = synth.schools
    objects: list[SIFObject] = list(synth.iter_objects(school))
    read_back = read(write_ctf(objects, tmp_path, {"date_time": WHEN}))[0]
    arrived = {lp.upn: lp for lp in of_type(read_back, LearnerPersonal)}
    # CTF has no place for the exporting system's own id or the home LA.
    not_carried = {"ref_id", "local_id", "home_la"}
    generated = of_type(objects, LearnerPersonal)
    assert len(arrived) == len(generated)
    for learner in generated:
        assert learner.upn is not None
        assert arrived[learner.upn].model_dump(exclude=not_carried) == learner.model_dump(
            exclude=not_carried
        )
    (source,) = [s for s in of_type(read_back, SchoolInfo) if s.laestab == school.laestab]
    assert (source.school_name, source.urn) == (school.school_name, school.urn)
