"""Users of a OneRoster bundle: students with their demographics, and the contacts who are
their agents (parents, guardians and relatives), linked in the order each student lists them."""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator
from typing import Any

from adapters.oneroster.bundle import Bundle
from adapters.oneroster.rows import BundleRows, Values, sourced_ref, split_list
from adapters.oneroster.spec import AGENT_ROLES, RELATIONSHIP_OF_ROLE, YEAR_OF_GRADE
from sif_core.adapter import ReadContext
from sif_core.model import OBJECT_TYPES, ContactRelationship, NCYear, SIFObject
from sif_core.problems import Problem
from sif_core.tabular import CSVTable, Row
from sif_core.tabular.digests import DigestNumbers, RefIds, key_digest

__all__ = ["People", "Students"]

_USER_ID = re.compile(r"\{([^:{}]+):([^{}]*)\}")
_SEX = {"male": "M", "female": "F"}
_ROLES = tuple(sorted(AGENT_ROLES))
_ROLE_CODE = {role: code for code, role in enumerate(_ROLES)}
# A year as one byte: 0 for none.
_YEARS: tuple[NCYear | None, ...] = (None, *NCYear)
_YEAR_CODE = {year: code for code, year in enumerate(_YEARS)}
# Birth dates remembered to be held once (a school's pupils were born on a few thousand days).
_SHARED_KEPT = 8192


class _AgentLists:
    """Each user's ``agentSourcedIds`` by its number, as the digests of the sourcedIds listed
    (16 bytes each, against a string of them), held until the links are made."""

    def __init__(self) -> None:
        self._digests = bytearray()
        self._starts: array[int] = array("I")
        self._lengths: array[int] = array("I")

    def put(self, number: int, agents: str) -> None:
        """The list of user ``number`` (the next one, or one to replace)."""
        start = len(self._digests) // 16
        listed = split_list(agents)
        for sourced_id in listed:
            self._digests += key_digest((sourced_id,)).to_bytes(16)
        if number == len(self._starts):
            self._starts.append(start)
            self._lengths.append(len(listed))
        else:  # a later row for the same sourcedId: its list replaces the first
            self._starts[number] = start
            self._lengths[number] = len(listed)

    def __getitem__(self, number: int) -> list[int]:
        start = self._starts[number] * 16
        end = start + self._lengths[number] * 16
        data = self._digests
        return [int.from_bytes(data[at : at + 16]) for at in range(start, end, 16)]

    def __len__(self) -> int:
        return len(self._starts)


class Students:
    """The students read so far, kept small as they are held until the enrolments are read:
    each one's sourcedId (numbered by its digest), the NCYear of its first grade (``None`` when
    it has none, or none OneRoster names), and the ``agentSourcedIds`` of its row as written
    until the links are made. Its RefId follows from its sourcedId."""

    def __init__(self) -> None:
        self.numbers = DigestNumbers()
        self.ids: list[str] = []
        self.years = bytearray()
        self.agents = _AgentLists()

    def __len__(self) -> int:
        return len(self.numbers)

    def add(self, sourced_id: str, year: NCYear | None, agents: str) -> None:
        """Note a student (a later row with the same sourcedId replaces its year and agents)."""
        seen = len(self.numbers)
        number = self.numbers.number(key_digest((sourced_id,)))
        if number == seen:
            self.ids.append(sourced_id)
            self.years.append(_YEAR_CODE[year])
            self.agents.put(number, agents)
        else:
            self.years[number] = _YEAR_CODE[year]
            self.agents.put(number, agents)

    def find(self, sourced_id: str) -> int:
        """The student's number, or -1 when no student with ``sourced_id`` was read."""
        return self.numbers.find(key_digest((sourced_id,)))

    def year(self, number: int) -> NCYear | None:
        return _YEARS[self.years[number]]


class _Demographics:
    """Each demographics row's sex (``M``, ``F``, or ``-`` for none or one OneRoster does not
    name) and birthDate by its sourcedId: one byte, and a birthDate string shared by the students
    born that day."""

    def __init__(self) -> None:
        self.numbers = DigestNumbers()
        self.sexes = bytearray()
        self.births: list[str] = []
        self.shared: dict[str, str] = {}

    def add(self, sourced_id: str, sex: str, birth: str) -> None:
        """Note a row (a later row with the same sourcedId replaces it)."""
        if len(self.shared) >= _SHARED_KEPT:
            self.shared.clear()
        birth = self.shared.setdefault(birth, birth)
        seen = len(self.numbers)
        number = self.numbers.number(key_digest((sourced_id,)))
        if number == seen:
            self.sexes.append(ord(sex))
            self.births.append(birth)
        else:
            self.sexes[number] = ord(sex)
            self.births[number] = birth

    def find(self, sourced_id: str) -> tuple[str, str] | None:
        """The sex and birthDate of ``sourced_id``, or ``None`` when it has no row."""
        number = self.numbers.find(key_digest((sourced_id,)))
        if number < 0:
            return None
        return chr(self.sexes[number]), self.births[number]


class _Contacts:
    """The contacts read so far: each one's RefId, role and ``agentSourcedIds`` as written (the
    students it lists), until the links are made."""

    def __init__(self) -> None:
        self.numbers = DigestNumbers()
        self.refs = RefIds()
        self.roles = bytearray()
        self.agents = _AgentLists()

    def add(self, sourced_id: str, ref: str, role: str, agents: str) -> None:
        seen = len(self.numbers)
        number = self.numbers.number(key_digest((sourced_id,)))
        if number == seen:
            self.refs.append(ref)
            self.roles.append(_ROLE_CODE[role])
            self.agents.put(number, agents)
        else:
            self.roles[number] = _ROLE_CODE[role]
            self.agents.put(number, agents)

    def find(self, sourced_id: str) -> int:
        return self.numbers.find(key_digest((sourced_id,)))


class People(BundleRows):
    """Reads ``users.csv`` and ``demographics.csv``; remembers who was read for the links."""

    def __init__(self, bundle: Bundle, context: ReadContext) -> None:
        super().__init__(bundle, context)
        self.students = Students()
        self.contacts = _Contacts()

    def student_ref(self, sourced_id: str) -> str:
        """The RefId of the student with ``sourced_id``."""
        return sourced_ref(self.context, "LearnerPersonal", sourced_id)

    def demographics(self) -> tuple[_Demographics, list[Problem]]:
        """Each student's sex and birthDate, held until the users are read."""
        found = _Demographics()
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
            found.add(values["sourcedId"], _SEX.get(sex, "-"), values["birthDate"])
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
        demographics: _Demographics,
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
        found = demographics.find(sourced_id)
        if found is None:
            yield self.problem(
                table,
                row,
                None,
                "the student has no demographics row; a learner needs its birthDate and sex",
            )
            return
        sex, birth = found
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
            self.students.add(
                sourced_id,
                YEAR_OF_GRADE.get(grades[0]) if grades else None,
                values["agentSourcedIds"],
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
            self.contacts.add(sourced_id, ref, role, values["agentSourcedIds"])
            yield obj

    def links(self) -> Iterator[SIFObject]:
        """A student's contacts are those its row lists (in that order), then those whose rows
        list the student (in the order of users.csv). The agent lists are let go as they are
        turned into numbers."""
        students, contacts = self.students, self.contacts
        # Each student's listed contacts as numbers: listed[starts[s]:starts[s + 1]].
        listed: array[int] = array("I")
        starts: array[int] = array("I", [0])
        find_contact, find_student = contacts.numbers.find, students.numbers.find
        for student in range(len(students)):
            found = dict.fromkeys(find_contact(agent) for agent in students.agents[student])
            listed.extend(contact for contact in found if contact >= 0)
            starts.append(len(listed))
        students.agents = _AgentLists()
        # Only the second kind is gathered ahead, and only where the student's row does not
        # list the contact already (in a bundle sifbridge writes, it always does).
        listing: dict[int, list[int]] = {}
        for contact in range(len(contacts.agents)):
            for agent in contacts.agents[contact]:
                student = find_student(agent)
                if student < 0 or contact in listed[starts[student] : starts[student + 1]]:
                    continue
                more = listing.setdefault(student, [])
                if contact not in more:
                    more.append(contact)
        contacts.agents = _AgentLists()
        validate = OBJECT_TYPES["LearnerContact"].__pydantic_validator__.validate_python
        for student in range(len(students)):
            contact_numbers = list(listed[starts[student] : starts[student + 1]])
            contact_numbers += listing.get(student, ())
            student_ref = self.student_ref(students.ids[student])
            for priority, contact in enumerate(contact_numbers[:99], start=1):
                role = _ROLES[contacts.roles[contact]]
                contact_ref = contacts.refs[contact]
                relationship: ContactRelationship = RELATIONSHIP_OF_ROLE[role]
                yield validate(
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
