"""The conformance kit as a pytest plugin (entry point ``pytest11``), for vendors' own CI.

It does nothing unless asked. Asked, it adds one test item per check of the suite::

    pytest --sif-conformance-adapter acme --sif-conformance-samples tests/samples
    pytest --sif-conformance-zone http://127.0.0.1:8080 --sif-conformance-config kit.toml

PASSED passes; FAILED fails with the clause's evidence; SKIPPED is skipped; WARNING passes with
the warning in the report's "sif-conformance" section; ERROR (the kit could not run the check)
is reported as a pytest *error*, not a failure. ``--sif-conformance-out DIR`` also writes the
kit's JUnit XML, JSON and HTML reports. Select checks with ``-k``, as any test.

Importing this module imports nothing of the kit: every pytest run loads it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from sif_core.conformance.checks import Check
    from sif_core.conformance.results import CheckResult, Report

__all__ = [
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_sessionfinish",
    "pytest_terminal_summary",
]

_OPTIONS = ("adapter", "samples", "statement", "zone", "config", "out")


def pytest_addoption(parser: pytest.Parser) -> None:
    """The plugin's options (all inert until --sif-conformance-adapter or -zone is given)."""
    group = parser.getgroup("sif-conformance", "sifbridge conformance kit")
    helps = {
        "adapter": "run the adapter suite on the installed adapter NAME",
        "samples": "folder of the adapter's good samples",
        "statement": "the conformance statement (TOML)",
        "zone": "run the zone suite against the zone at URL",
        "config": "the zone kit's configuration (test parties and tokens)",
        "out": "also write the kit's JUnit XML, JSON and HTML reports into DIR",
    }
    for name, text in helps.items():
        group.addoption(f"--sif-conformance-{name}", dest=f"sif_conformance_{name}", help=text)


def _option(config: pytest.Config, name: str) -> str | None:
    value = config.getoption(f"sif_conformance_{name}")
    return str(value) if value else None


@dataclass
class _Run:
    """The run this pytest session makes: its session with the target and its report."""

    session: Any
    report: Report
    stem: str
    closing: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)


_RUN = pytest.StashKey[_Run]()


class ConformanceFailure(Exception):  # noqa: N818 - shown to pytest as the check's failure
    """A check that FAILED, or could not run (ERROR)."""

    def __init__(self, result: CheckResult) -> None:
        self.result = result
        super().__init__(result.message)


class ConformanceItem(pytest.Item):
    """One check of the suite as a pytest test."""

    def __init__(self, *, check: Check[Any], run: _Run, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.run = run
        self.outcome: CheckResult | None = None
        self.user_properties.append(("clause", check.clause))

    def setup(self) -> None:
        from sif_core.conformance.checks import run_check
        from sif_core.conformance.results import Outcome

        self.outcome = run_check(self.check, self.run.session)
        self.run.report.results.append(self.outcome)
        self.user_properties.append(("result", self.outcome.outcome.value))
        if self.outcome.outcome is Outcome.ERROR:
            raise ConformanceFailure(self.outcome)  # during setup: pytest calls it an error

    def runtest(self) -> None:
        from sif_core.conformance.results import Outcome

        result = self.outcome
        assert result is not None
        if result.outcome is Outcome.SKIPPED:
            pytest.skip(result.message)
        if result.outcome is Outcome.WARNING:
            text = "\n".join((f"WARNING: {result.message}", *result.details))
            self.add_report_section("call", "sif-conformance", text)
        if result.outcome is Outcome.FAILED:
            raise ConformanceFailure(result)

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str | Any:
        if isinstance(excinfo.value, ConformanceFailure):
            result = excinfo.value.result
            lines = [f"{result.outcome.value} {result.check} ({result.title})", result.message]
            return "\n".join([*lines, *(f"    {d}" for d in result.details)])
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[str, int | None, str]:
        return "sif-conformance", None, self.check.id


def _start(config: pytest.Config) -> tuple[_Run, list[Check[Any]]] | None:
    from sif_core.conformance.adapter_session import SamplesError, default_statement
    from sif_core.conformance.clauses import SUITE_VERSION
    from sif_core.conformance.results import Report
    from sif_core.conformance.runner import (
        ADAPTER_CHECKS,
        ADAPTER_SUITE,
        ZONE_CHECKS,
        adapter_session,
        adapter_target,
        zone_report,
    )
    from sif_core.conformance.statement import (
        StatementError,
        ZoneStatement,
        load_adapter_statement,
        load_zone_statement,
    )
    from sif_core.conformance.zone_config import load_kit_config
    from sif_core.conformance.zone_session import ZoneSession

    adapter, zone = _option(config, "adapter"), _option(config, "zone")
    statement = _option(config, "statement")
    now = dt.datetime.now(dt.UTC)
    try:
        if adapter is not None:
            samples = Path(_option(config, "samples") or ".")
            stated = Path(statement) if statement else default_statement(samples)
            closing = contextlib.ExitStack()
            session = closing.enter_context(
                adapter_session(
                    adapter,
                    samples,
                    statement=load_adapter_statement(stated) if stated else None,
                )
            )
            target, claims = adapter_target(session)
            report = Report(ADAPTER_SUITE, SUITE_VERSION, target, claims, now)
            report.suite_size = len(ADAPTER_CHECKS)
            run = _Run(session, report, f"adapter-{adapter}", closing)
            return run, list(ADAPTER_CHECKS)
        if zone is not None:
            kit_config = _option(config, "config")
            if kit_config is None:
                raise pytest.UsageError("--sif-conformance-zone needs --sif-conformance-config")
            stated_zone = load_zone_statement(Path(statement)) if statement else ZoneStatement()
            kit = load_kit_config(Path(kit_config))
            zone_session = ZoneSession(zone, kit, stated_zone)
            report = zone_report(zone, kit, stated_zone)
            run = _Run(zone_session, report, f"zone-{zone_session.config.zone}")
            run.closing.callback(zone_session.close)
            return run, list(ZONE_CHECKS)
    except (StatementError, SamplesError) as error:
        raise pytest.UsageError(str(error)) from error
    return None


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Add one item per check when a suite is asked for; otherwise do nothing."""
    if _option(config, "adapter") is None and _option(config, "zone") is None:
        return
    started = _start(config)
    if started is None:
        return
    run, checks = started
    config.stash[_RUN] = run
    for check in checks:
        items.append(
            ConformanceItem.from_parent(
                session, name=check.id, nodeid=f"sif-conformance::{check.id}", check=check, run=run
            )
        )


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the kit's reports (with --sif-conformance-out) and end the run."""
    run = session.config.stash.get(_RUN, None)
    if run is None:
        return
    run.report.finished = dt.datetime.now(dt.UTC)
    out = _option(session.config, "out")
    if out is not None:
        from sif_core.conformance.reports import write_reports

        write_reports(run.report, Path(out), run.stem)
    run.closing.close()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Say whether the target conforms, with its warnings."""
    run = config.stash.get(_RUN, None)
    if run is None:
        return
    from sif_core.conformance.results import Outcome

    report = run.report
    terminalreporter.section("sif conformance")
    for result in report.of(Outcome.WARNING):
        terminalreporter.write_line(f"WARNING {result.check}: {result.message}")
    counts = ", ".join(f"{n} {o.value}" for o, n in report.counts().items() if n)
    terminalreporter.write_line(
        f"{report.verdict}: {report.target.name} {report.target.version} ({counts})"
    )
