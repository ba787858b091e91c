"""Synthetic households: the family name, address, languages and contacts siblings share.

A household is generated from its own seeded stream, so two siblings, generated independently and
in either order, always agree on their parents, address and ethnicity.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sif_core.model import (
    Address,
    ContactRelationship,
    Ethnicity,
    Language,
    Name,
    NameType,
    PhoneNumber,
    PhoneType,
)
from sif_core.testing.names import (
    ETHNICITY_WEIGHTS,
    HERITAGES,
    Heritage,
    ascii_fold,
    heritage_for,
)
from sif_core.testing.places import LocalAuthority, house_address, mobile_number

__all__ = ["Contact", "Household", "household"]

_EMAIL_DOMAINS = ("example.com", "example.org", "example.net")


@dataclass(frozen=True)
class Contact:
    """A parent, carer or other contact of the pupils of one household."""

    key: str
    name: Name
    relationship: ContactRelationship
    parental_responsibility: bool
    lives_with: bool
    emergency_contact: bool
    address: Address | None
    phones: tuple[PhoneNumber, ...]
    email: str | None


@dataclass(frozen=True)
class Household:
    """What the pupils of one family have in common."""

    key: str
    ethnicity: Ethnicity
    given_heritage: Heritage
    family_name: str
    address: Address
    languages: tuple[Language, ...]
    contacts: tuple[Contact, ...]
    low_income: bool
    in_care: bool


def _weighted(rng: random.Random, weights: dict[Ethnicity, int]) -> Ethnicity:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _pick_language(rng: random.Random, heritage: Heritage) -> str:
    codes = [code for code, _ in heritage.languages]
    return rng.choices(codes, weights=[weight for _, weight in heritage.languages])[0]


class _ContactMaker:
    def __init__(self, rng: random.Random, la: LocalAuthority, home: Address) -> None:
        self.rng = rng
        self.la = la
        self.home = home
        self.made: list[Contact] = []

    def add(
        self,
        relationship: ContactRelationship,
        *,
        female: bool,
        heritage: Heritage,
        family_name: str,
        responsibility: bool,
        lives_with: bool,
    ) -> None:
        rng = self.rng
        given = rng.choice(heritage.girls if female else heritage.boys)
        if relationship is ContactRelationship.SOCIAL_WORKER:
            title = "Mx" if rng.random() < 0.05 else ("Ms" if female else "Mr")
        elif female:
            title = rng.choice(("Mrs", "Ms", "Miss", "Mrs", "Dr"))
        else:
            title = "Dr" if rng.random() < 0.03 else "Mr"
        name = Name(type=NameType.LEGAL, title=title, given_name=given, family_name=family_name)
        phones = [PhoneNumber(type=PhoneType.MOBILE, number=mobile_number(rng))]
        if lives_with and not self.made and rng.random() < 0.4:
            phones.append(PhoneNumber(type=PhoneType.HOME, number=self._landline()))
        if relationship is ContactRelationship.SOCIAL_WORKER or rng.random() < 0.15:
            phones.append(PhoneNumber(type=PhoneType.WORK, number=self._landline()))
        email = None
        if rng.random() < 0.8:
            number = str(rng.randint(1, 99)) if rng.random() < 0.4 else ""
            local = f"{ascii_fold(given)}.{ascii_fold(family_name)}{number}"
            email = f"{local}@{rng.choice(_EMAIL_DOMAINS)}"
        address: Address | None = self.home
        if relationship is ContactRelationship.SOCIAL_WORKER:
            address = None
        elif not lives_with:
            address = Address(**house_address(rng, self.la))
        self.made.append(
            Contact(
                key=str(len(self.made) + 1),
                name=name,
                relationship=relationship,
                parental_responsibility=responsibility,
                lives_with=lives_with,
                emergency_contact=relationship is not ContactRelationship.SOCIAL_WORKER,
                address=address,
                phones=tuple(phones),
                email=email,
            )
        )

    def _landline(self) -> str:
        return f"{self.la.phone_prefix}{self.rng.randint(0, 999):03d}"


def household(
    rng: random.Random, key: str, la: LocalAuthority, *, may_be_in_care: bool
) -> Household:
    """A household in ``la``, drawn from ``rng`` (which should be seeded by the household's key).

    Only a household of one pupil ``may_be_in_care``: a looked-after child's contacts are a foster
    carer and a social worker, neither with parental responsibility.
    """
    ethnicity = _weighted(rng, ETHNICITY_WEIGHTS)
    given_heritage, family_heritage = heritage_for(ethnicity, rng)
    home = Address(**house_address(rng, la))
    first_language = _pick_language(rng, given_heritage)
    languages = [Language(type="F", code=first_language)]
    if first_language != "ENG" and rng.random() < 0.6:
        languages.append(Language(type="H", code=first_language))
    in_care = may_be_in_care and rng.random() < 0.008
    maker = _ContactMaker(rng, la, home)
    father_name = rng.choice(family_heritage.family)
    mother_name = father_name if rng.random() < 0.7 else rng.choice(given_heritage.family)
    family_name = father_name
    if in_care:
        carer = HERITAGES["british"]
        maker.add(
            ContactRelationship.FOSTER_CARER,
            female=rng.random() < 0.7,
            heritage=carer,
            family_name=rng.choice(carer.family),
            responsibility=False,
            lives_with=True,
        )
        maker.add(
            ContactRelationship.SOCIAL_WORKER,
            female=rng.random() < 0.8,
            heritage=carer,
            family_name=rng.choice(carer.family),
            responsibility=False,
            lives_with=False,
        )
    else:
        family_name = _add_family(rng, maker, given_heritage, father_name, mother_name)
    return Household(
        key=key,
        ethnicity=ethnicity,
        given_heritage=given_heritage,
        family_name=family_name,
        address=home,
        languages=tuple(languages),
        contacts=tuple(maker.made[:3]),
        low_income=rng.random() < 0.2,
        in_care=in_care,
    )


def _add_family(
    rng: random.Random, maker: _ContactMaker, heritage: Heritage, father: str, mother: str
) -> str:
    """Add the parents and carers of a family; return the children's family name."""
    shape = rng.random()
    rel = ContactRelationship
    if shape < 0.5:
        maker.add(
            rel.MOTHER,
            female=True,
            heritage=heritage,
            family_name=mother,
            responsibility=True,
            lives_with=True,
        )
        maker.add(
            rel.FATHER,
            female=False,
            heritage=heritage,
            family_name=father,
            responsibility=True,
            lives_with=rng.random() < 0.85,
        )
        if mother != father and " " not in mother + father and rng.random() < 0.3:
            return f"{father}-{mother}"
        return father
    if shape < 0.82:
        lone_mother = shape < 0.75
        parent = mother if lone_mother else father
        maker.add(
            rel.MOTHER if lone_mother else rel.FATHER,
            female=lone_mother,
            heritage=heritage,
            family_name=parent,
            responsibility=True,
            lives_with=True,
        )
        if rng.random() < 0.5:
            maker.add(
                rel.FAMILY_MEMBER,
                female=rng.random() < 0.6,
                heritage=heritage,
                family_name=parent,
                responsibility=False,
                lives_with=False,
            )
        return parent
    if shape < 0.9:
        maker.add(
            rel.MOTHER,
            female=True,
            heritage=heritage,
            family_name=mother,
            responsibility=True,
            lives_with=True,
        )
        maker.add(
            rel.STEP_PARENT,
            female=False,
            heritage=heritage,
            family_name=rng.choice(heritage.family),
            responsibility=False,
            lives_with=True,
        )
        maker.add(
            rel.FATHER,
            female=False,
            heritage=heritage,
            family_name=father,
            responsibility=True,
            lives_with=False,
        )
        return father
    if shape < 0.94:
        female = rng.random() < 0.5
        for _ in range(2):
            maker.add(
                rel.PARENT,
                female=female,
                heritage=heritage,
                family_name=father,
                responsibility=True,
                lives_with=True,
            )
        return father
    maker.add(
        rel.CARER,
        female=rng.random() < 0.7,
        heritage=heritage,
        family_name=mother,
        responsibility=True,
        lives_with=True,
    )
    maker.add(
        rel.FAMILY_MEMBER,
        female=rng.random() < 0.5,
        heritage=heritage,
        family_name=mother,
        responsibility=False,
        lives_with=False,
    )
    return mother
