"""School workflows built on the zone's primitives (events, queues, service requests).

- :mod:`~zone_server.workflows.transfer`: a learner's whole record to another school's queue, or
  to the lost-pupils area (:mod:`~zone_server.workflows.lost_pupils`) when the destination is
  unknown, from where a school that enrols the pupil claims it.
- :mod:`~zone_server.workflows.dual_registration`: two schools' records of one dual-registered
  learner linked; personal details changed at one reach the other, conflicts are flagged.
- :mod:`~zone_server.workflows.uln`: ULN requests to the party providing the ``uln`` service
  (the LRS connector) and what its answers do to the school's learners.
- :mod:`~zone_server.workflows.census`: census returns that only the school approves, and
  :mod:`~zone_server.workflows.funding`, which counts approved returns only.

Each step runs inside one store transaction together with the events and queue messages it
causes, and is written to the audit log. This module holds what they share: the refusals a
workflow raises (turned into HTTP replies by :mod:`zone_server.api_workflows`) and the lookups
of parties by school and LA.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from zone_server.acl import AccessPolicy, Party
from zone_server.config import PartyKind
from zone_server.store import StoreTransaction

__all__ = [
    "WorkflowConflict",
    "WorkflowInvalid",
    "WorkflowNotFound",
    "WorkflowRefusal",
    "is_current",
    "la_parties",
    "parse_date",
    "school_of_enrolment",
    "school_party",
]


class WorkflowRefusal(Exception):  # noqa: N818 - a refusal, reported as an HTTP reply
    """A workflow step that cannot be done; ``message`` says why and what to do."""

    status = 400
    code = "refused"

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class WorkflowNotFound(WorkflowRefusal):
    """The transfer, return, conflict or learner does not exist (or is not the caller's)."""

    status = 404
    code = "not-found"


class WorkflowConflict(WorkflowRefusal):
    """The step clashes with the state it would change (already approved, superseded...)."""

    status = 409
    code = "conflict"


class WorkflowInvalid(WorkflowRefusal):
    """The request is well formed but cannot be carried out as asked."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


def school_party(policy: AccessPolicy, zone: str, laestab: str) -> Party | None:
    """The school party of ``zone`` whose LAESTAB is ``laestab``, if any."""
    return next(
        (
            party
            for party in policy.members(zone)
            if party.kind is PartyKind.SCHOOL and party.claim_key == laestab
        ),
        None,
    )


def la_parties(policy: AccessPolicy, zone: str, la: str) -> list[Party]:
    """The LA parties of ``zone`` for LA number ``la``."""
    return [p for p in policy.members(zone) if p.kind is PartyKind.LA and p.claim_key == la]


def parse_date(value: Any) -> dt.date | None:
    """An ISO date from stored content, or ``None``."""
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def is_current(enrolment: dict[str, Any], on: dt.date) -> bool:
    """True when the enrolment content is on roll on ``on`` (entered, not yet left)."""
    entry = parse_date(enrolment.get("EntryDate"))
    exit_date = parse_date(enrolment.get("ExitDate"))
    return entry is not None and entry <= on and (exit_date is None or exit_date >= on)


def school_of_enrolment(tx: StoreTransaction, zone: str, enrolment: dict[str, Any]) -> str | None:
    """The LAESTAB of the school an enrolment (or attendance summary) content names."""
    ref = enrolment.get("SchoolInfoRefId")
    if not isinstance(ref, str):
        return None
    school = tx.get_object(zone, "SchoolInfo", ref)
    if school is None or school.content is None:
        return None
    return f"{school.content.get('LAId', '')}{school.content.get('EstablishmentId', '')}"
