"""The zone kit's HTTP client: one test party talking to a zone, over requests only.

A request the zone cannot answer at all (refused connection, timeout) is the kit's ERROR, not the
zone's failure; anything the zone does answer is evidence for the checks to judge.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import requests

from sif_core.codec import to_goessner
from sif_core.conformance.checks import CheckFailed, KitError
from sif_core.keepalive import fresh_after_idle_session
from sif_core.model import OBJECT_TYPES, SIFObject

__all__ = ["Event", "PartyClient", "Reply", "add", "change", "delete"]


def add(obj: SIFObject) -> dict[str, Any]:
    """An add event of ``obj`` for a batch."""
    return {"action": "add", "objectType": obj.object_name, "object": to_goessner(obj)}


def change(obj: SIFObject) -> dict[str, Any]:
    """A change event of ``obj`` for a batch."""
    return {"action": "change", "objectType": obj.object_name, "object": to_goessner(obj)}


def delete(obj: SIFObject) -> dict[str, Any]:
    """A delete event of ``obj`` for a batch."""
    return {"action": "delete", "objectType": obj.object_name, "refId": obj.ref_id}


def _collection(object_type: str) -> str:
    return OBJECT_TYPES[object_type].collection_name


@dataclass(frozen=True)
class Reply:
    """One HTTP reply: status, headers and the body (parsed when it is JSON)."""

    what: str
    status: int
    headers: Mapping[str, str]
    body: Any

    def error_text(self) -> str:
        """The error document's code, message and named right, as one line."""
        error = self.body.get("error") if isinstance(self.body, dict) else None
        if not isinstance(error, dict):
            return str(self.body)[:200]
        return " ".join(str(error.get(key, "")) for key in ("code", "right", "message")).strip()

    def expect(self, status: int = 200) -> Reply:
        """This reply, or :class:`CheckFailed` when its status is not ``status``."""
        if self.status != status:
            raise CheckFailed(
                f"{self.what} answered {self.status}, not {status}", [self.error_text()]
            )
        return self

    def objects(self) -> list[dict[str, Any]]:
        """The objects of a collection reply, in Goessner notation (one object or a list)."""
        if not isinstance(self.body, dict) or len(self.body) != 1:
            raise CheckFailed(f"{self.what} is not a SIF JSON collection", [str(self.body)[:200]])
        collection = next(iter(self.body.values()))
        if collection in (None, ""):
            return []
        if not isinstance(collection, dict) or len(collection) > 1:
            raise CheckFailed(f"{self.what} is not a SIF JSON collection", [str(self.body)[:200]])
        items: Any = next(iter(collection.values()), [])
        return [items] if isinstance(items, dict) else list(items)


@dataclass(frozen=True)
class Event:
    """One event message a party leased."""

    message_id: str
    delivery_count: int
    event_id: str
    action: str
    object_type: str
    ref_id: str
    content: dict[str, Any] | None

    @classmethod
    def from_message(cls, message: Mapping[str, Any]) -> Event:
        event = message["event"]
        return cls(
            message_id=str(message["messageId"]),
            delivery_count=int(message.get("deliveryCount", 1)),
            event_id=str(event.get("eventId", "")),
            action=str(event["action"]),
            object_type=str(event["objectType"]),
            ref_id=str(event["refId"]),
            content=event.get("object"),
        )


class PartyClient:
    """A test party's session with the zone ``zone`` at ``url``.

    A connection left idle is not reused (see :mod:`sif_core.keepalive`): a request the zone
    resets as it closes an idle connection would be reported as an unreachable zone.
    """

    def __init__(self, url: str, zone: str, role: str, token: str, timeout: float) -> None:
        self.url = url.rstrip("/")
        self.base = f"{self.url}/api/zones/{zone}"
        self.role = role
        self.timeout = timeout
        self.session = fresh_after_idle_session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.session.headers["Accept"] = "application/json"

    def close(self) -> None:
        """Close the party's connections."""
        self.session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str | int] | None = None,
        authorization: str | None = None,
    ) -> Reply:
        """Send one request; ``authorization`` replaces the party's (``""`` sends none)."""
        sent = dict(headers or {})
        if body is not None:
            sent.setdefault("Content-Type", "application/json")
        session: Any = self.session
        if authorization is not None:
            session = requests
            sent["Accept"] = "application/json"
            if authorization:
                sent["Authorization"] = authorization
        try:
            answer = session.request(
                method,
                self.base + path,
                data=body,
                headers=sent,
                params=params,
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            raise KitError(f"the zone at {self.url} cannot be reached: {error}") from error
        try:
            parsed: Any = answer.json() if answer.content else None
        except ValueError:
            parsed = answer.text[:500]
        return Reply(f"{self.role}: {what}", answer.status_code, answer.headers, parsed)

    def publish(
        self,
        events: Sequence[Mapping[str, Any]],
        *,
        key: str | None = None,
        body: bytes | None = None,
    ) -> Reply:
        """POST a batch of events (or exactly ``body``), with an Idempotency-Key if given."""
        payload = body if body is not None else json.dumps({"events": list(events)}).encode()
        headers = {"Idempotency-Key": key} if key else {}
        return self.request("POST", "/events", what="publish", body=payload, headers=headers)

    def call(
        self,
        method: str,
        path: str,
        *,
        what: str,
        document: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
    ) -> Reply:
        """Send ``document`` (if any) as JSON to one of the zone's other routes."""
        body = json.dumps(document).encode() if document is not None else None
        return self.request(method, path, what=what, body=body, params=params)

    def lease_messages(self, *, wait: float = 0, most: int = 100) -> list[dict[str, Any]]:
        """Lease waiting messages of every kind, as the zone sends them; none is acknowledged."""
        reply = self.request(
            "GET", "/queue", what="queue", params={"wait": f"{wait:g}", "max": most}
        )
        reply.expect(200)
        messages = reply.body.get("messages") if isinstance(reply.body, dict) else None
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            raise CheckFailed(f"{reply.what} has no messages list", [str(reply.body)[:200]])
        return messages

    def lease(self, *, wait: float = 0, most: int = 100) -> list[Event]:
        """Lease waiting messages; returns the event messages (requests and responses are acked)."""
        messages = self.lease_messages(wait=wait, most=most)
        what = f"{self.role}: queue"
        events = []
        others = []
        for message in messages:
            try:
                if message.get("kind") == "event":
                    events.append(Event.from_message(message))
                else:
                    others.append(str(message["messageId"]))
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                raise CheckFailed(f"{what} holds a malformed message: {error}") from error
        if others:
            self.ack(others)
        return events

    def ack(self, message_ids: Iterable[str]) -> Reply:
        """Acknowledge messages by id."""
        body = json.dumps({"messageIds": list(message_ids)}).encode()
        return self.request("POST", "/queue/ack", what="acknowledge", body=body).expect(200)

    def query(self, object_type: str, **params: str | int) -> Reply:
        """GET the collection of ``object_type`` with query parameters."""
        collection = _collection(object_type)
        return self.request("GET", f"/{collection}", what=f"query {collection}", params=params)

    def get(self, object_type: str, ref_id: str) -> Reply:
        """GET one object by RefId."""
        collection = _collection(object_type)
        return self.request("GET", f"/{collection}/{ref_id}", what=f"read {collection}/{{id}}")
