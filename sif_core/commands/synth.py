"""``sif synth``: generate a seeded synthetic school system and write it out."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Final

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from sif_core.adapter import AdapterSpec, WriteContext
from sif_core.errors import SIFError
from sif_core.model import SchoolPhase, SIFObject
from sif_core.testing import Synth
from sif_core.testing.export import (
    MANIFEST_NAME,
    OutputExistsError,
    SchoolExport,
    SchoolWriter,
    collection_writer,
    export_synthetic_set,
)
from sif_core.testing.layout import MAX_PUPILS, MAX_SCHOOLS

__all__ = ["BUILTIN_FORMATS", "PHASE_LABELS", "command", "school_writer", "summary_table"]

#: The formats sif_core writes itself; any other name is looked up as an installed adapter.
BUILTIN_FORMATS: Final = {"sif-xml": "xml", "sif-json": "json"}
#: Show a progress bar (on a terminal) from this many pupil records.
PROGRESS_THRESHOLD: Final = 2_000
_PROGRESS_STEP: Final = 100
_TABLE_ROWS: Final = 20
#: Short phase names for tables.
PHASE_LABELS: Final = {
    SchoolPhase.NURSERY: "nursery",
    SchoolPhase.PRIMARY: "primary",
    SchoolPhase.MIDDLE_DEEMED_PRIMARY: "middle",
    SchoolPhase.MIDDLE_DEEMED_SECONDARY: "middle",
    SchoolPhase.SECONDARY: "secondary",
    SchoolPhase.ALL_THROUGH: "all-through",
    SchoolPhase.SPECIAL: "special",
    SchoolPhase.PUPIL_REFERRAL_UNIT: "PRU",
}


def _writable_adapters() -> dict[str, AdapterSpec]:
    from sif_core.plugins import get_plugin_host

    try:
        adapters = get_plugin_host().adapters()
    except SIFError:
        return {}
    return {name: spec for name, spec in adapters.items() if spec.can_write}


def _adapter_writer(spec: AdapterSpec, options: Mapping[str, str] | None = None) -> SchoolWriter:
    write = spec.write
    assert write is not None
    context = WriteContext(options=dict(options or {}))

    def write_school(objects: Iterable[SIFObject], folder: Path) -> Mapping[str, int]:
        counts: Counter[str] = Counter()

        def counted() -> Iterator[SIFObject]:
            for obj in objects:
                counts[obj.object_name] += 1
                yield obj

        write(counted(), folder, context)
        return counts

    return write_school


def school_writer(format_name: str) -> SchoolWriter:
    """How to write one school for ``--format``: a built-in SIF format, a writing adapter, or a
    format one writing adapter names in its ``formats`` (written with the option ``format``).

    An adapter gets each school's objects (LA, school, staff, then pupils) and that school's
    folder as its target. Raises :class:`click.BadParameter` naming the choices.
    """
    if format_name in BUILTIN_FORMATS:
        return collection_writer("xml" if BUILTIN_FORMATS[format_name] == "xml" else "json")
    adapters = _writable_adapters()
    if format_name in adapters:
        return _adapter_writer(adapters[format_name])
    # A format an adapter names (sims writes sims-xml and sims-csv): it gets format=NAME.
    speakers = [spec for spec in adapters.values() if format_name in spec.formats]
    if len(speakers) == 1:
        return _adapter_writer(speakers[0], {"format": format_name})
    formats = sorted({f for spec in adapters.values() for f in spec.formats} - set(adapters))
    choices = ", ".join(dict.fromkeys([*BUILTIN_FORMATS, *sorted(adapters), *formats]))
    raise click.BadParameter(
        f"unknown format {format_name!r}: choose from {choices}", param_hint="--format"
    )


def summary_table(synth: Synth, exports: list[SchoolExport]) -> Table:
    """A table of what was written: a row per school (the first 20), then the totals."""
    table = Table(title="Written", title_justify="left")
    for column in ("LAESTAB", "School", "Phase", "Pupils", "Staff", "Objects"):
        numeric = column in ("Pupils", "Staff", "Objects")
        table.add_column(column, justify="right" if numeric else "left")

    def numbers(counts: Mapping[str, int]) -> tuple[str, str, str]:
        pupils, staff = counts.get("LearnerPersonal", 0), counts.get("WorkforcePersonal", 0)
        return f"{pupils:,}", f"{staff:,}", f"{sum(counts.values()):,}"

    for export in exports[:_TABLE_ROWS]:
        school = export.school
        phase = PHASE_LABELS.get(school.phase, "") if school.phase else ""
        table.add_row(school.laestab, school.school_name, phase, *numbers(export.counts))
    if len(exports) > _TABLE_ROWS:
        more = len(exports) - _TABLE_ROWS
        table.add_row("", f"... {more:,} more")
    if len(exports) > 1:
        total: Counter[str] = Counter()
        for export in exports:
            total.update(export.counts)
        table.add_section()
        table.add_row("", f"All {_count(len(exports), 'school')}", "", *numbers(total))
    return table


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


@contextlib.contextmanager
def _progress(console: Console, total: int, shown: bool) -> Iterator[Callable[[], None]]:
    if not shown:
        yield lambda: None
        return
    columns = (
        TextColumn("Generating pupils"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("pupils", total=total)
        done = 0

        def tick() -> None:
            nonlocal done
            done += 1
            if done % _PROGRESS_STEP == 0:
                bar.update(task, completed=done)

        yield tick


@click.command("synth")
@click.option(
    "--pupils",
    type=click.IntRange(1, MAX_PUPILS),
    required=True,
    help="How many pupils (people; a dual-registered pupil has a record at each school).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same output.")
@click.option(
    "--schools",
    type=click.IntRange(1, MAX_SCHOOLS),
    help="How many schools [default: one per 400 pupils, at least one].",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to create: one sub-folder per school (its LAESTAB), one file per object type.",
)
@click.option(
    "--format",
    "format_name",
    default="sif-xml",
    show_default=True,
    metavar="FORMAT",
    help=(
        "sif-xml, sif-json, the name of an installed adapter that can write, or a format "
        "one names (sims-xml, sims-csv, csv)."
    ),
)
@click.option("--overwrite", is_flag=True, help="Replace --out if it already holds files.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help=f"Show a progress bar [default: on a terminal, from {PROGRESS_THRESHOLD:,} pupils].",
)
def command(
    pupils: int,
    seed: int,
    schools: int | None,
    out: Path,
    format_name: str,
    overwrite: bool,
    progress: bool | None,
) -> None:
    """Generate seeded synthetic LAs, schools, staff and pupils.

    Each school's export goes into its own folder, named by its LAESTAB, as one collection file
    per object type; OUT/synth.json lists what was generated. Everything is written first to a
    hidden folder beside OUT and moved into place at the end, so a failure leaves nothing behind.
    """
    writer = school_writer(format_name)
    try:
        synth = Synth(pupils=pupils, seed=seed, schools=schools)
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    err = Console(stderr=True)
    records = synth.records()
    shown = progress if progress is not None else err.is_terminal and records >= PROGRESS_THRESHOLD
    try:
        with _progress(err, records, shown) as tick:
            exports = export_synthetic_set(
                synth, out, writer, format_name=format_name, overwrite=overwrite, on_pupil=tick
            )
    except OutputExistsError as error:
        raise click.ClickException(str(error)) from error
    except (SIFError, OSError) as error:
        raise click.ClickException(f"{out}: {error}; nothing was written") from error
    console = Console(soft_wrap=True)  # paths stay on one line, ready to copy
    console.print(summary_table(synth, exports))
    total = sum(sum(export.counts.values()) for export in exports)
    console.print(
        f"{records:,} pupil records ({pupils:,} pupils, seed {seed}) in "
        f"{_count(len(exports), 'school')} of {_count(len(synth.las), 'LA')}: "
        f"{total:,} objects as {format_name} in {out}/ "
        f"(what is where: {out / MANIFEST_NAME})"
    )
