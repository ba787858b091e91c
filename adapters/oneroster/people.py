"""Users of a OneRoster bundle: students with their demographics, and the contacts who are
their agents (parents, guardians and relatives), linked in the order each student lists them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from adapters.oneroster.bundle import Bundle
from adapters.oneroster.rows import BundleRows, Values, sourced_ref, split_list
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
        for table, row, values in self.rows("demographics.csv"):
            if isinstance(row, Problem):
                problems.append(row)
                continue
            problems += self.checked(table, row, values, "demographics.csv")
            sex = values["sex"]
            if sex and sex not in _SEX:
                problems.append(
                    self.problem(table, row, "sex", f"sex is male or female, not {sex!r}")
                )
            found[values["sourcedId"]] = (values["birthDate"], sex)
        return found, problems

    def users(self) -> Iterator[SIFObject | Problem]:
        demographics, problems = self.demographics()
        yield from problems
        for table, row, values in self.rows("users.csv"):
            if isinstance(row, Problem):
                yield row
                continue
            problems = self.checked(table, row, values, "users.csv")
            role = values["role"]
            if role != "student" and role not in AGENT_ROLES:
                continue
            if problems:
                yield from problems
                continue
            if values["status"] == "tobedeleted":
                continue
            if role == "student":
                yield from self.student(table, row, values, demographics)
            else:
                yield from self.agent(table, row, values, role)

    def person(
        self, values: Values, ref: str
    ) -> tuple[dict[str, Any], dict[tuple[str | int, ...], str]]:
        name: dict[str, str] = {"Type": "L"}
        for wire_name, column in (
            ("GivenName", "givenName"),
            ("MiddleNames", "middleName"),
            ("FamilyName", "familyName"),
        ):
            if values[column]:
                name[wire_name] = values[column]
        wire: dict[str, Any] = {"RefId": ref, "Name": [name]}
        columns: dict[tuple[str | int, ...], str] = {
            ("Name", 0, "GivenName"): "givenName",
            ("Name", 0, "MiddleNames"): "middleName",
            ("Name", 0, "FamilyName"): "familyName",
            ("LocalId",): "identifier",
            ("Email",): "email",
            ("PhoneNumber", 0): "phone",
        }
        if values["identifier"]:
            wire["LocalId"] = values["identifier"]
        if values["email"]:
            wire["Email"] = values["email"]
        phones: list[dict[str, str]] = []
        for phone_type, column in (("H", "phone"), ("M", "sms")):
            if values[column]:
                columns[("PhoneNumber", len(phones))] = column
                phones.append({"Type": phone_type, "Number": values[column]})
        if phones:
            wire["PhoneNumber"] = phones
        return wire, columns

    def student(
        self,
        table: CSVTable,
        row: Row,
        values: Values,
        demographics: dict[str, tuple[str, str]],
    ) -> Iterator[SIFObject | Problem]:
        sourced_id = values["sourcedId"]
        ref = sourced_ref(self.context, "LearnerPersonal", sourced_id)
        wire, columns = self.person(values, ref)
        former: list[str] = []
        for kind, value in _USER_ID.findall(values["userIds"]):
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
                split_list(values["grades"]),
                split_list(values["agentSourcedIds"]),
            )
            yield obj

    def agent(
        self, table: CSVTable, row: Row, values: Values, role: str
    ) -> Iterator[SIFObject | Problem]:
        sourced_id = values["sourcedId"]
        ref = sourced_ref(self.context, "ContactPersonal", sourced_id)
        wire, columns = self.person(values, ref)
        obj, problems = self.build("ContactPersonal", wire, columns, table, row)
        yield from problems
        if obj is not None:
            self.contacts[sourced_id] = (
                ref,
                role,
                split_list(values["agentSourcedIds"]),
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
                yield OBJECT_TYPES["LearnerContact"].__pydantic_validator__.validate_python(
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
