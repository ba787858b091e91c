"""Name pools for synthetic people: UK names with accents, apostrophes and hyphens.

Names are grouped by heritage so that a pupil's names, languages and ethnicity agree, as they do in
real school data. The pools deliberately carry the characters that break careless software:
Zoë, Siân, Chloé, Seán, O'Brien, D'Souza, Wiśniewska, Mary-Jane, Smith-Jones.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from typing import Final

from sif_core.model import Ethnicity

__all__ = [
    "ETHNICITY_WEIGHTS",
    "HERITAGES",
    "Heritage",
    "ascii_fold",
    "heritage_for",
    "preferred_form",
]


@dataclass(frozen=True)
class Heritage:
    """Given names by sex, family names and the languages (DfE codes, weighted) of one heritage."""

    girls: tuple[str, ...]
    boys: tuple[str, ...]
    family: tuple[str, ...]
    languages: tuple[tuple[str, int], ...] = (("ENG", 1),)


# fmt: off
HERITAGES: Final[dict[str, Heritage]] = {
    "british": Heritage(
        girls=(
            "Olivia", "Amelia", "Isla", "Ava", "Lily", "Freya", "Florence", "Poppy", "Zoë", "Chloé",
            "Siân", "Ffion", "Cerys", "Bethan", "Grace", "Evie", "Mia", "Sophie", "Ellie",
            "Jessica", "Rebecca", "Elizabeth", "Katherine", "Mary-Jane", "Lily-Rose", "Renée",
            "Esmé", "Harriet", "Matilda", "Rosie", "Imogen", "Hannah", "Niamh",
        ),
        boys=(
            "Oliver", "George", "Noah", "Arthur", "Harry", "Leo", "Jack", "Charlie", "Oscar",
            "Alfie", "Thomas", "William", "Samuel", "Benjamin", "Alexander", "Rhys", "Dafydd",
            "Gethin", "Owain", "Joshua", "James", "Daniel", "Freddie", "Archie", "Theo", "Henry",
            "Reuben", "Jamie", "Toby", "Finley", "Edward", "Joe",
        ),
        family=(
            "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
            "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
            "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Jackson", "Wood", "Turner",
            "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "King", "Baker",
            "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Parker",
            "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Cook", "Carter", "Richardson",
            "Bailey", "Collins", "Bell", "Shaw", "Miller", "Cox", "Marshall", "Ellis", "Adams",
            "Wilkinson", "Foster", "Chapman", "Powell", "Webb", "Rogers", "Mason", "Hunt",
            "Matthews", "Owen", "Palmer", "Holmes", "Knight", "Lloyd", "ap Rhys", "Fforde",
            "Lees-Jones", "St John", "O'Brien", "O'Connor",
        ),
    ),
    "irish": Heritage(
        girls=(
            "Niamh", "Aoife", "Siobhán", "Róisín", "Caoimhe", "Saoirse", "Orla", "Ciara",
        ),
        boys=(
            "Seán", "Eoin", "Ciarán", "Oisín", "Cian", "Darragh", "Pádraig", "Conor",
        ),
        family=(
            "O'Brien", "Murphy", "Kelly", "O'Connor", "McCarthy", "Byrne", "Doyle", "O'Sullivan",
            "Ó Briain", "Ní Mhurchú", "Gallagher", "McDonagh", "Quinn", "Ward", "O'Neill",
        ),
    ),
    "european": Heritage(
        girls=(
            "Zofia", "Oliwia", "Maja", "Zuzanna", "Léa", "Chloé", "Anaïs", "Inês", "Beatriz",
            "Ioana", "Elena", "Ana-Maria", "Gabrielė", "Emilia",
        ),
        boys=(
            "Jakub", "Kacper", "Szymon", "Filip", "Luca", "Mateus", "João", "Andrei", "Matéo",
            "Jonas", "Tomás", "Stanisław", "Dávid", "Jean-Luc",
        ),
        family=(
            "Nowak", "Kowalczyk", "Wiśniewska", "Wójcik", "Kamiński", "Popescu", "Ionescu",
            "Dubois", "Lefèvre", "Silva", "Gonçalves", "Kazlauskas", "Horváth", "Müller",
        ),
        languages=(("POL", 5), ("POR", 2), ("FRN", 1), ("LIT", 1), ("ENG", 2)),
    ),
    "indian": Heritage(
        girls=(
            "Priya", "Ananya", "Diya", "Aanya", "Saanvi", "Kavya", "Simran", "Harleen",
        ),
        boys=(
            "Arjun", "Aarav", "Rohan", "Ishaan", "Vihaan", "Krish", "Gurpreet", "Jaskaran",
        ),
        family=(
            "Patel", "Sharma", "Singh", "Kaur", "Gupta", "Shah", "Mistry", "Sandhu", "D'Souza",
        ),
        languages=(("GUJ", 3), ("PNJ", 3), ("TAM", 1), ("ENG", 4)),
    ),
    "south_asian_muslim": Heritage(
        girls=(
            "Aisha", "Zainab", "Maryam", "Fatima", "Ayesha", "Zara", "Hafsa", "Inaaya",
        ),
        boys=(
            "Muhammad", "Ibrahim", "Yusuf", "Hamza", "Ayaan", "Zayn", "Abdul-Rahman", "Bilal",
        ),
        family=(
            "Khan", "Hussain", "Ali", "Ahmed", "Begum", "Rahman", "Iqbal", "Akhtar", "Chowdhury",
            "Miah", "Mahmood", "Uddin",
        ),
        languages=(("URD", 4), ("PNJ", 2), ("BNG", 3), ("ENG", 3)),
    ),
    "african": Heritage(
        girls=(
            "Ngozi", "Amara", "Adaeze", "Abena", "Chiamaka", "Fadumo", "Temitope", "Esi",
        ),
        boys=(
            "Chidi", "Kwame", "Tunde", "Kofi", "Ayodele", "Abdirahman", "Olúwaseun", "Emeka",
        ),
        family=(
            "Okafor", "Mensah", "Adeyemi", "Boateng", "Asante", "Osei", "Mohamed", "Nwosu",
            "Adébáyọ̀", "Okonkwo", "Abdi", "Owusu",
        ),
        languages=(("YOR", 2), ("IGB", 1), ("SOM", 2), ("ENG", 5)),
    ),
    "caribbean": Heritage(
        girls=(
            "Aaliyah", "Jada", "Keisha", "Shanice", "Tianna", "Naomi", "Destiny", "Chanel",
        ),
        boys=(
            "Jayden", "Tyrese", "Kai", "Marcus", "Andre", "Jerome", "Malachi", "Dwayne",
        ),
        family=(
            "Campbell", "Williams", "Brown", "Francis", "Grant", "Thompson", "McKenzie", "Richards",
            "Gordon", "Henry",
        ),
    ),
    "chinese": Heritage(
        girls=(
            "Mei", "Xin", "Yan", "Ling", "Hui", "Jia",
        ),
        boys=(
            "Wei", "Jun", "Hao", "Chen", "Yu", "Ming",
        ),
        family=(
            "Chen", "Wang", "Li", "Zhang", "Liu", "Wong", "Chan", "Lam",
        ),
        languages=(("CHI", 5), ("ENG", 3)),
    ),
    "middle_eastern": Heritage(
        girls=(
            "Leyla", "Elif", "Soraya", "Yasmin", "Nour", "Dilan",
        ),
        boys=(
            "Omar", "Darius", "Emre", "Karim", "Yusuf", "Ahmad",
        ),
        family=(
            "Yılmaz", "Hosseini", "Haddad", "Kaya", "Al-Sayed", "Demir", "Rahimi",
        ),
        languages=(("ARA", 3), ("TUR", 2), ("ENG", 2)),
    ),
}
# fmt: on

#: Each ethnicity's heritages for given and family names (a mixed-heritage pupil may take one
#: from each).
_HERITAGE_BY_ETHNICITY: Final[dict[Ethnicity, tuple[str, str]]] = {
    Ethnicity.WBRI: ("british", "british"),
    Ethnicity.WIRI: ("irish", "irish"),
    Ethnicity.WIRT: ("irish", "irish"),
    Ethnicity.WOTH: ("european", "european"),
    Ethnicity.WROM: ("european", "british"),
    Ethnicity.MWBC: ("caribbean", "british"),
    Ethnicity.MWBA: ("british", "african"),
    Ethnicity.MWAS: ("british", "south_asian_muslim"),
    Ethnicity.MOTH: ("european", "caribbean"),
    Ethnicity.AIND: ("indian", "indian"),
    Ethnicity.APKN: ("south_asian_muslim", "south_asian_muslim"),
    Ethnicity.ABAN: ("south_asian_muslim", "south_asian_muslim"),
    Ethnicity.AOTH: ("indian", "south_asian_muslim"),
    Ethnicity.BCRB: ("caribbean", "caribbean"),
    Ethnicity.BAFR: ("african", "african"),
    Ethnicity.BOTH: ("caribbean", "african"),
    Ethnicity.CHNE: ("chinese", "chinese"),
    Ethnicity.OOTH: ("middle_eastern", "middle_eastern"),
    Ethnicity.REFU: ("british", "british"),
    Ethnicity.NOBT: ("british", "european"),
}

#: Roughly the shape of England's school population (per mille).
ETHNICITY_WEIGHTS: Final[dict[Ethnicity, int]] = {
    Ethnicity.WBRI: 620,
    Ethnicity.WIRI: 3,
    Ethnicity.WIRT: 2,
    Ethnicity.WOTH: 70,
    Ethnicity.WROM: 4,
    Ethnicity.MWBC: 15,
    Ethnicity.MWBA: 9,
    Ethnicity.MWAS: 18,
    Ethnicity.MOTH: 20,
    Ethnicity.AIND: 35,
    Ethnicity.APKN: 45,
    Ethnicity.ABAN: 20,
    Ethnicity.AOTH: 20,
    Ethnicity.BCRB: 10,
    Ethnicity.BAFR: 45,
    Ethnicity.BOTH: 6,
    Ethnicity.CHNE: 5,
    Ethnicity.OOTH: 22,
    Ethnicity.REFU: 6,
    Ethnicity.NOBT: 5,
}

_SHORT_FORMS: Final[dict[str, str]] = {
    "Alexander": "Alex",
    "Benjamin": "Ben",
    "Samuel": "Sam",
    "Thomas": "Tom",
    "William": "Will",
    "Elizabeth": "Beth",
    "Katherine": "Kate",
    "Oliver": "Ollie",
    "Jessica": "Jess",
    "Rebecca": "Becky",
    "Muhammad": "Mo",
    "Stanisław": "Staś",
    "Abdul-Rahman": "Abdul",
    "Olúwaseun": "Seun",
}


def heritage_for(ethnicity: Ethnicity, rng: random.Random) -> tuple[Heritage, Heritage]:
    """The heritages for a person's given names and family name."""
    given, family = _HERITAGE_BY_ETHNICITY[ethnicity]
    if given != family and rng.random() < 0.5:
        given, family = family, given
    return HERITAGES[given], HERITAGES[family]


def preferred_form(given_name: str) -> str | None:
    """The usual short form of a given name, if it has one (``Alexander`` -> ``Alex``)."""
    return _SHORT_FORMS.get(given_name)


def ascii_fold(text: str) -> str:
    """Lower-case ASCII for e-mail local parts: accents dropped, spaces and apostrophes removed."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(
        char for char in decomposed if char.isascii() and (char.isalnum() or char == "-")
    )
    return kept.lower()
