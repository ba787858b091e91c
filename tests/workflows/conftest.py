"""The store the workflow store tests use: a fresh one on each backend (SQLite, and PostgreSQL
when SIF_TEST_POSTGRES_DSN names a server)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.zone.stores import BACKENDS, store_opener
from zone_server.store import Store


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with store_opener(request.param, tmp_path) as make:
        yield make()
