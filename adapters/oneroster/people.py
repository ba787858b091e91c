"""Users of a OneRoster bundle: students with their demographics, and the contacts who are
their agents (parents, guardians and relatives), linked in the order each student lists them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from adapters.oneroster.bundle import Bundle
from adapters.oneroster.rows import BundleRows, Values, sourced_ref, split_list
from adapters.oneroster.spec import AGENT_ROLES, RELATIONSHIP_OF_ROLE, YEAR_OF_GRADE
from sif_core.adapter import ReadContext
from sif_core.model import OBJECT_TYPES, ContactRelationship, NCYear, SIFObject
from sif_core.problems import Problem
from sif_core.tabular import CSVTable, Row

__all__ = ["People", "Student"]

_USER_ID = re.compile(r"\{([^:{}]+):([^{}]*)\}")
_SEX = {"male": "M", "female": "F"}
# Each role as one shared string, not a string per contact.
_ROLE = {role: role for role in AGENT_ROLES}


class Student(NamedTuple):
    """A student read so far, kept small (one per student until the enrolments are read): the
    NCYear of its first grade (``None`` when it has none, or none OneRoster names), and the
    ``agentSourcedIds`` of its row as written. Its RefId follows from its sourcedId."""

    year: NCYear | None
    agents: str


class People(BundleRows):
    """Reads ``users.csv`` and ``demographics.csv``; remembers who was read for the links."""

    def __init__(self, bundle: Bundle, context: ReadContext) -> None:
        super().__init__(bundle, context)
        self.students: dict[str, Student] = {}
        #: Each contact read: its role and the ``agentSourcedIds`` of its row (the students it
        #: lists) as written. Its RefId follows from its sourcedId.
        self.contacts: dict[str, tuple[str, str]] = {}
        #: Each student's year, once the links are made (the enrolments need nothing more).
        self.years: dict[str, NCYear | None] = {}

    def student_ref(self, sourced_id: str) -> str:
        """The RefId of the student with ``sourced_id``."""
        return sourced_ref(self.context, "LearnerPersonal", sourced_id)

    def demographics(self) -> tuple[dict[str, str], list[Problem]]:
        """Each student's birthDate, after one letter for its sex (``M``, ``F``, or ``-`` for none
        or one OneRoster does not name): one string a student, held until the users are read."""
        found: dict[str, str] = {}
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
            found[values["sourcedId"]] = _SEX.get(sex, "-") + values["birthDate"]
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
        demographics: dict[str, str],
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
        found = demographics[sourced_id]
        birth, sex = found[1:], found[0]
        if birth:
            wire["DateOfBirth"] = birth
        if sex != "-":
            wire["Sex"] = sex
        columns[("DateOfBirth",)] = "birthDate (demographics.csv)"
        columns[("Sex",)] = "sex (demographics.csv)"
        obj, problems = self.build("LearnerPersonal", wire, columns, table, row)
        yield from problems
        if obj is not None:
            grades = split_list(values["grades"])
            self.students[sourced_id] = Student(
                YEAR_OF_GRADE.get(grades[0]) if grades else None, values["agentSourcedIds"]
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
            self.contacts[sourced_id] = (_ROLE[role], values["agentSourcedIds"])
            yield obj

    def links(self) -> Iterator[SIFObject]:
        """A student's contacts are those its row lists (in that order), then those whose rows
        list the student (in the order of users.csv)."""
        students, contacts = self.students, self.contacts
        # Only the second kind is gathered ahead, and only where the student's row does not
        # list the contact already (in a bundle sifbridge writes, it always does).
        listing: dict[str, list[str]] = {}
        for contact_id, (_, agents) in contacts.items():
            for student_id in split_list(agents):
                student = students.get(student_id)
                if student is None or contact_id in split_list(student.agents):
                    continue
                more = listing.setdefault(student_id, [])
                if contact_id not in more:
                    more.append(contact_id)
        for student_id, student in students.items():
            contact_ids = [a for a in dict.fromkeys(split_list(student.agents)) if a in contacts]
            contact_ids += listing.get(student_id, ())
            student_ref = self.student_ref(student_id)
            for priority, contact_id in enumerate(contact_ids[:99], start=1):
                role = contacts[contact_id][0]
                contact_ref = sourced_ref(self.context, "ContactPersonal", contact_id)
                relationship: ContactRelationship = RELATIONSHIP_OF_ROLE[role]
                yield OBJECT_TYPES["LearnerContact"].__pydantic_validator__.validate_python(
                    {
                        "RefId": self.context.refid(
                            "LearnerContact", f"{student_ref}\x1f{contact_ref}"
                        ),
                        "LearnerPersonalRefId": student_ref,
                        "ContactPersonalRefId": contact_ref,
                        "Relationship": relationship,
                        "ParentalResponsibility": role != "relative",
                        "ContactPriority": priority,
                    }
                )
        # Let the agent lists and the contacts go before the enrolments are read.
        self.years = {student_id: student.year for student_id, student in students.items()}
        self.students, self.contacts = {}, {}
