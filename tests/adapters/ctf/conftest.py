"""Shared paths and helpers for the CTF adapter tests."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

from adapters.ctf import read as read_ctf
from sif_core.adapter import ReadContext
from sif_core.model import SIFObject
from sif_core.problems import Problem

FILES = Path(__file__).parent / "files"
FULL = FILES / "8012000_CTF_8012001_001.xml"
#: The hand-written files that show one quirk of real files each, and read without errors.
QUIRKS = sorted(
    FILES / name
    for name in (
        "single_pupil_ctf24.xml",
        "names_in_capitals_ctf21.xml",
        "empty_leaving_date_ctf22.xml",
        "phone_numbers_with_spaces_ctf25.xml",
        "bom_utf8_ctf23.xml",
        "windows_1252_ctf20.xml",
        "iso_8859_1_ctf22.xml",
    )
)
SOURCE_SYSTEM = "8012000/CTF"

T = TypeVar("T")


def read(path: Path) -> tuple[list[SIFObject], list[Problem], ReadContext]:
    """Read ``path`` with the CTF adapter: objects, Problems and the context used."""
    context = ReadContext(SOURCE_SYSTEM)
    objects: list[SIFObject] = []
    problems: list[Problem] = []
    for item in read_ctf(path, context):
        if isinstance(item, Problem):
            problems.append(item)
        else:
            objects.append(item)
    return objects, problems, context


def of_type(objects: Iterable[SIFObject], kind: type[T]) -> list[T]:
    return [obj for obj in objects if isinstance(obj, kind)]


def by_ref(objects: Iterable[SIFObject]) -> dict[str, SIFObject]:
    return {obj.ref_id: obj for obj in objects}
