"""Reading through an adapter and comparing what two reads gave.

:func:`read_all` is also what :mod:`sif_core.testing.plugin_fixtures` offers plugin authors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sif_core.adapter import AdapterSpec, ReadContext
from sif_core.model import SIFObject
from sif_core.problems import Problem

__all__ = ["NotAnObjectError", "ReadResult", "differences", "read_all"]


class NotAnObjectError(AssertionError):
    """An adapter's ``read`` yielded something that is neither a SIF object nor a Problem."""


@dataclass
class ReadResult:
    """Everything one ``read`` produced, objects and problems apart, in order."""

    objects: list[SIFObject] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def of_type(self, object_name: str) -> list[SIFObject]:
        """The objects of one type (``"LearnerPersonal"``)."""
        return [obj for obj in self.objects if obj.object_name == object_name]

    @property
    def errors(self) -> list[Problem]:
        """The problems that rejected their record."""
        return [problem for problem in self.problems if problem.is_error]


def read_all(adapter: AdapterSpec, source: Path, context: ReadContext | None = None) -> ReadResult:
    """Run ``adapter.read`` to the end and sort what it yields into objects and problems.

    Raises :class:`NotAnObjectError` (an ``AssertionError``) for anything else it yields.
    """
    result = ReadResult()
    for item in adapter.read(source, context or ReadContext(source_system="test-school")):
        if isinstance(item, Problem):
            result.problems.append(item)
        elif isinstance(item, SIFObject):
            result.objects.append(item)
        else:
            raise NotAnObjectError(
                f"{adapter.name}: read() yielded {type(item).__name__}; "
                "it may yield only SIF objects and Problems"
            )
    return result


def _first_difference(expected: Any, actual: Any, path: str) -> str | None:
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in dict.fromkeys([*expected, *actual]):
            found = _first_difference(expected.get(key), actual.get(key), f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return f"{path}: {len(expected)} item(s), then {len(actual)}"
        for index, (one, other) in enumerate(zip(expected, actual, strict=True)):
            found = _first_difference(one, other, f"{path}[{index}]")
            if found:
                return found
        return None
    if expected == actual:
        return None
    if expected is None or actual is None:
        return f"{path} ({'missing' if actual is None else 'not expected'} in the second)"
    return path


def _key(obj: SIFObject) -> tuple[str, str]:
    return obj.object_name, obj.ref_id


def differences(
    expected: Sequence[SIFObject], actual: Sequence[SIFObject], *, limit: int = 5
) -> list[str]:
    """How ``actual`` differs from ``expected``, matching objects by type and RefId.

    Each line names one object: missing, unexpected, or the wire path of its first field that
    differs. Values are never shown: samples may hold real people's data.
    """
    found: list[str] = []
    wanted = _by_key(expected)
    got = _by_key(actual)
    for key, obj in wanted.items():
        other = got.get(key)
        if other is None:
            found.append(f"{key[0]} {key[1]} is missing")
        elif other != obj:
            first = _first_difference(
                obj.model_dump(mode="json", by_alias=True),
                other.model_dump(mode="json", by_alias=True),
                key[0],
            )
            found.append(f"{key[0]} {key[1]} differs at {first or 'its Python type'}")
    found += [f"{key[0]} {key[1]} is unexpected" for key in got if key not in wanted]
    if len(found) > limit:
        found = [*found[:limit], f"... and {len(found) - limit} more"]
    return found


def _by_key(objects: Iterable[SIFObject]) -> dict[tuple[str, str], SIFObject]:
    return {_key(obj): obj for obj in objects}
