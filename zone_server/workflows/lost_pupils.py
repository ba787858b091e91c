"""The lost-pupils area: records of pupils whose next school was unknown when they left.

LAs search the records of pupils who left their own schools, the DfE all of them (by UPN,
surname or date of birth). A school claims a record by UPN, and only if the zone holds a pupil
with that UPN currently enrolled at that school: the record is then delivered to its queue,
exactly as a transfer would have been.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from zone_server.acl import Forbidden, Party
from zone_server.config import PartyKind
from zone_server.store import StoreTransaction
from zone_server.store.workflows import Transfer
from zone_server.workflows import (
    WorkflowNotFound,
    is_current,
    school_of_enrolment,
)
from zone_server.workflows.transfer import deliver

__all__ = ["LostPupil", "claim", "search", "visible_transfer", "visible_transfers"]


@dataclass(frozen=True, slots=True)
class LostPupil:
    """A lost-pupil record as a search shows it: the transfer and who the pupil is."""

    transfer: Transfer
    given_name: str | None
    family_name: str | None
    date_of_birth: str | None
    sex: str | None


def _legal_name(learner: dict[str, Any]) -> dict[str, Any]:
    names = learner.get("Name")
    names = names if isinstance(names, list) else [names] if isinstance(names, dict) else []
    return next((n for n in names if isinstance(n, dict) and n.get("@Type") == "L"), {})


def search(
    tx: StoreTransaction,
    zone: str,
    party: Party,
    *,
    upn: str | None = None,
    surname: str | None = None,
    date_of_birth: str | None = None,
) -> list[LostPupil]:
    """Lost-pupil records ``party`` (an LA or the DfE) may see that match every filter given."""
    if party.kind not in (PartyKind.LA, PartyKind.DFE):
        raise Forbidden(
            f"{party.id} may not search the lost-pupils area: LAs and the DfE search it; a "
            "school claims a pupil it enrols by UPN"
        )
    found = []
    for transfer in tx.transfers(zone, status="lost", upn=upn):
        if not party.scope.covers(transfer.source_school):
            continue
        learner = next(
            (
                o.content
                for o in tx.transfer_objects(zone, transfer.transfer_id)
                if o.object_type == "LearnerPersonal"
            ),
            {},
        )
        name = _legal_name(learner)
        family = name.get("FamilyName")
        born = learner.get("DateOfBirth")
        if surname is not None and (
            not isinstance(family, str) or family.casefold() != surname.strip().casefold()
        ):
            continue
        if date_of_birth is not None and born != date_of_birth:
            continue
        found.append(
            LostPupil(
                transfer,
                name.get("GivenName"),
                family if isinstance(family, str) else None,
                born if isinstance(born, str) else None,
                learner.get("Sex") if isinstance(learner.get("Sex"), str) else None,
            )
        )
    return found


def _enrols(tx: StoreTransaction, zone: str, party: Party, upn: str) -> bool:
    today = dt.date.today()
    for learner in tx.learners_by_upn(zone, upn):
        if party.claim_key not in learner.scope_keys:
            continue
        for linked in tx.objects_of_learner(zone, learner.ref_id):
            content = linked.content or {}
            if (
                linked.object_type == "LearnerSchoolEnrolment"
                and is_current(content, today)
                and school_of_enrolment(tx, zone, content) == party.claim_key
            ):
                return True
    return False


def claim(tx: StoreTransaction, zone: str, party: Party, upn: str) -> list[Transfer]:
    """Deliver every lost-pupil record with ``upn`` to school ``party``, which must enrol a
    pupil with that UPN; returns the transfers claimed."""
    if party.kind is not PartyKind.SCHOOL:
        raise Forbidden(f"{party.id} is not a school: only the school a pupil joins claims them")
    lost = tx.transfers(zone, status="lost", upn=upn)
    if not lost:
        raise WorkflowNotFound("no lost-pupil record has that UPN")
    if not _enrols(tx, zone, party, upn):
        raise Forbidden(
            f"{party.id} may not claim this pupil: only a school that enrols a pupil with that "
            "UPN may. Publish the pupil's LearnerPersonal and a current LearnerSchoolEnrolment "
            "at your school (sif agent push), then claim again"
        )
    claimed = []
    for transfer in lost:
        objects = tx.transfer_objects(zone, transfer.transfer_id)
        claimed.append(deliver(tx, transfer, party.id, objects, claimed_by=party.id))
        tx.audit(
            zone,
            party.id,
            "lost-pupil-claimed",
            "LearnerPersonal",
            [transfer.learner_ref],
            f"transfer {transfer.transfer_id} from {transfer.source_school}",
        )
    return claimed


def visible_transfer(party: Party, transfer: Transfer) -> bool:
    """True when ``party`` may see ``transfer``: its two schools, and LAs or the DfE whose
    scope covers either school."""
    if party.id in (transfer.source_party, transfer.destination_party):
        return True
    if party.kind not in (PartyKind.LA, PartyKind.DFE):
        return False
    return party.scope.covers(transfer.source_school) or (
        transfer.destination.isdigit() and party.scope.covers(transfer.destination)
    )


def visible_transfers(tx: StoreTransaction, zone: str, party: Party) -> list[Transfer]:
    """The transfers ``party`` may see, newest first."""
    return [t for t in tx.transfers(zone) if visible_transfer(party, t)]
