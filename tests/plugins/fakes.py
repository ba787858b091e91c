"""Small real plugins and installed-distribution stand-ins for the plugin host's tests.

``roll_adapter`` reads a tiny text format ("ROLL" on the first line, then one pupil a line as
``id|family|given|dob|sex``) so tests can drive reading, problems and conversion end to end.
``write_distribution`` lays out a real ``*.dist-info`` directory with an ``entry_points.txt``, so
``importlib.metadata`` finds genuine entry points without pip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from sif_core.adapter import AdapterSpec, Problem, ReadContext, WriteContext, validate_record
from sif_core.model import LearnerPersonal, SIFObject
from sif_core.plugins import hookimpl

ROLL_HEADER = "ROLL"


def detect_roll(path: Path, head: bytes) -> bool:
    return head.startswith(ROLL_HEADER.encode())


def read_roll(source: Path, context: ReadContext) -> Iterator[SIFObject | Problem]:
    lines = source.read_text(encoding="utf-8").splitlines()
    for number, text in enumerate(lines[1:], start=2):
        local_id, family, given, dob, sex = (text.split("|") + [""] * 5)[:5]
        fields = {
            "RefId": context.refid(LearnerPersonal, local_id),
            "LocalId": local_id,
            "Name": [{"Type": "L", "FamilyName": family or None, "GivenName": given or None}],
            "DateOfBirth": dob,
            "Sex": sex,
        }
        record = f"line {number} (pupil {local_id})"
        learner, problems = validate_record(
            LearnerPersonal, fields, source=source.name, record=record, line=number
        )
        yield from problems
        if learner is not None:
            yield learner
        context.progress(number - 1, len(lines) - 1)


def write_roll(objects: Iterable[SIFObject], target: Path, context: WriteContext) -> None:
    lines = [ROLL_HEADER]
    for obj in objects:
        if isinstance(obj, LearnerPersonal):
            name = obj.legal_name
            parts = [obj.local_id, name.family_name, name.given_name]
            lines.append("|".join([*(p or "" for p in parts), str(obj.date_of_birth), obj.sex]))
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")


def roll_adapter(
    name: str = "roll",
    *,
    file_patterns: tuple[str, ...] = ("*.roll",),
    detect: Callable[[Path, bytes], bool] = detect_roll,
) -> AdapterSpec:
    return AdapterSpec(
        name=name,
        supplier="Roll Call Ltd",
        version="1.2.3",
        description="Reads and writes roll files.",
        formats=("roll",),
        reads=("LearnerPersonal",),
        writes=("LearnerPersonal",),
        read=read_roll,
        write=write_roll,
        detect=detect,
        file_patterns=file_patterns,
    )


class AdapterPlugin:
    """A plugin object registering the adapters it was given."""

    def __init__(self, *specs: AdapterSpec) -> None:
        self.specs = specs

    @hookimpl
    def sif_register_adapters(self, register: Callable[[AdapterSpec], None]) -> None:
        for spec in self.specs:
            register(spec)


ROLL_FILE = """ROLL
1001|Smith|Amelia|2013-09-14|F
1002|O'Brien|Jack|2014-01-02|M
1003|Ó Súilleabháin-Jones|Zoë|2013-11-30|F
"""


def write_distribution(
    root: Path, name: str, entry_points: dict[str, str], modules: dict[str, str]
) -> None:
    """Make ``root`` look like a site-packages holding distribution ``name`` with these modules
    and ``sif`` entry points (entry-point name -> module)."""
    info = root / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n", encoding="utf-8"
    )
    lines = "".join(f"{ep} = {target}\n" for ep, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[sif]\n{lines}", encoding="utf-8")
    for module, source in modules.items():
        (root / f"{module}.py").write_text(source, encoding="utf-8")


#: A plugin module registering the roll adapter under ``{name}``.
ROLL_PLUGIN_MODULE = """
from tests.plugins.fakes import roll_adapter
from sif_core.plugins import hookimpl

@hookimpl
def sif_register_adapters(register):
    register(roll_adapter({name!r}))
"""
