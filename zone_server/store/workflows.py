"""What the workflows keep: transfers, dual registrations, ULN reviews and census returns.

These records, and :class:`WorkflowTransaction` (the part of
:class:`~zone_server.store.StoreTransaction` that reads and writes them), are the storage side of
:mod:`zone_server.workflows`. Every method runs inside the caller's transaction, so a workflow
step and the events and queue messages it causes are stored together or not at all.

Objects held by a workflow (a transfer's record of a learner, a census return's snapshot) are
copies taken at that moment, in Goessner notation: later publishes do not change them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from zone_server.store import StoredObject

__all__ = [
    "CensusReturn",
    "CensusStatus",
    "DualConflict",
    "DualRegistration",
    "FieldChange",
    "SnapshotObject",
    "Transfer",
    "TransferStatus",
    "ULNReview",
    "WorkflowTransaction",
]

Content = dict[str, Any]
TransferStatus = Literal["delivered", "complete", "lost"]
CensusStatus = Literal["draft", "approved", "superseded"]


@dataclass(frozen=True, slots=True)
class SnapshotObject:
    """One object as a workflow holds it: its type, RefId and Goessner content."""

    object_type: str
    ref_id: str
    content: Content


@dataclass(frozen=True, slots=True)
class Transfer:
    """One learner's record sent from a school to another school or to the lost-pupils area.

    ``destination`` is a 7-digit LAESTAB, ``MMMMMMM`` (unknown) or ``XXXXXXX`` (left the
    maintained sector). ``status``: ``delivered`` (on the destination's queue), ``complete``
    (the destination acknowledged every message) or ``lost`` (waiting to be claimed).
    """

    transfer_id: str
    zone: str
    upn: str
    learner_ref: str
    source_party: str
    source_school: str
    destination: str
    destination_party: str | None
    status: TransferStatus
    object_count: int
    created_at: float
    delivered_at: float | None
    completed_at: float | None
    claimed_by: str | None


@dataclass(frozen=True, slots=True)
class DualRegistration:
    """A link between two schools' records of one dual-registered learner (same UPN)."""

    link_id: str
    zone: str
    upn: str
    first_learner: str
    first_school: str
    second_learner: str
    second_school: str
    active: bool
    created_at: float
    ended_at: float | None
    end_reason: str | None

    def other(self, learner_ref: str) -> tuple[str, str]:
        """The (learner RefId, school LAESTAB) at the other end from ``learner_ref``."""
        if learner_ref == self.first_learner:
            return self.second_learner, self.second_school
        return self.first_learner, self.first_school

    def school_of(self, learner_ref: str) -> str:
        """The LAESTAB of the school holding ``learner_ref``."""
        return self.first_school if learner_ref == self.first_learner else self.second_school


@dataclass(frozen=True, slots=True)
class FieldChange:
    """The last change of one field of one side of a link: ``value`` is what it became,
    ``before`` what it was, ``synced`` whether it was passed to the other school."""

    link_id: str
    learner_ref: str
    field: str
    value: Any
    before: Any
    synced: bool
    at: float


@dataclass(frozen=True, slots=True)
class DualConflict:
    """Both schools changed one field of a linked learner within the window, differently."""

    conflict_id: str
    zone: str
    link_id: str
    object_type: str
    field: str
    #: (learner or contact RefId, school LAESTAB, value) of the earlier change.
    earlier: tuple[str, str, Any]
    #: The same of the later change, which was not passed on.
    later: tuple[str, str, Any]
    status: Literal["open", "resolved"]
    created_at: float
    resolved_by: str | None
    resolved_at: float | None


@dataclass(frozen=True, slots=True)
class ULNReview:
    """A ULN request a person must decide: a possible match, too many matches, or an error."""

    review_id: str
    zone: str
    request_id: str
    school: str
    learner_ref: str
    outcome: str
    code: str | None
    message: str
    created_at: float


@dataclass(frozen=True, slots=True)
class CensusReturn:
    """One version of a school's census return.

    A ``draft`` is seen as pending by the LA and the DfE, nothing more; ``approved`` means the
    school pressed approve (``approved_by``, ``approved_at``, ``content_hash`` are the
    attestation) and ``counts`` were frozen with it; ``superseded`` means a later version of
    the same collection replaced it.
    """

    return_id: str
    zone: str
    school: str
    school_party: str
    collection: str
    reference_date: str
    version: int
    status: CensusStatus
    prepared_by: str
    created_at: float
    content_hash: str
    object_count: int
    approved_by: str | None
    approved_at: float | None
    counts: Content | None


class WorkflowTransaction(Protocol):
    """The workflow part of a store transaction."""

    def learners_by_upn(self, zone: str, upn: str) -> list[StoredObject]:
        """Every live ``LearnerPersonal`` with this UPN (one per school that holds the pupil)."""

    def learner_contacts_of(self, zone: str, contact_ref: str) -> list[StoredObject]:
        """Live ``LearnerContact`` objects that point at the contact ``contact_ref``."""

    # -- transfers -------------------------------------------------------------------------

    def create_transfer(
        self,
        zone: str,
        *,
        upn: str,
        learner_ref: str,
        source_party: str,
        source_school: str,
        destination: str,
        objects: Sequence[SnapshotObject],
    ) -> Transfer:
        """Record a transfer (status ``lost`` until :meth:`mark_transfer_delivered`)."""

    def transfer(self, zone: str, transfer_id: str) -> Transfer | None:
        """One transfer, or ``None``."""

    def transfers(
        self, zone: str, *, status: TransferStatus | None = None, upn: str | None = None
    ) -> list[Transfer]:
        """Transfers of ``zone``, newest first, optionally only those with a status or UPN."""

    def transfer_objects(self, zone: str, transfer_id: str) -> list[SnapshotObject]:
        """The learner's record as the transfer holds it, in the order it was taken."""

    def enqueue_transfer_event(self, transfer_id: str, party: str, event_id: int) -> None:
        """Put the stored event ``event_id`` on ``party``'s queue as part of the transfer: when
        ``party`` has acknowledged every such message, the transfer is complete."""

    def mark_transfer_delivered(
        self, zone: str, transfer_id: str, party: str, *, claimed_by: str | None
    ) -> Transfer:
        """The transfer's messages are on ``party``'s queue."""

    # -- dual registration -----------------------------------------------------------------

    def dual_registrations(
        self,
        zone: str,
        *,
        learner_ref: str | None = None,
        school: str | None = None,
        active_only: bool = True,
    ) -> list[DualRegistration]:
        """Links of ``zone`` (only those of ``learner_ref``, or of ``school``, when given)."""

    def add_dual_registration(
        self, zone: str, upn: str, first: tuple[str, str], second: tuple[str, str]
    ) -> DualRegistration:
        """Link two (learner RefId, school LAESTAB) records of one UPN."""

    def end_dual_registration(self, zone: str, link_id: str, reason: str) -> None:
        """End a link: nothing passes between the two records any more."""

    def field_change(
        self, zone: str, link_id: str, learner_ref: str, field: str
    ) -> FieldChange | None:
        """The last recorded change of ``field`` on the ``learner_ref`` side of a link."""

    def record_field_change(
        self,
        zone: str,
        link_id: str,
        learner_ref: str,
        field: str,
        *,
        value: Any,
        before: Any,
        synced: bool,
    ) -> None:
        """Remember a change of ``field`` on one side of a link (replacing the earlier one)."""

    def add_dual_conflict(
        self,
        zone: str,
        link_id: str,
        object_type: str,
        field: str,
        earlier: tuple[str, str, Any],
        later: tuple[str, str, Any],
    ) -> DualConflict:
        """Flag a conflict for review."""

    def dual_conflicts(self, zone: str, *, status: str | None = "open") -> list[DualConflict]:
        """Conflicts of ``zone``, oldest first."""

    def resolve_dual_conflict(self, zone: str, conflict_id: str, by: str) -> DualConflict | None:
        """Mark a conflict resolved by party ``by``; ``None`` if there is no such conflict."""

    # -- ULN -------------------------------------------------------------------------------

    def add_uln_review(
        self,
        zone: str,
        *,
        request_id: str,
        school: str,
        learner_ref: str,
        outcome: str,
        code: str | None,
        message: str,
    ) -> ULNReview:
        """Put a learner on the ULN review list."""

    def uln_reviews(self, zone: str) -> list[ULNReview]:
        """The ULN review list of ``zone``, oldest first."""

    # -- census returns --------------------------------------------------------------------

    def add_census_return(
        self,
        zone: str,
        *,
        school: str,
        school_party: str,
        collection: str,
        reference_date: str,
        prepared_by: str,
        content_hash: str,
        objects: Sequence[SnapshotObject],
    ) -> CensusReturn:
        """Store a new draft version of a collection for a school; an earlier draft of it is
        superseded."""

    def census_return(self, zone: str, return_id: str) -> CensusReturn | None:
        """One census return version, or ``None``."""

    def census_returns(
        self, zone: str, *, collection: str | None = None, school: str | None = None
    ) -> list[CensusReturn]:
        """Census returns of ``zone`` (every version), by school, collection and version."""

    def census_objects(self, zone: str, return_id: str) -> list[SnapshotObject]:
        """The snapshot a census return holds."""

    def approve_census_return(
        self, zone: str, return_id: str, *, by: str, counts: Content
    ) -> CensusReturn:
        """Freeze a draft as approved by ``by`` with its ``counts``; an earlier approved
        version of the same collection is superseded."""
