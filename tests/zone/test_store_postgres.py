"""What only the PostgreSQL store does: its URL, its schema, sharing it, and its failures.

The store's behaviour as such is tested on both backends (test_store.py and friends); tests
here that need a server skip without SIF_TEST_POSTGRES_DSN.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from zone_server.acl import AccessPolicy
from zone_server.config import load_zone_file
from zone_server.errors import StorageError
from zone_server.publishing import publish
from zone_server.serving import open_store
from zone_server.store.postgres import open_postgres, redact
from zone_server.store.postgres_store import PostgresStore

from .conftest import add
from .factories import learner, school
from .server import free_port
from .stores import postgres_dsn, postgres_schema, with_search_path
from .zonefile import write_zone

NORTHGATE = school("801", "2000", "Northgate Primary")
NOTHING = frozenset[str]()


@pytest.fixture
def schema() -> Iterator[tuple[str, str]]:
    """A fresh schema's name and a URL using it."""
    with postgres_schema() as made:
        yield made


def test_the_zone_file_opens_a_postgresql_store_through_the_backend_hook(
    tmp_path: Path, schema: tuple[str, str]
) -> None:
    name, url = schema
    store = open_store(load_zone_file(write_zone(tmp_path, storage=url)))
    try:
        assert isinstance(store, PostgresStore)
        assert store.schema == name
        with psycopg.connect(postgres_dsn()) as admin:
            tables = {
                row[0]
                for row in admin.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                    (name,),
                )
            }
        assert {"events", "objects", "queue", "audit", "transfers", "census_returns"} <= tables
    finally:
        store.close()
    assert not (tmp_path / "zone.db").exists()


def test_two_stores_on_one_schema_share_one_zone_as_two_servers_would(
    tmp_path: Path, schema: tuple[str, str]
) -> None:
    policy = AccessPolicy(load_zone_file(write_zone(tmp_path)))
    first, second = PostgresStore(schema[1]), PostgresStore(schema[1])
    try:
        pupil = learner("801", "2000", 1, "Ashby", "Amy")
        publish(first, policy, "north", policy.parties["northgate"], [add(NORTHGATE), add(pupil)])
        leased = second.lease(
            "north", "northshire", limit=10, lease_seconds=60, audited_types=NOTHING
        )
        assert len(leased) == 2
        assert (
            first.lease("north", "northshire", limit=10, lease_seconds=60, audited_types=NOTHING)
            == []
        )
        assert first.ack("north", "northshire", [m.message_id for m in leased]) == sorted(
            m.message_id for m in leased
        )
        assert {stats.party for stats in second.queue_stats("north")} == {"transport"}
        assert second.marker("north") == first.marker("north") > 0
    finally:
        first.close()
        second.close()


def test_the_object_tables_are_analyzed_once_a_bulk_load_has_stored_a_thousand_objects(
    tmp_path: Path, schema: tuple[str, str]
) -> None:
    # Unanalyzed tables (reltuples -1) make PostgreSQL plan pages of objects blind; autovacuum
    # would gather statistics only a minute or so later.
    name, url = schema
    policy = AccessPolicy(load_zone_file(write_zone(tmp_path)))
    store = PostgresStore(url)
    try:
        pupils = [add(learner("801", "2000", n, "Ashby", "Amy")) for n in range(1, 1_000)]
        events = [add(NORTHGATE), *pupils]
        for start in range(0, len(events), 100):
            batch = events[start : start + 100]
            publish(store, policy, "north", policy.parties["northgate"], batch)
        with psycopg.connect(postgres_dsn()) as admin:
            rows: dict[str, float] = dict(
                admin.execute(
                    "SELECT c.relname, c.reltuples FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = %s AND c.relname IN ('objects', 'object_scopes')",
                    (name,),
                ).fetchall()
            )
        assert rows["objects"] >= 1_000
        assert rows["object_scopes"] > 0
    finally:
        store.close()


def test_a_search_path_naming_no_existing_schema_is_refused_saying_how_to_create_it() -> None:
    missing = f"sif_missing_{uuid.uuid4().hex}"
    with pytest.raises(StorageError, match=f"{missing}.*CREATE SCHEMA"):
        open_postgres(with_search_path(postgres_dsn(), missing))


def test_a_schema_written_by_another_release_is_refused(schema: tuple[str, str]) -> None:
    PostgresStore(schema[1]).close()
    with psycopg.connect(schema[1]) as admin:
        admin.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StorageError, match="version 99, this server needs 1"):
        PostgresStore(schema[1])


def test_a_connection_the_database_closed_while_idle_is_replaced_unnoticed(
    schema: tuple[str, str],
) -> None:
    marked = f"sif-test-{uuid.uuid4().hex[:12]}"
    store = PostgresStore(f"{schema[1]}&application_name={marked}")
    try:
        assert store.marker("north") == 0
        with psycopg.connect(postgres_dsn(), autocommit=True) as admin:
            ended = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = %s",
                (marked,),
            ).fetchall()
            assert ended == [(True,)]
            deadline = time.monotonic() + 10
            while admin.execute(
                "SELECT 1 FROM pg_stat_activity WHERE application_name = %s", (marked,)
            ).fetchone():
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert store.marker("north") == 0
    finally:
        store.close()


def test_an_unreachable_database_is_named_without_its_password() -> None:
    url = f"postgresql://sif:s3cret-pw@127.0.0.1:{free_port()}/zone?connect_timeout=5"
    with pytest.raises(StorageError) as caught:
        open_postgres(url)
    assert "cannot connect to PostgreSQL" in str(caught.value)
    assert "s3cret-pw" not in str(caught.value)
    assert "postgresql://sif:***@127.0.0.1" in str(caught.value)


def test_urls_are_shown_without_passwords() -> None:
    assert redact("postgresql://sif:pw@db:5432/zone") == "postgresql://sif:***@db:5432/zone"
    assert redact("postgresql://db/zone?user=sif&password=pw&sslmode=require") == (
        "postgresql://db/zone?user=sif&password=***&sslmode=require"
    )
    assert redact("postgresql://sif@db/zone") == "postgresql://sif@db/zone"


def test_a_url_of_another_kind_is_refused_with_the_form_to_write() -> None:
    with pytest.raises(StorageError, match="write postgresql://USER@HOST:PORT/DATABASE"):
        open_postgres("mysql://sif@db/zone")


def test_without_psycopg_the_store_names_the_extra_to_install() -> None:
    script = (
        "import sys; sys.modules['psycopg'] = None\n"
        "from zone_server.store.postgres import open_postgres\n"
        "open_postgres('postgresql://sif:pw@db/zone')\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert run.returncode == 1
    assert "StorageError: postgresql://sif:***@db/zone: the PostgreSQL store needs psycopg 3" in (
        run.stderr
    )
    assert "sifbridge[postgres]" in run.stderr
