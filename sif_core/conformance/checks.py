"""Checks: functions tagged with a clause, and how one is run into a :class:`CheckResult`.

A check receives the run's session (what it tests and how) and returns the message of a pass.
It raises :class:`CheckFailed` when the target breaks its clause, :class:`CheckWarning` when a
SHOULD is not met and :class:`NotApplicable` when the input gives it nothing to check. Any other
exception escaping a check is the kit's own failure and becomes ERROR, never FAILED: code that
calls into the target catches the target's exceptions and turns them into :class:`CheckFailed`.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from sif_core.conformance.clauses import ADAPTER_CLAUSES, ZONE_CLAUSES, clause
from sif_core.conformance.results import CheckResult, Outcome

__all__ = [
    "Check",
    "CheckFailed",
    "CheckWarning",
    "Checks",
    "KitError",
    "NotApplicable",
    "Session",
    "run_check",
]


class _Verdict(Exception):  # noqa: N818 - a verdict, not an error
    def __init__(self, message: str, details: Iterable[str] = ()) -> None:
        self.message = message
        self.details = tuple(details)
        super().__init__(message)


class CheckFailed(_Verdict):
    """The target does not do what the clause demands; ``details`` is the evidence."""


class CheckWarning(_Verdict):
    """A SHOULD of the clause is not met."""


class NotApplicable(_Verdict):
    """Nothing to check (the statement or the samples give this check nothing to work on)."""


class KitError(_Verdict):
    """The kit cannot run the check (an unusable sample, an unreachable zone): ERROR."""


class Session(Protocol):
    """What every session offers the runner: whether the statement claims something, and
    whether anything keeps a check from running at all."""

    def claims(self, claim: str) -> bool:
        """True when the statement claims ``claim`` (``writes``, ``xml``, ``workflow:transfer``)."""
        ...

    def blocker(self, check_id: str) -> str | None:
        """Why the check ``check_id`` cannot run (it is then an ERROR), or ``None``."""
        ...


S = TypeVar("S", bound=Session)


@dataclass(frozen=True)
class Check(Generic[S]):
    """One check: ``id`` is ``CLAUSE.name`` (``ADP-4.same-twice``)."""

    id: str
    title: str
    function: Callable[[S], str]

    @property
    def clause(self) -> str:
        """The id of the clause this check tests."""
        return self.id.partition(".")[0]


_CLAUSE_ORDER = {c.id: n for n, c in enumerate((*ADAPTER_CLAUSES, *ZONE_CLAUSES))}


class Checks(Generic[S]):
    """An ordered set of checks, in clause order and, within a clause, in the order they were
    added; :meth:`check` is the decorator that adds one."""

    def __init__(self) -> None:
        self._checks: dict[str, Check[S]] = {}

    def check(
        self, check_id: str, title: str
    ) -> Callable[[Callable[[S], str]], Callable[[S], str]]:
        """Add the decorated function as the check ``check_id`` (its clause must exist)."""
        clause(check_id.partition(".")[0])  # a misspelt clause id fails at import, not in a run

        def add(function: Callable[[S], str]) -> Callable[[S], str]:
            if check_id in self._checks:
                raise ValueError(f"two checks are called {check_id}")
            self._checks[check_id] = Check(check_id, title, function)
            return function

        return add

    def __iter__(self) -> Iterator[Check[S]]:
        return iter(sorted(self._checks.values(), key=lambda c: _CLAUSE_ORDER[c.clause]))

    def __len__(self) -> int:
        return len(self._checks)

    def __getitem__(self, check_id: str) -> Check[S]:
        return self._checks[check_id]


def _where(error: BaseException) -> tuple[str, ...]:
    frames = traceback.extract_tb(error.__traceback__)[-3:]
    return tuple(f"at {frame.filename}:{frame.lineno} in {frame.name}" for frame in frames)


def run_check(check: Check[S], session: S) -> CheckResult:
    """Run one check against ``session`` and say what it found; it never raises."""
    requirement = clause(check.clause)
    started = time.perf_counter()

    def result(outcome: Outcome, message: str, details: Iterable[str] = ()) -> CheckResult:
        return CheckResult(
            check=check.id,
            clause=check.clause,
            title=check.title,
            outcome=outcome,
            message=message,
            details=tuple(details),
            seconds=time.perf_counter() - started,
        )

    blocked = session.blocker(check.id)
    if blocked is not None:
        return result(Outcome.ERROR, blocked)
    if requirement.claim is not None and not session.claims(requirement.claim):
        return result(
            Outcome.SKIPPED, f"not claimed: the statement does not claim {requirement.claim}"
        )
    try:
        message = check.function(session)
    except CheckFailed as verdict:
        return result(Outcome.FAILED, verdict.message, verdict.details)
    except CheckWarning as verdict:
        return result(Outcome.WARNING, verdict.message, verdict.details)
    except NotApplicable as verdict:
        return result(Outcome.SKIPPED, verdict.message, verdict.details)
    except KitError as verdict:
        return result(Outcome.ERROR, verdict.message, verdict.details)
    except Exception as error:  # the kit's own failure: reported as ERROR, never as FAILED
        first = str(error).strip().splitlines()
        text = f"{type(error).__name__}: {first[0]}" if first else type(error).__name__
        return result(Outcome.ERROR, f"the kit could not run this check: {text}", _where(error))
    return result(Outcome.PASSED, message)
