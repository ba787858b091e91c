"""The pull agent: a party's queue in, files in its own format out, acknowledged when durable.

Each leased batch of messages becomes, in the output folder:

- one file (or folder) written by the party's adapter holding the batch's objects: the latest
  version of each object added or changed (objects of types the adapter cannot write are listed
  in the manifest only);
- ``<name>.events.json``, the manifest: every message of the batch, its action, type, RefId,
  publisher and time, so deletes, and requests or responses, are on record too.

Both are written into a staging folder, flushed to disk (fsync), and renamed into place; only
then is the batch acknowledged. A crash before the acknowledgement brings the batch back after
its lease; the journal (``.sif-pull/journal.sqlite``) recognises messages already written and
acknowledges them without writing them twice. A message the agent cannot turn into an object
(its profile removed a required field), or that keeps coming back unwritten, is set aside in
``rejected/`` with the reason and acknowledged, so one bad message never stops the queue.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from sif_core.adapter import AdapterSpec, WriteContext
from sif_core.client import QueueMessage, ZoneClient
from sif_core.errors import AdapterError
from sif_core.model import SIFObject

__all__ = ["PullReport", "PullSettings", "PullWriter", "default_file_name"]

_STATE: Final = ".sif-pull"
_SUFFIX: Final = re.compile(r"^\*(\.[A-Za-z0-9.]+)$")
#: Journal rows older than this are pruned: a message is redelivered within its lease, not weeks.
_JOURNAL_DAYS: Final = 14


def default_file_name(adapter: AdapterSpec) -> str:
    """``sif-{stamp}-{first}`` plus the suffix of the adapter's first ``*.ext`` file pattern."""
    suffix = next((m.group(1) for p in adapter.file_patterns if (m := _SUFFIX.match(p))), "")
    return "sif-{stamp}-{first}" + suffix


@dataclass(frozen=True)
class PullSettings:
    """Where and how to write what arrives.

    ``file_name`` is a template with ``{stamp}`` (UTC time), ``{first}`` and ``{last}`` (message
    ids) and ``{count}``; the empty string lets the adapter name its own file (a CTF, say).
    ``wait_seconds`` is the long poll (the agent lowers it to the zone's maximum if the zone
    says so); ``linger_seconds`` how long the zone lets messages gather on a woken long poll, so
    a burst of single events is written as one batch. A message delivered more than
    ``max_deliveries`` times is set aside.
    """

    adapter: AdapterSpec
    out: Path
    options: Mapping[str, str] = field(default_factory=dict)
    file_name: str | None = None
    max_messages: int = 100
    wait_seconds: float = 25.0
    linger_seconds: float = 0.5
    heartbeat_seconds: float = 60.0
    max_backoff_seconds: float = 60.0
    max_deliveries: int = 5

    @property
    def name_template(self) -> str:
        """The file name template in force."""
        return default_file_name(self.adapter) if self.file_name is None else self.file_name


@dataclass
class PullReport:
    """What the agent has done since it started."""

    polls: int = 0
    batches: int = 0
    events: Counter[str] = field(default_factory=Counter)
    other_messages: int = 0
    objects_written: int = 0
    not_writable: Counter[str] = field(default_factory=Counter)
    rejected: int = 0
    already_written: int = 0
    acknowledged: int = 0
    last_file: Path | None = None
    last_poll: float | None = None

    def describe(self) -> str:
        """One line: batches, events by action, objects written, set aside."""
        actions = ", ".join(f"{n} {a}" for a, n in sorted(self.events.items())) or "no events"
        text = f"{self.batches} batch(es), {actions}, {self.objects_written} object(s) written"
        if self.other_messages:
            text += f", {self.other_messages} request/response message(s)"
        if self.rejected:
            text += f", {self.rejected} set aside in rejected/"
        return text


class PullWriter:
    """Writes leased batches durably into ``settings.out`` and acknowledges them."""

    def __init__(
        self,
        client: ZoneClient,
        settings: PullSettings,
        *,
        clock: Callable[[], float] = time.time,
        say: Callable[[str], None] | None = None,
    ) -> None:
        """``say`` is called with one line for each batch written."""
        if not settings.adapter.can_write:
            raise AdapterError(
                f"adapter {settings.adapter.name!r} cannot write; choose one that can "
                "(`sif adapters list` shows which)"
            )
        self.client = client
        self.settings = settings
        self.clock = clock
        self.say = say
        self.report = PullReport()
        # Written and not yet acknowledged: the next lease acknowledges them (defer_ack).
        self._held: list[str] = []
        settings.out.mkdir(parents=True, exist_ok=True)
        self._state = settings.out / _STATE
        self._state.mkdir(exist_ok=True)
        self._journal = sqlite3.connect(self._state / "journal.sqlite", isolation_level=None)
        self._journal.executescript(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
            "CREATE TABLE IF NOT EXISTS written (message_id TEXT PRIMARY KEY, "
            "target TEXT NOT NULL, written_at REAL NOT NULL) WITHOUT ROWID;"
        )
        self._journal.execute(
            "DELETE FROM written WHERE written_at < ?", (clock() - _JOURNAL_DAYS * 86400,)
        )

    def close(self) -> None:
        """Close the journal."""
        self._journal.close()

    def poll(self, wait: float, *, defer_ack: bool = False) -> int:
        """Lease one batch (waiting up to ``wait`` seconds), write it, acknowledge it; returns
        how many messages it held. Raises :class:`~sif_core.errors.ZoneError` from the zone and
        :class:`~sif_core.errors.AdapterError` (or what the adapter raised) when writing fails,
        in which case nothing is acknowledged and the batch comes back after its lease.

        With ``defer_ack`` the written batch is acknowledged by the next poll's lease, in the
        same request (or by :meth:`flush_acks`): one request per batch instead of two."""
        messages = self.client.lease(
            wait=wait,
            max_messages=self.settings.max_messages,
            ack=self._held,
            linger=self.settings.linger_seconds,
        )
        self._held = []
        if messages.acknowledged is not None:
            self.report.acknowledged += len(messages.acknowledged.acknowledged)
        self.report.polls += 1
        self.report.last_poll = self.clock()
        if messages:
            self._write_batch(messages)
            if defer_ack:
                self._held = [m.message_id for m in messages]
            else:
                self.flush_acks([m.message_id for m in messages])
        return len(messages)

    def write(self, messages: list[QueueMessage]) -> None:
        """Write one leased batch durably, then acknowledge it."""
        self._write_batch(messages)
        self.flush_acks([m.message_id for m in messages])

    def flush_acks(self, message_ids: list[str] | None = None) -> None:
        """Acknowledge ``message_ids`` and the batch a deferring :meth:`poll` still holds."""
        ids = [*self._held, *(message_ids or [])]
        if ids:
            result = self.client.ack(ids)
            self._held = []
            self.report.acknowledged += len(result.acknowledged)

    def _write_batch(self, messages: list[QueueMessage]) -> None:
        done = self._already_written(messages)
        fresh = [m for m in messages if m.message_id not in done]
        self.report.already_written += len(done)
        if fresh:
            self._write_fresh(fresh)

    def _already_written(self, messages: list[QueueMessage]) -> set[str]:
        """Messages the journal says were written, to a target that is still there."""
        ids = [m.message_id for m in messages if m.delivery_count > 1]
        if not ids:
            return set()
        marks = ",".join("?" * len(ids))
        rows = self._journal.execute(
            f"SELECT message_id, target FROM written WHERE message_id IN ({marks})",  # noqa: S608
            ids,
        ).fetchall()
        return {mid for mid, target in rows if (self.settings.out / target).exists()}

    def _write_fresh(self, messages: list[QueueMessage]) -> None:
        objects, entries, rejected = self._sort(messages)
        stamp = dt.datetime.fromtimestamp(self.clock(), dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        staging = self._state / f"staging-{uuid.uuid4().hex}"
        staging.mkdir()
        try:
            for message, reason in rejected:
                _write_json(
                    staging / f"rejected-{message.message_id}.json", _aside(message, reason)
                )
            name = self.settings.name_template.format(
                stamp=stamp,
                first=messages[0].message_id,
                last=messages[-1].message_id,
                count=len(messages),
            )
            data = self._write_objects(objects, staging, name)
            out = self.settings.out
            final = _free(out / data).name if data else None
            stem = Path(final or name).stem or f"sif-{stamp}"
            manifest = _free(out / f"{stem}.events.json").name
            _write_json(staging / manifest, {"file": final, "messages": entries})
            _fsync_tree(staging)
            placed = final or manifest
            # Journal first: a crash after the rename then finds the batch written; a crash
            # before it finds the target missing and writes the batch again.
            with _transaction(self._journal):
                self._journal.executemany(
                    "INSERT OR REPLACE INTO written (message_id, target, written_at) "
                    "VALUES (?, ?, ?)",
                    [(m.message_id, placed, self.clock()) for m in messages],
                )
            self._place(staging, data, final, manifest, rejected)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        self.report.batches += 1
        self.report.objects_written += len(objects)
        self.report.rejected += len(rejected)
        self.report.last_file = self.settings.out / placed
        if self.say is not None:
            actions = Counter(m.event.action for m in messages if m.event is not None)
            said = ", ".join(f"{n} {a}" for a, n in sorted(actions.items())) or "no events"
            aside = f"; {len(rejected)} set aside in rejected/" if rejected else ""
            self.say(f"wrote {placed}: {len(messages)} message(s), {said}{aside}")

    def _sort(
        self, messages: list[QueueMessage]
    ) -> tuple[list[SIFObject], list[dict[str, Any]], list[tuple[QueueMessage, str]]]:
        """The objects to write (latest version of each), manifest entries, and set-asides."""
        latest: dict[str, SIFObject | None] = {}
        entries: list[dict[str, Any]] = []
        rejected: list[tuple[QueueMessage, str]] = []
        writes = set(self.settings.adapter.writes)
        for message in messages:
            entries.append(_entry(message))
            event = message.event
            if event is None:
                self.report.other_messages += 1
                continue
            self.report.events[event.action] += 1
            if message.delivery_count > self.settings.max_deliveries:
                reason = f"delivered {message.delivery_count} times without being written"
                rejected.append((message, reason))
                continue
            if event.action == "delete":
                latest[event.ref_id] = None
                continue
            if event.object_type not in writes:
                self.report.not_writable[event.object_type] += 1
                continue
            try:
                latest.pop(event.ref_id, None)  # the latest version, where its last event was
                latest[event.ref_id] = event.object()
            except ValidationError as error:
                fields = sorted({".".join(str(p) for p in e["loc"]) for e in error.errors()})
                rejected.append((message, f"not a valid object; fields: {', '.join(fields)}"))
        objects = [obj for obj in latest.values() if obj is not None]
        return objects, entries, rejected

    def _write_objects(self, objects: list[SIFObject], staging: Path, name: str) -> str | None:
        """Write through the adapter into ``staging``; the name of what it wrote, if anything."""
        if not objects:
            return None
        target_dir = staging / "data"
        target_dir.mkdir()
        target = target_dir / name if name else target_dir
        context = WriteContext(options=dict(self.settings.options))
        write = self.settings.adapter.write
        assert write is not None  # checked when the writer was made
        write(objects, target, context)
        written = sorted(target_dir.iterdir())
        if len(written) != 1:
            raise AdapterError(
                f"adapter {self.settings.adapter.name!r} wrote {len(written)} entries for one "
                "batch; give it a file_name so it writes one file or folder"
            )
        return written[0].name

    def _place(
        self,
        staging: Path,
        data: str | None,
        final: str | None,
        manifest: str,
        rejected: list[tuple[QueueMessage, str]],
    ) -> None:
        """Rename the batch's files from ``staging`` into the output folder, and flush it."""
        out = self.settings.out
        if rejected:
            (out / "rejected").mkdir(exist_ok=True)
            for message, _ in rejected:
                name = f"rejected-{message.message_id}.json"
                os.replace(staging / name, _free(out / "rejected" / name))
            _fsync_dir(out / "rejected")
        if data is not None and final is not None:
            os.replace(staging / "data" / data, out / final)
        os.replace(staging / manifest, out / manifest)
        _fsync_dir(out)


@contextlib.contextmanager
def _transaction(db: sqlite3.Connection) -> Iterator[None]:
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _entry(message: QueueMessage) -> dict[str, Any]:
    entry: dict[str, Any] = {"messageId": message.message_id, "kind": message.kind}
    if message.event is not None:
        event = message.event
        entry.update(
            eventId=event.event_id,
            action=event.action,
            objectType=event.object_type,
            refId=event.ref_id,
            publisher=event.publisher,
            publishedAt=event.published_at,
        )
    service = message.request or message.response
    if service is not None:
        entry.update(requestId=service.request_id, service=service.service, party=service.party)
        entry.update(at=service.at, body=service.body)
    elif message.event is None:
        entry["message"] = message.document  # a kind this agent does not know: kept whole
    return entry


def _aside(message: QueueMessage, reason: str) -> dict[str, Any]:
    document = _entry(message)
    document["reason"] = reason
    if message.event is not None:
        document["object"] = message.event.content
    return document


def _free(path: Path) -> Path:
    """``path``, or ``name-2.ext``, ``name-3.ext`` ... when it is taken."""
    number = 1
    candidate = path
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate


def _write_json(path: Path, document: Any) -> None:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _fsync_tree(root: Path) -> None:
    """Flush every file under ``root``, then the folders, to disk."""
    for folder, _, files in os.walk(root, topdown=False):
        for name in files:
            with open(os.path.join(folder, name), "rb") as stream:
                os.fsync(stream.fileno())
        _fsync_dir(Path(folder))


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # folders cannot be opened for fsync on Windows
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
