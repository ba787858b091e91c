"""The conformance kit: numbered clauses, checks, statements, runs and their reports.

Run it with ``sif conformance adapter NAME --samples DIR`` or ``sif conformance zone URL
--config FILE``, through the pytest plugin (``pytest --sif-conformance-adapter NAME``), or from
Python::

    from sif_core.conformance import run_adapter_conformance, write_reports

    report = run_adapter_conformance("acme", Path("samples"))
    write_reports(report, Path("conformance-report"))

The names below are imported on first use, so that loading the pytest plugin (which every pytest
run does once the package is installed) costs nothing until the kit is asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sif_core.conformance.adapter_session import SamplesError
    from sif_core.conformance.clauses import (
        ADAPTER_CLAUSES,
        SUITE_VERSION,
        ZONE_CLAUSES,
        Clause,
    )
    from sif_core.conformance.reports import write_reports
    from sif_core.conformance.results import CheckResult, Outcome, Report, Target
    from sif_core.conformance.runner import (
        ADAPTER_CHECKS,
        ZONE_CHECKS,
        run_adapter_conformance,
        run_zone_conformance,
    )
    from sif_core.conformance.statement import (
        AdapterStatement,
        StatementError,
        ZoneStatement,
        load_adapter_statement,
        load_zone_statement,
    )
    from sif_core.conformance.zone_config import (
        KitConfig,
        create_kit_config,
        load_kit_config,
        zone_fragment,
    )

__all__ = [
    "ADAPTER_CHECKS",
    "ADAPTER_CLAUSES",
    "SUITE_VERSION",
    "ZONE_CHECKS",
    "ZONE_CLAUSES",
    "AdapterStatement",
    "CheckResult",
    "Clause",
    "KitConfig",
    "Outcome",
    "Report",
    "SamplesError",
    "StatementError",
    "Target",
    "ZoneStatement",
    "create_kit_config",
    "load_adapter_statement",
    "load_kit_config",
    "load_zone_statement",
    "run_adapter_conformance",
    "run_zone_conformance",
    "write_reports",
    "zone_fragment",
]

_HOMES = {
    "SamplesError": "adapter_session",
    "ADAPTER_CLAUSES": "clauses",
    "SUITE_VERSION": "clauses",
    "ZONE_CLAUSES": "clauses",
    "Clause": "clauses",
    "write_reports": "reports",
    "CheckResult": "results",
    "Outcome": "results",
    "Report": "results",
    "Target": "results",
    "ADAPTER_CHECKS": "runner",
    "ZONE_CHECKS": "runner",
    "run_adapter_conformance": "runner",
    "run_zone_conformance": "runner",
    "AdapterStatement": "statement",
    "StatementError": "statement",
    "ZoneStatement": "statement",
    "load_adapter_statement": "statement",
    "load_zone_statement": "statement",
    "KitConfig": "zone_config",
    "create_kit_config": "zone_config",
    "load_kit_config": "zone_config",
    "zone_fragment": "zone_config",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
