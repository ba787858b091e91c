"""What a census return counts for funding, and the funding summary of approved returns.

A return's counts are worked out once, when the school approves it, from its frozen snapshot:
pupils on roll on the reference date by NC year (single and main registrations; subsidiary and
guest registrations are counted apart, as the main school claims the pupil), how many of them
are eligible for free school meals on that date, and how many have SEN support or an EHC plan.
The summary adds up the latest approved version of each school's return: a draft counts for
nothing, whoever can see that it is pending.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Final

from sif_core.model import NCYear
from zone_server.acl import Forbidden, Party
from zone_server.config import PartyKind
from zone_server.store.workflows import CensusReturn, SnapshotObject
from zone_server.workflows import is_current, parse_date

__all__ = ["count_return", "funding_summary"]

#: NC years in the order the summary lists them.
_YEARS: Final = [year.value for year in NCYear]
_ELSEWHERE: Final = frozenset({"S", "G"})


def _as_list(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _fsm_on(history: dict[str, Any], on: dt.date) -> bool:
    for instance in _as_list(history.get("FSMInstance")):
        start = parse_date(instance.get("StartDate"))
        end = parse_date(instance.get("EndDate"))
        eligible = instance.get("Type", "E") == "E"
        if eligible and start is not None and start <= on and (end is None or end >= on):
            return True
    return False


def _sen_on(history: dict[str, Any], on: dt.date) -> str | None:
    started = [
        (parse_date(i.get("StartDate")), i.get("Provision")) for i in _as_list(history.get("SEN"))
    ]
    current = [(start, provision) for start, provision in started if start and start <= on]
    return max(current, key=lambda pair: pair[0])[1] if current else None


def count_return(
    objects: Sequence[SnapshotObject], reference_date: str, school_ref: str
) -> dict[str, Any]:
    """The counts of one return's snapshot (``school_ref`` is the school's SchoolInfo RefId)."""
    on = dt.date.fromisoformat(reference_date)
    years: Counter[str] = Counter()
    counted: set[str] = set()
    elsewhere = 0
    for obj in objects:
        content = obj.content
        if obj.object_type != "LearnerSchoolEnrolment":
            continue
        if content.get("SchoolInfoRefId") != school_ref or not is_current(content, on):
            continue
        learner = content.get("LearnerPersonalRefId")
        if not isinstance(learner, str) or learner in counted:
            continue
        if content.get("MembershipType") in _ELSEWHERE:
            elsewhere += 1
            continue
        counted.add(learner)
        years[str(content.get("NCYear", "unknown"))] += 1
    fsm = sen_support = ehc_plans = 0
    for obj in objects:
        learner = obj.content.get("LearnerPersonalRefId")
        if learner not in counted:
            continue
        if obj.object_type == "LearnerFSMHistory" and _fsm_on(obj.content, on):
            fsm += 1
        elif obj.object_type == "LearnerSENHistory":
            provision = _sen_on(obj.content, on)
            sen_support += provision == "K"
            ehc_plans += provision == "E"
    ordered = {year: years[year] for year in _YEARS if years[year]}
    ordered.update({year: n for year, n in sorted(years.items()) if year not in ordered})
    return {
        "pupils": len(counted),
        "byNCYear": ordered,
        "fsmEligible": fsm,
        "senSupport": sen_support,
        "ehcPlans": ehc_plans,
        "subsidiaryOrGuest": elsewhere,
    }


def funding_summary(
    party: Party, collection: str, returns: Iterable[CensusReturn]
) -> dict[str, Any]:
    """The summary of ``collection`` that ``party`` may see: DfE every school, an LA its own
    schools, a school itself. Only approved returns count."""
    if party.kind not in (PartyKind.DFE, PartyKind.LA, PartyKind.SCHOOL):
        raise Forbidden(f"{party.id} may not read funding summaries: the DfE, LAs and schools may")
    rows = []
    totals: Counter[str] = Counter()
    years: Counter[str] = Counter()
    for found in returns:
        if found.status != "approved" or found.collection != collection:
            continue
        if not party.scope.covers(found.school) or found.counts is None:
            continue
        counts = found.counts
        rows.append(
            {
                "school": found.school,
                "returnId": found.return_id,
                "version": found.version,
                "referenceDate": found.reference_date,
                "contentHash": found.content_hash,
                **counts,
            }
        )
        for key in ("pupils", "fsmEligible", "senSupport", "ehcPlans", "subsidiaryOrGuest"):
            totals[key] += int(counts.get(key, 0))
        years.update({year: int(n) for year, n in counts.get("byNCYear", {}).items()})
    rows.sort(key=lambda row: row["school"])
    return {
        "collection": collection,
        "schools": rows,
        "totals": {
            **{key: totals[key] for key in ("pupils", "fsmEligible", "senSupport", "ehcPlans")},
            "byNCYear": {year: years[year] for year in _YEARS if years[year]},
        },
    }
