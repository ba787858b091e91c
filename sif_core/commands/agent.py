"""``sif agent push`` and ``sif agent pull``: an MIS export to the zone as changes, and a party's
queue into files. Flags override the agent configuration file (``--config``, docs/agents.md)."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from sif_core.adapter import AdapterSpec
from sif_core.agent import (
    AgentConfig,
    PullSection,
    PullSettings,
    PullWriter,
    PushReport,
    PushSection,
    PushSettings,
    default_state_path,
    load_agent_config,
    push,
    run_pull,
)
from sif_core.agent import dry_run as preview
from sif_core.changes import Change, Snapshot
from sif_core.client import RetryPolicy, ZoneClient
from sif_core.errors import SIFError
from sif_core.model import OBJECT_TYPES
from sif_core.plugins import get_plugin_host

__all__ = ["command"]

#: Exports at least this large get progress bars when stderr is a terminal.
_PROGRESS_BYTES = 1 << 20
_MAX_PROBLEMS = 50


@click.group("agent")
def command() -> None:
    """Agents: push an MIS export to a zone as changes; pull a party's queue into files."""


def _zone_options(function: Any) -> Any:
    options = [
        click.option(
            "--zone", "zone_url", metavar="URL", help="The zone: http(s)://HOST/api/zones/ID."
        ),
        click.option(
            "--token",
            envvar="SIF_AGENT_TOKEN",
            metavar="TOKEN",
            help="The party's token [env SIF_AGENT_TOKEN, which other users cannot see in ps].",
        ),
        click.option("--adapter", "adapter_name", metavar="NAME", help="The MIS format's adapter."),
        click.option(
            "--config",
            "config_path",
            type=click.Path(dir_okay=False, exists=True, path_type=Path),
            help="An agent configuration file (TOML); flags override it.",
        ),
        click.option(
            "--option",
            "-o",
            "option_pairs",
            metavar="KEY=VALUE",
            multiple=True,
            help="An adapter option; repeatable.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _config(path: Path | None) -> AgentConfig:
    return load_agent_config(path) if path is not None else AgentConfig()


def _client(
    config: AgentConfig, zone_url: str | None, token: str | None, *, most_attempts: int = 20
) -> ZoneClient:
    url = zone_url or (config.zone.url if config.zone else None)
    if not url:
        raise click.UsageError("give the zone with --zone URL or [zone] url in --config")
    zone = config.zone
    try:
        return ZoneClient(
            url,
            config.token(token),
            timeout=zone.timeout_seconds if zone else 30.0,
            retry=RetryPolicy(attempts=min(most_attempts, zone.attempts if zone else 5)),
            hmac_party=zone.hmac_party if zone else None,
        )
    except ValueError as error:
        raise click.UsageError(str(error)) from None


def _adapter(name: str | None, section_name: str | None) -> AdapterSpec:
    chosen = name or section_name
    if not chosen:
        raise click.UsageError("name the adapter with --adapter NAME (see `sif adapters list`)")
    return get_plugin_host().adapter(chosen)


def _options(pairs: tuple[str, ...], base: dict[str, str]) -> dict[str, str]:
    options = dict(base)
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--option")
        options[key.strip()] = value
    return options


@contextlib.contextmanager
def _errors() -> Iterator[None]:
    try:
        yield
    except SIFError as error:
        raise click.ClickException(str(error)) from None


@command.command("push")
@click.argument("input_path", metavar="INPUT", required=False, type=click.Path(path_type=Path))
@_zone_options
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send and record nothing.")
@click.option("--state", type=click.Path(dir_okay=False, path_type=Path), help="Snapshot file.")
@click.option("--source-system", metavar="ID", help="Seeds RefIds: keep it the same every run.")
@click.option("--type", "types", multiple=True, metavar="TYPE", help="Push only TYPE; repeat.")
@click.option("--batch-events", type=click.IntRange(1, 10_000), help="Events per request.")
@click.option("--batch-bytes", type=click.IntRange(1024), help="Bytes per request, at most.")
@click.option("--allow-deletes", is_flag=True, help="Send deletes the safety checks held back.")
@click.option("--progress/--no-progress", default=None, help="Progress bars [default: auto].")
def push_command(
    input_path: Path | None,
    zone_url: str | None,
    token: str | None,
    adapter_name: str | None,
    config_path: Path | None,
    option_pairs: tuple[str, ...],
    dry_run: bool,
    state: Path | None,
    source_system: str | None,
    types: tuple[str, ...],
    batch_events: int | None,
    batch_bytes: int | None,
    allow_deletes: bool,
    progress: bool | None,
) -> None:
    """Push INPUT, an MIS export, to the zone: only what changed since the last push.

    The export is read through the adapter and compared with the snapshot of what this party
    last sent (--state; a SQLite file); adds, changes and deletes are published in batches. A
    push cut off by a crash or a network failure is finished by running it again: nothing is
    lost and nothing is sent twice. Exit status 1 when records had problems or deletes were held.
    """
    with _errors():
        config = _config(config_path)
        section = config.push or PushSection()
        adapter = _adapter(adapter_name, section.adapter)
        source = input_path or section.input
        if source is None:
            raise click.UsageError("give the export to push (INPUT, or [push] input in --config)")
        if not source.exists():
            raise click.UsageError(f"{source}: no such file or folder")
        chosen = list(types) or section.types
        unknown = [name for name in chosen or () if name not in OBJECT_TYPES]
        if unknown:
            raise click.BadParameter(f"unknown object type(s) {unknown}", param_hint="--type")
        settings = PushSettings(
            adapter=adapter,
            input=source,
            source_system=source_system or section.source_system or adapter.name,
            options=_options(option_pairs, section.options),
            object_types=frozenset(chosen) if chosen else None,
            batch_events=batch_events or section.batch_events,
            batch_bytes=batch_bytes or section.batch_bytes,
            max_delete_percent=section.max_delete_percent,
            allow_deletes=allow_deletes,
        )
        client = _client(config, zone_url, token)
        path = state or section.state
        path = path or default_state_path(client.base, adapter.name, settings.source_system)
        identity = {"zone": client.base, "adapter": adapter.name, "source": settings.source_system}
        err = Console(stderr=True, soft_wrap=True)
        show = progress if progress is not None else err.is_terminal and _big(source)
        report = _run_push(settings, client, path, identity, err, show, dry=dry_run)
    _print_push(report, source, client.base, path)
    if report.needs_attention:
        raise SystemExit(1)


def _run_push(
    settings: PushSettings,
    client: ZoneClient,
    state: Path,
    identity: dict[str, str],
    err: Console,
    show: bool,
    *,
    dry: bool,
) -> PushReport:
    with _bars(err, show, settings.input.name) as (reading, sent):
        if dry:

            def announce(change: Change) -> None:
                sent(1)
                click.echo(f"would {change.action} {change.object_type} {change.ref_id}")

            previous: dict[str, tuple[str, bytes]] = {}
            if state.exists():
                with Snapshot(state, identity) as snapshot:
                    previous = snapshot.entries()
                    waiting = len(snapshot.pending())
                if waiting:
                    click.echo(f"{waiting} batch(es) from a cut-off push would be sent again first")
            return preview(settings, previous, read_progress=reading, on_change=announce)
        with Snapshot(state, identity) as snapshot:
            return push(
                settings,
                client=client,
                snapshot=snapshot,
                read_progress=reading,
                on_change=lambda change: sent(1),
            )


def _big(path: Path) -> bool:
    if path.is_file():
        return path.stat().st_size >= _PROGRESS_BYTES
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) >= _PROGRESS_BYTES


@contextlib.contextmanager
def _bars(console: Console, enabled: bool, label: str) -> Iterator[tuple[Any, Any]]:
    """Two progress callbacks: reading the export, and events sent."""
    if not enabled:
        yield (lambda done, total: None), (lambda count: None)
        return
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.completed:,.0f}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as bars:
        reading = bars.add_task(f"reading {label}", total=None)
        sending = bars.add_task("events sent", total=None)

        def read(done: int, total: int | None) -> None:
            bars.update(reading, completed=done, total=total)

        def sent(count: int) -> None:
            bars.advance(sending, count)

        yield read, sent


def _print_push(report: PushReport, source: Path, zone: str, state: Path) -> None:
    for problem in report.problems[:_MAX_PROBLEMS]:
        click.echo(str(problem), err=True)
    if len(report.problems) > _MAX_PROBLEMS:
        click.echo(f"... and {len(report.problems) - _MAX_PROBLEMS} more problems", err=True)
    if report.problems:
        click.echo(
            f"{len(report.problems)} record problem(s): those records were not sent", err=True
        )
    counts = ", ".join(f"{report.sent[a]} {a}" for a in ("add", "change", "delete"))
    skipped = sum(report.skipped_types.values())
    verb = "would send" if report.dry_run else "sent"
    line = f"{source} -> {zone}: {verb} {counts} in {report.batches} batch(es)"
    if not report.dry_run:
        line += f" ({report.bytes_sent:,} bytes)"
    line += f"; {report.unchanged:,} unchanged"
    if skipped:
        line += f"; {skipped:,} of types not pushed ({', '.join(sorted(report.skipped_types))})"
    click.echo(line)
    if report.resent_batches:
        click.echo(
            f"finished {report.resent_batches} batch(es) a cut-off push left "
            f"({report.replayed_batches} the zone already had)"
        )
    if report.dry_run:
        click.echo("dry run: nothing was sent and the snapshot is unchanged")
    else:
        click.echo(f"snapshot: {state}")
    if report.deletes_withheld:
        click.echo(
            f"{report.deletes_withheld} delete(s) held back: {report.withheld_because}", err=True
        )


@command.command("pull")
@_zone_options
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--follow", is_flag=True, help="Keep pulling until interrupted.")
@click.option("--file-name", metavar="TEMPLATE", help="Name of each batch's file ({stamp} ...).")
@click.option("--wait", type=click.FloatRange(0, 300), help="Long-poll seconds [default 25].")
@click.option(
    "--linger",
    type=click.FloatRange(0, 5),
    help="Seconds to let single events gather into one batch [default 0.5].",
)
@click.option("--heartbeat", type=click.FloatRange(1), help="Seconds between 'alive' lines.")
def pull_command(
    zone_url: str | None,
    token: str | None,
    adapter_name: str | None,
    config_path: Path | None,
    option_pairs: tuple[str, ...],
    out: Path | None,
    follow: bool,
    file_name: str | None,
    wait: float | None,
    linger: float | None,
    heartbeat: float | None,
) -> None:
    """Pull this party's queue into --out, written through the adapter (CTF files, a OneRoster
    bundle, SIF XML ...), acknowledging each batch only once it is safely on disk.

    Without --follow it stops when the queue is empty. With --follow it keeps going until
    interrupted, backs off while the zone is down, and prints an 'alive' line every --heartbeat
    seconds with the last poll time and what it has written.
    """
    with _errors():
        config = _config(config_path)
        section = config.pull or PullSection()
        adapter = _adapter(adapter_name, section.adapter)
        folder = out or section.out
        if folder is None:
            raise click.UsageError("give the output folder with --out DIR or [pull] out")
        settings = PullSettings(
            adapter=adapter,
            out=folder,
            options=_options(option_pairs, section.options),
            file_name=file_name if file_name is not None else section.file_name,
            max_messages=section.max_messages,
            wait_seconds=wait if wait is not None else section.wait_seconds,
            linger_seconds=linger if linger is not None else section.linger_seconds,
            heartbeat_seconds=heartbeat or section.heartbeat_seconds,
            max_backoff_seconds=section.max_backoff_seconds,
            max_deliveries=section.max_deliveries,
        )
        # Following, the loop's own back-off takes over from the client's retries quickly, so a
        # zone going down is reported within seconds rather than after every retry.
        client = _client(config, zone_url, token, most_attempts=2 if follow else 20)

        def say(line: str) -> None:
            click.echo(line, err=True)

        writer = PullWriter(client, settings, say=say)
        stop = threading.Event()
        try:
            with _stop_on_sigterm(stop):
                report = run_pull(writer, follow=follow, say=say, stop=stop)
        except KeyboardInterrupt:
            report = writer.report
            say("interrupted; unacknowledged messages come back after their lease")
        finally:
            writer.close()
    click.echo(f"pulled into {folder}: {report.describe()}")


@contextlib.contextmanager
def _stop_on_sigterm(stop: threading.Event) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(number: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, handle)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
