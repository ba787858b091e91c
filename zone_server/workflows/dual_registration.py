"""Dual registration: two schools' records of one pupil, kept in step through the zone.

**Linking.** Two ``LearnerPersonal`` records are linked when they carry the same valid,
permanent UPN, belong to different schools, and each has a current enrolment at its school
recorded as dual registration (``MembershipType`` M, main, or S, subsidiary). The zone checks
whenever an enrolment is published. The link ends when either enrolment ends (an exit date that
has passed, or the enrolment or learner deleted).

**Passing changes on.** When one school publishes a change to a linked learner's names,
address, phone numbers or email, or to one of the learner's contacts, the zone applies the
changed fields to the other school's record (its own RefIds, its other fields untouched),
stores that as a ``change`` event published by the first school, and queues it for the other
school (and whoever subscribes to it). A contact is matched to the other school's contact of the
same learner by name; no match, or several, is flagged for review, never guessed.

**Conflicts.** When a school changes a field that the other school changed itself within the
window (``[server] dual_registration_window_seconds``, a day by default) to something else, the
change is flagged for review and not passed on: nothing is silently overwritten. A school that
sends back the value it had before the other school's change reached it (its MIS had not caught
up yet) is not taken as a change.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from typing import Any, Final

from pydantic import ValidationError

from sif_core.model import is_temporary_upn, upn_problem
from zone_server.acl import AccessPolicy, Party
from zone_server.store import NewEvent, StoredEvent, StoredObject, StoreTransaction
from zone_server.store.workflows import DualRegistration
from zone_server.wire import content_of, object_from
from zone_server.workflows import is_current, school_of_enrolment, school_party

__all__ = ["PERSONAL_FIELDS", "after_publish"]

#: The fields passed between linked records, by object type.
PERSONAL_FIELDS: Final = {
    "LearnerPersonal": ("Name", "Address", "PhoneNumber", "Email"),
    "ContactPersonal": ("Name", "Address", "PhoneNumber", "Email"),
}
_DUAL: Final = frozenset({"M", "S"})
Content = dict[str, Any]


class _Sync:
    """One published batch's effect on dual registrations."""

    def __init__(
        self,
        tx: StoreTransaction,
        policy: AccessPolicy,
        zone: str,
        party: Party,
        window: float,
    ) -> None:
        self.tx = tx
        self.policy = policy
        self.zone = zone
        self.party = party
        self.window = window
        self.today = dt.date.today()
        self.now = time.time()
        self.recipients: set[str] = set()
        self._has_links: bool | None = None

    def _school_has_links(self) -> bool:
        # Finding a contact's learners reads every LearnerContact of the zone: skip it for the
        # (usual) school with no dual-registered pupil.
        if self._has_links is None:
            school = self.party.claim_key
            self._has_links = bool(school and self.tx.dual_registrations(self.zone, school=school))
        return self._has_links

    # -- links -----------------------------------------------------------------------------

    def _dual_school(self, learner_ref: str, not_at: str | None = None) -> str | None:
        """The school where ``learner_ref`` has a current dual-registration enrolment."""
        for linked in self.tx.objects_of_learner(self.zone, learner_ref):
            content = linked.content or {}
            if (
                linked.object_type == "LearnerSchoolEnrolment"
                and content.get("MembershipType") in _DUAL
                and is_current(content, self.today)
            ):
                school = school_of_enrolment(self.tx, self.zone, content)
                if school is not None and school != not_at:
                    return school
        return None

    def _still_linked(self, link: DualRegistration) -> bool:
        for learner, school in (
            (link.first_learner, link.first_school),
            (link.second_learner, link.second_school),
        ):
            found = self.tx.get_object(self.zone, "LearnerPersonal", learner)
            if found is None or found.deleted:
                self.end(link, "a learner record was deleted")
                return False
            if self._dual_school(learner) != school:
                self.end(link, f"the enrolment at {school} ended")
                return False
        return True

    def end(self, link: DualRegistration, reason: str) -> None:
        self.tx.end_dual_registration(self.zone, link.link_id, reason)
        self.tx.audit(
            self.zone,
            self.party.id,
            "dual-registration-ended",
            "LearnerPersonal",
            [link.first_learner, link.second_learner],
            f"link {link.link_id}: {reason}",
        )

    def enrolment(self, event: StoredEvent, previous: Content | None) -> None:
        content = event.content if event.content is not None else previous
        learner_ref = (content or {}).get("LearnerPersonalRefId")
        if not isinstance(learner_ref, str):
            return
        for link in self.tx.dual_registrations(self.zone, learner_ref=learner_ref):
            self._still_linked(link)
        if event.content is not None and event.content.get("MembershipType") in _DUAL:
            self._link(learner_ref)

    def _link(self, learner_ref: str) -> None:
        learner = self.tx.get_object(self.zone, "LearnerPersonal", learner_ref)
        upn = (learner.content or {}).get("UPN") if learner is not None else None
        if not isinstance(upn, str) or upn_problem(upn) or is_temporary_upn(upn):
            return
        school = self._dual_school(learner_ref)
        if school is None:
            return
        linked = {
            link.other(learner_ref)[0]
            for link in self.tx.dual_registrations(self.zone, learner_ref=learner_ref)
        }
        for other in self.tx.learners_by_upn(self.zone, upn):
            if other.ref_id == learner_ref or other.ref_id in linked:
                continue
            other_school = self._dual_school(other.ref_id, not_at=school)
            if other_school is None:
                continue
            link = self.tx.add_dual_registration(
                self.zone, upn, (learner_ref, school), (other.ref_id, other_school)
            )
            self.tx.audit(
                self.zone,
                self.party.id,
                "dual-registration-linked",
                "LearnerPersonal",
                [learner_ref, other.ref_id],
                f"link {link.link_id}: {school} and {other_school}",
            )

    # -- passing changes on ----------------------------------------------------------------

    def learner(self, event: StoredEvent, previous: Content) -> None:
        if event.content is None:
            return
        for link in self.tx.dual_registrations(self.zone, learner_ref=event.ref_id):
            if not self._still_linked(link):
                continue
            other_ref, other_school = link.other(event.ref_id)
            target = self.tx.get_object(self.zone, "LearnerPersonal", other_ref)
            if target is not None and target.content is not None:
                self._pass_on(link, event, previous, target, other_school)

    def contact(self, event: StoredEvent, previous: Content) -> None:
        if event.content is None or not self._school_has_links():
            return
        for learner_contact in self.tx.learner_contacts_of(self.zone, event.ref_id):
            learner_ref = (learner_contact.content or {}).get("LearnerPersonalRefId")
            if not isinstance(learner_ref, str):
                continue
            for link in self.tx.dual_registrations(self.zone, learner_ref=learner_ref):
                if not self._still_linked(link):
                    continue
                other_ref, other_school = link.other(learner_ref)
                matches = self._matching_contacts(other_ref, previous)
                if len(matches) == 1:
                    self._pass_on(link, event, previous, matches[0], other_school)
                    continue
                self.tx.add_dual_conflict(
                    self.zone,
                    link.link_id,
                    "ContactPersonal",
                    "contact-match",
                    (event.ref_id, link.school_of(learner_ref), _name_key(previous)),
                    (other_ref, other_school, f"{len(matches)} contacts of that name"),
                )
                self._audit_flag(link, "ContactPersonal", [event.ref_id], "no single match")

    def _matching_contacts(self, learner_ref: str, contact: Content) -> list[StoredObject]:
        wanted = _name_key(contact)
        found = []
        for linked in self.tx.objects_of_learner(self.zone, learner_ref):
            contact_ref = (linked.content or {}).get("ContactPersonalRefId")
            if linked.object_type != "LearnerContact" or not isinstance(contact_ref, str):
                continue
            other = self.tx.get_object(self.zone, "ContactPersonal", contact_ref)
            if (
                other is not None
                and other.content is not None
                and _name_key(other.content) == wanted
                and other not in found
            ):
                found.append(other)
        return found

    def _pass_on(
        self,
        link: DualRegistration,
        event: StoredEvent,
        previous: Content,
        target: StoredObject,
        target_school: str,
    ) -> None:
        """Apply the changed personal fields of ``event`` to ``target`` at the other school."""
        assert event.content is not None
        assert target.content is not None
        source_school = self.party.claim_key or ""
        updated = dict(target.content)
        applied = []
        for name in PERSONAL_FIELDS[event.object_type]:
            before, value = previous.get(name), event.content.get(name)
            if before == value:
                continue
            field = f"{event.object_type}.{name}"
            mine = self.tx.field_change(self.zone, link.link_id, event.ref_id, field)
            theirs = self.tx.field_change(self.zone, link.link_id, target.ref_id, field)
            if mine and mine.synced and self._recent(mine.at) and value == mine.before:
                continue  # its MIS re-sent what it had before the other school's change arrived
            self.tx.record_field_change(
                self.zone, link.link_id, event.ref_id, field, value=value, before=before,
                synced=False,
            )  # fmt: skip
            current = target.content.get(name)
            if current == value:
                continue
            if theirs and not theirs.synced and self._recent(theirs.at):
                self.tx.add_dual_conflict(
                    self.zone,
                    link.link_id,
                    event.object_type,
                    name,
                    (target.ref_id, target_school, theirs.value),
                    (event.ref_id, source_school, value),
                )
                self._audit_flag(link, event.object_type, [event.ref_id, target.ref_id], name)
                continue
            self.tx.record_field_change(
                self.zone, link.link_id, target.ref_id, field, value=value, before=current,
                synced=True,
            )  # fmt: skip
            if value is None:
                updated.pop(name, None)
            else:
                updated[name] = value
            applied.append(name)
        if applied:
            self._write(link, event, target, updated, applied, target_school)

    def _recent(self, at: float) -> bool:
        return self.now - at <= self.window

    def _write(
        self,
        link: DualRegistration,
        event: StoredEvent,
        target: StoredObject,
        updated: Content,
        fields: Sequence[str],
        target_school: str,
    ) -> None:
        try:
            content = content_of(object_from(target.object_type, updated))
        except ValidationError:
            self._audit_flag(link, target.object_type, [target.ref_id], "result not valid")
            return
        stored = self.tx.append_event(
            self.zone, self.party.id, NewEvent("change", target.object_type, target.ref_id, content)
        )
        self.tx.put_object(stored, target.index, target.scope_keys)
        receivers = set(
            self.policy.recipients(self.zone, target.object_type, target.scope_keys, self.party.id)
        )
        school = school_party(self.policy, self.zone, target_school)
        if school is not None:
            receivers.add(school.id)
        for receiver in sorted(receivers):
            self.tx.enqueue_event(receiver, stored)
        self.recipients |= receivers
        self.tx.audit(
            self.zone,
            self.party.id,
            "dual-registration-sync",
            target.object_type,
            [target.ref_id],
            f"link {link.link_id}: {', '.join(fields)} from {event.ref_id}",
        )

    def _audit_flag(
        self, link: DualRegistration, object_type: str, ref_ids: list[str], what: str
    ) -> None:
        self.tx.audit(
            self.zone,
            self.party.id,
            "dual-registration-conflict",
            object_type,
            ref_ids,
            f"link {link.link_id}: {what} flagged for review, not passed on",
        )


def _name_key(contact: Content) -> str:
    names = contact.get("Name")
    first = names[0] if isinstance(names, list) and names else names
    if not isinstance(first, dict):
        return ""
    parts = (first.get("GivenName") or "", first.get("FamilyName") or "")
    return " ".join(str(part).casefold().strip() for part in parts).strip()


def after_publish(
    tx: StoreTransaction,
    policy: AccessPolicy,
    zone: str,
    party: Party,
    changes: Sequence[tuple[StoredEvent, Content | None]],
    *,
    window_seconds: float,
) -> set[str]:
    """Maintain links and pass changes on after ``party`` published ``changes`` (each event
    with the object's content before it); returns the parties whose queues gained messages."""
    sync = _Sync(tx, policy, zone, party, window_seconds)
    for event, previous in changes:
        if event.object_type == "LearnerSchoolEnrolment":
            sync.enrolment(event, previous)
        elif event.object_type == "LearnerPersonal" and event.action == "delete":
            for link in tx.dual_registrations(zone, learner_ref=event.ref_id):
                sync.end(link, "a learner record was deleted")
        elif event.action == "change" and previous is not None:
            if event.object_type == "LearnerPersonal":
                sync.learner(event, previous)
            elif event.object_type == "ContactPersonal":
                sync.contact(event, previous)
    return sync.recipients
