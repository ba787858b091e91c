"""``sif convert``: read an MIS export with an adapter and write it out as SIF XML, JSON or NDJSON.

The output is written to a temporary file beside ``--out`` and renamed into place only when the
conversion succeeds, so ``--out`` is never half-written; with ``--strict`` nothing is renamed when
any record has a problem.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from sif_core.adapter import AdapterSpec, ProgressCallback, ReadContext
from sif_core.errors import SIFError
from sif_core.model import SIFObject
from sif_core.plugins import get_plugin_host
from sif_core.problems import Problem

__all__ = ["FORMATS", "Conversion", "command", "convert_file"]

#: ``--to`` choices and the codec format each one names.
FORMATS = {"sif-xml": "xml", "sif-json": "json", "ndjson": "ndjson"}

#: Inputs at least this large get a progress bar when stderr is a terminal.
PROGRESS_THRESHOLD_BYTES = 1 << 20


@dataclass
class Conversion:
    """What a conversion did: objects written by type, every problem, and whether it wrote."""

    written: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    wrote: bool = False

    @property
    def error_count(self) -> int:
        """Problems that rejected their record."""
        return sum(1 for problem in self.problems if problem.is_error)

    @property
    def records_with_problems(self) -> int:
        """How many distinct records have at least one problem."""
        return len({(problem.source, problem.record) for problem in self.problems})


def convert_file(
    adapter: AdapterSpec,
    source: Path,
    target: Path,
    fmt: str,
    context: ReadContext,
    *,
    strict: bool = False,
) -> Conversion:
    """Read ``source`` with ``adapter`` and write its objects to ``target`` in codec format ``fmt``.

    Problems are collected, never raised. ``target`` is replaced atomically at the end, and left
    untouched when reading fails, or when ``strict`` and any record has a problem.
    """
    from sif_core.codec import dumps_json, write_collection

    conversion = Conversion()

    def objects() -> Iterator[SIFObject]:
        for item in adapter.read(source, context):
            if isinstance(item, Problem):
                conversion.problems.append(item)
            else:
                conversion.written[item.object_name] += 1
                yield item

    descriptor, temporary_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".partial", dir=target.parent
    )
    temporary = Path(temporary_name)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            if fmt == "ndjson":
                for obj in objects():
                    stream.write(dumps_json(obj))
            else:
                # One type makes a plain collection (LearnerPersonals); several need SIFObjects.
                mixed = len(adapter.reads) > 1
                write_collection(objects(), stream, "xml" if fmt == "xml" else "json", mixed=mixed)
        if strict and conversion.problems:
            return conversion
        os.replace(temporary, target)
        conversion.wrote = True
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return conversion


def _parse_options(pairs: tuple[str, ...]) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--option")
        options[key.strip()] = value
    return options


def _input_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


@click.command("convert")
@click.argument(
    "input_path", metavar="INPUT", type=click.Path(exists=True, path_type=Path, readable=True)
)
@click.option("--adapter", "adapter_name", metavar="NAME", help="Adapter to read INPUT with.")
@click.option("--to", "to", type=click.Choice(list(FORMATS)), required=True, help="Output format.")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    required=True,
    help="File to write (replaced only when the conversion succeeds).",
)
@click.option("--strict", is_flag=True, help="Write nothing if any record has a problem.")
@click.option(
    "--source-system",
    metavar="ID",
    help="Identifies where the export came from (e.g. the school's LAESTAB); seeds the "
    "deterministic RefIds, so keep it the same for every export of one school "
    "[default: the adapter's name].",
)
@click.option(
    "--option",
    "-o",
    "option_pairs",
    metavar="KEY=VALUE",
    multiple=True,
    help="An adapter option (see `sif adapters show NAME`); repeatable.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar [default: for inputs of 1 MiB or more on a terminal].",
)
@click.option(
    "--max-problems",
    default=50,
    show_default=True,
    type=click.IntRange(min=0),
    help="How many problems to print one by one before only counting them.",
)
def command(
    input_path: Path,
    adapter_name: str | None,
    to: str,
    out: Path,
    strict: bool,
    source_system: str | None,
    option_pairs: tuple[str, ...],
    progress: bool | None,
    max_problems: int,
) -> None:
    """Convert INPUT, an MIS export, into SIF XML, SIF JSON or NDJSON.

    Without --adapter the adapter is detected from the file name and its first bytes. Records
    with problems are left out and every problem is reported at the end; the exit status is 1
    only when nothing was written.
    """
    host = get_plugin_host()
    err = Console(stderr=True, soft_wrap=True)
    try:
        adapter = host.adapter(adapter_name) if adapter_name else host.detect(input_path)
    except SIFError as error:
        broken = host.broken
        hint = f" ({len(broken)} plugins failed to load: see `sif adapters list`)" if broken else ""
        raise click.ClickException(f"{error}{hint}") from error
    context = ReadContext(
        source_system=source_system or adapter.name, options=_parse_options(option_pairs)
    )
    if not out.parent.is_dir():
        raise click.ClickException(f"{out.parent}: no such directory for --out")
    show_bar = progress
    if show_bar is None:
        show_bar = err.is_terminal and _input_size(input_path) >= PROGRESS_THRESHOLD_BYTES
    try:
        with _progress(err, show_bar, f"{adapter.name}: {input_path.name}") as report:
            context.progress = report
            conversion = convert_file(adapter, input_path, out, FORMATS[to], context, strict=strict)
    except (SIFError, OSError) as error:
        raise click.ClickException(f"{input_path}: {error}; nothing was written") from error
    _report(err, conversion, max_problems)
    if not conversion.wrote:
        raise click.ClickException(
            f"--strict: nothing written to {out} because "
            f"{conversion.records_with_problems} records have problems"
        )
    total = sum(conversion.written.values())
    by_type = ", ".join(f"{name} {count}" for name, count in sorted(conversion.written.items()))
    click.echo(f"Wrote {total} objects to {out}" + (f" ({by_type})" if by_type else ""))


@contextlib.contextmanager
def _progress(console: Console, enabled: bool, label: str) -> Iterator[ProgressCallback]:
    """A progress callback that drives a rich progress bar, or does nothing when disabled."""
    if not enabled:
        yield lambda done, total: None
        return
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(label, total=None)

        def report(done: int, total: int | None) -> None:
            bar.update(task, completed=done, total=total)

        yield report


def _report(console: Console, conversion: Conversion, max_problems: int) -> None:
    problems = conversion.problems
    if not problems:
        return
    for problem in problems[:max_problems]:
        console.print(str(problem), markup=False, highlight=False)
    if len(problems) > max_problems:
        console.print(f"... and {len(problems) - max_problems} more problems", markup=False)
    errors = conversion.error_count
    warnings = len(problems) - errors
    console.print(
        f"{len(problems)} problems ({errors} errors, {warnings} warnings) in "
        f"{conversion.records_with_problems} records; records with errors were left out",
        markup=False,
    )
    by_field = Counter(problem.field or "(whole record)" for problem in problems)
    console.print(
        "By field: " + ", ".join(f"{name} {count}" for name, count in by_field.most_common()),
        markup=False,
    )
