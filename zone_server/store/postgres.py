"""The PostgreSQL zone store, for zones served by several server processes or kept with the
rest of an organisation's databases (``pip install sifbridge[postgres]``, psycopg 3).

The zone file names it with a libpq connection URL::

    [server]
    storage = "postgresql://sif@db.example.org:5432/sif?options=-csearch_path%3Dnorthshire"

The tables are created, on first start, in the first schema of the connection's search_path
(``public`` unless the URL's ``options`` or the role's settings say otherwise); that schema must
exist. Several zone servers, on one machine or many, may share one schema: they then serve the
same zones, queues and objects.

The guarantees are the SQLite store's: a publish is one transaction storing its events, objects
and queue messages; a write transaction holds its zone's lock, so within a zone event ids (the
changes-since markers) become visible in order and a retried publish finds the first reply;
leases and acknowledgements hold the lock of one party's queue (see
:mod:`~zone_server.store.postgres_locks`). Like the SQLite store's, acknowledgements commit
without waiting for the disk (``synchronous_commit = off`` for that transaction): a crash of the
database server itself within a fraction of a second can undo one, which only means a message
is delivered again (and audited again). Leases wait, because a lease writes the delivery's
audit row. Everything else is committed as the database is configured (synchronously by
default) before the zone replies.

A long-polling subscriber is woken at once by a publish through the same server process; one
through another process is seen within the queue's re-check interval (a second).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from sif_core.storage import StorageBackendSpec
from zone_server.errors import StorageError
from zone_server.store import Store

__all__ = ["BACKEND", "open_postgres", "redact"]

_PASSWORD_PARAMETER = re.compile(r"(?i)(\bpassword=)[^&]*")


def redact(url: str) -> str:
    """``url`` with any password replaced by ``***`` (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is not None:
        where = parts.netloc.rpartition("@")[2]
        parts = parts._replace(netloc=f"{parts.username or ''}:***@{where}")
    return _PASSWORD_PARAMETER.sub(r"\1***", urlunsplit(parts))


def open_postgres(url: str) -> Store:
    """Open (creating its tables if need be) the store at ``postgresql://...``."""
    shown = redact(url)
    if not url.startswith("postgresql://"):
        raise StorageError(
            f"{shown!r} is not a PostgreSQL storage URL; write postgresql://USER@HOST:PORT/DATABASE"
        )
    try:
        from zone_server.store.postgres_store import PostgresStore
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith("psycopg"):
            raise
        raise StorageError(
            f"{shown}: the PostgreSQL store needs psycopg 3; install it with "
            "pip install 'sifbridge[postgres]'"
        ) from None
    return PostgresStore(url, url=shown)


BACKEND = StorageBackendSpec(
    name="postgresql",
    description="tables in a PostgreSQL schema (psycopg 3); servers may share it",
    open=open_postgres,
)
