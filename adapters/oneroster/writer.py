"""SIF objects to a OneRoster 1.1 CSV bundle (a folder, or a zip file when the name ends .zip).

What SIF has and OneRoster has a place for is written: schools and their LA (orgs), learners
(users and demographics), contacts with parental roles (users, linked both ways through
``agentSourcedIds``), and enrolments. OneRoster's enrollments belong to classes, so each school
gets one registration course and one homeroom class per year group, in one school-year session;
their sourcedIds derive from the school's RefId, so the same objects always give the same bundle.
Every sourcedId of an object is its RefId, which is what makes OneRoster -> SIF -> OneRoster exact.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from adapters.oneroster.spec import GRADE_OF_YEAR, HEADERS, MANIFEST_FILES, ROLE_OF_RELATIONSHIP
from sif_core.adapter import WriteContext
from sif_core.errors import AdapterError
from sif_core.model import (
    ContactPersonal,
    LAInfo,
    LearnerContact,
    LearnerPersonal,
    LearnerSchoolEnrolment,
    NameType,
    NCYear,
    PhoneType,
    SchoolInfo,
    SIFObject,
    deterministic_refid,
)

__all__ = ["write_bundle"]

_WRITTEN = (
    "academicSessions.csv",
    "orgs.csv",
    "courses.csv",
    "classes.csv",
    "users.csv",
    "enrollments.csv",
    "demographics.csv",
)
_YEAR_ORDER = {year: index for index, year in enumerate(NCYear)}
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass
class _Person:
    ref: str
    student: bool
    cells: dict[str, str]
    birth: str = ""
    sex: str = ""


@dataclass
class _Plan:
    orgs: list[SchoolInfo | LAInfo] = field(default_factory=list)
    people: list[_Person] = field(default_factory=list)
    enrolments: list[LearnerSchoolEnrolment] = field(default_factory=list)
    links: list[LearnerContact] = field(default_factory=list)


def _person(obj: LearnerPersonal | ContactPersonal) -> dict[str, str]:
    name = next((n for n in obj.names if n.type is NameType.LEGAL), obj.names[0])
    phones = {phone.type: phone.number for phone in reversed(obj.phone_numbers)}
    phone = next(
        (phones[t] for t in (PhoneType.HOME, PhoneType.DAYTIME, PhoneType.WORK) if t in phones), ""
    )
    return {
        "sourcedId": obj.ref_id,
        "enabledUser": "true",
        "username": obj.email or obj.ref_id,
        "givenName": name.given_name or name.title or "-",
        "familyName": name.family_name or "-",
        "middleName": name.middle_names or "",
        "identifier": obj.local_id or "",
        "email": obj.email or "",
        "sms": phones.get(PhoneType.MOBILE, ""),
        "phone": phone,
    }


def _user_ids(learner: LearnerPersonal) -> str:
    ids = [
        (kind, value)
        for kind, value in (("UPN", learner.upn), ("ULN", learner.uln), ("UCI", learner.uci))
        if value
    ]
    ids += [("FormerUPN", upn) for upn in learner.former_upns]
    return ",".join(f"{{{kind}:{value}}}" for kind, value in ids)


def _collect(objects: Iterable[SIFObject]) -> _Plan:
    plan = _Plan()
    for obj in objects:
        if isinstance(obj, SchoolInfo | LAInfo):
            plan.orgs.append(obj)
        elif isinstance(obj, LearnerPersonal):
            cells = {**_person(obj), "role": "student", "userIds": _user_ids(obj)}
            sex = "male" if obj.sex.value == "M" else "female"
            plan.people.append(_Person(obj.ref_id, True, cells, obj.date_of_birth.isoformat(), sex))
        elif isinstance(obj, ContactPersonal):
            plan.people.append(_Person(obj.ref_id, False, _person(obj)))
        elif isinstance(obj, LearnerSchoolEnrolment):
            plan.enrolments.append(obj)
        elif isinstance(obj, LearnerContact):
            plan.links.append(obj)
    return plan


def _academic_year(plan: _Plan, options: Mapping[str, str]) -> int:
    if options.get("academic_year"):
        return int(options["academic_year"])
    if not plan.enrolments:
        today = dt.date.today()
        return today.year if today.month >= 9 else today.year - 1
    return max(
        e.entry_date.year if e.entry_date.month >= 9 else e.entry_date.year - 1
        for e in plan.enrolments
    )


def _timestamp(options: Mapping[str, str]) -> str:
    given = options.get("date_last_modified")
    if given:
        try:
            dt.datetime.fromisoformat(given.replace("Z", "+00:00"))
        except ValueError:
            raise AdapterError(f"date_last_modified {given!r} is not an ISO date-time") from None
        return given
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _class_title(year: NCYear | None) -> str:
    if year is None:
        return "Registration"
    if year.value.isdigit():
        return f"Year {year.value}"
    names = {"R": "Reception", "X": "Not following the National Curriculum"}
    return names.get(year.value, year.value)


class _Tables:
    """The rows of each data file, built from the collected objects."""

    def __init__(self, plan: _Plan, options: Mapping[str, str]) -> None:
        self.plan = plan
        self.common = {"status": "active", "dateLastModified": _timestamp(options)}
        self.year = _academic_year(plan, options)
        self.session = deterministic_refid("sifbridge-oneroster", "session", str(self.year))
        self.schools = {org.ref_id: org for org in plan.orgs if isinstance(org, SchoolInfo)}
        self.rows: dict[str, list[dict[str, str]]] = {name: [] for name in _WRITTEN}
        self.orgs_of: dict[str, list[str]] = {}
        self.grade_of: dict[str, NCYear | None] = {}
        self.classes: dict[tuple[str, NCYear | None], str] = {}

    def add(self, file: str, /, **cells: str) -> None:
        self.rows[file].append({**self.common, **cells})

    def build(self) -> dict[str, list[dict[str, str]]]:
        year = self.year
        self.add(
            "academicSessions.csv",
            sourcedId=self.session,
            title=f"{year}/{(year + 1) % 100:02d}",
            type="schoolYear",
            startDate=f"{year}-09-01",
            endDate=f"{year + 1}-08-31",
            schoolYear=str(year + 1),
        )
        self.orgs()
        self.enrolments()
        self.courses_and_classes()
        self.users()
        for enrolment in self.plan.enrolments:
            self.add(
                "enrollments.csv",
                sourcedId=enrolment.ref_id,
                classSourcedId=self.classes[(enrolment.school_info_ref_id, enrolment.nc_year)],
                schoolSourcedId=enrolment.school_info_ref_id,
                userSourcedId=enrolment.learner_personal_ref_id,
                role="student",
                beginDate=enrolment.entry_date.isoformat(),
                endDate=enrolment.exit_date.isoformat() if enrolment.exit_date else "",
            )
        return self.rows

    def orgs(self) -> None:
        districts = {org.ref_id for org in self.plan.orgs if isinstance(org, LAInfo)}
        for org in self.plan.orgs:
            if isinstance(org, LAInfo):
                self.add(
                    "orgs.csv",
                    sourcedId=org.ref_id,
                    name=org.la_name,
                    type="district",
                    identifier=org.la_id,
                )
                continue
            parent = org.la_info_ref_id if org.la_info_ref_id in districts else None
            self.add(
                "orgs.csv",
                sourcedId=org.ref_id,
                name=org.school_name,
                type="school",
                identifier=org.laestab,
                parentSourcedId=parent or "",
            )

    def enrolments(self) -> None:
        """Note each learner's schools and current year, and the class each enrolment joins."""
        for enrolment in self.plan.enrolments:
            school, learner = enrolment.school_info_ref_id, enrolment.learner_personal_ref_id
            if school not in self.schools:
                raise AdapterError(
                    f"enrolment {enrolment.ref_id} names school {school}, which is not among "
                    "the objects to write; include its SchoolInfo"
                )
            schools = self.orgs_of.setdefault(learner, [])
            if school not in schools:
                schools.append(school)
            if enrolment.exit_date is None or learner not in self.grade_of:
                self.grade_of[learner] = enrolment.nc_year
            year = enrolment.nc_year
            self.classes.setdefault(
                (school, year),
                deterministic_refid("sifbridge-oneroster", "class", f"{school}/{year or ''}"),
            )

    def courses_and_classes(self) -> None:
        order = {ref: index for index, ref in enumerate(self.schools)}
        for school in self.schools:
            if any(key[0] == school for key in self.classes):
                self.add(
                    "courses.csv",
                    sourcedId=_course(school),
                    schoolYearSourcedId=self.session,
                    title="Registration",
                    courseCode="REG",
                    orgSourcedId=school,
                )

        def place(key: tuple[str, NCYear | None]) -> tuple[int, int]:
            return order[key[0]], _YEAR_ORDER[key[1]] if key[1] else -1

        for (school, year), class_id in sorted(self.classes.items(), key=lambda i: place(i[0])):
            self.add(
                "classes.csv",
                sourcedId=class_id,
                title=_class_title(year),
                grades=GRADE_OF_YEAR[year] if year else "",
                courseSourcedId=_course(school),
                classCode=f"REG-{year.value if year else 'ALL'}",
                classType="homeroom",
                schoolSourcedId=school,
                termSourcedIds=self.session,
            )

    def users(self) -> None:
        students = {
            p.ref: index for index, p in enumerate(p for p in self.plan.people if p.student)
        }
        role_of: dict[str, str] = {}
        agents: dict[str, list[tuple[int, str]]] = {}
        for link in self.plan.links:
            role = ROLE_OF_RELATIONSHIP.get(link.relationship)
            learner, contact = link.learner_personal_ref_id, link.contact_personal_ref_id
            if role is None or learner not in students:
                continue  # OneRoster gives these users access to the pupil's work: see spec
            role_of.setdefault(contact, role)
            agents.setdefault(learner, []).append((link.contact_priority, contact))
            agents.setdefault(contact, []).append((students[learner], learner))
        for person in self.plan.people:
            linked = [ref for _, ref in sorted(agents.get(person.ref, []))]
            if person.student:
                if person.ref not in self.orgs_of:
                    raise AdapterError(
                        f"learner {person.ref} has no enrolment among the objects to write; a "
                        "OneRoster user needs the school it belongs to"
                    )
                grade = self.grade_of.get(person.ref)
                extra = {
                    "orgSourcedIds": ",".join(self.orgs_of[person.ref]),
                    "grades": GRADE_OF_YEAR[grade] if grade else "",
                }
                self.add(
                    "demographics.csv", sourcedId=person.ref, birthDate=person.birth, sex=person.sex
                )
            elif person.ref in role_of:
                orgs = dict.fromkeys(o for child in linked for o in self.orgs_of.get(child, []))
                extra = {"orgSourcedIds": ",".join(orgs), "role": role_of[person.ref]}
            else:
                continue
            self.add("users.csv", **person.cells, **extra, agentSourcedIds=",".join(linked))


def _course(school: str) -> str:
    return deterministic_refid("sifbridge-oneroster", "course", school)


def _csv(name: str, rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    header = HEADERS[name]
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return buffer.getvalue().encode("utf-8")


def _manifest(options: Mapping[str, str]) -> bytes:
    rows = [
        {"propertyName": "manifest.version", "value": "1.0"},
        {"propertyName": "oneroster.version", "value": "1.1"},
    ]
    for name in MANIFEST_FILES:
        rows.append(
            {
                "propertyName": f"file.{name}",
                "value": "bulk" if f"{name}.csv" in _WRITTEN else "absent",
            }
        )
    rows.append(
        {
            "propertyName": "source.systemName",
            "value": options.get("source_system_name", "sifbridge"),
        }
    )
    rows.append(
        {"propertyName": "source.systemCode", "value": options.get("source_system_code", "")}
    )
    return _csv("manifest.csv", rows)


def write_bundle(objects: Iterable[SIFObject], path: Path, context: WriteContext) -> None:
    """Write ``objects`` as a OneRoster 1.1 bundle at ``path`` (a zip file if it ends ``.zip``).

    Options: ``date_last_modified`` (ISO date-time written on every row; default now),
    ``academic_year`` (the year the school year starts; default from the latest entry date),
    ``source_system_name`` and ``source_system_code`` (the manifest's). The bundle appears
    complete or not at all. Raises :class:`AdapterError` for a learner with no enrolment or an
    enrolment whose school is not among the objects.
    """
    tables = _Tables(_collect(objects), context.options).build()
    files = {"manifest.csv": _manifest(context.options)}
    files.update({name: _csv(name, rows) for name, rows in tables.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".zip":
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(handle)
        try:
            with zipfile.ZipFile(name, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for member, data in files.items():
                    info = zipfile.ZipInfo(member, date_time=_ZIP_TIME)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o644 << 16
                    archive.writestr(info, data)
            os.replace(name, path)
        finally:
            Path(name).unlink(missing_ok=True)
        return
    if path.exists() and any(path.iterdir()) and not (path / "manifest.csv").is_file():
        raise AdapterError(
            f"{path} is a folder that is not a OneRoster bundle; refusing to replace it"
        )
    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        for member, data in files.items():
            (staging / member).write_bytes(data)
        if path.exists():
            retired = path.with_name(f".{path.name}.old")
            shutil.rmtree(retired, ignore_errors=True)
            os.replace(path, retired)
            os.replace(staging, path)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
