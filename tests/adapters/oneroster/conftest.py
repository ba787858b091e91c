"""Paths and helpers for the OneRoster adapter tests."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TypeVar

from adapters.oneroster import SPEC
from sif_core.adapter import ReadContext
from sif_core.model import SIFObject
from sif_core.problems import Problem

BUNDLE = Path(__file__).parent / "files" / "wonde"
T = TypeVar("T")


def read(path: Path) -> tuple[list[SIFObject], list[Problem], ReadContext]:
    """Read ``path`` with the oneroster adapter: objects, Problems and the context used."""
    context = ReadContext("8012000/WONDE")
    objects: list[SIFObject] = []
    problems: list[Problem] = []
    for item in SPEC.read(path, context):
        if isinstance(item, Problem):
            problems.append(item)
        else:
            objects.append(item)
    return objects, problems, context


def of_type(objects: list[SIFObject], kind: type[T]) -> list[T]:
    return [obj for obj in objects if isinstance(obj, kind)]


def edited_bundle(tmp_path: Path, file: str, old: str, new: str) -> Path:
    """A copy of the fixture bundle with ``old`` replaced by ``new`` in ``file``."""
    target = tmp_path / "bundle"
    shutil.copytree(BUNDLE, target)
    text = (target / file).read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {file}"
    (target / file).write_text(text.replace(old, new), encoding="utf-8", newline="")
    return target
