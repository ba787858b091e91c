"""ULN requests: learners without a Unique Learner Number, sent to the party providing ``uln``.

A school asks for its learners by RefId (or for all of its learners without a ULN). The zone
sends the provider (the LRS connector, :mod:`adapters.lrs`) only what the LRS matches on: legal
given and family name, former family name, date of birth, sex and postcode. The request body::

    {"kind": "uln-request", "school": "8012000",
     "learners": [{"learnerRefId": "...", "givenName": "...", "familyName": "...",
                   "previousFamilyName": null, "dateOfBirth": "2009-05-01", "sex": "F",
                   "postcode": "AB1 2CD"}]}

The provider answers with one result per learner::

    {"results": [{"learnerRefId": "...", "outcome": "found", "code": "WSRC0004",
                  "uln": "1000000043", "message": "exact match"}]}

``outcome`` is ``found`` or ``registered`` (with a ``uln``), or ``possible-match``,
``too-many-matches``, ``not-registered`` or ``error``. When the answer arrives the zone checks
each ULN (check digit, not the temporary ``9999999999``) and sets it on the school's learner:
a ``change`` event published by the provider, queued for the school (whose pull agent writes it
into the MIS) and for the learner's subscribers. Everything else, and a ULN that fails the check
or differs from one the learner already has, goes to the school's ULN review list: the zone
never guesses.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sif_core.model import is_temporary_uln, uln_problem
from zone_server.acl import AccessPolicy, Forbidden, Party
from zone_server.config import PartyKind
from zone_server.store import NewEvent, ServiceRequest, StoredObject, StoreTransaction
from zone_server.wire import content_of, object_from
from zone_server.workflows import WorkflowInvalid, WorkflowNotFound

__all__ = [
    "ULN_SERVICE",
    "ULNAnswer",
    "ULNResult",
    "apply_answer",
    "demographics",
    "is_uln_request",
    "parse_answer",
    "request_ulns",
]

#: The service name of ULN requests.
ULN_SERVICE: Final = "uln"
_MAX_LEARNERS: Final = 1000
_KIND: Final = "uln-request"


class ULNResult(BaseModel):
    """One learner's result in the provider's answer."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    learner_ref_id: str = Field(alias="learnerRefId", pattern=r"^[0-9A-F]{32}$")
    outcome: Literal[
        "found", "registered", "possible-match", "too-many-matches", "not-registered", "error"
    ]
    code: str | None = Field(default=None, max_length=20)
    uln: str | None = Field(default=None, max_length=20)
    message: str = Field(default="", max_length=500)


class ULNAnswer(BaseModel):
    """The provider's answer to a ULN request."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    results: list[ULNResult] = Field(max_length=_MAX_LEARNERS)


def is_uln_request(request: ServiceRequest) -> bool:
    """True for a request made by :func:`request_ulns` (its answer is checked and applied)."""
    return request.service == ULN_SERVICE and request.request.get("kind") == _KIND


def parse_answer(document: dict[str, Any]) -> ULNAnswer:
    """Validate an answer; :class:`WorkflowInvalid` names the first problem."""
    try:
        return ULNAnswer.model_validate(document)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        message = f"a ULN answer is not shaped as documented: {where}: {first['msg']}"
        raise WorkflowInvalid(message) from None


def _as_list(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def demographics(learner: StoredObject) -> dict[str, Any] | None:
    """What the LRS matches on, from a learner's content; ``None`` without a legal name."""
    content = learner.content or {}
    names = _as_list(content.get("Name"))
    legal = next((n for n in names if n.get("@Type") == "L"), None)
    former = next((n for n in names if n.get("@Type") == "F"), {})
    if legal is None or not legal.get("GivenName") or not legal.get("FamilyName"):
        return None
    address = content.get("Address") if isinstance(content.get("Address"), dict) else {}
    return {
        "learnerRefId": learner.ref_id,
        "givenName": legal["GivenName"],
        "familyName": legal["FamilyName"],
        "previousFamilyName": former.get("FamilyName"),
        "dateOfBirth": content.get("DateOfBirth"),
        "sex": content.get("Sex"),
        "postcode": (address or {}).get("PostCode"),
    }


def request_ulns(
    tx: StoreTransaction,
    policy: AccessPolicy,
    zone: str,
    party: Party,
    learner_refs: list[str],
) -> tuple[ServiceRequest | None, list[dict[str, str]]]:
    """Send school ``party``'s learners (those without a ULN) to the ULN provider.

    Returns the service request (``None`` when no learner needed one) and the learners left
    out, each with the reason.
    """
    if party.kind is not PartyKind.SCHOOL:
        raise Forbidden(f"{party.id} is not a school: a school asks for its own learners' ULNs")
    provider = policy.provider_of(zone, ULN_SERVICE)
    if provider is None:
        raise WorkflowNotFound(
            f"no party provides the {ULN_SERVICE} service in {zone}: the zone's administrator "
            "adds the LRS connector as a service party"
        )
    if not policy.may_request(party, ULN_SERVICE):
        raise Forbidden(
            f"{party.id} may not send requests to {ULN_SERVICE}: it lacks the create right on it",
            right="create",
        )
    if len(learner_refs) > _MAX_LEARNERS:
        raise WorkflowInvalid(f"ask for at most {_MAX_LEARNERS} learners at a time")
    sent, skipped = [], []
    for ref in dict.fromkeys(learner_refs):
        learner = tx.get_object(zone, "LearnerPersonal", ref)
        if learner is None or learner.deleted or party.claim_key not in learner.scope_keys:
            skipped.append({"learnerRefId": ref, "reason": f"not a learner of {party.id}"})
            continue
        if (learner.content or {}).get("ULN"):
            skipped.append({"learnerRefId": ref, "reason": "has a ULN already"})
            continue
        found = demographics(learner)
        if found is None:
            skipped.append({"learnerRefId": ref, "reason": "no legal given and family name"})
            continue
        sent.append(found)
    if not sent:
        return None, skipped
    body = {"kind": _KIND, "school": party.claim_key, "learners": sent}
    created = tx.create_service_request(zone, ULN_SERVICE, party.id, provider.id, body)
    tx.audit(
        zone,
        party.id,
        "uln-request",
        "LearnerPersonal",
        [learner["learnerRefId"] for learner in sent],
        f"{ULN_SERVICE} {created.request_id}: {len(sent)} learner(s) to {provider.id}",
    )
    return created, skipped


def apply_answer(
    tx: StoreTransaction,
    policy: AccessPolicy,
    zone: str,
    request: ServiceRequest,
    answer: ULNAnswer,
) -> set[str]:
    """Set validated ULNs on the requester's learners and put the rest on its review list;
    returns the parties whose queues gained messages."""
    requester = policy.parties.get(request.requester)
    school = requester.claim_key if requester is not None else None
    asked = {str(item.get("learnerRefId")) for item in _as_list(request.request.get("learners"))}
    receivers: set[str] = set()
    for result in answer.results:
        if result.learner_ref_id not in asked or school is None:
            continue
        learner = tx.get_object(zone, "LearnerPersonal", result.learner_ref_id)
        problem = _problem(result)
        if problem is None:
            if learner is None or learner.content is None:
                problem = "the learner is no longer in the zone"
            else:
                current = learner.content.get("ULN")
                if current == result.uln:
                    continue
                if current:
                    problem = f"the learner already has another ULN ({current}); check both"
                else:
                    receivers |= _set_uln(tx, policy, zone, request, learner, str(result.uln))
                    continue
        tx.add_uln_review(
            zone,
            request_id=request.request_id,
            school=school,
            learner_ref=result.learner_ref_id,
            outcome=result.outcome,
            code=result.code,
            message=problem or result.message or result.outcome,
        )
        tx.audit(
            zone,
            request.provider,
            "uln-review",
            "LearnerPersonal",
            [result.learner_ref_id],
            f"{ULN_SERVICE} {request.request_id}: {result.outcome} {result.code or ''}".strip(),
        )
    return receivers


def _problem(result: ULNResult) -> str | None:
    if result.outcome not in ("found", "registered"):
        return result.message or result.outcome.replace("-", " ")
    if result.uln is None:
        return f"the answer says {result.outcome} but gives no ULN"
    if is_temporary_uln(result.uln):
        return "the answer gives the temporary ULN 9999999999, not a real one"
    problem = uln_problem(result.uln)
    return None if problem is None else f"the ULN in the answer is not valid: {problem}"


def _set_uln(
    tx: StoreTransaction,
    policy: AccessPolicy,
    zone: str,
    request: ServiceRequest,
    learner: StoredObject,
    uln: str,
) -> set[str]:
    content = content_of(object_from("LearnerPersonal", {**(learner.content or {}), "ULN": uln}))
    event = tx.append_event(
        zone, request.provider, NewEvent("change", "LearnerPersonal", learner.ref_id, content)
    )
    tx.put_object(event, learner.index, learner.scope_keys)
    receivers = set(
        policy.recipients(zone, "LearnerPersonal", learner.scope_keys, request.provider)
    )
    receivers.add(request.requester)
    for receiver in sorted(receivers):
        tx.enqueue_event(receiver, event)
    tx.audit(
        zone,
        request.provider,
        "uln-applied",
        "LearnerPersonal",
        [learner.ref_id],
        f"{ULN_SERVICE} {request.request_id}: ULN set on the school's learner",
    )
    return receivers
