"""Queries of the zone's object store: ``GET .../LearnerPersonals`` and ``.../{refId}``.

Paging follows SIF 3: ``navigationPage`` (the first page is 1) and ``navigationPageSize``, as
query parameters or request headers; the reply carries ``navigationPage``,
``navigationPageSize``, ``navigationCount`` (objects in all pages) and ``navigationLastPage``.
While more pages follow, it also carries ``navigationId``: send it back (query parameter or
header) with the next page's number, and that page starts just after this one's last object
and repeats the first page's count, instead of counting every object and skipping the pages
before it. Paging through a whole collection that way costs time linear in its size, where
numbered pages alone cost quadratic time (each deep page reads everything before it). A
``navigationId`` given with another page number or another query is set aside and the page is
found from its number; one the zone did not give is a 400.
Filters: ``upn``, ``localId``, ``school`` (a 7-digit LA and establishment number).
``changesSinceMarker=M`` returns what changed after marker ``M`` (ordered by change); the RefIds
deleted since then are in the ``deletedRefIds`` header (comma-separated). Every reply carries the
zone's current ``changesSinceMarker``: keep it for the next incremental read.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
from dataclasses import replace
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response

from sif_core.model import COLLECTIONS
from zone_server.acl import DIRECTORY_TYPES, Forbidden, Party
from zone_server.api_queue import AUDITED_TYPES
from zone_server.config import Right
from zone_server.render import collection, single_object
from zone_server.store import ObjectQuery
from zone_server.web import ApiError, ZoneState, caller, forbidden, store_call, wants_xml
from zone_server.wire import JSON_TYPE, XML_TYPE

__all__ = ["get_object", "query_objects"]

_MAX_PAGE_SIZE: Final = 1000
_KNOWN_PARAMETERS: Final = frozenset(
    {
        "navigationPage",
        "navigationPageSize",
        "navigationId",
        "upn",
        "localId",
        "school",
        "changesSinceMarker",
    }
)
_LAESTAB = re.compile(r"^[0-9]{7}$")


def _object_type(request: Request, state: ZoneState, party: Party) -> str:
    name = request.path_params["collection"]
    cls = COLLECTIONS.get(name)
    if cls is None:
        raise ApiError(
            404,
            "unknown-object-type",
            f"no object type is served at {name!r}; try LearnerPersonals",
        )
    try:
        state.policy.require(party, Right.QUERY, cls.object_name, "query")
    except Forbidden as error:
        raise forbidden(error) from None
    return cls.object_name


def _whole(request: Request, name: str, default: int | None, low: int) -> int | None:
    text = request.query_params.get(name, request.headers.get(name))
    if text is None:
        return default
    if not text.isdigit() or int(text) < low:
        raise ApiError(400, "bad-request", f"{name} must be a whole number of at least {low}")
    return int(text)


def _query_digest(zone: str, party: Party, query: ObjectQuery) -> str:
    """What a ``navigationId`` is tied to: the zone, the caller and the query but its page."""
    text = json.dumps(
        [
            zone,
            party.id,
            query.object_type,
            query.upn,
            query.local_id,
            query.school,
            query.changes_since,
            query.page_size,
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _navigation_id(page: int, total: int, last_key: str | int, digest: str) -> str:
    """The ``navigationId`` that continues after ``page``: the next page's number, the count,
    where the next page starts and the query's digest. Not a secret: the page is always read
    within the caller's scope, and the count it carries is what that caller was told."""
    text = json.dumps([page + 1, total, last_key, digest], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _continuation(
    request: Request, page: int, digest: str, changes: bool
) -> tuple[str | int, int] | None:
    """Where the requested page starts and the count, from a ``navigationId`` given for this
    page of this query; ``None`` without one, or for another page or query (400 for one the
    zone did not give)."""
    text = request.query_params.get("navigationId", request.headers.get("navigationId"))
    if not text:
        return None
    value: Any = None
    with contextlib.suppress(ValueError):  # binascii.Error and UnicodeDecodeError too
        value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    key_type = int if changes else str
    if not (
        isinstance(value, list)
        and len(value) == 4
        and type(value[0]) is int
        and type(value[1]) is int
        and value[1] >= 0
        and type(value[2]) is key_type
        and isinstance(value[3], str)
    ):
        raise ApiError(
            400,
            "bad-request",
            "navigationId is not one this zone gave for this query; "
            "send the one from the previous page's reply, or leave it out",
        )
    if value[0] != page or value[3] != digest:
        return None
    return value[2], value[1]


async def query_objects(request: Request) -> Response:
    """One page of the objects of a type that the caller may see, through its profile."""
    state, zone, party = caller(request)
    object_type = _object_type(request, state, party)
    unknown = sorted(set(request.query_params) - _KNOWN_PARAMETERS)
    if unknown:
        raise ApiError(
            400,
            "bad-request",
            f"unknown query parameter {unknown[0]!r}; "
            f"known: {', '.join(sorted(_KNOWN_PARAMETERS))}",
        )
    page = _whole(request, "navigationPage", 1, 1) or 1
    size = _whole(request, "navigationPageSize", state.zone_file.server.default_page_size, 1)
    assert size is not None
    if size > _MAX_PAGE_SIZE:
        raise ApiError(400, "bad-request", f"navigationPageSize is at most {_MAX_PAGE_SIZE}")
    school = request.query_params.get("school")
    if school is not None and not _LAESTAB.match(school):
        raise ApiError(400, "bad-request", "school is a 7-digit LA and establishment number")
    query = ObjectQuery(
        object_type=object_type,
        scope=None if object_type in DIRECTORY_TYPES else party.scope,
        upn=request.query_params.get("upn"),
        local_id=request.query_params.get("localId"),
        school=school,
        changes_since=_whole(request, "changesSinceMarker", None, 0),
        page=page,
        page_size=size,
    )
    digest = _query_digest(zone, party, query)
    continued = _continuation(request, page, digest, query.changes_since is not None)
    if continued is not None:
        query = replace(query, after=continued[0], total=continued[1])
    result = await store_call(state.store.query, zone, query)
    if object_type in AUDITED_TYPES:
        filters = sorted(set(request.query_params) & {"upn", "localId", "school"})
        await store_call(
            state.store.record_audit,
            zone,
            party.id,
            "query",
            object_type,
            [obj.ref_id for obj in result.objects],
            f"page {page}; filters: {', '.join(filters) or 'none'}",
        )
    xml = wants_xml(request)
    last_page = max(1, -(-result.total // size))
    headers = {
        "navigationPage": str(page),
        "navigationPageSize": str(size),
        "navigationCount": str(result.total),
        "navigationLastPage": str(last_page),
        "changesSinceMarker": str(result.marker),
    }
    more = page < last_page or len(result.objects) + len(result.deleted_ref_ids) == size
    if more and result.last_key is not None:
        headers["navigationId"] = _navigation_id(page, result.total, result.last_key, digest)
    if query.changes_since is not None:
        headers["deletedRefIds"] = ",".join(result.deleted_ref_ids)
    return Response(
        collection(party, object_type, result.objects, xml=xml),
        200,
        headers,
        media_type=XML_TYPE if xml else JSON_TYPE,
    )


async def get_object(request: Request) -> Response:
    """One object by RefId; 404 when it does not exist or is outside the caller's scope."""
    state, zone, party = caller(request)
    object_type = _object_type(request, state, party)
    ref_id = request.path_params["ref_id"]
    scope = None if object_type in DIRECTORY_TYPES else party.scope
    found = await store_call(state.store.get, zone, object_type, ref_id, scope)
    if found is None:
        raise ApiError(404, "not-found", f"no {object_type} {ref_id} that {party.id} may see")
    if object_type in AUDITED_TYPES:
        await store_call(
            state.store.record_audit, zone, party.id, "query", object_type, [ref_id], "by RefId"
        )
    xml = wants_xml(request)
    return Response(
        single_object(party, found, xml=xml), 200, media_type=XML_TYPE if xml else JSON_TYPE
    )
