"""Agents: what makes an MIS, which speaks no SIF, a party of a zone.

- :func:`~sif_core.agent_push.push` turns "here is today's export" into "here is what changed":
  read through the adapter, diff against the snapshot of what was last sent, publish the events.
- :class:`~sif_core.agent_pull.PullWriter` and :func:`run_pull` turn a party's queue into files
  its own system understands, acknowledging only what is safely on disk; with ``follow`` the
  loop keeps going, backs off while the zone is down, and says every so often that it is alive.
- :func:`load_agent_config` reads the agent configuration file (TOML), the alternative to flags
  documented in ``docs/agents.md``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import threading
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sif_core.agent_pull import PullReport, PullSettings, PullWriter
from sif_core.agent_push import PushReport, PushSettings, dry_run, push
from sif_core.errors import AgentConfigError, ZoneRejectedError, ZoneUnreachableError
from sif_core.tabular.tomlpos import toml_positions

__all__ = [
    "AgentConfig",
    "PullReport",
    "PullSection",
    "PullSettings",
    "PullWriter",
    "PushReport",
    "PushSection",
    "PushSettings",
    "ZoneSection",
    "default_state_path",
    "dry_run",
    "load_agent_config",
    "push",
    "run_pull",
]

Positive = Annotated[float, Field(gt=0)]
_WAIT_LIMIT = re.compile(r"wait must be between \S+ and ([0-9.]+)")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ZoneSection(_Section):
    """``[zone]``: where the zone is and how this party proves who it is."""

    url: str
    token: str | None = None
    token_env: str | None = None
    token_file: Path | None = None
    hmac_party: str | None = None
    timeout_seconds: Positive = 30.0
    attempts: Annotated[int, Field(ge=1, le=20)] = 5


class PushSection(_Section):
    """``[push]``: the export to push and how."""

    adapter: str | None = None
    input: Path | None = None
    source_system: str | None = None
    state: Path | None = None
    types: list[str] | None = None
    batch_events: Annotated[int, Field(ge=1, le=10_000)] = 500
    batch_bytes: Annotated[int, Field(ge=1024)] = 900_000
    max_delete_percent: Annotated[float, Field(ge=0, le=100)] = 25.0
    options: dict[str, str] = Field(default_factory=dict)


class PullSection(_Section):
    """``[pull]``: where to write what arrives, and how patiently to wait for it."""

    adapter: str | None = None
    out: Path | None = None
    file_name: str | None = None
    options: dict[str, str] = Field(default_factory=dict)
    max_messages: Annotated[int, Field(ge=1, le=1000)] = 100
    wait_seconds: Annotated[float, Field(ge=0, le=300)] = 25.0
    linger_seconds: Annotated[float, Field(ge=0, le=5)] = 0.5
    heartbeat_seconds: Positive = 60.0
    max_backoff_seconds: Positive = 60.0
    max_deliveries: Annotated[int, Field(ge=1)] = 5


class AgentConfig(_Section):
    """The whole configuration file; every section is optional (flags can stand in)."""

    zone: ZoneSection | None = None
    push: PushSection | None = None
    pull: PullSection | None = None

    def token(self, given: str | None) -> str:
        """The token: ``given`` (a flag), else ``token``, ``token_env`` or ``token_file``."""
        if given:
            return given
        zone = self.zone
        if zone is not None and zone.token:
            return zone.token
        if zone is not None and zone.token_env:
            value = os.environ.get(zone.token_env, "")
            if not value:
                raise AgentConfigError(f"token_env names {zone.token_env}, which is not set")
            return value
        if zone is not None and zone.token_file:
            try:
                return zone.token_file.read_text(encoding="utf-8").strip()
            except OSError as error:
                raise AgentConfigError(f"token_file {zone.token_file}: {error.strerror}") from None
        raise AgentConfigError(
            "no token: give the party's token with --token or SIF_AGENT_TOKEN, or token_env or "
            "token_file in the [zone] section of the agent configuration"
        )


def load_agent_config(path: Path) -> AgentConfig:
    """Read and validate the agent configuration at ``path``; relative paths in it are taken
    from the file's folder. Raises :class:`AgentConfigError` naming the line of each mistake."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise AgentConfigError(f"{path}: cannot read the agent configuration: {error}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise AgentConfigError(f"{path}: not valid TOML: {error}") from None
    try:
        config = AgentConfig.model_validate(document)
    except ValidationError as error:
        positions = toml_positions(text)
        lines = []
        for problem in error.errors():
            location = [part for part in problem["loc"] if isinstance(part, str | int)]
            where = positions.key(location)
            dotted = ".".join(str(part) for part in location)
            line = f"{path}:{where.line}" if where else str(path)
            lines.append(f"{line}: {dotted}: {problem['msg']}")
        raise AgentConfigError("\n".join(lines)) from None
    return _anchored(config, path.parent)


def _anchored(config: AgentConfig, folder: Path) -> AgentConfig:
    def fix(section: _Section | None, *names: str) -> Any:
        if section is None:
            return None
        update = {}
        for name in names:
            value = getattr(section, name)
            if isinstance(value, Path) and not value.is_absolute():
                update[name] = folder / value.expanduser()
        return section.model_copy(update=update)

    return config.model_copy(
        update={
            "zone": fix(config.zone, "token_file"),
            "push": fix(config.push, "input", "state"),
            "pull": fix(config.pull, "out"),
        }
    )


def default_state_path(zone_url: str, adapter: str, source_system: str) -> Path:
    """Where a push keeps its snapshot unless told: the user's state folder, one file per zone,
    adapter and source system (``$XDG_STATE_HOME/sifbridge``, else ``~/.local/state/sifbridge``)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    digest = hashlib.sha256(f"{zone_url}\n{adapter}\n{source_system}".encode()).hexdigest()
    return Path(base) / "sifbridge" / f"push-{adapter}-{digest[:16]}.sqlite"


def run_pull(
    writer: PullWriter,
    *,
    follow: bool,
    say: Callable[[str], None],
    stop: threading.Event | None = None,
    clock: Callable[[], float] = time.time,
) -> PullReport:
    """Pull until the queue is empty, or with ``follow`` until ``stop`` is set (or Ctrl-C).

    Following, it backs off while the zone is unreachable or a batch cannot be written
    (exponentially, capped at ``max_backoff_seconds``) and calls ``say`` with a heartbeat line
    every ``heartbeat_seconds``: when it last polled, whether the zone answered, and what it
    has written, so a reader that has stopped is noticed. Without ``follow`` errors are raised.
    """
    stop = stop or threading.Event()
    settings = writer.settings
    wait = settings.wait_seconds
    limit = writer.client.max_wait_seconds() if follow else None
    if limit is not None and limit < wait:
        say(f"the zone allows long polls of at most {limit:g} s; waiting that long")
        wait = limit
    failures = 0
    trouble = ""
    down_since: float | None = None
    next_beat = clock() + settings.heartbeat_seconds
    while not stop.is_set():
        try:
            # Each batch is acknowledged by the next lease, in the same request.
            count = writer.poll(wait if follow else 0, defer_ack=True)
        except ZoneRejectedError as error:
            lowered = _lower_wait(error, wait)
            if lowered is None:
                raise
            say(f"the zone allows long polls of at most {lowered:g} s; waiting that long")
            wait = lowered
            continue
        except Exception as error:
            # Follow mode must survive anything a zone or an adapter can throw at it; the batch
            # comes back after its lease. Without follow, the caller reports the error.
            if not follow:
                raise
            failures += 1
            down_since = down_since or clock()
            delay = min(settings.max_backoff_seconds, 2.0 ** (failures - 1))
            trouble = (
                "zone unreachable" if isinstance(error, ZoneUnreachableError) else "cannot write"
            )
            if failures == 1:
                say(f"{trouble}: {error}; trying again in {delay:g} s, backing off")
            if clock() >= next_beat:
                next_beat = clock() + settings.heartbeat_seconds
                say(_heartbeat(writer.report, clock(), trouble, down_since, failures))
            stop.wait(delay)
            continue
        if failures:
            say(f"working again after {failures} failed attempt(s)")
            failures, down_since = 0, None
        if not follow and count == 0:
            break
        if follow and clock() >= next_beat:
            next_beat = clock() + settings.heartbeat_seconds
            say(_heartbeat(writer.report, clock(), "", None, 0))
    try:
        writer.flush_acks()
    except Exception as error:
        if not follow:
            raise
        say(f"the last batch is not acknowledged ({error}); it comes back after its lease and "
            "is recognised as written")  # fmt: skip
    return writer.report


def _lower_wait(error: ZoneRejectedError, wait: float) -> float | None:
    # A zone that does not publish its longest long poll names it when refusing a longer one.
    match = _WAIT_LIMIT.search(str(error))
    if match is None:
        return None
    limit = float(match.group(1))
    return limit if limit < wait else None


def _heartbeat(
    report: PullReport, now: float, trouble: str, since: float | None, failures: int
) -> str:
    def clock_time(moment: float) -> str:
        return dt.datetime.fromtimestamp(moment).strftime("%H:%M:%S")

    last = clock_time(report.last_poll) if report.last_poll else "never"
    if trouble and since is not None:
        state = f"{trouble} since {clock_time(since)} ({failures} failed attempt(s))"
    else:
        state = "zone answering"
    return f"alive at {clock_time(now)}: last poll {last}, {state}; {report.describe()}"
