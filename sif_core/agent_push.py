"""The push agent: an MIS export in, only what changed out to the zone, in batches.

:func:`push` reads the export through its adapter (each record validated as it becomes a model;
a record with problems is reported and not sent), compares every object with the
:class:`~sif_core.changes.Snapshot` of what this party last sent, and publishes the adds and
changes as it goes, then the deletes, in batches bounded by count and size. Each batch is
recorded in the snapshot before it is sent and committed only once the zone has answered, so a
push cut off anywhere resumes, on the next run, without losing or repeating an event.

Deletes are held back, and the report says why, when the export had records with problems
(a record that failed to read must not delete its pupil from the zone) or when they would
remove more than ``max_delete_percent`` of what was sent before (a truncated export).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sif_core.adapter import AdapterSpec, ProgressCallback, ReadContext
from sif_core.changes import Change, Diff, PendingBatch, Snapshot
from sif_core.client import ZoneClient, encode_batch, encode_event
from sif_core.errors import PushInterruptedError, ZoneError, ZoneRejectedError
from sif_core.problems import Problem

__all__ = ["PushReport", "PushSettings", "dry_run", "push"]

#: Snapshots smaller than this never trigger the mass-delete guard.
_GUARD_FLOOR = 20


@dataclass(frozen=True)
class PushSettings:
    """What to push and how.

    ``object_types``: the types to publish (``None``: every type the adapter reads except
    ``LAInfo``, which its LA publishes). ``batch_events`` and ``batch_bytes`` bound each request
    (keep ``batch_bytes`` under the zone's ``max_body_bytes``).
    """

    adapter: AdapterSpec
    input: Path
    source_system: str
    options: Mapping[str, str] = field(default_factory=dict)
    object_types: frozenset[str] | None = None
    batch_events: int = 500
    batch_bytes: int = 900_000
    max_delete_percent: float = 25.0
    allow_deletes: bool = False

    @property
    def types(self) -> frozenset[str]:
        """The object types this push publishes."""
        if self.object_types is not None:
            return self.object_types
        return frozenset(self.adapter.reads) - {"LAInfo"}


@dataclass
class PushReport:
    """What a push did (or, in a dry run, would do)."""

    dry_run: bool = False
    read: Counter[str] = field(default_factory=Counter)
    skipped_types: Counter[str] = field(default_factory=Counter)
    sent: Counter[str] = field(default_factory=Counter)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    batches: int = 0
    resent_batches: int = 0
    replayed_batches: int = 0
    bytes_sent: int = 0
    deletes_withheld: int = 0
    withheld_because: str | None = None

    @property
    def events(self) -> int:
        """Events sent (or that would be sent)."""
        return sum(self.sent.values())

    @property
    def needs_attention(self) -> bool:
        """True when records were not sent or deletes were held back."""
        return bool(self.problems) or self.deletes_withheld > 0


class _Publisher:
    """Groups changes into batches and sends each one: recorded, sent, then committed."""

    def __init__(
        self,
        client: ZoneClient | None,
        snapshot: Snapshot | None,
        settings: PushSettings,
        report: PushReport,
        on_change: Callable[[Change], None] | None,
    ) -> None:
        self.client = client
        self.snapshot = snapshot
        self.settings = settings
        self.report = report
        self.on_change = on_change
        self.changes: list[Change] = []
        self.encoded: list[bytes] = []
        self.size = 0

    def add(self, change: Change) -> None:
        encoded = encode_event(
            change.action, change.object_type, change.ref_id, change.content_json
        )
        full = len(self.changes) >= self.settings.batch_events
        if self.changes and (full or self.size + len(encoded) + 1 > self.settings.batch_bytes):
            self.flush()
        self.changes.append(change)
        self.encoded.append(encoded)
        self.size += len(encoded) + 1

    def flush(self) -> None:
        if not self.changes:
            return
        changes, encoded = self.changes, self.encoded
        self.changes, self.encoded, self.size = [], [], 0
        if self.client is None or self.snapshot is None:  # a dry run
            for change in changes:
                self.report.sent[change.action] += 1
                if self.on_change is not None:
                    self.on_change(change)
            self.report.batches += 1
            return
        batch = self.snapshot.record_pending(encode_batch(encoded), changes)
        self.send(batch)

    def send(self, batch: PendingBatch, *, resent: bool = False) -> None:
        assert self.client is not None
        assert self.snapshot is not None
        try:
            result = self.client.publish_encoded(batch.body, idempotency_key=batch.idempotency_key)
        except ZoneRejectedError as error:
            self.snapshot.discard(batch)
            if error.status != 422 or not error.problems:
                raise
            self._resend_accepted(batch, error)
            return
        except ZoneError as error:
            if error.status is not None and 400 <= error.status < 500:
                self.snapshot.discard(batch)  # refused outright: the zone stored none of it
                raise
            raise PushInterruptedError(
                f"{error}. The push stopped: {self.report.batches} batch(es) were stored by the "
                "zone and are kept; the batch in flight is recorded and the next push sends it "
                "again under the same idempotency key, so nothing is lost or sent twice"
            ) from error
        self.snapshot.commit(batch)
        self.report.batches += 1
        self.report.resent_batches += resent
        self.report.replayed_batches += result.replayed
        self.report.bytes_sent += result.bytes_sent
        for change in batch.entries:
            self.report.sent[change.action] += 1
            if self.on_change is not None:
                self.on_change(change)

    def _resend_accepted(self, batch: PendingBatch, error: ZoneRejectedError) -> None:
        """The zone refused some events of the batch (and stored none): report those, and send
        the others as a new batch. The refused ones stay out of the snapshot, so the next push
        tries them again."""
        assert self.snapshot is not None
        refused: set[int] = set()
        for entry in error.problems:
            index = entry.get("index")
            if not isinstance(index, int) or not 0 <= index < len(batch.entries):
                raise error
            refused.add(index)
            change = batch.entries[index]
            for said in _said(entry):
                field_name = said.get("field")
                self.report.problems.append(
                    Problem(
                        "zone",
                        f"{change.object_type} {change.ref_id}",
                        field_name if isinstance(field_name, str) else None,
                        str(said.get("message", "refused by the zone")),
                    )
                )
        events = json.loads(batch.body)["events"]
        kept = [i for i in range(len(batch.entries)) if i not in refused]
        if not kept:
            return
        body = encode_batch([_compact(events[i]) for i in kept])
        self.send(self.snapshot.record_pending(body, [batch.entries[i] for i in kept]))


def _said(entry: Mapping[str, object]) -> list[Mapping[str, object]]:
    problems = entry.get("problems")
    if isinstance(problems, list) and problems:
        return [p for p in problems if isinstance(p, Mapping)]
    return [{"message": "refused by the zone"}]


def _compact(event: object) -> bytes:
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()


def push(
    settings: PushSettings,
    *,
    client: ZoneClient,
    snapshot: Snapshot,
    read_progress: ProgressCallback | None = None,
    on_change: Callable[[Change], None] | None = None,
) -> PushReport:
    """Push ``settings.input`` to the zone, first resending any batch a cut-off push left.

    ``on_change`` is called with each event once the zone has it. Raises
    :class:`PushInterruptedError` when the zone stops answering mid-push (run the push again to
    finish) and :class:`~sif_core.errors.ZoneError` when the zone refuses a batch
    outright (wrong token, missing right).
    """
    return _push(settings, client, snapshot, None, read_progress, on_change)


def dry_run(
    settings: PushSettings,
    previous: Mapping[str, tuple[str, bytes]],
    *,
    read_progress: ProgressCallback | None = None,
    on_change: Callable[[Change], None] | None = None,
) -> PushReport:
    """What :func:`push` would send, diffing against ``previous`` (a snapshot's
    :meth:`~sif_core.changes.Snapshot.entries`, or ``{}``); sends and records nothing."""
    return _push(settings, None, None, previous, read_progress, on_change)


def _push(
    settings: PushSettings,
    client: ZoneClient | None,
    snapshot: Snapshot | None,
    previous: Mapping[str, tuple[str, bytes]] | None,
    read_progress: ProgressCallback | None,
    on_change: Callable[[Change], None] | None,
) -> PushReport:
    report = PushReport(dry_run=client is None)
    publisher = _Publisher(client, snapshot, settings, report, on_change)
    if snapshot is not None:
        for batch in snapshot.pending():
            publisher.send(batch, resent=True)
        previous = snapshot.entries()
    diff = Diff(previous or {})
    types = settings.types
    context = ReadContext(source_system=settings.source_system, options=dict(settings.options))
    if read_progress is not None:
        context.progress = read_progress
    for item in settings.adapter.read(settings.input, context):
        if isinstance(item, Problem):
            report.problems.append(item)
            continue
        report.read[item.object_name] += 1
        if item.object_name not in types:
            report.skipped_types[item.object_name] += 1
            continue
        try:
            change = diff.compare(item)
        except ValueError as error:
            report.problems.append(Problem(str(settings.input), item.object_name, None, str(error)))
            continue
        if change is not None:
            publisher.add(change)
    report.unchanged = diff.unchanged
    deletes = diff.deletions(types)
    reason = _withhold(settings, report, deletes, previous or {})
    if reason is None:
        for change in deletes:
            publisher.add(change)
    else:
        report.deletes_withheld, report.withheld_because = len(deletes), reason
    publisher.flush()
    return report


def _withhold(
    settings: PushSettings,
    report: PushReport,
    deletes: list[Change],
    previous: Mapping[str, tuple[str, bytes]],
) -> str | None:
    """Why the deletes must wait, or ``None`` when they may go."""
    count = len(deletes)
    if not count or settings.allow_deletes:
        return None
    if any(problem.is_error for problem in report.problems):
        return (
            "the export has records with problems, and a record that could not be read must not "
            "delete its object from the zone; fix them and push again (or --allow-deletes)"
        )
    before = sum(1 for object_type, _ in previous.values() if object_type in settings.types)
    if before >= _GUARD_FLOOR and 100 * count / before > settings.max_delete_percent:
        return (
            f"they would remove {count} of the {before} objects sent before "
            f"({100 * count / before:.0f}%, over max_delete_percent "
            f"{settings.max_delete_percent:g}); if the export really lost them, push again "
            "with --allow-deletes"
        )
    return None
