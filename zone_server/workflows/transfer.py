"""Pupil transfer: a learner's whole record, from the school they leave to the school they join.

``start_transfer`` gathers, inside one transaction, everything the zone holds about the learner
as the leaving school provided it: the ``LearnerPersonal``, its enrolments, contacts (with their
``ContactPersonal``), attendance, SEN, FSM and assessment results, and the ``SchoolInfo`` of the
schools its enrolments name. That record is kept with the transfer (so a later delete by the
leaving school takes nothing from it) and, when the destination is a school of the zone, put on
that school's queue as ``add`` events published by the leaving school. The destination's pull
agent writes them through its own adapter (a CTF for an MIS that imports CTFs); when it has
acknowledged every message the transfer is ``complete``, which both schools can see.

Destinations are a 7-digit LAESTAB, or as in a CTF ``MMM``/``MMMM`` (unknown: the record goes to
the lost-pupils area) and ``XXX``/``XXXX`` (the pupil left the maintained sector: also kept in
the lost-pupils area, where LAs and the DfE search it). A LAESTAB that is not a school of the
zone is refused: nothing is stored.
"""

from __future__ import annotations

import re
from typing import Final

from sif_core.model import OBJECT_TYPES, upn_problem
from zone_server.acl import AccessPolicy, Forbidden, Party
from zone_server.config import PartyKind
from zone_server.store import NewEvent, StoredObject, StoreTransaction
from zone_server.store.workflows import SnapshotObject, Transfer
from zone_server.workflows import (
    WorkflowConflict,
    WorkflowInvalid,
    WorkflowNotFound,
    school_party,
)

__all__ = [
    "LEFT_SECTOR",
    "UNKNOWN_DESTINATION",
    "deliver",
    "learner_record",
    "normalise_destination",
    "own_learner",
    "start_transfer",
]

#: The destination of a pupil whose next school is unknown (CTF ``MMM``/``MMMM``).
UNKNOWN_DESTINATION: Final = "MMMMMMM"
#: The destination of a pupil leaving the maintained sector (CTF ``XXX``/``XXXX``).
LEFT_SECTOR: Final = "XXXXXXX"
_ORDER: Final = {name: position for position, name in enumerate(OBJECT_TYPES)}


def normalise_destination(text: str) -> str:
    """A 7-digit LAESTAB, :data:`UNKNOWN_DESTINATION` or :data:`LEFT_SECTOR`.

    Accepts ``MMM``, ``MMMM``, ``MMMMMMM`` (and ``XXX``... likewise) in any case; anything else
    is :class:`WorkflowInvalid`.
    """
    value = text.strip().upper()
    if re.fullmatch(r"[0-9]{7}", value):
        return value
    if re.fullmatch(r"M{3}|M{4}|M{7}", value):
        return UNKNOWN_DESTINATION
    if re.fullmatch(r"X{3}|X{4}|X{7}", value):
        return LEFT_SECTOR
    raise WorkflowInvalid(
        f"destination {text!r} is not a school: give its 7-digit LAESTAB (e.g. 8012001), MMM "
        "when the next school is unknown, or XXX when the pupil leaves the maintained sector",
        code="bad-destination",
    )


def own_learner(tx: StoreTransaction, zone: str, party: Party, upn: str) -> StoredObject:
    """The live ``LearnerPersonal`` with ``upn`` that belongs to school ``party``."""
    problem = upn_problem(upn)
    if problem is not None:
        raise WorkflowInvalid(f"the UPN is not valid: {problem}", code="bad-upn")
    assert party.claim_key is not None
    mine = [
        learner
        for learner in tx.learners_by_upn(zone, upn)
        if party.claim_key in learner.scope_keys
    ]
    if not mine:
        raise WorkflowNotFound(
            f"{party.id} has no learner with that UPN in zone {zone}: push the pupil's record "
            "(sif agent push) before transferring them"
        )
    if len(mine) > 1:
        raise WorkflowConflict(
            f"{party.id} has {len(mine)} learner records with that UPN "
            f"({', '.join(o.ref_id for o in mine)}); remove the duplicate first"
        )
    return mine[0]


def learner_record(tx: StoreTransaction, zone: str, learner: StoredObject) -> list[SnapshotObject]:
    """Everything the zone holds about ``learner``, referenced objects first."""
    found: dict[tuple[str, str], SnapshotObject] = {}

    def keep(obj: StoredObject) -> None:
        if obj.content is not None and not obj.deleted:
            found[(obj.object_type, obj.ref_id)] = SnapshotObject(
                obj.object_type, obj.ref_id, obj.content
            )

    keep(learner)
    for linked in tx.objects_of_learner(zone, learner.ref_id):
        keep(linked)
        content = linked.content or {}
        school_ref = content.get("SchoolInfoRefId")
        if isinstance(school_ref, str):
            school = tx.get_object(zone, "SchoolInfo", school_ref)
            if school is not None:
                keep(school)
        contact_ref = content.get("ContactPersonalRefId")
        if linked.object_type == "LearnerContact" and isinstance(contact_ref, str):
            contact = tx.get_object(zone, "ContactPersonal", contact_ref)
            if contact is not None:
                keep(contact)
    return sorted(found.values(), key=lambda o: (_ORDER[o.object_type], o.ref_id))


def deliver(
    tx: StoreTransaction,
    transfer: Transfer,
    party: str,
    objects: list[SnapshotObject],
    *,
    claimed_by: str | None = None,
) -> Transfer:
    """Put the transfer's record on ``party``'s queue as ``add`` events of the leaving school."""
    for obj in objects:
        event = tx.append_event(
            transfer.zone,
            transfer.source_party,
            NewEvent("add", obj.object_type, obj.ref_id, obj.content),
        )
        tx.enqueue_transfer_event(transfer.transfer_id, party, event.event_id)
    delivered = tx.mark_transfer_delivered(
        transfer.zone, transfer.transfer_id, party, claimed_by=claimed_by
    )
    tx.audit(
        transfer.zone,
        party,
        "transfer-queued",
        None,
        [o.ref_id for o in objects],
        f"transfer {transfer.transfer_id}: {len(objects)} object(s) on {party}'s queue",
    )
    return delivered


def start_transfer(
    tx: StoreTransaction,
    policy: AccessPolicy,
    zone: str,
    party: Party,
    *,
    upn: str,
    destination: str,
) -> Transfer:
    """Transfer the learner with ``upn`` from school ``party`` to ``destination``.

    Raises :class:`Forbidden` when ``party`` is not a school, :class:`WorkflowInvalid` for a
    destination that is not a school of the zone (or is the school itself),
    :class:`WorkflowNotFound` when the school holds no learner with that UPN.
    """
    if party.kind is not PartyKind.SCHOOL:
        raise Forbidden(
            f"{party.id} is not a school: only the school a pupil leaves transfers their record"
        )
    target = normalise_destination(destination)
    receiver = None
    if target not in (UNKNOWN_DESTINATION, LEFT_SECTOR):
        if target == party.claim_key:
            raise WorkflowInvalid(
                f"{target} is {party.id} itself; give the school the pupil is joining",
                code="bad-destination",
            )
        receiver = school_party(policy, zone, target)
        if receiver is None:
            raise WorkflowInvalid(
                f"no school {target} is in zone {zone}, so nothing was sent: check the "
                "LAESTAB, ask the zone's administrator to add the school, or send it to MMM "
                "(destination unknown) so that the school can claim it when it joins",
                code="destination-not-in-zone",
            )
    learner = own_learner(tx, zone, party, upn)
    objects = learner_record(tx, zone, learner)
    assert party.claim_key is not None
    transfer = tx.create_transfer(
        zone,
        upn=upn,
        learner_ref=learner.ref_id,
        source_party=party.id,
        source_school=party.claim_key,
        destination=target,
        objects=objects,
    )
    tx.audit(
        zone,
        party.id,
        "transfer",
        "LearnerPersonal",
        [learner.ref_id],
        f"transfer {transfer.transfer_id} to {target}: {len(objects)} object(s)",
    )
    if receiver is None:
        tx.audit(
            zone,
            party.id,
            "transfer-lost",
            "LearnerPersonal",
            [learner.ref_id],
            f"transfer {transfer.transfer_id} kept in the lost-pupils area ({target})",
        )
        return transfer
    return deliver(tx, transfer, receiver.id, objects)
