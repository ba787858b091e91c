"""Validating what a pupil's elements say, and reporting what is wrong in the file's own terms.

Each SIF object is built from a plain dict and validated by its model; validation always runs.
When validation fails, each error becomes a :class:`~sif_core.problems.Problem` naming the pupil
and the CTF element (``Contacts/Contact[2]/Phones/Phone[1]/PhoneNo``), not the SIF field. An
optional part that is wrong (a phone number, an address, a ULN) is left out of its object with a
warning and the object kept; anything else wrong rejects the object with an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar, cast

from pydantic import ValidationError

from sif_core.model import SIFObject
from sif_core.problems import Problem, Severity

__all__ = ["Loc", "PathSpec", "Report", "build", "ctf_path"]

M = TypeVar("M", bound=SIFObject)

#: A pydantic error location: field names and list indices.
Loc = tuple[int | str, ...]
#: How SIF field names map to CTF element paths: a path, or a path and the spec of its parts.
PathSpec = Mapping[str, "str | tuple[str, PathSpec]"]


class Report(Protocol):
    """Where a pupil's Problems go: the pupil as a person can find it, the file, the list."""

    record: str
    source: str
    problems: list[Problem]


#: How many times optional parts are dropped and the object validated again.
_ATTEMPTS = 4


def ctf_path(loc: Loc, spec: PathSpec, prefix: str = "") -> str:
    """The CTF element path of an error location: ``("phone_numbers", 0, "number")`` with
    ``{"phone_numbers": ("Phones/Phone", {"number": "PhoneNo"})}`` gives
    ``Phones/Phone[1]/PhoneNo`` (positions count from 1, as in XPath)."""
    parts = [prefix] if prefix else []
    current: PathSpec | None = spec
    index = 0
    while index < len(loc):
        key = loc[index]
        entry = current.get(str(key)) if current is not None else None
        sub: PathSpec | None = None
        if entry is None:
            path = str(key)
        elif isinstance(entry, tuple):
            path, sub = entry
        else:
            path = entry
        if index + 1 < len(loc) and isinstance(loc[index + 1], int):
            position = loc[index + 1]
            assert isinstance(position, int)
            path += f"[{position + 1}]"
            index += 1
        if path:
            parts.append(path)
        current = sub
        index += 1
    return "/".join(parts)


def build(
    model: type[M],
    data: dict[str, Any],
    optional: Callable[[Loc], bool],
    where: Callable[[Loc], str],
    report: Report,
) -> M | None:
    """Validate ``data`` as ``model``, leaving out failed optional parts.

    ``optional(loc)`` says whether the part at ``loc`` (its first one or two entries) may be left
    out; ``where(loc)`` names the CTF element for a location. Problems name ``report.record`` in
    ``report.source`` and are appended to ``report.problems``. Returns the object, or ``None``
    when it is rejected.
    """
    validator = model.__pydantic_validator__
    try:
        return cast(M, validator.validate_python(data))
    except ValidationError as error:
        details = error.errors(include_url=False)
    # Original positions of list items, so locations stay right after items are dropped.
    positions: dict[str, list[int]] = {}
    for attempt in range(1, _ATTEMPTS + 1):
        located = [(_original(detail["loc"], positions), detail["msg"]) for detail in details]
        if attempt == _ATTEMPTS or any(not loc or not optional(loc) for loc, _ in located):
            report.problems.extend(
                Problem(report.source, report.record, where(loc), _message(text))
                for loc, text in located
            )
            return None
        report.problems.extend(
            Problem(
                report.source,
                report.record,
                where(loc),
                f"left out: {_message(text)}",
                Severity.WARNING,
            )
            for loc, text in located
        )
        _drop(data, [detail["loc"] for detail in details], positions)
        try:
            return cast(M, validator.validate_python(data))
        except ValidationError as error:
            details = error.errors(include_url=False)
    return None


def _original(loc: Loc, positions: dict[str, list[int]]) -> Loc:
    if len(loc) > 1 and isinstance(loc[1], int) and str(loc[0]) in positions:
        return (loc[0], positions[str(loc[0])][loc[1]], *loc[2:])
    return loc


def _drop(data: dict[str, Any], locs: list[Loc], positions: dict[str, list[int]]) -> None:
    whole: set[str] = set()
    items: dict[str, set[int]] = {}
    for loc in locs:
        key = str(loc[0])
        value = data.get(key)
        if isinstance(value, list) and len(loc) > 1 and isinstance(loc[1], int):
            items.setdefault(key, set()).add(loc[1])
        else:
            whole.add(key)
    for key in whole:
        data.pop(key, None)
    for key, dropped in items.items():
        if key in whole:
            continue
        kept = [i for i in range(len(data[key])) if i not in dropped]
        original = positions.get(key, list(range(len(data[key]))))
        positions[key] = [original[i] for i in kept]
        data[key] = [data[key][i] for i in kept]


def _message(text: str) -> str:
    return text.removeprefix("Value error, ")
