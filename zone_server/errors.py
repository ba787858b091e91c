"""The zone server's errors, each naming what is wrong and what to do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sif_core.errors import SIFError

__all__ = ["ConfigProblem", "StorageError", "ZoneFileError"]


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One thing wrong in a zone file: where (``line``, ``location``) and what."""

    line: int | None
    location: str
    message: str


class ZoneFileError(SIFError):
    """The zone file cannot be used; ``problems`` lists every mistake found, with its line."""

    def __init__(self, source: str, problems: Sequence[ConfigProblem]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"{self.source}: the zone file has {len(self.problems)} problem(s):"]
        for problem in self.problems:
            where = f"{self.source}:{problem.line}" if problem.line else self.source
            what = f" {problem.location}:" if problem.location else ""
            lines.append(f"  {where}:{what} {problem.message}")
        return "\n".join(lines)


class StorageError(SIFError):
    """The zone's store cannot be opened or used (the message names the storage URL)."""
