"""Who may do what to which object type, which learners they reach, and which fields they see.

Three questions, answered from the zone file alone:

- **rights**: a party holds rights per object type (``provide``, ``subscribe``, ``query``,
  ``create``, ``update``, ``delete``, ``approve``) and zone-wide (``admin``). Publishing an
  ``add``, ``change`` or ``delete`` event needs ``create``, ``update`` or ``delete``; ``provide``
  (the system of record) implies all three.
- **scope** (:class:`~zone_server.scope.Scope`): a school reaches its own learners, an LA its own
  schools', the DfE everything, a service or app what its ``scope`` names.
- **profile**: fields removed before anything leaves the zone for that party.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from sif_core.model import OBJECT_TYPES
from zone_server.config import (
    ALL_TYPES,
    PartyKind,
    PartySettings,
    ProfileSettings,
    Right,
    ZoneFile,
    resolve_field_path,
)
from zone_server.scope import Scope
from zone_server.tokens import TokenHash

__all__ = [
    "DIRECTORY_TYPES",
    "EVENT_RIGHTS",
    "AccessPolicy",
    "Forbidden",
    "Party",
    "Profile",
]

#: Object types that describe organisations, not people: every party with the right sees all of
#: them, and reading them is not audited.
DIRECTORY_TYPES: Final = frozenset({"LAInfo", "SchoolInfo"})

#: The right an event's action needs (``provide`` implies each of them).
EVENT_RIGHTS: Final = {"add": Right.CREATE, "change": Right.UPDATE, "delete": Right.DELETE}


class Forbidden(Exception):  # noqa: N818 - named for the HTTP status it becomes
    """A party lacks a right or reaches outside its scope; ``right`` names what is missing."""

    def __init__(self, message: str, *, right: str | None = None) -> None:
        self.message = message
        self.right = right
        super().__init__(message)


class Profile:
    """A compiled data-minimisation profile: :meth:`apply` strips fields from Goessner content."""

    def __init__(self, name: str, settings: ProfileSettings) -> None:
        self.name = name
        self._remove: dict[str, list[tuple[str, ...]]] = {}
        self._keep: dict[str, dict[str, Any]] = {}
        for object_type, paths in settings.remove.items():
            model = OBJECT_TYPES[object_type]
            self._remove[object_type] = [resolve_field_path(model, p) for p in paths]
        for object_type, paths in settings.keep.items():
            model = OBJECT_TYPES[object_type]
            tree: dict[str, Any] = {"@RefId": {}}
            for path in paths:
                node = tree
                for key in resolve_field_path(model, path):
                    node = node.setdefault(key, {})
            self._keep[object_type] = tree

    def apply(self, object_type: str, content: dict[str, Any]) -> dict[str, Any]:
        """A copy of ``content`` without the fields this profile removes for ``object_type``."""
        if object_type in self._keep:
            kept = _keep(content, self._keep[object_type])
            return kept if isinstance(kept, dict) else {}
        removals = self._remove.get(object_type)
        if not removals:
            return content
        result = copy.deepcopy(content)
        for path in removals:
            _remove(result, path)
        return result


def _remove(node: Any, path: tuple[str, ...]) -> None:
    if isinstance(node, list):
        for item in node:
            _remove(item, path)
    elif isinstance(node, dict):
        if len(path) == 1:
            node.pop(path[0], None)
        elif path[0] in node:
            _remove(node[path[0]], path[1:])


def _keep(node: Any, tree: dict[str, Any]) -> Any:
    if not tree:
        return copy.deepcopy(node)
    if isinstance(node, list):
        return [_keep(item, tree) for item in node]
    if isinstance(node, dict):
        return {key: _keep(value, tree[key]) for key, value in node.items() if key in tree}
    return node


@dataclass(frozen=True)
class Party:
    """A party of the zone file, ready for decisions: its rights, scope, profile and token."""

    id: str
    name: str
    kind: PartyKind
    zones: frozenset[str]
    scope: Scope
    #: The scope key a new object published by this party gets (its school or its LA).
    claim_key: str | None
    rights: dict[str, frozenset[Right]]
    services: dict[str, frozenset[Right]]
    profile: Profile | None
    token: TokenHash

    def holds(self, right: Right, object_type: str) -> bool:
        """True when the party holds ``right`` on ``object_type`` (or on every type)."""
        return right in self.rights.get(object_type, frozenset()) or right in self.rights.get(
            ALL_TYPES, frozenset()
        )

    @property
    def is_admin(self) -> bool:
        """True when the party may read queue depths and the audit log."""
        return Right.ADMIN in self.rights.get(ALL_TYPES, frozenset())

    def minimise(self, object_type: str, content: dict[str, Any]) -> dict[str, Any]:
        """``content`` as this party may see it (its profile applied)."""
        return content if self.profile is None else self.profile.apply(object_type, content)


def _scope_of(settings: PartySettings) -> Scope:
    if settings.kind is PartyKind.SCHOOL:
        assert settings.laestab is not None  # checked by the zone file's validation
        return Scope(schools=frozenset({settings.laestab}))
    if settings.kind is PartyKind.LA:
        assert settings.la is not None
        return Scope(las=frozenset({settings.la}))
    if settings.kind is PartyKind.DFE:
        return Scope(all=True)
    if settings.scope is None:
        return Scope()
    return Scope(
        all=settings.scope.all,
        las=frozenset(settings.scope.las),
        schools=frozenset(settings.scope.schools),
    )


class AccessPolicy:
    """Every decision about parties, built once from a validated :class:`ZoneFile`."""

    def __init__(self, zone_file: ZoneFile) -> None:
        all_zones = frozenset(zone.id for zone in zone_file.zones)
        profiles = {name: Profile(name, p) for name, p in zone_file.profiles.items()}
        self.zones = all_zones
        self.parties: dict[str, Party] = {}
        for settings in zone_file.parties:
            self.parties[settings.id] = Party(
                id=settings.id,
                name=settings.name,
                kind=settings.kind,
                zones=frozenset(settings.zones) if settings.zones is not None else all_zones,
                scope=_scope_of(settings),
                claim_key=settings.laestab if settings.kind is PartyKind.SCHOOL else settings.la,
                rights={t: frozenset(r) for t, r in settings.rights.items()},
                services={s: frozenset(r) for s, r in settings.services.items()},
                profile=profiles[settings.profile] if settings.profile else None,
                token=settings.token,
            )

    def members(self, zone: str) -> Iterable[Party]:
        """The parties of ``zone``."""
        return (party for party in self.parties.values() if zone in party.zones)

    def require(self, party: Party, right: Right, object_type: str, doing: str) -> None:
        """Raise :class:`Forbidden` naming ``right`` unless ``party`` holds it on the type."""
        if not party.holds(right, object_type):
            raise Forbidden(
                f"{party.id} may not {doing} {object_type}: it lacks the {right} right on "
                f"{object_type} (ask the zone's administrator to grant it in the zone file)",
                right=right,
            )

    def require_event_right(self, party: Party, action: str, object_type: str) -> None:
        """Raise :class:`Forbidden` unless ``party`` may publish ``action`` events of the type."""
        needed = EVENT_RIGHTS[action]
        if party.holds(Right.PROVIDE, object_type) or party.holds(needed, object_type):
            return
        raise Forbidden(
            f"{party.id} may not publish {action} events of {object_type}: it lacks the "
            f"{needed} right (or provide) on {object_type}",
            right=needed,
        )

    def require_admin(self, party: Party) -> None:
        """Raise :class:`Forbidden` unless ``party`` is a zone administrator."""
        if not party.is_admin:
            raise Forbidden(
                f"{party.id} is not an administrator: it lacks the admin right", right="admin"
            )

    def subscribers(self, zone: str, object_type: str) -> list[Party]:
        """The parties of ``zone`` subscribed to ``object_type`` (scope not yet applied)."""
        return [p for p in self.members(zone) if p.holds(Right.SUBSCRIBE, object_type)]

    def recipients(
        self, zone: str, object_type: str, keys: frozenset[str], publisher: str
    ) -> list[str]:
        """Ids of the subscribers an event about an object with ``keys`` must reach."""
        return [
            party.id
            for party in self.subscribers(zone, object_type)
            if party.id != publisher
            and (object_type in DIRECTORY_TYPES or party.scope.covers_any(keys))
        ]

    def provider_of(self, zone: str, service: str) -> Party | None:
        """The party that provides ``service`` in ``zone``, if any."""
        return next(
            (p for p in self.members(zone) if Right.PROVIDE in p.services.get(service, ())),
            None,
        )

    def may_request(self, party: Party, service: str) -> bool:
        """True when ``party`` may send requests to ``service``."""
        return Right.CREATE in party.services.get(service, frozenset())
