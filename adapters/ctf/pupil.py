"""One CTF ``Pupil`` element into SIF objects: the learner and contacts here, the rest in
:mod:`adapters.ctf.sections`.

Every object gets a deterministic RefId from ``ReadContext.refid`` and a key built from the
pupil's UPN (``H801200001001``, ``H801200001001/2`` for the second contact ...), so reading a file
twice gives identical objects. A pupil without a valid UPN, surname, forename, date of birth or
sex is rejected with a Problem naming it and the element; anything else wrong is reported and
left out while the rest of the pupil is kept (see :mod:`adapters.ctf.validation`).
"""

from __future__ import annotations

from collections import Counter
from functools import partial
from typing import Any
from xml.etree.ElementTree import Element

from adapters.ctf import sections
from adapters.ctf.elements import truth
from adapters.ctf.header import CTFHeader
from adapters.ctf.schools import SchoolRegistry
from adapters.ctf.scope import PupilScope, describe, leaves, unique_key
from adapters.ctf.upns import EarlierPupil, UPNFilter
from adapters.ctf.validation import Loc, PathSpec, build, ctf_path
from sif_core.adapter import ReadContext
from sif_core.model import (
    ContactPersonal,
    LearnerContact,
    LearnerPersonal,
    SIFObject,
)
from sif_core.problems import Problem

__all__ = ["PupilReader", "read_address", "read_phones"]

PUPIL_TAGS = frozenset(
    {
        "UPN", "UniqueLearnerNumber", "UCI", "Surname", "Forename", "DOB", "Sex", "Gender",
        "BasicDetails", "LookedAfter", "FSMhistory", "SENhistory", "Address", "Phones", "Email",
        "Contacts", "Attendance", "StageAssessments", "SchoolHistory",
    }
)  # fmt: skip
BASIC_TAGS = frozenset(
    {
        "FormerUPN", "PreferredSurname", "FormerSurname", "PreferredForename", "FormerForename",
        "MiddleNames", "NCyearActual", "Ethnicity", "EthnicitySource", "Languages",
        "MedicalFlag", "EnrolStatus",
    }
)  # fmt: skip
CONTACT_TAGS = frozenset(
    {
        "Order", "Title", "Surname", "Forename", "MiddleNames", "Relationship", "Responsibility",
        "Address", "AddressAsPupil", "Phones", "Email",
    }
)  # fmt: skip
_LOOKED_AFTER_TAGS = frozenset({"InCare", "CareAuthority"})
_ADDRESS_TAGS = frozenset({"BS7666Address", "PostCode", "County"})
_BS7666_TAGS = frozenset(
    {
        "SAON", "PAON", "Street", "Locality", "Town", "PostTown", "AdministrativeArea",
        "County", "PostCode", "UniquePropertyReferenceNumber",
    }
)  # fmt: skip

_ADDRESS_PATHS: PathSpec = {
    "saon": "BS7666Address/SAON",
    "paon": "BS7666Address/PAON",
    "street": "BS7666Address/Street",
    "locality": "BS7666Address/Locality",
    "town": "BS7666Address/Town",
    "county": "County",
    "post_code": "PostCode",
    "uprn": "BS7666Address/UniquePropertyReferenceNumber",
}
_PHONE_PATHS: PathSpec = {"type": "TelephoneType", "number": "PhoneNo"}
_LEARNER_PATHS: PathSpec = {
    "upn": "UPN",
    "uln": "UniqueLearnerNumber",
    "uci": "UCI",
    "former_upns": "BasicDetails/FormerUPN",
    "date_of_birth": "DOB",
    "ethnicity": "BasicDetails/Ethnicity",
    "ethnicity_source": "BasicDetails/EthnicitySource",
    "languages": ("BasicDetails/Languages/Type", {"type": "LanguageType", "code": "Language"}),
    "address": ("Address", _ADDRESS_PATHS),
    "phone_numbers": ("Phones/Phone", _PHONE_PATHS),
    "email": "Email",
    "in_care": "LookedAfter/InCare",
    "care_authority": "LookedAfter/CareAuthority",
    "medical_flag": "BasicDetails/MedicalFlag",
}
#: The elements of each kind of learner name: legal, preferred, former.
_NAME_PATHS: dict[str, dict[str, str]] = {
    "L": {"given_name": "Forename", "family_name": "Surname", "": "Surname"},
    "P": {"given_name": "BasicDetails/PreferredForename", "": "BasicDetails/PreferredSurname"},
    "F": {"given_name": "BasicDetails/FormerForename", "": "BasicDetails/FormerSurname"},
}
_NAME_PATHS["L"]["middle_names"] = "BasicDetails/MiddleNames"
_NAME_PATHS["P"]["family_name"] = _NAME_PATHS["P"][""]
_NAME_PATHS["F"]["family_name"] = _NAME_PATHS["F"][""]
_LEARNER_OPTIONAL = frozenset(
    {
        "uln", "uci", "former_upns", "ethnicity", "ethnicity_source", "languages", "address",
        "phone_numbers", "email", "in_care", "care_authority", "medical_flag",
    }
)  # fmt: skip
_CONTACT_PATHS: PathSpec = {
    "address": ("Address", _ADDRESS_PATHS),
    "phone_numbers": ("Phones/Phone", _PHONE_PATHS),
    "email": "Email",
    "relationship": "Relationship",
    "parental_responsibility": "Responsibility",
    "contact_priority": "Order",
}
_CONTACT_OPTIONAL = frozenset({"address", "phone_numbers", "email"})
_CONTACT_NAME_PATHS = {
    "title": "Title",
    "given_name": "Forename",
    "family_name": "Surname",
    "middle_names": "MiddleNames",
}


def read_address(element: Element | None, scope: PupilScope, path: str) -> dict[str, Any] | None:
    """An ``Address`` element as Address data; ``None`` when it holds no BS7666 address."""
    if element is None:
        return None
    values = leaves(element)
    scope.note_unmapped(f"{path}/", values.keys(), _ADDRESS_TAGS)
    bs = leaves(element.find("BS7666Address"))
    scope.note_unmapped(f"{path}/BS7666Address/", bs.keys(), _BS7666_TAGS)
    data = {
        "saon": bs.get("SAON"),
        "paon": bs.get("PAON"),
        "street": bs.get("Street"),
        "locality": bs.get("Locality"),
        "town": bs.get("Town") or bs.get("PostTown"),
        "county": values.get("County") or bs.get("County") or bs.get("AdministrativeArea"),
        "post_code": values.get("PostCode") or bs.get("PostCode"),
        "uprn": bs.get("UniquePropertyReferenceNumber"),
    }
    return data if any(data.values()) else None


def read_phones(element: Element | None) -> list[dict[str, Any]]:
    """``Phones/Phone`` as PhoneNumber data, numbers as written (spaces kept)."""
    if element is None:
        return []
    phones = []
    for phone in element.findall("Phone"):
        values = leaves(phone)
        phones.append({"type": values.get("TelephoneType"), "number": values.get("PhoneNo")})
    return phones


class PupilReader:
    """Turns ``Pupil`` elements into SIF objects and Problems, one pupil at a time."""

    def __init__(
        self,
        context: ReadContext,
        header: CTFHeader,
        schools: SchoolRegistry,
        *,
        source: str,
        unmapped: Counter[str],
        earlier: EarlierPupil,
    ) -> None:
        """``earlier`` finds an earlier pupil of the file with a UPN (:mod:`adapters.ctf.upns`)."""
        self._context = context
        self._header = header
        self._schools = schools
        self._source = source
        self._unmapped = unmapped
        # A UPN is one pupil's: a second pupil with it would take the first one's RefIds.
        self._upns = UPNFilter()
        self._earlier = earlier

    def read(self, position: int, pupil: Element) -> list[SIFObject | Problem]:
        """Everything one pupil holds: new schools first, then the learner and what refers to it,
        then the pupil's Problems."""
        values = leaves(pupil)
        upn = values.get("UPN")
        surname, forename = values.get("Surname"), values.get("Forename")
        scope = PupilScope(
            position=position,
            upn=upn or "",
            learner_ref="",
            record=describe(position, upn, surname, forename),
            source=self._source,
            context=self._context,
            header=self._header,
            schools=self._schools,
            unmapped=self._unmapped,
        )
        if upn and self._upns.add(upn):
            first = self._earlier(upn, position)
            if first is not None:
                scope.problem(
                    "UPN",
                    f"pupil {first} has the same UPN: a UPN belongs to one pupil, so this one is "
                    "not read; correct the UPN of one of them in the MIS and export the file again",
                )
                return [*scope.problems]
        scope.note_unmapped("", values.keys(), PUPIL_TAGS)
        basic_element = pupil.find("BasicDetails")
        basic = leaves(basic_element)
        learner = self._learner(scope, pupil, values, basic_element, basic)
        if learner is not None:
            scope.objects.append(learner)
            _read_contacts(scope, pupil.find("Contacts"), learner)
            sections.read_sections(scope, pupil, basic)
        return [*scope.new_schools, *scope.objects, *scope.problems]

    def _learner(
        self,
        scope: PupilScope,
        pupil: Element,
        values: dict[str, str | None],
        basic_element: Element | None,
        basic: dict[str, str | None],
    ) -> LearnerPersonal | None:
        upn, dob = values.get("UPN"), values.get("DOB")
        surname, forename = values.get("Surname"), values.get("Forename")
        sex, gender = values.get("Sex"), values.get("Gender")
        sex_path = "Sex" if sex is not None or gender is None else "Gender"
        missing = [
            name
            for name, value in (
                ("UPN", upn),
                ("Surname", surname),
                ("Forename", forename),
                ("DOB", dob),
                (sex_path, sex or gender),
            )
            if not value
        ]
        for name in missing:
            scope.problem(name, "missing: every pupil in a CTF needs one; the pupil is not read")
        if missing:
            return None
        if sex is not None and gender is not None and sex != gender:
            scope.problem(
                "Sex", f"Sex {sex!r} and Gender {gender!r} disagree; the pupil is not read"
            )
            return None
        scope.note_unmapped("BasicDetails/", basic.keys(), BASIC_TAGS)
        looked_after = leaves(pupil.find("LookedAfter"))
        scope.note_unmapped("LookedAfter/", looked_after.keys(), _LOOKED_AFTER_TAGS)
        names = _learner_names(surname, forename, basic)
        scope.learner_ref = self._context.refid(LearnerPersonal, scope.upn)
        former_upns: list[str] = []
        if basic_element is not None and "FormerUPN" in basic:
            former_upns = [
                value.strip()
                for element in basic_element.findall("FormerUPN")
                if (value := element.text) and value.strip()
            ]
        data: dict[str, Any] = {
            "ref_id": scope.learner_ref,
            "upn": upn,
            "uln": values.get("UniqueLearnerNumber"),
            "uci": values.get("UCI"),
            "former_upns": former_upns,
            "names": names,
            "date_of_birth": dob,
            "sex": sex or gender,
            "ethnicity": basic.get("Ethnicity"),
            "ethnicity_source": basic.get("EthnicitySource"),
            "languages": _languages(basic_element),
            "address": read_address(pupil.find("Address"), scope, "Address"),
            "phone_numbers": read_phones(pupil.find("Phones")),
            "email": values.get("Email"),
            "in_care": truth(looked_after.get("InCare")),
            "care_authority": looked_after.get("CareAuthority"),
            "medical_flag": truth(basic.get("MedicalFlag")),
        }
        kinds = [name["type"] for name in names]
        return build(
            LearnerPersonal,
            data,
            partial(_learner_optional, kinds),
            partial(_learner_path, kinds, sex_path),
            scope,
        )


def _learner_path(kinds: list[str], sex_path: str, loc: Loc) -> str:
    if loc and loc[0] == "names" and len(loc) > 1 and isinstance(loc[1], int):
        paths = _NAME_PATHS[kinds[loc[1]]]
        return paths.get(str(loc[2]) if len(loc) > 2 else "", paths[""])
    if loc and loc[0] == "sex":
        return sex_path
    return ctf_path(loc, _LEARNER_PATHS)


def _learner_optional(kinds: list[str], loc: Loc) -> bool:
    if loc[0] == "names":
        return len(loc) > 1 and isinstance(loc[1], int) and kinds[loc[1]] != "L"
    return loc[0] in _LEARNER_OPTIONAL


def _learner_names(
    surname: str | None, forename: str | None, basic: dict[str, str | None]
) -> list[dict[str, Any]]:
    names: list[dict[str, Any]] = [
        {
            "type": "L",
            "given_name": forename,
            "family_name": surname,
            "middle_names": basic.get("MiddleNames"),
        }
    ]
    for kind, prefix in (("P", "Preferred"), ("F", "Former")):
        given, family = basic.get(f"{prefix}Forename"), basic.get(f"{prefix}Surname")
        if given is not None or family is not None:
            names.append({"type": kind, "given_name": given, "family_name": family})
    return names


def _languages(basic: Element | None) -> list[dict[str, Any]]:
    languages = basic.find("Languages") if basic is not None else None
    if languages is None:
        return []
    found = []
    for language in languages.findall("Type"):
        values = leaves(language)
        found.append({"type": values.get("LanguageType"), "code": values.get("Language")})
    return found


def _contact_path(position: int, loc: Loc) -> str:
    prefix = f"Contacts/Contact[{position}]"
    if loc and loc[0] == "names":
        name_field = str(loc[2]) if len(loc) > 2 else "family_name"
        return f"{prefix}/{_CONTACT_NAME_PATHS.get(name_field, 'Surname')}"
    return ctf_path(loc, _CONTACT_PATHS, prefix)


def _contact_optional(loc: Loc) -> bool:
    return loc[0] in _CONTACT_OPTIONAL


def _never_optional(loc: Loc) -> bool:
    return False


def _read_contacts(scope: PupilScope, element: Element | None, learner: LearnerPersonal) -> None:
    if element is None:
        return
    keys: dict[str, int] = {}
    for position, contact_element in enumerate(element.findall("Contact"), start=1):
        values = leaves(contact_element)
        scope.note_unmapped("Contacts/Contact/", values.keys(), CONTACT_TAGS)
        order = values.get("Order")
        if order is None:
            scope.problem(
                f"Contacts/Contact[{position}]/Order",
                f"missing: the contact's position ({position}) is used as its priority",
                warning=True,
            )
            order = str(position)
        key = unique_key(keys, f"{scope.upn}/{order}")
        address: Any = None
        if "Address" in values:
            address = read_address(
                contact_element.find("Address"), scope, "Contacts/Contact/Address"
            )
        if address is None and truth(values.get("AddressAsPupil")) is True:
            address = learner.address
        contact_ref = scope.context.refid(ContactPersonal, key)
        where = partial(_contact_path, position)
        contact = build(
            ContactPersonal,
            {
                "ref_id": contact_ref,
                "names": [
                    {
                        "type": "L",
                        "title": values.get("Title"),
                        "given_name": values.get("Forename"),
                        "family_name": values.get("Surname"),
                        "middle_names": values.get("MiddleNames"),
                    }
                ],
                "address": address,
                "phone_numbers": read_phones(contact_element.find("Phones")),
                "email": values.get("Email"),
            },
            _contact_optional,
            where,
            scope,
        )
        link = build(
            LearnerContact,
            {
                "ref_id": scope.context.refid(LearnerContact, key),
                "learner_personal_ref_id": scope.learner_ref,
                "contact_personal_ref_id": contact_ref,
                "relationship": values.get("Relationship"),
                "parental_responsibility": truth(values.get("Responsibility")),
                "contact_priority": order,
            },
            _never_optional,
            where,
            scope,
        )
        if contact is not None and link is not None:
            scope.objects += (contact, link)
