"""The zone file (TOML): the server's settings, its zones, parties, rights and profiles.

:func:`load_zone_file` reads and validates it; every mistake is reported at once, each with the
line it is on. Past this module the zone works with the typed :class:`ZoneFile`.
"""

from __future__ import annotations

import re
import tomllib
import types
import typing
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Final, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from sif_core.model import OBJECT_TYPES, XML_ATTRIBUTE, XML_TEXT, SIFPart
from sif_core.tabular.tomlpos import toml_positions
from zone_server.errors import ConfigProblem, ZoneFileError
from zone_server.tokens import TokenHash, parse_token_hash

__all__ = [
    "ALL_TYPES",
    "PartyKind",
    "PartySettings",
    "ProfileSettings",
    "Right",
    "ScopeSettings",
    "ServerSettings",
    "ZoneFile",
    "ZoneSettings",
    "load_zone_file",
    "parse_zone_file",
    "resolve_field_path",
]

#: The rights key that applies to every object type (and the only place ``admin`` may go).
ALL_TYPES: Final = "*"


class _Shape:
    """An ``AfterValidator`` check that a string has a shape, with a message a person can act on."""

    def __init__(self, pattern: str, description: str) -> None:
        self._pattern = re.compile(pattern)
        self._description = description

    def __call__(self, value: str) -> str:
        if not self._pattern.match(value):
            raise ValueError(f"{value!r} is not {self._description}")
        return value


def _check_token_hash(value: str) -> str:
    parse_token_hash(value)
    return value


Identifier = Annotated[
    str,
    AfterValidator(
        _Shape(r"^[a-z0-9][a-z0-9\-]{0,62}$", "an id (lower-case letters, digits, hyphens)")
    ),
]
LANumber = Annotated[str, AfterValidator(_Shape(r"^[0-9]{3}$", "an LA number (3 digits)"))]
EstablishmentNumber = Annotated[
    str, AfterValidator(_Shape(r"^[0-9]{4}$", "an establishment number (4 digits)"))
]
LAEstab = Annotated[
    str, AfterValidator(_Shape(r"^[0-9]{7}$", "an LA and establishment number (7 digits)"))
]
TokenHashText = Annotated[str, AfterValidator(_check_token_hash)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Right(StrEnum):
    """What a party may do with an object type (SIF 3's rights, plus ``approve``)."""

    PROVIDE = "provide"
    SUBSCRIBE = "subscribe"
    QUERY = "query"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    APPROVE = "approve"
    ADMIN = "admin"


class PartyKind(StrEnum):
    """What sort of organisation a party is; it decides the party's default scope."""

    SCHOOL = "school"
    LA = "la"
    DFE = "dfe"
    SERVICE = "service"
    APP = "app"


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServerSettings(_Settings):
    """``[server]``: storage, limits and timings."""

    #: ``sqlite:PATH`` (relative to the zone file's folder) or another registered backend's URL.
    storage: str = "sqlite:zone.db"
    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, le=1024 * 1024 * 1024)
    lease_seconds: float = Field(default=60.0, gt=0, le=86400)
    max_wait_seconds: float = Field(default=30.0, ge=0, le=300)
    hmac_max_age_seconds: int = Field(default=300, ge=1, le=3600)
    default_page_size: int = Field(default=100, ge=1, le=1000)
    #: Changes to one field of a dual-registered learner by both schools within this many
    #: seconds of each other are flagged for review instead of passed on.
    dual_registration_window_seconds: float = Field(default=86400.0, ge=0, le=30 * 86400)
    #: A publish's Idempotency-Key is remembered this many days: a retry within them is
    #: answered from memory; older keys are forgotten (and may be used again).
    idempotency_days: float = Field(default=30.0, gt=0, le=3650)


class ZoneSettings(_Settings):
    """``[[zones]]``: one zone (a SIF 3 zone: a set of parties that exchange data)."""

    id: Identifier
    name: Label


class ScopeSettings(_Settings):
    """Which learners a service or app party may see: ``all``, or some LAs and schools."""

    all: bool = False
    las: list[LANumber] = Field(default_factory=list)
    schools: list[LAEstab] = Field(default_factory=list)


class ProfileSettings(_Settings):
    """``[profiles.NAME]``: fields a party with this profile never receives.

    ``remove`` lists, per object type, the wire names of fields taken out (``Ethnicity``,
    ``Address.UPRN``); ``keep`` lists the only fields left in (RefId always stays). An object
    type can appear in one of the two, not both.
    """

    description: Label | None = None
    remove: dict[str, list[str]] = Field(default_factory=dict)
    keep: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("remove", "keep")
    @classmethod
    def _fields_exist(cls, rule: dict[str, list[str]]) -> dict[str, list[str]]:
        for object_type, paths in rule.items():
            model = OBJECT_TYPES.get(object_type)
            if model is None:
                raise ValueError(_unknown_type(object_type))
            for path in paths:
                resolve_field_path(model, path)
        return rule

    @model_validator(mode="after")
    def _not_both(self) -> Self:
        both = sorted(set(self.remove) & set(self.keep))
        if both:
            raise ValueError(f"{', '.join(both)} appears in both remove and keep; choose one")
        return self


class PartySettings(_Settings):
    """``[[parties]]``: a school, LA, the DfE, a service or an app, with its token and rights."""

    id: Identifier
    name: Label
    kind: PartyKind
    #: The zones this party belongs to; all of the file's zones when left out.
    zones: list[Identifier] | None = None
    la: LANumber | None = None
    establishment: EstablishmentNumber | None = None
    token_hash: TokenHashText
    profile: Identifier | None = None
    scope: ScopeSettings | None = None
    rights: dict[str, list[Right]] = Field(default_factory=dict)
    services: dict[Identifier, list[Right]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.kind is PartyKind.SCHOOL and (self.la is None or self.establishment is None):
            raise ValueError("a school needs its la (3 digits) and establishment (4 digits)")
        if self.kind is PartyKind.LA and (self.la is None or self.establishment is not None):
            raise ValueError("an la party needs la (its 3-digit number) and no establishment")
        if self.kind not in (PartyKind.SCHOOL, PartyKind.LA) and self.la is not None:
            raise ValueError(f"a {self.kind} party has no la; give it a scope instead")
        if self.scope is not None and self.kind not in (PartyKind.SERVICE, PartyKind.APP):
            raise ValueError(f"a {self.kind} party's scope follows from its kind; remove scope")
        for object_type, rights in self.rights.items():
            if object_type != ALL_TYPES and object_type not in OBJECT_TYPES:
                raise ValueError(_unknown_type(object_type))
            if Right.ADMIN in rights and object_type != ALL_TYPES:
                raise ValueError('admin is a zone-wide right: list it under "*"')
        for service, rights in self.services.items():
            extra = set(rights) - {Right.PROVIDE, Right.CREATE}
            if extra:
                raise ValueError(
                    f"service {service}: only provide and create apply to a service, "
                    f"not {', '.join(sorted(extra))}"
                )
        return self

    @property
    def token(self) -> TokenHash:
        """The parsed token hash."""
        return parse_token_hash(self.token_hash)

    @property
    def laestab(self) -> str | None:
        """A school's 7-digit LA and establishment number."""
        if self.la is None or self.establishment is None:
            return None
        return self.la + self.establishment


class ZoneFile(_Settings):
    """The whole zone file, validated; ``base_dir`` is the folder it was read from."""

    server: ServerSettings = Field(default_factory=ServerSettings)
    zones: list[ZoneSettings] = Field(min_length=1)
    profiles: dict[Identifier, ProfileSettings] = Field(default_factory=dict)
    parties: list[PartySettings] = Field(default_factory=list)
    base_dir: Path = Field(default=Path(), exclude=True)

    @model_validator(mode="after")
    def _references_resolve(self) -> Self:
        zone_ids = [zone.id for zone in self.zones]
        _no_duplicates("zone id", zone_ids)
        _no_duplicates("party id", [party.id for party in self.parties])
        _no_duplicates(
            "token_hash (two parties share a token)", [p.token_hash for p in self.parties]
        )
        providers: dict[tuple[str, str], str] = {}
        for party in self.parties:
            for zone in party.zones or ():
                if zone not in zone_ids:
                    raise ValueError(f"party {party.id}: zone {zone!r} is not in [[zones]]")
            if party.profile is not None and party.profile not in self.profiles:
                raise ValueError(f"party {party.id}: profile {party.profile!r} is not defined")
            for service, rights in party.services.items():
                if Right.PROVIDE not in rights:
                    continue
                for zone in party.zones or zone_ids:
                    other = providers.setdefault((zone, service), party.id)
                    if other != party.id:
                        raise ValueError(
                            f"service {service!r} in zone {zone} is provided by both {other} "
                            f"and {party.id}; one provider per service"
                        )
        return self

    def party(self, party_id: str) -> PartySettings | None:
        """The party with this id, or ``None``."""
        return next((party for party in self.parties if party.id == party_id), None)

    def zone(self, zone_id: str) -> ZoneSettings | None:
        """The zone with this id, or ``None``."""
        return next((zone for zone in self.zones if zone.id == zone_id), None)

    def storage_url(self) -> str:
        """The storage URL, with a relative SQLite path made absolute against ``base_dir``."""
        scheme, _, rest = self.server.storage.partition(":")
        if scheme == "sqlite" and not rest.startswith("/") and rest != ":memory:":
            return f"sqlite:{(self.base_dir / rest).resolve()}"
        return self.server.storage


def resolve_field_path(model: type[SIFPart], path: str) -> tuple[str, ...]:
    """Turn a wire path (``Address.UPRN``) into Goessner keys (``("Address", "UPRN")``).

    Attributes become ``@Name`` and element text ``#text``. ``ValueError`` names the unknown part.
    """
    keys: list[str] = []
    current: type[SIFPart] | None = model
    for part in path.split("."):
        if current is None:
            raise ValueError(f"{path}: {keys[-1]} has no parts to remove")
        field = _field_by_alias(current, part)
        if field is None:
            known = ", ".join(sorted(_aliases(current)))
            raise ValueError(f"{current.__name__} has no field {part!r} (it has {known})")
        if part == "RefId":
            raise ValueError("RefId is never removed: every object keeps its RefId")
        if XML_ATTRIBUTE in field.metadata:
            keys.append("@" + part)
        elif XML_TEXT in field.metadata:
            keys.append("#text")
        else:
            keys.append(part)
        current = _part_model(field.annotation)
    return tuple(keys)


def _aliases(model: type[SIFPart]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _field_by_alias(model: type[SIFPart], alias: str) -> Any:
    return next((f for name, f in model.model_fields.items() if (f.alias or name) == alias), None)


def _part_model(annotation: Any) -> type[SIFPart] | None:
    if isinstance(annotation, type) and issubclass(annotation, SIFPart):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        for arg in typing.get_args(annotation):
            found = _part_model(arg)
            if found is not None:
                return found
    return None


def _unknown_type(name: str) -> str:
    return f'unknown object type {name!r}; known: {", ".join(OBJECT_TYPES)} or "*"'


def _no_duplicates(what: str, values: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate {what}: {value}")
        seen.add(value)


_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def parse_zone_file(text: str, *, source: str = "<zone file>", base_dir: Path = Path()) -> ZoneFile:
    """Validate the text of a zone file; :class:`ZoneFileError` lists every problem by line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        position = _TOML_POSITION.search(str(error))
        line = int(position.group(1)) if position else None
        message = _TOML_POSITION.sub("", str(error)).strip()
        raise ZoneFileError(
            source, [ConfigProblem(line, "", f"not valid TOML: {message}")]
        ) from None
    try:
        return ZoneFile.model_validate({**data, "base_dir": base_dir})
    except ValidationError as error:
        positions = toml_positions(text)
        problems = []
        for detail in error.errors(include_url=False):
            location = tuple(detail["loc"])
            message = detail["msg"].removeprefix("Value error, ")
            found = positions.key(location)
            line = found.line if found is not None else None
            problems.append(ConfigProblem(line, _dotted(location), message))
        raise ZoneFileError(source, problems) from None


def load_zone_file(path: Path) -> ZoneFile:
    """Read and validate the zone file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        reason = error.strerror or str(error)
        raise ZoneFileError(
            str(path), [ConfigProblem(None, "", f"cannot read it: {reason}")]
        ) from None
    except UnicodeDecodeError:
        raise ZoneFileError(str(path), [ConfigProblem(None, "", "is not UTF-8 text")]) from None
    return parse_zone_file(text, source=str(path), base_dir=path.resolve().parent)


def _dotted(location: tuple[str | int, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
