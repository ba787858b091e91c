"""Good samples of the built-in adapters: a synthetic school written by each adapter itself."""

from __future__ import annotations

from pathlib import Path

from sif_core.adapter import AdapterSpec, WriteContext
from sif_core.testing import Synth

#: Each built-in adapter's sample files, by the name they are written under.
SAMPLE_NAMES = {
    "sifxml": ("school.xml", "school.json", "school.ndjson"),
    "ctf": ("{laestab}_CTF_MMMMMMM_001.xml",),
    "sims": ("StudentDetails.xml", "StudentDetails.csv"),
    "oneroster": ("bundle", "bundle.zip"),
    "csvmap": ("pupils.csv",),
}


def write_samples(adapter: AdapterSpec, folder: Path, *, pupils: int = 12, seed: int = 7) -> Path:
    """Write one synthetic school with ``adapter`` under each of its sample names in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    synth = Synth(pupils=pupils, seed=seed, schools=1)
    school = synth.schools[0]
    for name in SAMPLE_NAMES[adapter.name]:
        objects = [obj for obj in synth.iter_objects(school) if obj.object_name in adapter.writes]
        assert adapter.write is not None
        adapter.write(objects, folder / name.format(laestab=school.laestab), WriteContext())
    return folder
