"""Users of a OneRoster bundle: students with their demographics, and the contacts who are
their agents (parents, guardians and relatives), linked in the order each student lists them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from adapters.oneroster.bundle import Bundle
from adapters.oneroster.rows import BundleRows, sourced_ref, split_list
from adapters.oneroster.spec import AGENT_ROLES, RELATIONSHIP_OF_ROLE
from sif_core.adapter import ReadContext
from sif_core.model import OBJECT_TYPES, ContactRelationship, SIFObject
from sif_core.problems import Problem
from sif_core.tabular import CSVTable, Row

__all__ = ["People", "Student"]

_USER_ID = re.compile(r"\{([^:{}]+):([^{}]*)\}")
_SEX = {"male": "M", "female": "F"}


@dataclass
class Student:
    """A student read so far: its RefId, its grades and the agents its row lists."""

    ref: str
    grades: list[str]
    agents: list[str]


class People(BundleRows):
    """Reads ``users.csv`` and ``demographics.csv``; remembers who was read for the links."""

    def __init__(self, bundle: Bundle, context: ReadContext) -> None:
        super().__init__(bundle, context)
        self.students: dict[str, Student] = {}
        #: Each contact read: its RefId, its role and the students its row lists.
        self.contacts: dict[str, tuple[str, str, list[str]]] = {}

    def demographics(self) -> tuple[dict[str, tuple[str, str]], list[Problem]]:
        found: dict[str, tuple[str, str]] = {}
        problems: list[Problem] = []
        for table, row in self.rows("demographics.csv"):
            if isinstance(row, Problem):
                problems.append(row)
                continue
            problems += self.checked(table, row, "demographics.csv")
            sex = self.cell(table, row, "sex")
            if sex and sex not in _SEX:
                problems.append(
                    self.problem(table, row, "sex", f"sex is male or female, not {sex!r}")
                )
            found[self.cell(table, row, "sourcedId")] = (self.cell(table, row, "birthDate"), sex)
        return found, problems

    def users(self) -> Iterator[SIFObject | Problem]:
        demographics, problems = self.demographics()
        yield from problems
        for table, row in self.rows("users.csv"):
            if isinstance(row, Problem):
                yield row
                continue
            problems = self.checked(table, row, "users.csv")
            role = self.cell(table, row, "role")
            if role != "student" and role not in AGENT_ROLES:
                continue
            if problems:
                yield from problems
                continue
            if self.cell(table, row, "status") == "tobedeleted":
                continue
            if role == "student":
                yield from self.student(table, row, demographics)
            else:
                yield from self.agent(table, row, role)

    def person(
        self, table: CSVTable, row: Row, ref: str
    ) -> tuple[dict[str, Any], dict[tuple[str | int, ...], str]]:
        name: dict[str, str] = {"Type": "L"}
        for wire_name, column in (
            ("GivenName", "givenName"),
            ("MiddleNames", "middleName"),
            ("FamilyName", "familyName"),
        ):
            if self.cell(table, row, column):
                name[wire_name] = self.cell(table, row, column)
        wire: dict[str, Any] = {"RefId": ref, "Name": [name]}
        columns: dict[tuple[str | int, ...], str] = {
            ("Name", 0, "GivenName"): "givenName",
            ("Name", 0, "MiddleNames"): "middleName",
            ("Name", 0, "FamilyName"): "familyName",
            ("LocalId",): "identifier",
            ("Email",): "email",
            ("PhoneNumber", 0): "phone",
        }
        if self.cell(table, row, "identifier"):
            wire["LocalId"] = self.cell(table, row, "identifier")
        if self.cell(table, row, "email"):
            wire["Email"] = self.cell(table, row, "email")
        phones: list[dict[str, str]] = []
        for phone_type, column in (("H", "phone"), ("M", "sms")):
            if self.cell(table, row, column):
                columns[("PhoneNumber", len(phones))] = column
                phones.append({"Type": phone_type, "Number": self.cell(table, row, column)})
        if phones:
            wire["PhoneNumber"] = phones
        return wire, columns

    def student(
        self, table: CSVTable, row: Row, demographics: dict[str, tuple[str, str]]
    ) -> Iterator[SIFObject | Problem]:
        sourced_id = self.cell(table, row, "sourcedId")
        ref = sourced_ref(self.context, "LearnerPersonal", sourced_id)
        wire, columns = self.person(table, row, ref)
        former: list[str] = []
        for kind, value in _USER_ID.findall(self.cell(table, row, "userIds")):
            kind = kind.strip()
            if kind in ("UPN", "ULN", "UCI"):
                wire[kind] = value.strip()
                columns[(kind,)] = "userIds"
            elif kind == "FormerUPN":
                former.append(value.strip())
        if former:
            wire["FormerUPN"] = former
            columns[("FormerUPN",)] = "userIds"
        if sourced_id not in demographics:
            yield self.problem(
                table,
                row,
                None,
                "the student has no demographics row; a learner needs its birthDate and sex",
            )
            return
        birth, sex = demographics[sourced_id]
        if birth:
            wire["DateOfBirth"] = birth
        if sex in _SEX:
            wire["Sex"] = _SEX[sex]
        columns[("DateOfBirth",)] = "birthDate (demographics.csv)"
        columns[("Sex",)] = "sex (demographics.csv)"
        obj, problems = self.build("LearnerPersonal", wire, columns, table, row)
        yield from problems
        if obj is not None:
            self.students[sourced_id] = Student(
                ref,
                split_list(self.cell(table, row, "grades")),
                split_list(self.cell(table, row, "agentSourcedIds")),
            )
            yield obj

    def agent(self, table: CSVTable, row: Row, role: str) -> Iterator[SIFObject | Problem]:
        sourced_id = self.cell(table, row, "sourcedId")
        ref = sourced_ref(self.context, "ContactPersonal", sourced_id)
        wire, columns = self.person(table, row, ref)
        obj, problems = self.build("ContactPersonal", wire, columns, table, row)
        yield from problems
        if obj is not None:
            self.contacts[sourced_id] = (
                ref,
                role,
                split_list(self.cell(table, row, "agentSourcedIds")),
            )
            yield obj

    def links(self) -> Iterator[SIFObject]:
        pairs: dict[str, list[str]] = {}
        for student_id, student in self.students.items():
            pairs[student_id] = [a for a in dict.fromkeys(student.agents) if a in self.contacts]
        for contact_id, (_, _, agents) in self.contacts.items():
            for student_id in agents:
                if student_id in pairs and contact_id not in pairs[student_id]:
                    pairs[student_id].append(contact_id)
        for student_id, contact_ids in pairs.items():
            student = self.students[student_id]
            for priority, contact_id in enumerate(contact_ids[:99], start=1):
                contact_ref, role, _ = self.contacts[contact_id]
                relationship: ContactRelationship = RELATIONSHIP_OF_ROLE[role]
                yield OBJECT_TYPES["LearnerContact"].model_validate(
                    {
                        "RefId": self.context.refid(
                            "LearnerContact", f"{student.ref}\x1f{contact_ref}"
                        ),
                        "LearnerPersonalRefId": student.ref,
                        "ContactPersonalRefId": contact_ref,
                        "Relationship": relationship,
                        "ParentalResponsibility": role != "relative",
                        "ContactPriority": priority,
                    }
                )
