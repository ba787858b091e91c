"""What a conformance run found: one :class:`CheckResult` per check, gathered in a :class:`Report`.

A result is PASSED, FAILED (the target does not do what a MUST clause says), WARNING (a SHOULD
is not met), SKIPPED (the statement does not claim what the check needs) or ERROR (the kit itself
could not run the check: its own bug, a zone that cannot be reached, a sample it cannot use).
ERROR is never counted as FAILED and never as PASSED: a run with an ERROR proves nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["CheckResult", "Outcome", "Report", "Target"]


class Outcome(StrEnum):
    """The result of one check."""

    PASSED = "PASSED"
    FAILED = "FAILED"
    WARNING = "WARNING"
    SKIPPED = "SKIPPED"
    ERROR = "ERROR"


@dataclass(frozen=True)
class CheckResult:
    """One check's result: ``message`` is one line; ``details`` the evidence, one item a line."""

    check: str
    clause: str
    title: str
    outcome: Outcome
    message: str
    details: tuple[str, ...] = ()
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        """The result as the JSON report writes it."""
        return {
            "id": self.check,
            "clause": self.clause,
            "title": self.title,
            "result": self.outcome.value,
            "message": self.message,
            "details": list(self.details),
            "durationSeconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Target:
    """What was tested: ``kind`` is ``adapter`` or ``zone``."""

    kind: str
    name: str
    version: str
    facts: dict[str, str] = field(default_factory=dict)


@dataclass
class Report:
    """A whole run: the suite, the target, the statement's claims and every result in order."""

    suite: str
    suite_version: str
    target: Target
    claims: dict[str, Any]
    started: dt.datetime
    results: list[CheckResult] = field(default_factory=list)
    finished: dt.datetime | None = None
    #: How many checks the whole suite has; a run of fewer is partial and never conformant.
    suite_size: int = 0

    def counts(self) -> dict[Outcome, int]:
        """How many results of each outcome (every outcome present, zero included)."""
        found = Counter(result.outcome for result in self.results)
        return {outcome: found.get(outcome, 0) for outcome in Outcome}

    @property
    def complete(self) -> bool:
        """True when every check of the suite ran (not only those selected)."""
        return len({result.check for result in self.results}) >= self.suite_size

    @property
    def conformant(self) -> bool:
        """True when the whole suite ran, a check passed and none FAILED or hit an ERROR."""
        counts = self.counts()
        clean = not counts[Outcome.FAILED] + counts[Outcome.ERROR]
        return self.complete and clean and counts[Outcome.PASSED] > 0

    @property
    def verdict(self) -> str:
        """``CONFORMANT``, ``NOT CONFORMANT``, or ``PARTIAL RUN`` when only some checks ran."""
        if self.conformant:
            return "CONFORMANT"
        if self.of(Outcome.FAILED) or self.of(Outcome.ERROR) or self.complete:
            return "NOT CONFORMANT"
        return f"PARTIAL RUN ({len(self.results)} of {self.suite_size} checks)"

    def failed_clauses(self) -> list[str]:
        """The clauses with a FAILED result, in suite order, each once."""
        return list(dict.fromkeys(r.clause for r in self.results if r.outcome is Outcome.FAILED))

    def of(self, outcome: Outcome) -> list[CheckResult]:
        """The results with ``outcome``."""
        return [result for result in self.results if result.outcome is outcome]

    def result(self, check: str) -> CheckResult:
        """The result of the check with id ``check``; ``KeyError`` when it did not run."""
        for result in self.results:
            if result.check == check:
                return result
        raise KeyError(check)

    def as_json(self) -> dict[str, Any]:
        """The report as the JSON file holds it."""
        finished = self.finished or self.started
        return {
            "suite": self.suite,
            "suiteVersion": self.suite_version,
            "target": {
                "kind": self.target.kind,
                "name": self.target.name,
                "version": self.target.version,
                **self.target.facts,
            },
            "claims": self.claims,
            "startedAt": self.started.isoformat(timespec="seconds"),
            "finishedAt": finished.isoformat(timespec="seconds"),
            "durationSeconds": round((finished - self.started).total_seconds(), 3),
            "conformant": self.conformant,
            "complete": self.complete,
            "verdict": self.verdict,
            "summary": {outcome.value: count for outcome, count in self.counts().items()},
            "checks": [result.as_json() for result in self.results],
        }
