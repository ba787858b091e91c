"""The LRS connector: the party of a zone that provides the ``uln`` service.

It leases ULN requests from its queue, and for each learner follows the LRS's usual flow:
search by demographics; on *no match* (``WSRC0001``) register the learner, which returns a new
ULN (``WSRC0005``). What it answers for each learner:

============================  ===========================================================
LRS says                      outcome (the zone: ULN set on the learner, or review list)
============================  ===========================================================
WSRC0004 exact match          ``found`` with the ULN, after checking its check digit
WSRC0005 learner registered   ``registered`` with the new ULN, checked likewise
WSRC0003 possible match       ``possible-match``: a person decides, never the connector
WSRC0002 too many matches     ``too-many-matches``: a person decides
WSRC0021 not registered       ``not-registered``
WSRC0022 linked learner       ``possible-match``: a person checks which ULN is current
WSEC... (a fault)             ``error`` with the code and the LRS's description
============================  ===========================================================

A ULN that fails its check digit, or the temporary ``9999999999``, is answered as ``error``.
When the LRS cannot be reached the request is not answered and not acknowledged: it comes back
after its lease and is tried again. Names and dates of birth are never logged.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from adapters.lrs.client import LRSUnavailableError
from adapters.lrs.messages import Demographics, LRSAnswer
from sif_core.client import QueueMessage, ZoneClient
from sif_core.errors import ZoneRejectedError
from sif_core.model import is_temporary_uln, uln_problem

__all__ = ["ConnectorReport", "LearnerLookup", "answer_learner", "serve_requests"]

logger = logging.getLogger(__name__)

ULN_SERVICE: Final = "uln"
_REQUEST_KIND: Final = "uln-request"


class LearnerLookup(Protocol):
    """What the connector needs of an LRS client."""

    def find(self, learner: Demographics) -> LRSAnswer:
        """Search by demographics."""

    def register(self, learner: Demographics) -> LRSAnswer:
        """Register a learner."""


@dataclass
class ConnectorReport:
    """What a run did: requests answered and learners by outcome."""

    requests: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    postponed: int = 0


def _error(code: str, message: str) -> dict[str, Any]:
    return {"outcome": "error", "code": code, "message": message}


def _with_uln(outcome: str, answer: LRSAnswer) -> dict[str, Any]:
    if len(answer.ulns) != 1:
        return _error(answer.code, f"the LRS said {answer.code} with {len(answer.ulns)} ULNs")
    uln = answer.ulns[0]
    if is_temporary_uln(uln):
        return _error(answer.code, "the LRS gave the temporary ULN 9999999999")
    problem = uln_problem(uln)
    if problem is not None:
        return _error(answer.code, f"the LRS gave a ULN that fails its check: {problem}")
    return {"outcome": outcome, "code": answer.code, "uln": uln, "message": ""}


_REVIEW: Final = {
    "WSRC0002": ("too-many-matches", "too many learners match: a person must decide"),
    "WSRC0003": ("possible-match", "a possible match: a person must decide"),
}


def answer_learner(lrs: LearnerLookup, learner: Demographics) -> dict[str, Any]:
    """The result for one learner: search, then register on no match.

    Raises :class:`LRSUnavailableError` when the LRS cannot be asked.
    """
    found = lrs.find(learner)
    if found.is_fault:
        return _error(found.code, found.description or "the LRS refused the search")
    if found.code == "WSRC0004":
        return _with_uln("found", found)
    if found.code in _REVIEW:
        outcome, message = _REVIEW[found.code]
        return {"outcome": outcome, "code": found.code, "message": message}
    if found.code != "WSRC0001":
        return _error(found.code, f"the LRS answered the search with {found.code}")
    registered = lrs.register(learner)
    if registered.is_fault:
        return _error(registered.code, registered.description or "the LRS refused to register")
    if registered.code == "WSRC0005":
        return _with_uln("registered", registered)
    if registered.code == "WSRC0021":
        return {
            "outcome": "not-registered",
            "code": registered.code,
            "message": "the LRS could not register the learner",
        }
    if registered.code == "WSRC0022":
        return {
            "outcome": "possible-match",
            "code": registered.code,
            "message": "the LRS linked the learner to another record: check which ULN is current",
        }
    return _error(registered.code, f"the LRS answered the registration with {registered.code}")


def _demographics(item: Any) -> Demographics | None:
    if not isinstance(item, dict):
        return None
    names = (item.get("givenName"), item.get("familyName"), item.get("dateOfBirth"))
    if not all(isinstance(value, str) and value for value in names):
        return None
    return Demographics(
        given_name=item["givenName"],
        family_name=item["familyName"],
        date_of_birth=item["dateOfBirth"],
        sex=str(item.get("sex") or ""),
        postcode=item.get("postcode") if isinstance(item.get("postcode"), str) else None,
        previous_family_name=item.get("previousFamilyName")
        if isinstance(item.get("previousFamilyName"), str)
        else None,
    )


def _answer(lrs: LearnerLookup, body: dict[str, Any]) -> list[dict[str, Any]]:
    results = []
    learners = body.get("learners")
    for item in learners if isinstance(learners, list) else []:
        ref = item.get("learnerRefId") if isinstance(item, dict) else None
        if not isinstance(ref, str):
            continue
        learner = _demographics(item)
        if learner is None:
            result = _error("WSEC0001", "the request lacks a name or date of birth")
        else:
            result = answer_learner(lrs, learner)
        results.append({"learnerRefId": ref, **result})
    return results


def _handle(
    zone: ZoneClient, lrs: LearnerLookup, message: QueueMessage, report: ConnectorReport
) -> None:
    request = message.request
    if (
        request is None
        or request.service != ULN_SERVICE
        or request.body.get("kind") != _REQUEST_KIND
    ):
        logger.info("message %s is not a ULN request; acknowledged", message.message_id)
        zone.ack([message.message_id])
        return
    results = _answer(lrs, request.body)
    try:
        zone.answer_service_request(ULN_SERVICE, request.request_id, {"results": results})
    except ZoneRejectedError as error:
        if error.code != "already-answered":
            raise
    zone.ack([message.message_id])
    report.requests += 1
    report.outcomes.update(result["outcome"] for result in results)
    logger.info(
        "answered ULN request %s: %s",
        request.request_id,
        ", ".join(
            f"{n} {outcome}"
            for outcome, n in sorted(Counter(r["outcome"] for r in results).items())
        ),
    )


def serve_requests(
    zone: ZoneClient,
    lrs: LearnerLookup,
    *,
    follow: bool = False,
    wait_seconds: float = 25.0,
    retry_seconds: float = 30.0,
    should_stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep,
) -> ConnectorReport:
    """Answer ULN requests from the connector's queue: until it is empty, or with ``follow``
    until ``should_stop()``. While the LRS is unreachable, waits ``retry_seconds`` between
    tries (the requests stay leased to nobody and come back)."""
    report = ConnectorReport()
    while not should_stop():
        messages = zone.lease(wait=wait_seconds if follow else 0)
        if not messages and not follow:
            return report
        for message in messages:
            try:
                _handle(zone, lrs, message, report)
            except LRSUnavailableError as error:
                report.postponed += 1
                logger.warning("%s", error)
                if not follow:
                    return report
                sleep(retry_seconds)
                break
    return report
