"""The zone stores tests run on: SQLite in the test's folder, PostgreSQL in a schema of its own.

The PostgreSQL runs need a server: set ``SIF_TEST_POSTGRES_DSN`` (CI uses
``postgresql://postgres@127.0.0.1:5432/test``). Without it they skip, saying so. Each test
gets a new, uniquely named schema (its URL sets the search_path), dropped afterwards, so runs
side by side or one after another never see each other's rows.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from zone_server.store import Store

__all__ = ["BACKENDS", "DSN_VARIABLE", "postgres_dsn", "postgres_schema", "store_opener"]

DSN_VARIABLE = "SIF_TEST_POSTGRES_DSN"
BACKENDS = ("sqlite", "postgresql")


def postgres_dsn() -> str:
    """The test server's URL, or skip the test saying how to enable it."""
    dsn = os.environ.get(DSN_VARIABLE, "").strip()
    if not dsn:
        pytest.skip(
            f"PostgreSQL zone store: set {DSN_VARIABLE}=postgresql://USER@HOST:PORT/DATABASE "
            "(a database the user may create schemas in) to run this test"
        )
    return dsn


def with_search_path(dsn: str, schema: str) -> str:
    """``dsn`` with its search_path set to ``schema`` (libpq's ``options`` parameter)."""
    return f"{dsn}{'&' if '?' in dsn else '?'}options=-csearch_path%3D{schema}"


@contextlib.contextmanager
def postgres_schema() -> Iterator[tuple[str, str]]:
    """A new schema: yields its name and a URL whose search_path is it; drops it afterwards."""
    import psycopg
    from psycopg import sql

    dsn = postgres_dsn()
    name = f"sif_test_{uuid.uuid4().hex}"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    try:
        yield name, with_search_path(dsn, name)
    finally:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


@contextlib.contextmanager
def store_opener(backend: str, folder: Path) -> Iterator[Callable[..., Store]]:
    """A function opening ``backend``'s store at one place (call it again to reopen, as a
    restart does); every store it opened is closed afterwards."""
    opened: list[Store] = []
    with contextlib.ExitStack() as cleanup:
        if backend == "postgresql":
            _, url = cleanup.enter_context(postgres_schema())

        def make(clock: Callable[[], float] | None = None) -> Store:
            ticks = clock or time.time
            store: Store
            if backend == "sqlite":
                from zone_server.store.sqlite import SQLiteStore

                store = SQLiteStore(folder / "zone.db", clock=ticks)
            else:
                from zone_server.store.postgres_store import PostgresStore

                store = PostgresStore(url, clock=ticks)
            opened.append(store)
            return store

        try:
            yield make
        finally:
            for store in opened:
                store.close()
