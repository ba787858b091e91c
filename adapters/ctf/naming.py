"""The conventional CTF file name: ``LLLEEEE_CTF_LLLEEEE_NNN.xml``.

The source school's LA and establishment numbers, ``CTF``, the destination's (``MMMMMMM`` when it
is unknown, ``XXXXXXX`` when the pupil leaves the maintained sector), and a three-digit sequence
number that tells apart files for the same destination.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CTFName", "next_free_name"]

_NAME = re.compile(r"^([0-9]{7})_CTF_([0-9]{3}[0-9L]{4}|M{7}|X{7})_([0-9]{3})\.xml$", re.IGNORECASE)
_LAST_SEQUENCE = 999


@dataclass(frozen=True, slots=True)
class CTFName:
    """The parts of a conventional CTF file name."""

    source: str
    destination: str
    sequence: int

    def __str__(self) -> str:
        return f"{self.source}_CTF_{self.destination}_{self.sequence:03d}.xml"

    @classmethod
    def parse(cls, name: str) -> CTFName | None:
        """The parts of ``name``, or ``None`` when it does not follow the convention."""
        match = _NAME.match(name)
        if match is None:
            return None
        return cls(match.group(1), match.group(2).upper(), int(match.group(3)))


def next_free_name(directory: Path, source: str, destination: str) -> CTFName:
    """The first name for ``source`` to ``destination`` with a sequence number not yet used.

    Numbers start at 001 and follow the highest already in ``directory``. Raises ``ValueError``
    when 999 is taken.
    """
    used = 0
    for entry in directory.iterdir():
        name = CTFName.parse(entry.name)
        if name is not None and (name.source, name.destination) == (source, destination):
            used = max(used, name.sequence)
    if used >= _LAST_SEQUENCE:
        raise ValueError(
            f"{directory} already holds CTF number {_LAST_SEQUENCE} from {source} to "
            f"{destination}; move the old files away or name the output file"
        )
    return CTFName(source, destination, used + 1)
