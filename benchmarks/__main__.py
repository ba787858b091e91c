"""``python -m benchmarks``: run every benchmark, each figure beside its anchor and their ratio.

Usage: ``python -m benchmarks [--check] [--only NAME]... [--quick] [--floors PATH]``.

Every module of this folder whose name does not start with ``_`` is a benchmark. One that
exposes ``rows(quick: bool) -> list[Row]`` (see :mod:`benchmarks._harness`) is printed as tables;
one that only has ``main()`` prints its own report (and is skipped by ``--quick``, which it
cannot honour). ``--check`` compares each ratio with the floor ``benchmarks/floors.toml`` records
for ``MODULE.KEY`` and exits 1 when one falls below it; a row whose anchor could not be measured
(RabbitMQ not running, say) is reported as unchecked, not as a failure. Floors are for
full-size runs, so ``--check`` with ``--quick`` is refused.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import platform
import sqlite3
import sys
import time
import tomllib
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from benchmarks._harness import Row

__all__ = ["Outcome", "check", "discover", "load_floors", "main", "run_module"]

FLOORS = Path(__file__).with_name("floors.toml")


@dataclass
class Outcome:
    """What running one benchmark module gave: its rows, or that it printed its own report,
    was skipped (``skipped`` says why) or failed (``error`` holds the traceback)."""

    module: str
    title: str
    rows: list[Row] = field(default_factory=list)
    printed: bool = False
    skipped: str = ""
    error: str = ""
    seconds: float = 0.0


def discover(package: ModuleType) -> list[str]:
    """The benchmark modules of ``package`` by name, sorted (``_`` names are helpers)."""
    return sorted(
        info.name
        for info in pkgutil.iter_modules(package.__path__)
        if not info.name.startswith("_") and not info.ispkg
    )


def load_floors(path: Path) -> dict[str, float]:
    """The ``[floors]`` table of ``path``: ``"MODULE.KEY" = lowest acceptable ratio``."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise click.ClickException(
            f"{path}: no floors file; create it with a [floors] table"
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise click.ClickException(f"{path}: not valid TOML: {error}") from None
    floors = document.get("floors", {})
    if not isinstance(floors, dict):
        raise click.ClickException(f"{path}: [floors] must be a table of MODULE.KEY = ratio")
    for key, value in floors.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise click.ClickException(
                f"{path}: floor {key!r} is {value!r}; write a ratio above 0, like 0.5"
            )
        if "." not in key:
            raise click.ClickException(f"{path}: floor {key!r} names no row; write MODULE.KEY")
    return {key: float(value) for key, value in floors.items()}


def run_module(package: ModuleType, name: str, *, quick: bool) -> Outcome:
    """Import and run one benchmark module; an exception becomes the outcome's ``error``."""
    started = time.perf_counter()
    try:
        module = importlib.import_module(f"{package.__name__}.{name}")
    except Exception:
        return Outcome(name, name, error=traceback.format_exc())
    title = (module.__doc__ or name).strip().splitlines()[0]
    outcome = Outcome(name, title)
    try:
        if callable(getattr(module, "rows", None)):
            outcome.rows = list(module.rows(quick=quick))
        elif callable(getattr(module, "main", None)):
            if quick:
                outcome.skipped = "it has no rows(quick) function, so no quick mode"
            else:
                module.main()
                outcome.printed = True
        else:
            outcome.skipped = "it has neither rows(quick) nor main()"
    except Exception:
        outcome.error = traceback.format_exc()
    outcome.seconds = time.perf_counter() - started
    return outcome


def check(outcomes: Sequence[Outcome], floors: dict[str, float]) -> tuple[list[str], list[str]]:
    """Compare each ratio with its floor: (failures, rows that could not be checked).

    A floor of a module that ran without error but gave no such row is a failure (the row was
    renamed or dropped); floors of modules that did not run are ignored.
    """
    failures: list[str] = []
    unchecked: list[str] = []
    ran = {outcome.module: outcome for outcome in outcomes if not outcome.skipped}
    failures += [f"{name}: failed to run" for name, outcome in ran.items() if outcome.error]
    for key, floor in sorted(floors.items()):
        module, _, row_key = key.partition(".")
        found = ran.get(module)
        if found is None or found.error or found.printed:
            continue
        row = next((row for row in found.rows if row.key == row_key), None)
        if row is None:
            failures.append(f"{key}: no such row (floors.toml names a row the module lacks)")
        elif row.ratio is None:
            unchecked.append(f"{key}: {row.note or 'not measured'}")
        elif row.ratio < floor:
            failures.append(f"{key}: ratio {row.ratio:.2f} is below its floor {floor:.2f}")
    return failures, unchecked


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _tables(outcome: Outcome, floors: dict[str, float]) -> list[Table]:
    tables: dict[str, Table] = {}
    for row in outcome.rows:
        table = tables.get(row.table)
        if table is None:
            table = Table(title=f"{outcome.module}: {row.table}", title_justify="left")
            for column, justify in (
                ("measured", "left"),
                ("figure", "right"),
                ("anchor", "left"),
                ("anchor figure", "right"),
                ("ratio", "right"),
                ("floor", "right"),
                ("", "left"),
            ):
                table.add_column(column, justify=justify)  # type: ignore[arg-type]
            tables[row.table] = table
        floor = floors.get(f"{outcome.module}.{row.key}")
        low = floor is not None and row.ratio is not None and row.ratio < floor
        ratio = "-" if row.ratio is None else f"{row.ratio:.2f}"
        table.add_row(
            row.label,
            f"{_number(row.figure)} {row.unit}",
            row.anchor_label,
            "-" if row.anchor is None else f"{_number(row.anchor)} {row.unit}",
            f"[red]{ratio}[/red]" if low else ratio,
            "" if floor is None else f"{floor:.2f}",
            row.note or ("below floor" if low else ""),
        )
    return list(tables.values())


def machine() -> str:
    """One line naming what the figures were measured on."""
    return (
        f"{os.cpu_count()} cores ({platform.machine()}, {platform.system()}), "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )


@click.command()
@click.option(
    "--check", "check_floors", is_flag=True, help="Exit 1 when a ratio is below its floor."
)
@click.option("--only", multiple=True, metavar="NAME", help="Run only this module (repeatable).")
@click.option("--quick", is_flag=True, help="Small sizes: a smoke run, not a measurement.")
@click.option(
    "--floors",
    "floors_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=FLOORS,
    show_default="benchmarks/floors.toml",
    help="The floors file --check compares with.",
)
@click.option("--package", default="benchmarks", hidden=True)
def main(
    check_floors: bool, only: tuple[str, ...], quick: bool, floors_path: Path, package: str
) -> None:
    """Run the benchmarks and print each figure beside its anchor, measured in the same run."""
    # Tables need room: when printing to a file or pipe, do not wrap at 80 columns.
    console = Console() if sys.stdout.isatty() else Console(width=160)
    if check_floors and quick:
        raise click.UsageError("floors are for full-size runs: use --check without --quick")
    floors = load_floors(floors_path)
    found = importlib.import_module(package)
    names = discover(found)
    unknown = sorted(set(only) - set(names))
    if unknown:
        raise click.UsageError(
            f"no benchmark named {', '.join(unknown)}; there are: {', '.join(names)}"
        )
    console.print(
        f"Machine: {machine()}{' (quick: sizes too small to mean much)' if quick else ''}"
    )
    outcomes = []
    for name in names:
        if only and name not in only:
            continue
        console.rule(name)
        outcome = run_module(found, name, quick=quick)
        outcomes.append(outcome)
        for table in _tables(outcome, floors):
            console.print(table)
        if outcome.skipped:
            console.print(f"{name}: skipped, {outcome.skipped}")
        if outcome.error:
            console.print(f"[red]{name} failed:[/red]\n{escape(outcome.error)}")
        console.print(f"({name} took {outcome.seconds:.1f} s)")
    failures, unchecked = check(outcomes, floors)
    for line in unchecked:
        console.print(f"not checked: {line}")
    errors = [outcome for outcome in outcomes if outcome.error]
    if check_floors and failures:
        for line in failures:
            console.print(f"[red]FAIL[/red] {line}")
        sys.exit(1)
    if errors:
        sys.exit(1)
    if check_floors:
        console.print(f"every ratio is at or above its floor ({len(floors)} floors)")


if __name__ == "__main__":
    main()
