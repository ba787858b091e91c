"""What the readers of one pupil's sections share, and small helpers for reading its elements."""

from __future__ import annotations

from collections import Counter
from collections.abc import Set
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from adapters.ctf.header import CTFHeader
from adapters.ctf.schools import SchoolRegistry
from sif_core.adapter import ReadContext
from sif_core.model import SIFObject
from sif_core.problems import Problem, Severity

__all__ = ["PupilScope", "describe", "leaves", "unique_key"]


def leaves(element: Element | None) -> dict[str, str | None]:
    """The text of each child of ``element`` by tag, without surrounding spaces.

    Empty text is ``None``: real files carry empty elements (``<LeavingDate/>``,
    ``<LeavingDate></LeavingDate>``), and an empty element means the same as a missing one. A
    child with children of its own has no text of its own, so it is ``None`` too. Where a tag
    repeats, the last one's text is kept (read repeated elements with ``findall``).
    """
    if element is None:
        return {}
    return {
        child.tag: (value.strip() or None) if (value := child.text) else None for child in element
    }


def unique_key(seen: dict[str, int], key: str) -> str:
    """``key`` the first time, then ``key#2``, ``key#3``: distinct, repeatable RefId keys for
    entries of one pupil that look the same."""
    count = seen.get(key, 0) + 1
    seen[key] = count
    return key if count == 1 else f"{key}#{count}"


@dataclass(slots=True)
class PupilScope:
    """What the readers of one pupil's sections share: who, where in the file, what was found."""

    position: int
    upn: str
    learner_ref: str
    record: str
    source: str
    context: ReadContext
    header: CTFHeader
    schools: SchoolRegistry
    unmapped: Counter[str]
    objects: list[SIFObject] = field(default_factory=list)
    new_schools: list[SIFObject] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def note_unmapped(self, path: str, tags: Set[str], known: frozenset[str]) -> None:
        """Count the elements under ``path`` that no SIF object carries."""
        if not known.issuperset(tags):
            self.unmapped.update(f"{path}{tag}" for tag in tags - known)

    def problem(self, where: str | None, message: str, *, warning: bool = False) -> None:
        """Report something wrong with this pupil."""
        severity = Severity.WARNING if warning else Severity.ERROR
        self.problems.append(Problem(self.source, self.record, where, message, severity))

    def school(self, la: str | None, estab: str | None, name: str | None) -> str | None:
        """The RefId of a school the pupil's data names (new ones are emitted first)."""
        ref_id, school, _reason = self.schools.meet(la, estab, name)
        if school is not None:
            self.new_schools.append(school)
        return ref_id


def describe(position: int, upn: str | None, surname: str | None, forename: str | None) -> str:
    """How a Problem names a pupil: ``pupil 12 (UPN H801200001001, SMITH Zoë)``."""
    name = " ".join(part for part in (surname, forename) if part) or "no name"
    return f"pupil {position} (UPN {upn or 'missing'}, {name})"
