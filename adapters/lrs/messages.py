"""The LRS SOAP messages the connector sends and reads (and the simulator reads and sends).

Two operations of the Learning Records Service's ``LearnerService``:

- ``FindLearnerByDemographics`` (find type ``FUL``): organisation (UKPRN, user name, password)
  and the learner's family and given names, date of birth, sex (1 male, 2 female, 0 not known,
  9 not specified), last known postcode and previous family name. The answer,
  ``FindLearnerResponse``, carries a ``ResponseCode`` and, for a match, ``Learner`` elements
  with their ``ULN``.
- ``RegisterSingleLearner``: the same organisation and learner details; the answer,
  ``RegisterSingleLearnerResponse``, carries a ``ResponseCode`` and the new ``ULN``.

An error comes back as a SOAP ``Fault`` whose ``detail`` holds ``MIAPAPIException`` with an
``ErrorCode`` (``WSEC0001`` badly formed request, ...) and a ``Description``.

The find message follows the published LRS find service; the registration message is modelled
on it. Confirm both against the LRS Web Services specification before pointing the connector at
the live service.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import xmltodict

from sif_core.codec.safexml import parse

__all__ = [
    "FIND_NAMESPACE",
    "REGISTER_NAMESPACE",
    "SOAP_NAMESPACE",
    "Demographics",
    "LRSAnswer",
    "Organisation",
    "fault",
    "find_request",
    "find_response",
    "read_answer",
    "read_request",
    "register_request",
    "register_response",
    "sex_code",
]

SOAP_NAMESPACE: Final = "http://schemas.xmlsoap.org/soap/envelope/"
FIND_NAMESPACE: Final = "http://api.lrs.miap.gov.uk/findmsg"
REGISTER_NAMESPACE: Final = "http://api.lrs.miap.gov.uk/registermsg"
_SEX_CODES: Final = {"M": "1", "F": "2"}


def sex_code(sex: str | None) -> str:
    """The LRS code of a SIF sex (``M`` 1, ``F`` 2; 0 when not known)."""
    return _SEX_CODES.get(sex or "", "0")


@dataclass(frozen=True, slots=True)
class Organisation:
    """Who the connector is to the LRS: the organisation's UKPRN, a user and its password."""

    ukprn: str
    user_name: str
    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Demographics:
    """What the LRS matches a learner on."""

    given_name: str
    family_name: str
    date_of_birth: str
    sex: str
    postcode: str | None = None
    previous_family_name: str | None = None


@dataclass(frozen=True, slots=True)
class LRSAnswer:
    """A response code, the ULNs it carries, and for a fault its description."""

    code: str
    ulns: tuple[str, ...] = ()
    description: str = ""

    @property
    def is_fault(self) -> bool:
        """True for an error (``WSEC...``) rather than a result."""
        return self.code.startswith("WSEC") or not self.code.startswith("WSRC")


def _envelope(namespace_prefix: str, namespace: str, body: Mapping[str, Any]) -> bytes:
    document = {
        "soapenv:Envelope": {
            "@xmlns:soapenv": SOAP_NAMESPACE,
            f"@xmlns:{namespace_prefix}": namespace,
            "soapenv:Header": None,
            "soapenv:Body": body,
        }
    }
    return xmltodict.unparse(document, encoding="utf-8").encode("utf-8")


def _learner(who: Demographics) -> dict[str, str]:
    return {
        "FamilyName": who.family_name,
        "GivenName": who.given_name,
        "DateOfBirth": who.date_of_birth,
        "Gender": sex_code(who.sex),
        "LastKnownPostCode": who.postcode or "",
        "PreviousFamilyName": who.previous_family_name or "",
    }


def _organisation(by: Organisation) -> dict[str, str]:
    return {"UKPRN": by.ukprn, "OrgPassword": by.password, "UserName": by.user_name}


def find_request(by: Organisation, who: Demographics) -> bytes:
    """A ``FindLearnerByDemographics`` request."""
    body = {"FindType": "FUL", **_organisation(by), **_learner(who)}
    return _envelope("fin", FIND_NAMESPACE, {"fin:FindLearnerByDemographics": body})


def register_request(by: Organisation, who: Demographics) -> bytes:
    """A ``RegisterSingleLearner`` request."""
    body = {**_organisation(by), **_learner(who)}
    return _envelope("reg", REGISTER_NAMESPACE, {"reg:RegisterSingleLearner": body})


def find_response(code: str, ulns: tuple[str, ...] = ()) -> bytes:
    """A ``FindLearnerResponse`` (the simulator's answer to a find)."""
    body: dict[str, Any] = {"@xmlns": FIND_NAMESPACE, "ResponseCode": code}
    if ulns:
        body["Learner"] = [{"ULN": uln} for uln in ulns]
    return _envelope("fin", FIND_NAMESPACE, {"FindLearnerResponse": body})


def register_response(code: str, uln: str | None = None) -> bytes:
    """A ``RegisterSingleLearnerResponse`` (the simulator's answer to a registration)."""
    body: dict[str, Any] = {"@xmlns": REGISTER_NAMESPACE, "ResponseCode": code}
    if uln is not None:
        body["ULN"] = uln
    return _envelope("reg", REGISTER_NAMESPACE, {"RegisterSingleLearnerResponse": body})


def fault(code: str, description: str) -> bytes:
    """A SOAP fault carrying an LRS error code."""
    detail = {"MIAPAPIException": {"ErrorCode": code, "Description": description}}
    body = {
        "soapenv:Fault": {
            "faultcode": "soapenv:Client",
            "faultstring": description,
            "detail": detail,
        }
    }
    return _envelope("fin", FIND_NAMESPACE, body)


def _local(node: Any) -> Any:
    """The tree with namespace prefixes and declarations dropped."""
    if isinstance(node, dict):
        return {
            key.rpartition(":")[2]: _local(value)
            for key, value in node.items()
            if not key.startswith("@xmlns")
        }
    if isinstance(node, list):
        return [_local(item) for item in node]
    return node


def _body(data: bytes, source: str) -> dict[str, Any]:
    tree = _local(parse(data, source=source))
    envelope = tree.get("Envelope")
    body = envelope.get("Body") if isinstance(envelope, dict) else None
    if not isinstance(body, dict) or len(body) != 1:
        raise ValueError(f"{source}: not a SOAP envelope with one element in its Body")
    return body


def _text(node: Any) -> str:
    if isinstance(node, dict):
        node = node.get("#text")
    return node.strip() if isinstance(node, str) else ""


def read_answer(data: bytes, *, source: str = "LRS response") -> LRSAnswer:
    """Read a find or register response, or a fault; ``ValueError`` for anything else."""
    body = _body(data, source)
    name, content = next(iter(body.items()))
    content = content if isinstance(content, dict) else {}
    if name == "Fault":
        detail = content.get("detail")
        exception = detail.get("MIAPAPIException") if isinstance(detail, dict) else None
        exception = exception if isinstance(exception, dict) else {}
        code = _text(exception.get("ErrorCode")) or "SOAP-FAULT"
        said = _text(exception.get("Description")) or _text(content.get("faultstring"))
        return LRSAnswer(code, description=said)
    if name not in ("FindLearnerResponse", "RegisterSingleLearnerResponse"):
        raise ValueError(f"{source}: unexpected answer {name}")
    code = _text(content.get("ResponseCode"))
    if not code:
        raise ValueError(f"{source}: the answer has no ResponseCode")
    learners = content.get("Learner")
    learners = learners if isinstance(learners, list) else [learners] if learners else []
    ulns = [_text(learner.get("ULN")) for learner in learners if isinstance(learner, dict)]
    if _text(content.get("ULN")):
        ulns.append(_text(content.get("ULN")))
    return LRSAnswer(code, tuple(uln for uln in ulns if uln))


def read_request(data: bytes) -> tuple[str, Organisation, Demographics | None]:
    """The operation, organisation and learner of a request (for the simulator).

    The learner is ``None`` when its family name, given name or date of birth is missing.
    """
    name, content = next(iter(_body(data, "LRS request").items()))
    content = content if isinstance(content, dict) else {}
    fields = {key: _text(value) for key, value in content.items()}
    organisation = Organisation(
        fields.get("UKPRN", ""), fields.get("UserName", ""), fields.get("OrgPassword", "")
    )
    sex = {"1": "M", "2": "F"}.get(fields.get("Gender", ""), "")
    learner = None
    if fields.get("FamilyName") and fields.get("GivenName") and fields.get("DateOfBirth"):
        learner = Demographics(
            given_name=fields["GivenName"],
            family_name=fields["FamilyName"],
            date_of_birth=fields["DateOfBirth"],
            sex=sex,
            postcode=fields.get("LastKnownPostCode") or None,
            previous_family_name=fields.get("PreviousFamilyName") or None,
        )
    return name, organisation, learner
