"""The SIF fields a column of a table can fill, by their mapping names.

A mapping names a field as ``Object.Path``: ``LearnerPersonal.DateOfBirth``,
``LearnerPersonal.Name.FamilyName`` (the legal name), ``LearnerPersonal.PreferredName.GivenName``,
``ContactPersonal.PhoneNumber.M`` (the mobile number), ``LearnerPersonal.Language.F`` (the first
language code), ``SchoolInfo.LAESTAB`` (LA and establishment number in one). Each
:class:`FieldSpec` knows where its value sits in the object's wire form, so a row becomes a dict
that the pydantic model validates, and an object becomes cells again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any, Final

from sif_core.model import (
    ContactRelationship,
    EnrolmentStatus,
    Ethnicity,
    EthnicitySource,
    ExitType,
    NameType,
    NCYear,
    PhoneType,
    SchoolPhase,
    Sex,
)

__all__ = ["FIELDS", "TARGETS", "FieldSpec", "Kind", "Select", "get_value", "put_value"]


class Kind(Enum):
    """How a cell's text becomes a field's value."""

    TEXT = "text"
    DATE = "date"
    BOOL = "yes/no"
    INT = "whole number"
    CODE = "code"
    LAESTAB = "7-digit LAESTAB"
    LIST = "list of values"


@dataclass(frozen=True, slots=True)
class Select:
    """A step into a repeated part: the entry of list ``alias`` whose ``Type`` is ``type``."""

    alias: str
    type: str


Step = str | Select

#: The objects a table row can feed, in the order they are built.
TARGETS: Final = (
    "SchoolInfo",
    "LearnerPersonal",
    "LearnerSchoolEnrolment",
    "ContactPersonal",
    "LearnerContact",
)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One mappable field: its name, the object it belongs to, its wire location and kind."""

    name: str
    target: str
    location: tuple[Step, ...]
    kind: Kind
    codes: tuple[str, ...] = ()
    help: str = ""

    @property
    def code_list(self) -> str:
        """The allowed codes, for messages."""
        return ", ".join(self.codes)


def _codes(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


_NAME_PARTS = ("Title", "GivenName", "MiddleNames", "FamilyName")
_ADDRESS_PARTS = ("SAON", "PAON", "Street", "Locality", "Town", "County", "PostCode", "UPRN")


def _person(target: str, *, preferred: bool) -> Iterable[FieldSpec]:
    yield FieldSpec(f"{target}.LocalId", target, ("LocalId",), Kind.TEXT)
    names = [("Name", NameType.LEGAL)]
    if preferred:
        names += [("PreferredName", NameType.PREFERRED), ("FormerName", NameType.FORMER)]
    for label, name_type in names:
        for part in _NAME_PARTS:
            location = (Select("Name", name_type.value), part)
            yield FieldSpec(f"{target}.{label}.{part}", target, location, Kind.TEXT)
    for part in _ADDRESS_PARTS:
        yield FieldSpec(f"{target}.Address.{part}", target, ("Address", part), Kind.TEXT)
    for phone in PhoneType:
        location = (Select("PhoneNumber", phone.value), "Number")
        yield FieldSpec(
            f"{target}.PhoneNumber.{phone.value}",
            target,
            location,
            Kind.TEXT,
            help=f"{phone.name.lower()} telephone number",
        )
    yield FieldSpec(f"{target}.Email", target, ("Email",), Kind.TEXT)


def _learner() -> Iterable[FieldSpec]:
    target = "LearnerPersonal"
    yield from _person(target, preferred=True)
    for name in ("UPN", "ULN", "UCI"):
        yield FieldSpec(f"{target}.{name}", target, (name,), Kind.TEXT)
    yield FieldSpec(
        f"{target}.FormerUPN", target, ("FormerUPN",), Kind.LIST, help="separated by ';'"
    )
    yield FieldSpec(f"{target}.DateOfBirth", target, ("DateOfBirth",), Kind.DATE)
    yield FieldSpec(f"{target}.Sex", target, ("Sex",), Kind.CODE, _codes(Sex))
    yield FieldSpec(f"{target}.Ethnicity", target, ("Ethnicity",), Kind.CODE, _codes(Ethnicity))
    yield FieldSpec(
        f"{target}.EthnicitySource",
        target,
        ("EthnicitySource",),
        Kind.CODE,
        _codes(EthnicitySource),
    )
    for language, meaning in (("F", "first"), ("H", "home"), ("M", "main")):
        yield FieldSpec(
            f"{target}.Language.{language}",
            target,
            (Select("Language", language), "Code"),
            Kind.TEXT,
            help=f"{meaning} language, DfE code",
        )
    yield FieldSpec(f"{target}.InCare", target, ("InCare",), Kind.BOOL)
    yield FieldSpec(f"{target}.CareAuthority", target, ("CareAuthority",), Kind.TEXT)
    yield FieldSpec(f"{target}.HomeLA", target, ("HomeLA",), Kind.TEXT)
    yield FieldSpec(f"{target}.MedicalFlag", target, ("MedicalFlag",), Kind.BOOL)


def _enrolment() -> Iterable[FieldSpec]:
    target = "LearnerSchoolEnrolment"
    yield FieldSpec(
        f"{target}.MembershipType",
        target,
        ("MembershipType",),
        Kind.CODE,
        _codes(EnrolmentStatus),
    )
    yield FieldSpec(f"{target}.EntryDate", target, ("EntryDate",), Kind.DATE)
    yield FieldSpec(f"{target}.ExitDate", target, ("ExitDate",), Kind.DATE)
    yield FieldSpec(f"{target}.ExitType", target, ("ExitType",), Kind.CODE, _codes(ExitType))
    yield FieldSpec(f"{target}.NCYear", target, ("NCYear",), Kind.CODE, _codes(NCYear))


def _link() -> Iterable[FieldSpec]:
    target = "LearnerContact"
    yield FieldSpec(
        f"{target}.Relationship",
        target,
        ("Relationship",),
        Kind.CODE,
        _codes(ContactRelationship),
    )
    for flag in ("ParentalResponsibility", "LivesWith", "EmergencyContact"):
        yield FieldSpec(f"{target}.{flag}", target, (flag,), Kind.BOOL)
    yield FieldSpec(
        f"{target}.ContactPriority",
        target,
        ("ContactPriority",),
        Kind.INT,
        help="1 is called first; when unmapped, contacts are numbered in row order",
    )


def _school() -> Iterable[FieldSpec]:
    target = "SchoolInfo"
    yield FieldSpec(
        f"{target}.LAESTAB",
        target,
        ("LAId", "EstablishmentId"),
        Kind.LAESTAB,
        help="LA number and establishment number, 7 digits",
    )
    yield FieldSpec(f"{target}.URN", target, ("URN",), Kind.TEXT)
    yield FieldSpec(f"{target}.SchoolName", target, ("SchoolName",), Kind.TEXT)
    yield FieldSpec(f"{target}.Phase", target, ("Phase",), Kind.CODE, _codes(SchoolPhase))


#: Every mappable field by name, grouped by object in :data:`TARGETS` order.
FIELDS: Final[dict[str, FieldSpec]] = {
    spec.name: spec
    for spec in (
        *_school(),
        *_learner(),
        *_enrolment(),
        *_person("ContactPersonal", preferred=False),
        *_link(),
    )
}


def put_value(wire: dict[str, Any], spec: FieldSpec, value: Any) -> tuple[str | int, ...]:
    """Set ``value`` at the field's place in ``wire``; returns the concrete location (with list
    indexes) that pydantic will report errors at."""
    if spec.kind is Kind.LAESTAB:
        text = str(value)
        wire["LAId"], wire["EstablishmentId"] = text[:3], text[3:]
        return ("LAId",)
    if len(spec.location) == 1:
        key = spec.location[0]
        assert isinstance(key, str)
        wire[key] = value
        return (key,)
    node: dict[str, Any] = wire
    concrete: list[str | int] = []
    for step in spec.location[:-1]:
        if isinstance(step, Select):
            entries: list[dict[str, Any]] = node.setdefault(step.alias, [])
            index = next(
                (i for i, entry in enumerate(entries) if entry.get("Type") == step.type),
                len(entries),
            )
            if index == len(entries):
                entries.append({"Type": step.type})
            entry = entries[index]
            concrete += [step.alias, index]
            node = entry
        else:
            node = node.setdefault(step, {})
            concrete.append(step)
    last = spec.location[-1]
    assert isinstance(last, str)
    node[last] = value
    concrete.append(last)
    return tuple(concrete)


def get_value(dumped: dict[str, Any], spec: FieldSpec) -> Any:
    """The field's value in an object dumped by alias (``model_dump(mode="json",
    by_alias=True)``), or ``None``."""
    if spec.kind is Kind.LAESTAB:
        la, estab = dumped.get("LAId"), dumped.get("EstablishmentId")
        return f"{la}{estab}" if la and estab else None
    node: Any = dumped
    for step in spec.location:
        if node is None:
            return None
        if isinstance(step, Select):
            entries = node.get(step.alias) or []
            node = next((entry for entry in entries if entry.get("Type") == step.type), None)
        else:
            node = node.get(step)
    return node
