"""A zone under test: the test parties' clients, the kit's own data, and queue polling.

Every run makes its objects with RefIds of its own (seeded by a random run id), so it can run
again and again against one zone, and each check judges only the events about objects it made.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sif_core.conformance.checks import CheckFailed, Checks, KitError
from sif_core.conformance.statement import ZoneStatement
from sif_core.conformance.zone_client import Event, PartyClient, Reply, add
from sif_core.conformance.zone_config import PARTY_ROLES, KitConfig
from sif_core.model import (
    ContactPersonal,
    EnrolmentStatus,
    LearnerContact,
    LearnerPersonal,
    LearnerSchoolEnrolment,
    SchoolInfo,
    SchoolPhase,
    SIFObject,
    deterministic_refid,
    is_temporary_upn,
)
from sif_core.testing.records import SyntheticPupil
from sif_core.testing.synth import Synth

__all__ = ["ZONE_CHECKS", "KitLearner", "ZoneSession"]

#: Every zone check, in clause order (the check modules add themselves).
ZONE_CHECKS: Checks[ZoneSession] = Checks()

Collected = dict[str, list[Event]]
Messages = dict[str, list[dict[str, Any]]]
_SCHOOL_NAMES = {"school": "School", "other_school": "Other School", "third_school": "Third School"}


@dataclass(frozen=True)
class KitLearner:
    """A learner the kit made, its enrolment at the school that published it, and (for a
    learner made with :meth:`ZoneSession.new_record`) the rest of its record."""

    learner: LearnerPersonal
    enrolment: LearnerSchoolEnrolment
    related: tuple[SIFObject, ...] = ()

    def events(self) -> list[dict[str, Any]]:
        """Add events for the learner and then its enrolment."""
        return [add(self.learner), add(self.enrolment)]

    @property
    def record(self) -> tuple[SIFObject, ...]:
        """The learner, its enrolment and the rest of its record, referenced objects first."""
        return (self.learner, self.enrolment, *self.related)


def _entry_date(born: dt.date) -> dt.date:
    """The start of school at five, by the day the kit runs at the latest (a 29 February
    birthday starts on the 28th)."""
    try:
        fifth = born.replace(year=born.year + 5)
    except ValueError:
        fifth = born.replace(year=born.year + 5, day=28)
    return min(fifth, dt.date.today())


class ZoneSession:
    """One conformance run against the zone at ``url``, as the test parties of ``config``."""

    def __init__(
        self, url: str, config: KitConfig, statement: ZoneStatement, run_id: str | None = None
    ) -> None:
        self.url = url.rstrip("/")
        self.config = config
        self.statement = statement
        self.run_id = run_id or secrets.token_hex(4)
        timeout = config.timing.request_timeout_seconds
        self.clients = {
            role: PartyClient(self.url, config.zone, role, config.party(role).token, timeout)
            for role in PARTY_ROLES
        }
        self._numbers = itertools.count(1)
        self._pupils = self._usable_pupils()
        self._schools: dict[str, SchoolInfo] = {}

    def close(self) -> None:
        """Close every party's connections."""
        for client in self.clients.values():
            client.close()

    def claims(self, claim: str) -> bool:
        """``workflow:approval`` and ``workflow:transfer``: claimed by the statement."""
        kind, _, name = claim.partition(":")
        return kind == "workflow" and name in self.statement.claims.workflows

    def blocker(self, check_id: str) -> str | None:
        """Nothing keeps a zone check from trying: an unreachable zone shows in each check."""
        return None

    def client(self, role: str) -> PartyClient:
        """The client of the test party playing ``role``."""
        return self.clients[role]

    # -- the kit's data -------------------------------------------------------------------------

    def refid(self, object_type: str, key: str) -> str:
        """A RefId of this run's own."""
        return deterministic_refid(f"sif-conformance/{self.run_id}", object_type, key)

    def _usable_pupils(self) -> Iterator[SyntheticPupil]:
        # Learners with every field the profile check removes (an ethnicity with its source, a
        # UPRN), so that it has fields to miss. An ethnicity "not obtained" has no source.
        synth = Synth(pupils=2000, seed=int(self.run_id, 16), schools=1)
        for pupil in synth.iter_pupils():
            learner = pupil.learner
            address = learner.address
            if (
                learner.ethnicity
                and learner.ethnicity_source
                and address
                and address.uprn
                and learner.upn
            ):
                yield pupil

    def school(self, role: str = "school") -> SchoolInfo:
        """The SchoolInfo of the kit's school (``school`` or ``other_school``), published once
        when first asked for; a zone that refuses it leaves the check unable to run (ERROR)."""
        if role in self._schools:
            return self._schools[role]
        info = SchoolInfo(
            ref_id=self.refid("SchoolInfo", role),
            la_id=self.config.la,
            establishment_id=self.config.establishment(role),
            school_name=f"Conformance Kit {_SCHOOL_NAMES[role]}",
            phase=SchoolPhase.PRIMARY,
        )
        reply = self.client(role).publish([add(info)])
        if reply.status != 200:
            raise KitError(
                f"the kit could not publish its {role.replace('_', ' ')}'s SchoolInfo: the zone "
                f"answered {reply.status} ({reply.error_text()}); are the test parties in the "
                "zone file (sif conformance zone --print-config)?"
            )
        self._schools[role] = info
        return info

    def new_learners(self, count: int, role: str = "school") -> list[KitLearner]:
        """``count`` new learners of the ``role`` school (not yet published)."""
        return [self._new_learner(role, self._next_pupil()) for _ in range(count)]

    def _next_pupil(self) -> SyntheticPupil:
        try:
            return next(self._pupils)
        except StopIteration:
            raise KitError("the kit ran out of synthetic learners") from None

    def _new_learner(
        self, role: str, pupil: SyntheticPupil, related: tuple[SIFObject, ...] = ()
    ) -> KitLearner:
        school = self.school(role)
        number = str(next(self._numbers))
        learner = pupil.learner.model_copy(
            update={"ref_id": self.refid("LearnerPersonal", number), "local_id": f"K{number}"}
        )
        enrolment = LearnerSchoolEnrolment(
            ref_id=self.refid("LearnerSchoolEnrolment", number),
            learner_personal_ref_id=learner.ref_id,
            school_info_ref_id=school.ref_id,
            membership_type=EnrolmentStatus.C,
            entry_date=_entry_date(learner.date_of_birth),
        )
        return KitLearner(learner, enrolment, related)

    def new_record(self, role: str = "school") -> KitLearner:
        """A new learner of the ``role`` school with a permanent UPN, its enrolment, contacts
        (ContactPersonal and LearnerContact) and its SEN and FSM histories when it has them,
        all with this run's RefIds (not yet published)."""
        pupil = self._next_pupil()
        while not pupil.contacts or is_temporary_upn(pupil.learner.upn or ""):
            pupil = self._next_pupil()
        made = self._new_learner(role, pupil)
        learner_ref = made.learner.ref_id
        related: list[SIFObject] = []
        for position, (contact, link) in enumerate(pupil.contacts, start=1):
            key = f"{learner_ref}/{position}"
            person: ContactPersonal = contact.model_copy(
                update={"ref_id": self.refid("ContactPersonal", key)}
            )
            tie: LearnerContact = link.model_copy(
                update={
                    "ref_id": self.refid("LearnerContact", key),
                    "learner_personal_ref_id": learner_ref,
                    "contact_personal_ref_id": person.ref_id,
                }
            )
            related += [person, tie]
        for history in (pupil.sen, pupil.fsm):
            if history is not None:
                related.append(
                    history.model_copy(
                        update={
                            "ref_id": self.refid(history.object_name, learner_ref),
                            "learner_personal_ref_id": learner_ref,
                        }
                    )
                )
        return KitLearner(made.learner, made.enrolment, tuple(related))

    def publish(self, role: str, events: list[dict[str, Any]], *, key: str | None = None) -> Reply:
        """Publish ``events`` as ``role``; a refusal is the zone's failure (FAILED)."""
        return self.client(role).publish(events, key=key).expect(200)

    def published_learners(self, count: int, role: str = "school") -> list[KitLearner]:
        """``count`` new learners, published with their enrolments by the ``role`` school."""
        learners = self.new_learners(count, role)
        self.publish(role, [event for kit in learners for event in kit.events()])
        return learners

    # -- queues ---------------------------------------------------------------------------------

    def drain(self, roles: Iterable[str]) -> None:
        """Lease and acknowledge whatever waits in the queues of ``roles``."""
        for role in roles:
            client = self.client(role)
            while events := client.lease():
                client.ack(event.message_id for event in events)

    def collect(
        self,
        roles: Iterable[str],
        ref_ids: set[str],
        done: Callable[[Collected], bool],
    ) -> Collected:
        """Lease (and acknowledge) the queues of ``roles`` until ``done`` says so or the
        delivery wait is over, then once more after the settle time to catch late duplicates.
        Returns, by role, the events about ``ref_ids`` in the order they were leased."""
        roles = list(roles)
        got: Collected = {role: [] for role in roles}
        deadline = time.monotonic() + self.config.timing.delivery_wait_seconds
        while True:
            self._lease_round(roles, ref_ids, got)
            if done(got) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        time.sleep(self.config.timing.settle_seconds)
        self._lease_round(roles, ref_ids, got)
        return got

    def _lease_round(self, roles: list[str], ref_ids: set[str], got: Collected) -> None:
        for role in roles:
            client = self.client(role)
            while events := client.lease():
                got[role] += [event for event in events if event.ref_id in ref_ids]
                client.ack(event.message_id for event in events)

    def collect_messages(
        self,
        roles: Iterable[str],
        keep: Callable[[dict[str, Any]], bool],
        done: Callable[[Messages], bool] = lambda got: False,
    ) -> Messages:
        """As :meth:`collect`, for messages of every kind: lease (and acknowledge) the queues
        of ``roles`` until ``done`` says so or the delivery wait is over, then once more after
        the settle time. Returns, by role, the messages ``keep`` picks, as the zone sent them.
        With the default ``done`` it waits the whole delivery wait: for what must not come."""
        roles = list(roles)
        got: Messages = {role: [] for role in roles}
        deadline = time.monotonic() + self.config.timing.delivery_wait_seconds
        while True:
            self._message_round(roles, keep, got)
            if done(got) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        time.sleep(self.config.timing.settle_seconds)
        self._message_round(roles, keep, got)
        return got

    def _message_round(
        self, roles: list[str], keep: Callable[[dict[str, Any]], bool], got: Messages
    ) -> None:
        for role in roles:
            client = self.client(role)
            while messages := client.lease_messages():
                got[role] += [message for message in messages if keep(message)]
                client.ack(str(message.get("messageId")) for message in messages)


def names(events: Iterable[Event]) -> list[str]:
    """``action objectType refId`` of each event, for evidence."""
    return [f"{e.action} {e.object_type} {e.ref_id}" for e in events]


def require(condition: bool, message: str, details: Mapping[str, object] | None = None) -> None:
    """:class:`CheckFailed` with ``message`` unless ``condition``."""
    if not condition:
        raise CheckFailed(message, [f"{k}: {v}" for k, v in (details or {}).items()])
