"""Gathering a stream of SIF objects into pupils, one pupil at a time, for writing.

A CTF holds pupils, each with everything about it; SIF objects arrive one by one. The writer
expects the objects of one pupil together (as :func:`adapters.ctf.read` and the synthetic school
generator produce them): its ``LearnerPersonal`` and every object that refers to it, in any
order. A ``ContactPersonal`` may come anywhere before or among the objects of the first pupil
whose ``LearnerContact`` points to it (brothers and sisters share contacts), and a ``SchoolInfo``
anywhere before the pupils that name it. So memory holds one pupil, the schools and the contacts,
never the rest of the school.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sif_core.errors import AdapterError
from sif_core.model import (
    ContactPersonal,
    LearnerAssessmentResult,
    LearnerAttendanceSummary,
    LearnerContact,
    LearnerFSMHistory,
    LearnerPersonal,
    LearnerSchoolEnrolment,
    LearnerSENHistory,
    SchoolInfo,
    SIFObject,
)

__all__ = ["PupilGrouper", "PupilRecord"]


@dataclass
class PupilRecord:
    """Everything a CTF says about one pupil."""

    learner: LearnerPersonal
    contacts: list[tuple[ContactPersonal, LearnerContact]] = field(default_factory=list)
    enrolments: list[LearnerSchoolEnrolment] = field(default_factory=list)
    attendance: list[LearnerAttendanceSummary] = field(default_factory=list)
    sen: list[LearnerSENHistory] = field(default_factory=list)
    fsm: list[LearnerFSMHistory] = field(default_factory=list)
    assessments: list[LearnerAssessmentResult] = field(default_factory=list)


@dataclass
class _Group:
    learner_ref: str
    learner: LearnerPersonal | None = None
    links: list[LearnerContact] = field(default_factory=list)
    record: PupilRecord | None = None
    others: list[SIFObject] = field(default_factory=list)


class PupilGrouper:
    """Feed objects with :meth:`add`; each completed pupil comes back as a :class:`PupilRecord`.

    Objects a CTF cannot hold (``LAInfo``, ``WorkforcePersonal``) are passed over.
    """

    def __init__(self) -> None:
        #: Every ``SchoolInfo`` seen, by RefId.
        self.schools: dict[str, SchoolInfo] = {}
        self._group: _Group | None = None
        self._contacts: dict[str, ContactPersonal] = {}

    def add(self, item: SIFObject) -> PupilRecord | None:
        """Take one object; returns the previous pupil when this object starts another."""
        if isinstance(item, SchoolInfo):
            self.schools[item.ref_id] = item
            return None
        if isinstance(item, ContactPersonal):
            self._contacts[item.ref_id] = item
            return None
        if isinstance(item, LearnerPersonal):
            learner_ref: str | None = item.ref_id
        else:
            learner_ref = getattr(item, "learner_personal_ref_id", None)
        if learner_ref is None:
            return None
        finished = None
        if self._group is None or self._group.learner_ref != learner_ref:
            finished = self.finish()
            self._group = _Group(learner_ref)
        if isinstance(item, LearnerPersonal):
            self._group.learner = item
        elif isinstance(item, LearnerContact):
            self._group.links.append(item)
        else:
            self._group.others.append(item)
        return finished

    def finish(self) -> PupilRecord | None:
        """The pupil being gathered, complete; ``None`` when there is none."""
        group, self._group = self._group, None
        if group is None:
            return None
        if group.learner is None:
            first = (group.links or group.others)[0]
            raise AdapterError(
                f"{type(first).__name__} {first.ref_id} refers to learner {group.learner_ref}, "
                "whose LearnerPersonal is not next to it; give each pupil's objects together "
                "(its LearnerPersonal and everything that refers to it)"
            )
        record = PupilRecord(group.learner)
        for link in sorted(group.links, key=lambda link: link.contact_priority):
            record.contacts.append((self._contact(link), link))
        for other in group.others:
            if isinstance(other, LearnerSchoolEnrolment):
                record.enrolments.append(other)
            elif isinstance(other, LearnerAttendanceSummary):
                record.attendance.append(other)
            elif isinstance(other, LearnerSENHistory):
                record.sen.append(other)
            elif isinstance(other, LearnerFSMHistory):
                record.fsm.append(other)
            elif isinstance(other, LearnerAssessmentResult):
                record.assessments.append(other)
        return record

    def _contact(self, link: LearnerContact) -> ContactPersonal:
        ref = link.contact_personal_ref_id
        contact = self._contacts.get(ref)
        if contact is None:
            raise AdapterError(
                f"LearnerContact {link.ref_id} points to ContactPersonal {ref}, which is not among "
                "the objects given before or with its pupil; give each contact before or with the "
                "first pupil it belongs to"
            )
        return contact
