"""Running a suite: the adapter suite over a plugin's samples, the zone suite over HTTP."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from sif_core.adapter import AdapterSpec
from sif_core.conformance import (  # noqa: F401 - importing them adds their checks
    adapter_basics,
    adapter_inputs,
    adapter_writing,
    zone_access,
    zone_census,
    zone_delivery,
    zone_queries,
    zone_transfer,
)
from sif_core.conformance.adapter_session import ADAPTER_CHECKS, AdapterSession
from sif_core.conformance.checks import Check, Checks, S, run_check
from sif_core.conformance.clauses import SUITE_VERSION
from sif_core.conformance.results import CheckResult, Report, Target
from sif_core.conformance.statement import AdapterStatement, StatementError, ZoneStatement
from sif_core.conformance.zone_config import KitConfig
from sif_core.conformance.zone_session import ZONE_CHECKS, ZoneSession
from sif_core.plugins import PluginHost, get_plugin_host, hookimpl

__all__ = [
    "ADAPTER_CHECKS",
    "ADAPTER_SUITE",
    "ZONE_CHECKS",
    "ZONE_SUITE",
    "Progress",
    "adapter_session",
    "adapter_target",
    "host_with",
    "run_adapter_conformance",
    "run_suite",
    "run_zone_conformance",
    "selected",
    "zone_report",
]

ADAPTER_SUITE: Final = "sifbridge adapter conformance"
ZONE_SUITE: Final = "sifbridge zone conformance"


class _OneAdapter:
    """A plugin that registers one given adapter spec."""

    def __init__(self, spec: AdapterSpec) -> None:
        self.spec = spec

    @hookimpl
    def sif_register_adapters(self, register: Callable[[AdapterSpec], None]) -> None:
        register(self.spec)


def host_with(spec: AdapterSpec) -> PluginHost:
    """A plugin host that holds ``spec`` and nothing else (for testing an adapter in hand)."""
    host = PluginHost()
    host.register(_OneAdapter(spec), name=spec.name, distribution=spec.distribution)
    return host


def selected(checks: Checks[S], select: Collection[str] | None) -> list[Check[S]]:
    """The checks whose id or clause is in ``select`` (all of them when it is ``None``).

    Raises :class:`ValueError` naming a selection that matches no check.
    """
    if select is None:
        return list(checks)
    unknown = [s for s in select if not any(s in (c.id, c.clause) for c in checks)]
    if unknown:
        raise ValueError(f"no check or clause is called {', '.join(unknown)}")
    return [check for check in checks if check.id in select or check.clause in select]


Progress = Callable[[CheckResult], None]


def run_suite(
    checks: list[Check[S]], session: S, report: Report, progress: Progress | None = None
) -> Report:
    """Run ``checks`` in order against ``session``, adding each result to ``report`` and
    handing it to ``progress`` as soon as it is known."""
    for check in checks:
        result = run_check(check, session)
        report.results.append(result)
        if progress is not None:
            progress(result)
    report.finished = dt.datetime.now(dt.UTC)
    return report


@contextmanager
def adapter_session(
    name: str,
    samples: Path,
    *,
    statement: AdapterStatement | None = None,
    host: PluginHost | None = None,
    workdir: Path | None = None,
    only: list[Path] | None = None,
) -> Iterator[AdapterSession]:
    """A session for adapter ``name`` (from ``host``, by default the installed plugins) over the
    samples in the folder ``samples`` (or just the paths in ``only``); its scratch files go to
    ``workdir`` or a temporary folder removed afterwards.

    Raises :class:`StatementError` when the statement names another adapter and
    :class:`~sif_core.conformance.adapter_session.SamplesError` for an unusable folder.
    """
    statement = statement or AdapterStatement()
    stated = statement.target.adapter
    if stated is not None and stated != name:
        raise StatementError("statement", [f"target.adapter is {stated!r}, not {name!r}"])
    host = host or get_plugin_host()
    with tempfile.TemporaryDirectory(prefix="sif-conformance-") as scratch:
        folder = workdir or Path(scratch)
        yield AdapterSession.open(name, samples, statement, folder, host, only)


def adapter_target(session: AdapterSession) -> tuple[Target, dict[str, object]]:
    """What the report says about the adapter, and the claims it was tested against."""
    spec = session.spec_or_error
    if isinstance(spec, str):
        return Target("adapter", session.name, "unknown", {"error": spec}), {}
    target = Target(
        "adapter",
        spec.name,
        spec.version,
        {"supplier": spec.supplier, "distribution": spec.distribution},
    )
    claims: dict[str, object] = {
        "reads": list(session.claimed_reads),
        "writes": list(session.claimed_writes) if session.claims("writes") else [],
        "xml": session.claims("xml"),
        "samples": [sample.name for sample in session.samples],
        "badSamples": [sample.path for sample in session.statement.bad_samples],
    }
    return target, claims


def run_adapter_conformance(
    name: str,
    samples: Path,
    *,
    statement: AdapterStatement | None = None,
    host: PluginHost | None = None,
    workdir: Path | None = None,
    select: Collection[str] | None = None,
    only: list[Path] | None = None,
    progress: Progress | None = None,
) -> Report:
    """Run the adapter suite (or the ``select``-ed checks or clauses) and return its report.

    ``only`` names the samples to use instead of those found in the folder ``samples``.
    """
    checks = selected(ADAPTER_CHECKS, select)
    started = dt.datetime.now(dt.UTC)
    with adapter_session(
        name, samples, statement=statement, host=host, workdir=workdir, only=only
    ) as session:
        target, claims = adapter_target(session)
        report = Report(ADAPTER_SUITE, SUITE_VERSION, target, claims, started)
        report.suite_size = len(ADAPTER_CHECKS)
        return run_suite(checks, session, report, progress)


def zone_report(url: str, config: KitConfig, statement: ZoneStatement) -> Report:
    """A report, with no results yet, of a run against the zone at ``url``."""
    target = Target(
        "zone",
        statement.target.name or url,
        statement.target.version or "unknown",
        {"url": url, "zone": config.zone},
    )
    claims: dict[str, object] = {"workflows": list(statement.claims.workflows)}
    report = Report(ZONE_SUITE, SUITE_VERSION, target, claims, dt.datetime.now(dt.UTC))
    report.suite_size = len(ZONE_CHECKS)
    return report


def run_zone_conformance(
    url: str,
    config: KitConfig,
    *,
    statement: ZoneStatement | None = None,
    select: Collection[str] | None = None,
    run_id: str | None = None,
    progress: Progress | None = None,
) -> Report:
    """Run the zone suite (or the ``select``-ed checks or clauses) against the zone at ``url``,
    as the test parties of ``config``, and return its report."""
    statement = statement or ZoneStatement()
    checks = selected(ZONE_CHECKS, select)
    report = zone_report(url, config, statement)
    session = ZoneSession(url, config, statement, run_id)
    try:
        return run_suite(checks, session, report, progress)
    finally:
        session.close()
