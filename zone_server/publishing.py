"""Publishing: a batch of events checked against scope, stored and fanned out in one transaction.

Scope rules (which schools an object belongs to, recorded as its *scope keys*):

- ``SchoolInfo`` belongs to its own school (``LAId`` + ``EstablishmentId``); ``LAInfo`` to its
  LA. Both are directory objects: every party with the right sees them, but only a party whose
  scope covers that school or LA may publish them.
- ``LearnerPersonal``, ``ContactPersonal`` and ``WorkforcePersonal`` belong to the publishing
  school (an LA publishing them gives its LA number instead); a ``WorkforcePersonal`` also to the
  school its ``SchoolInfoRefId`` names.
- Objects about a learner (``LearnerSchoolEnrolment``, ``LearnerContact``, attendance, SEN, FSM,
  assessment results) belong to every school the learner belongs to. The learner must already be
  in the zone (earlier in the batch or before) and be within the publisher's scope.
- An enrolment (or attendance summary) also names a school through ``SchoolInfoRefId``; that
  school must be within the publisher's scope, and the learner (with everything about it)
  gains it. A ``LearnerContact`` gives its contact the learner's schools.
- An object that already belongs to schools may be changed or deleted only by a party whose
  scope covers one of them: a school can never touch another school's learners.

Keys are only added, never taken away (a school keeps seeing a pupil who has left it), except
that a deleted object is seen by nobody.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sif_core.model import (
    ContactPersonal,
    LAInfo,
    LearnerContact,
    LearnerPersonal,
    SchoolInfo,
    SIFObject,
    WorkforcePersonal,
)
from zone_server.acl import AccessPolicy, Forbidden, Party
from zone_server.store import NewEvent, ObjectIndex, Store, StoredEvent, StoreTransaction
from zone_server.workflows import dual_registration

__all__ = [
    "EventProblem",
    "IdempotencyConflict",
    "PublishOutcome",
    "ReferenceProblems",
    "ZoneEvent",
    "publish",
]


@dataclass(frozen=True, slots=True)
class ZoneEvent:
    """A validated event: ``obj`` and its Goessner ``content`` are ``None`` for a delete."""

    action: Literal["add", "change", "delete"]
    object_type: str
    ref_id: str
    obj: SIFObject | None
    content: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class EventProblem:
    """What is wrong with the event at ``index`` of a batch."""

    index: int
    object_type: str
    ref_id: str | None
    field: str | None
    message: str


class ReferenceProblems(Exception):  # noqa: N818 - a list of problems, reported as one 422
    """Events refer to objects the zone does not hold; nothing was stored."""

    def __init__(self, problems: list[EventProblem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} event(s) refer to objects the zone does not hold")


class IdempotencyConflict(Exception):  # noqa: N818 - becomes a 409
    """An idempotency key was reused for a different batch."""


@dataclass(frozen=True, slots=True)
class PublishOutcome:
    """The reply to a publish and whether it was replayed from an earlier identical request."""

    reply: dict[str, Any]
    replayed: bool
    recipients: frozenset[str] = field(default_factory=frozenset)


def publish(
    store: Store,
    policy: AccessPolicy,
    zone: str,
    party: Party,
    events: Sequence[ZoneEvent],
    *,
    idempotency_key: str | None = None,
    request_hash: str = "",
    dual_registration_window: float = 86400.0,
    idempotency_seconds: float = 30 * 86400.0,
) -> PublishOutcome:
    """Store ``events`` and fan them out, all in one transaction (or nothing, if one fails).

    In the same transaction, dual registrations are linked, ended and kept in step
    (:mod:`zone_server.workflows.dual_registration`, with ``dual_registration_window``).
    Raises :class:`Forbidden` (scope), :class:`ReferenceProblems` (unknown learner or school)
    or :class:`IdempotencyConflict`. Rights on each action must have been checked already.
    """
    with store.transaction() as tx:
        if idempotency_key is not None:
            earlier = tx.idempotent_reply(
                zone, party.id, idempotency_key, keep_seconds=idempotency_seconds
            )
            if earlier is not None:
                if earlier.request_hash != request_hash:
                    raise IdempotencyConflict(
                        f"Idempotency-Key {idempotency_key!r} was used before for a different "
                        "batch; use a new key for new content"
                    )
                return PublishOutcome(earlier.reply, replayed=True)
        batch = _Batch(tx, policy, zone, party)
        stored = [batch.apply(index, event) for index, event in enumerate(events)]
        if batch.problems:
            raise ReferenceProblems(batch.problems)
        batch.recipients |= dual_registration.after_publish(
            tx, policy, zone, party, batch.changes, window_seconds=dual_registration_window
        )
        reply = {
            "events": [
                {
                    "eventId": str(event.event_id),
                    "action": event.action,
                    "objectType": event.object_type,
                    "refId": event.ref_id,
                }
                for event in stored
                if event is not None
            ],
            "changesSinceMarker": str(max((e.event_id for e in stored if e), default=0)),
        }
        by_type: dict[str, list[str]] = {}
        for event in events:
            by_type.setdefault(event.object_type, []).append(event.ref_id)
        for object_type, ref_ids in by_type.items():
            tx.audit(zone, party.id, "publish", object_type, ref_ids)
        if idempotency_key is not None:
            tx.remember_reply(
                zone,
                party.id,
                idempotency_key,
                request_hash,
                reply,
                keep_seconds=idempotency_seconds,
            )
    return PublishOutcome(reply, replayed=False, recipients=frozenset(batch.recipients))


class _Batch:
    """The state of one publish while its events are applied in order."""

    def __init__(self, tx: StoreTransaction, policy: AccessPolicy, zone: str, party: Party) -> None:
        self.tx = tx
        self.policy = policy
        self.zone = zone
        self.party = party
        self.problems: list[EventProblem] = []
        self.recipients: set[str] = set()
        #: Each stored event with the object's content before it (for the workflows).
        self.changes: list[tuple[StoredEvent, dict[str, Any] | None]] = []

    def apply(self, index: int, event: ZoneEvent) -> StoredEvent | None:
        existing = self.tx.get_object(self.zone, event.object_type, event.ref_id)
        if existing is not None:
            self._require_covered(existing.scope_keys, f"{event.object_type} {event.ref_id}")
        if event.obj is None:
            keys = existing.scope_keys if existing is not None else self._claim()
            stored = self.tx.append_event(self.zone, self.party.id, _new(event))
            self.tx.delete_object(stored)
        else:
            derived = self._keys_of(index, event, event.obj)
            if derived is None:
                return None
            keys, index_fields = derived
            stored = self.tx.append_event(self.zone, self.party.id, _new(event))
            self.tx.put_object(stored, index_fields, keys)
            if existing is not None:
                keys = keys | existing.scope_keys
        for recipient in self.policy.recipients(self.zone, event.object_type, keys, self.party.id):
            self.tx.enqueue_event(recipient, stored)
            self.recipients.add(recipient)
        self.changes.append((stored, existing.content if existing is not None else None))
        return stored

    def _claim(self) -> frozenset[str]:
        return frozenset({self.party.claim_key}) if self.party.claim_key else frozenset()

    def _require_covered(self, keys: frozenset[str], what: str) -> None:
        if keys and not self.party.scope.covers_any(keys):
            raise Forbidden(
                f"{self.party.id} may not publish {what}: it belongs to a school outside "
                f"{self.party.id}'s scope"
            )

    def _keys_of(
        self, index: int, event: ZoneEvent, obj: SIFObject
    ) -> tuple[frozenset[str], ObjectIndex] | None:
        if isinstance(obj, SchoolInfo | LAInfo):
            key = obj.laestab if isinstance(obj, SchoolInfo) else obj.la_id
            if not self.party.scope.covers(key):
                raise Forbidden(
                    f"{self.party.id} may publish only its own {event.object_type}, not "
                    f"{event.ref_id} ({key})"
                )
            return frozenset({key}), ObjectIndex()
        keys = set(self._claim())
        school_ref = getattr(obj, "school_info_ref_id", None)
        school_key = None
        if school_ref is not None:
            school_key = self._school_key(index, event, school_ref)
            if school_key is None:
                return None
            keys.add(school_key)
        learner_ref = getattr(obj, "learner_personal_ref_id", None)
        if learner_ref is None:
            upn = obj.upn if isinstance(obj, LearnerPersonal) else None
            local_id = (
                obj.local_id
                if isinstance(obj, LearnerPersonal | ContactPersonal | WorkforcePersonal)
                else None
            )
            return frozenset(keys), ObjectIndex(upn=upn, local_id=local_id)
        learner = self.tx.get_object(self.zone, "LearnerPersonal", learner_ref)
        if learner is None or learner.deleted:
            self._problem(
                index,
                event,
                "LearnerPersonalRefId",
                f"learner {learner_ref} is not in this zone; publish the LearnerPersonal first "
                "(earlier in this batch or before it)",
            )
            return None
        self._require_covered(learner.scope_keys, f"data about learner {learner_ref}")
        keys |= learner.scope_keys
        if school_key is not None and event.object_type == "LearnerSchoolEnrolment":
            self._spread(learner_ref, learner.scope_keys | {school_key})
        if isinstance(obj, LearnerContact):
            contact = self.tx.get_object(self.zone, "ContactPersonal", obj.contact_personal_ref_id)
            if contact is None or contact.deleted:
                self._problem(
                    index,
                    event,
                    "ContactPersonalRefId",
                    f"contact {obj.contact_personal_ref_id} is not in this zone; publish the "
                    "ContactPersonal first",
                )
                return None
            self._require_covered(contact.scope_keys, f"contact {obj.contact_personal_ref_id}")
            self.tx.add_scope_keys(
                self.zone, "ContactPersonal", obj.contact_personal_ref_id, frozenset(keys)
            )
        return frozenset(keys), ObjectIndex(learner_ref=learner_ref)

    def _school_key(self, index: int, event: ZoneEvent, school_ref: str) -> str | None:
        school = self.tx.get_object(self.zone, "SchoolInfo", school_ref)
        content = school.content if school is not None and not school.deleted else None
        if content is None:
            self._problem(
                index,
                event,
                "SchoolInfoRefId",
                f"school {school_ref} is not in this zone; publish its SchoolInfo first",
            )
            return None
        key = f"{content.get('LAId', '')}{content.get('EstablishmentId', '')}"
        if not self.party.scope.covers(key):
            raise Forbidden(
                f"{self.party.id} may not publish {event.object_type} {event.ref_id} for "
                f"school {key}: that school is outside {self.party.id}'s scope"
            )
        return key

    def _spread(self, learner_ref: str, keys: frozenset[str]) -> None:
        """Give a learner, and everything about it, the schools in ``keys``."""
        self.tx.add_scope_keys(self.zone, "LearnerPersonal", learner_ref, keys)
        for linked in self.tx.objects_of_learner(self.zone, learner_ref):
            self.tx.add_scope_keys(self.zone, linked.object_type, linked.ref_id, keys)
            contact_ref = (linked.content or {}).get("ContactPersonalRefId")
            if linked.object_type == "LearnerContact" and isinstance(contact_ref, str):
                self.tx.add_scope_keys(self.zone, "ContactPersonal", contact_ref, keys)

    def _problem(self, index: int, event: ZoneEvent, field: str, message: str) -> None:
        self.problems.append(EventProblem(index, event.object_type, event.ref_id, field, message))


def _new(event: ZoneEvent) -> NewEvent:
    return NewEvent(event.action, event.object_type, event.ref_id, event.content)
