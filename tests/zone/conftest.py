"""Fixtures of the zone's unit tests: the tests' zone file, its policy and a fresh store (on
each backend: SQLite, and PostgreSQL when SIF_TEST_POSTGRES_DSN names a server)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sif_core.model import SIFObject
from zone_server.acl import AccessPolicy
from zone_server.config import ZoneFile, load_zone_file
from zone_server.publishing import ZoneEvent
from zone_server.store import Store
from zone_server.wire import content_of

from .stores import BACKENDS, store_opener
from .zonefile import write_zone

StoreFactory = Callable[..., Store]


@pytest.fixture
def zone_file(tmp_path: Path) -> ZoneFile:
    return load_zone_file(write_zone(tmp_path))


@pytest.fixture
def policy(zone_file: ZoneFile) -> AccessPolicy:
    return AccessPolicy(zone_file)


@pytest.fixture(params=BACKENDS)
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Opens the backend's store at one place; call it again to reopen (a restart).

    Every test using it runs on each backend (PostgreSQL only with SIF_TEST_POSTGRES_DSN set).
    """
    with store_opener(request.param, tmp_path) as make:
        yield make


@pytest.fixture
def store(make_store: StoreFactory) -> Store:
    return make_store()


def add(obj: SIFObject) -> ZoneEvent:
    return ZoneEvent("add", obj.object_name, obj.ref_id, obj, content_of(obj))


def change(obj: SIFObject) -> ZoneEvent:
    return ZoneEvent("change", obj.object_name, obj.ref_id, obj, content_of(obj))


def delete(obj: SIFObject) -> ZoneEvent:
    return ZoneEvent("delete", obj.object_name, obj.ref_id, None, None)
