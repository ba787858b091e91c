"""Fixtures of the zone's unit tests: the tests' zone file, its policy and a fresh store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sif_core.model import SIFObject
from zone_server.acl import AccessPolicy
from zone_server.config import ZoneFile, load_zone_file
from zone_server.publishing import ZoneEvent
from zone_server.store import Store
from zone_server.store.sqlite import SQLiteStore
from zone_server.wire import content_of

from .zonefile import write_zone

StoreFactory = Callable[..., Store]


@pytest.fixture
def zone_file(tmp_path: Path) -> ZoneFile:
    return load_zone_file(write_zone(tmp_path))


@pytest.fixture
def policy(zone_file: ZoneFile) -> AccessPolicy:
    return AccessPolicy(zone_file)


@pytest.fixture(params=["sqlite"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    """Opens the backend's store at one place; call it again to reopen (a restart)."""
    opened: list[Store] = []

    def make(clock: Callable[[], float] | None = None) -> Store:
        if request.param == "sqlite":
            store: Store = SQLiteStore(tmp_path / "zone.db", **({"clock": clock} if clock else {}))
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(make_store: StoreFactory) -> Store:
    return make_store()


def add(obj: SIFObject) -> ZoneEvent:
    return ZoneEvent("add", obj.object_name, obj.ref_id, obj, content_of(obj))


def change(obj: SIFObject) -> ZoneEvent:
    return ZoneEvent("change", obj.object_name, obj.ref_id, obj, content_of(obj))


def delete(obj: SIFObject) -> ZoneEvent:
    return ZoneEvent("delete", obj.object_name, obj.ref_id, None, None)
