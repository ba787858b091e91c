"""Places for synthetic schools: local authorities, towns, streets, postcodes and phone numbers.

LA numbers and names are the real English ones so that UPNs and LAESTABs look right; everything
below that (schools, streets, house numbers, UPRNs) is invented. Telephone numbers come from the
ranges Ofcom reserves for drama, so a synthetic number can never ring a real person, and e-mail
addresses use the reserved ``example`` domains.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

__all__ = [
    "LOCAL_AUTHORITIES",
    "MOBILE_PREFIX",
    "LocalAuthority",
    "house_address",
    "mobile_number",
    "postcode",
    "school_name",
]


@dataclass(frozen=True)
class LocalAuthority:
    """A real English LA with the towns, postcode areas and dialling prefix used for its data."""

    number: str
    name: str
    towns: tuple[str, ...]
    postcode_areas: tuple[str, ...]
    #: A drama-reserved landline prefix: seven or eight digits with spaces, three more follow.
    phone_prefix: str = "01632 960"
    county: str | None = None


# fmt: off
LOCAL_AUTHORITIES: Final[tuple[LocalAuthority, ...]] = (
    LocalAuthority("801", "Bristol, City of", ("Bristol",), ("BS",), "0117 496 0"),
    LocalAuthority("330", "Birmingham", ("Birmingham", "Sutton Coldfield"), ("B",), "0121 496 0"),
    LocalAuthority("383", "Leeds", ("Leeds", "Morley", "Otley"), ("LS",), "0113 496 0"),
    LocalAuthority("352", "Manchester", ("Manchester",), ("M",), "0161 496 0"),
    LocalAuthority("373", "Sheffield", ("Sheffield",), ("S",), "0114 496 0"),
    LocalAuthority("892", "Nottingham", ("Nottingham",), ("NG",), "0115 496 0"),
    LocalAuthority("856", "Leicester", ("Leicester",), ("LE",), "0116 496 0"),
    LocalAuthority("341", "Liverpool", ("Liverpool",), ("L",), "0151 496 0"),
    LocalAuthority("391", "Newcastle upon Tyne", ("Newcastle upon Tyne",), ("NE",), "0191 498 0"),
    LocalAuthority("202", "Camden", ("London",), ("NW", "WC"), "020 7946 0"),
    LocalAuthority("204", "Hackney", ("London",), ("E", "N"), "020 7946 0"),
    LocalAuthority("208", "Lambeth", ("London",), ("SE", "SW"), "020 7946 0"),
    LocalAuthority("210", "Southwark", ("London",), ("SE",), "020 7946 0"),
    LocalAuthority("331", "Coventry", ("Coventry",), ("CV",)),
    LocalAuthority("380", "Bradford", ("Bradford", "Keighley", "Ilkley"), ("BD",)),
    LocalAuthority("390", "Gateshead", ("Gateshead",), ("NE",)),
    LocalAuthority("800", "Bath and North East Somerset", ("Bath", "Keynsham"), ("BA",)),
    LocalAuthority(
        "802", "North Somerset",
        ("Weston-super-Mare", "Clevedon"), ("BS",), county="Somerset",
    ),
    LocalAuthority("821", "Luton", ("Luton",), ("LU",)),
    LocalAuthority("826", "Milton Keynes", ("Milton Keynes", "Newport Pagnell"), ("MK",)),
    LocalAuthority(
        "830", "Derbyshire",
        ("Chesterfield", "Buxton", "Matlock"), ("S", "DE", "SK"), county="Derbyshire",
    ),
    LocalAuthority("831", "Derby", ("Derby",), ("DE",)),
    LocalAuthority(
        "840", "County Durham",
        ("Durham", "Consett", "Seaham"), ("DH", "DL"), county="Durham",
    ),
    LocalAuthority(
        "845", "East Sussex",
        ("Eastbourne", "Hastings", "Lewes"), ("BN", "TN"), county="East Sussex",
    ),
    LocalAuthority(
        "850", "Hampshire",
        ("Winchester", "Basingstoke", "Andover"), ("SO", "RG", "SP"), county="Hampshire",
    ),
    LocalAuthority("852", "Southampton", ("Southampton",), ("SO",)),
    LocalAuthority(
        "855", "Leicestershire",
        ("Loughborough", "Hinckley", "Melton Mowbray"), ("LE",), county="Leicestershire",
    ),
    LocalAuthority(
        "873", "Cambridgeshire",
        ("Cambridge", "Ely", "St Neots"), ("CB", "PE"), county="Cambridgeshire",
    ),
    LocalAuthority("874", "Peterborough", ("Peterborough",), ("PE",)),
    LocalAuthority("878", "Devon", ("Exeter", "Barnstaple", "Tiverton"), ("EX",), county="Devon"),
    LocalAuthority("879", "Plymouth", ("Plymouth",), ("PL",)),
    LocalAuthority(
        "881", "Essex",
        ("Chelmsford", "Colchester", "Harlow"), ("CM", "CO"), county="Essex",
    ),
    LocalAuthority(
        "886", "Kent",
        ("Maidstone", "Canterbury", "Ashford"), ("ME", "CT", "TN"), county="Kent",
    ),
    LocalAuthority(
        "888", "Lancashire",
        ("Preston", "Lancaster", "Burnley"), ("PR", "LA", "BB"), county="Lancashire",
    ),
    LocalAuthority(
        "891", "Nottinghamshire",
        ("Mansfield", "Newark-on-Trent", "Worksop"), ("NG", "S"), county="Nottinghamshire",
    ),
    LocalAuthority(
        "908", "Cornwall",
        ("Truro", "Penzance", "St Austell"), ("TR", "PL"), county="Cornwall",
    ),
    LocalAuthority(
        "916", "Gloucestershire",
        ("Gloucester", "Cheltenham", "Stroud"), ("GL",), county="Gloucestershire",
    ),
    LocalAuthority(
        "919", "Hertfordshire",
        ("St Albans", "Watford", "Hitchin"), ("AL", "WD", "SG"), county="Hertfordshire",
    ),
    LocalAuthority(
        "925", "Lincolnshire",
        ("Lincoln", "Boston", "Grantham"), ("LN", "PE", "NG"), county="Lincolnshire",
    ),
    LocalAuthority(
        "926", "Norfolk",
        ("Norwich", "King's Lynn", "Great Yarmouth"), ("NR", "PE"), county="Norfolk",
    ),
    LocalAuthority(
        "931", "Oxfordshire",
        ("Oxford", "Banbury", "Abingdon"), ("OX",), county="Oxfordshire",
    ),
    LocalAuthority(
        "935", "Suffolk",
        ("Ipswich", "Bury St Edmunds", "Lowestoft"), ("IP", "NR"), county="Suffolk",
    ),
    LocalAuthority(
        "936", "Surrey",
        ("Guildford", "Woking", "Epsom"), ("GU", "KT"), county="Surrey",
    ),
    LocalAuthority(
        "937", "Warwickshire",
        ("Warwick", "Nuneaton", "Rugby"), ("CV",), county="Warwickshire",
    ),
    LocalAuthority(
        "938", "West Sussex",
        ("Chichester", "Crawley", "Worthing"), ("PO", "RH", "BN"), county="West Sussex",
    ),
)
# fmt: on

#: Ofcom's drama range for mobiles: 07700 900000 to 07700 900999.
MOBILE_PREFIX: Final = "07700 900"

_STREETS: Final = (
    "High Street", "Church Road", "Station Road", "Victoria Road", "Park Avenue", "Mill Lane",
    "Queen's Road", "King Street", "Manor Road", "Grange Road", "New Road", "Green Lane",
    "Albert Road", "London Road", "The Crescent", "Chapel Street", "Orchard Close", "Beech Grove",
    "St John's Road", "Windsor Avenue", "Springfield Road", "Westfield Drive", "Cherry Tree Walk",
    "Meadow View", "School Lane", "North Street", "Brook Street", "Elm Close", "Ashfield Way",
    "Coronation Street", "Priory Road", "Castle Hill", "Bridge Street", "Hawthorn Rise",
    "Willow Court", "Nelson Terrace", "Sandringham Gardens", "Laburnum Grove", "D'Arcy Place",
)  # fmt: skip
_BUILDINGS: Final = (
    "Kingfisher House", "Riverside Court", "Alder Lodge", "Mayfield House", "Heron Court",
    "Jubilee House", "Cedar Point", "Marlowe House", "Foundry Wharf", "Bellevue Mansions",
)  # fmt: skip
_LONDON_AREAS: Final = frozenset({"E", "N", "NW", "SE", "SW", "W", "WC"})
_POSTCODE_UNIT_LETTERS: Final = "ABDEFGHJLNPQRSTUWXYZ"  # C, I, K, M, O and V are never used

_SCHOOL_STEMS: Final = (
    "Oakfield", "Hillside", "Greenfields", "Westbrook", "Holywell", "Ashgrove", "Kingsmead",
    "Meadowbank", "Beechwood", "Fairfield", "Hollybrook", "Brookside", "Millbrook", "Redhill",
    "Elmhurst", "Parkside", "Southmead", "Northfield", "Thornbury", "Larkrise", "Heathfield",
    "Woodlands", "Castle View", "Riverside", "Moorland", "Sandhurst", "Stonebridge", "Fernhill",
    "Willowdown", "Highgate", "Bishop's Park", "Rowan Tree", "Cliftonwood", "Lime Hills",
)  # fmt: skip
_SAINTS: Final = (
    "St Mary's", "St Aidan's", "St Bede's", "St Chad's", "St Hilda's", "St Joseph's", "St Teresa's",
    "St Nicholas", "St Peter's", "Holy Trinity", "Our Lady of Lourdes",
)  # fmt: skip
#: (name ending, school type) by phase.
_KINDS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "PS": (
        ("Primary School", "Community school"),
        ("Community Primary School", "Community school"),
        ("Primary Academy", "Academy converter"),
        ("Infant and Junior School", "Foundation school"),
    ),
    "SS": (
        ("Academy", "Academy sponsor led"),
        ("High School", "Community school"),
        ("School", "Academy converter"),
        ("Community College", "Foundation school"),
    ),
    "AT": (("All-Through School", "Academy sponsor led"),),
    "SP": (("Special School", "Community special school"), ("School", "Academy special converter")),
    "PR": (
        ("Pupil Referral Unit", "Pupil referral unit"),
        ("Learning Centre", "Pupil referral unit"),
    ),
}
_FAITH_KINDS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "PS": (
        ("C of E Primary School", "Voluntary aided school"),
        ("Catholic Primary School", "Voluntary aided school"),
    ),
    "SS": (
        ("Catholic High School", "Voluntary aided school"),
        ("C of E Academy", "Academy converter"),
    ),
}


def school_name(rng: random.Random, phase: str, used_stems: set[str]) -> tuple[str, str]:
    """A school name and school type for ``phase`` (a SchoolPhase value).

    ``used_stems`` holds the stems ("Oakfield", "St Mary's") already taken in the LA; a new school
    takes a free one while any is left.
    """
    faith = phase in _FAITH_KINDS and rng.random() < 0.2
    pool = _SAINTS if faith else _SCHOOL_STEMS
    stem = rng.choice([stem for stem in pool if stem not in used_stems] or list(pool))
    used_stems.add(stem)
    kind, school_type = rng.choice((_FAITH_KINDS if faith else _KINDS)[phase])
    return f"{stem} {kind}", school_type


def postcode(rng: random.Random, la: LocalAuthority) -> str:
    """A real-looking postcode in one of the LA's postcode areas (``BS16 4QZ``)."""
    area = rng.choice(la.postcode_areas)
    if area == "WC":
        return f"WC{rng.randint(1, 2)}{rng.choice('ABEHNRVX')} {rng.randint(1, 9)}{_unit(rng)}"
    district = rng.randint(1, 18 if area in _LONDON_AREAS else 30)
    sector = rng.randint(0, 9)
    return f"{area}{district} {sector}{_unit(rng)}"


def _unit(rng: random.Random) -> str:
    return "".join(rng.choice(_POSTCODE_UNIT_LETTERS) for _ in range(2))


def house_address(rng: random.Random, la: LocalAuthority) -> dict[str, str | None]:
    """Fields of a BS7666-style address in the LA, as keyword arguments for ``Address``.

    One in eight is a flat in a named building (SAON + PAON); every address has a UPRN.
    """
    fields: dict[str, str | None] = {
        "street": rng.choice(_STREETS),
        "town": rng.choice(la.towns),
        "county": la.county,
        "post_code": postcode(rng, la),
        "uprn": str(rng.randint(10_000_000, 200_099_999_999)),
    }
    if rng.random() < 0.125:
        fields["saon"] = f"Flat {rng.randint(1, 40)}"
        fields["paon"] = rng.choice(_BUILDINGS)
    else:
        number = rng.randint(1, 180)
        fields["paon"] = f"{number}{'A' if rng.random() < 0.03 else ''}"
    return fields


def mobile_number(rng: random.Random) -> str:
    """A mobile number in Ofcom's drama range."""
    return f"{MOBILE_PREFIX}{rng.randint(0, 999):03d}"
