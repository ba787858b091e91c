"""Shared paths and helpers for the SIMS adapter tests."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from sif_core.adapter import ReadContext
from sif_core.model import SIFObject
from sif_core.problems import Problem

FILES = Path(__file__).parent / "files"
XML_REPORT = FILES / "StudentDetails.xml"
CSV_REPORT = FILES / "StudentDetails.csv"

T = TypeVar("T")


def read(path: Path, **options: str) -> tuple[list[SIFObject], list[Problem], ReadContext]:
    """Read ``path`` with the sims adapter; objects, Problems and the context used."""
    from adapters.sims import SPEC

    context = ReadContext("8012000/SIMS", options=options)
    objects: list[SIFObject] = []
    problems: list[Problem] = []
    for item in SPEC.read(path, context):
        (problems if isinstance(item, Problem) else objects).append(item)  # type: ignore[arg-type]
    return objects, problems, context


def of_type(objects: list[SIFObject], kind: type[T]) -> list[T]:
    return [obj for obj in objects if isinstance(obj, kind)]
