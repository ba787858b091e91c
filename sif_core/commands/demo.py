"""``sif demo``: see what sifbridge does, end to end, on a synthetic school system.

For now the story is: generate two synthetic schools, write their exports as SIF files, read
every file back and validate it, and show one (dual-registered) pupil as both schools hold it.
Later issues grow it into a whole zone.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Final

import click
from rich.console import Console
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table

from sif_core.codec import Format, iter_document
from sif_core.commands.synth import BUILTIN_FORMATS, PHASE_LABELS
from sif_core.errors import SIFError
from sif_core.model import OBJECT_TYPES, EnrolmentStatus, NameType
from sif_core.problems import Problem
from sif_core.testing import Synth, SyntheticPupil
from sif_core.testing.export import (
    MANIFEST_NAME,
    OutputExistsError,
    SchoolExport,
    collection_writer,
    export_synthetic_set,
)

__all__ = ["DEMO_PUPILS", "DEMO_SCHOOLS", "DEMO_SEED", "command"]

DEMO_PUPILS: Final = 60
DEMO_SCHOOLS: Final = 2
DEMO_SEED: Final = 2024
_PROBLEMS_SHOWN: Final = 20


def _generated_table(synth: Synth, exports: list[SchoolExport]) -> Table:
    las = sorted({f"{synth.la_of(e.school).la_name} (LA {e.school.la_id})" for e in exports})
    table = Table(
        title=f"1. Generated in {', '.join(las)}", title_justify="left", title_style="bold"
    )
    for column in ("School", "LAESTAB", "URN", "Phase", "Pupils", "Staff"):
        table.add_column(column, justify="right" if column in ("Pupils", "Staff") else "left")
    for export in exports:
        school = export.school
        table.add_row(
            school.school_name,
            school.laestab,
            school.urn or "",
            PHASE_LABELS.get(school.phase, "") if school.phase else "",
            str(export.counts.get("LearnerPersonal", 0)),
            str(export.counts.get("WorkforcePersonal", 0)),
        )
    return table


def _check_files(
    synth: Synth, exports: list[SchoolExport]
) -> tuple[Counter[str], Counter[str], list[Problem]]:
    """Read every written file back: valid objects per type, those equal to the generated ones."""
    valid: Counter[str] = Counter()
    same: Counter[str] = Counter()
    problems: list[Problem] = []
    for export in exports:
        generated = {(o.object_name, o.ref_id): o for o in synth.iter_objects(export.school)}
        for path in sorted(export.folder.iterdir()):
            for item in iter_document(path):
                if isinstance(item, Problem):
                    problems.append(item)
                    continue
                valid[item.object_name] += 1
                if generated.get((item.object_name, item.ref_id)) == item:
                    same[item.object_name] += 1
    return valid, same, problems


def _validated_table(written: Counter[str], valid: Counter[str], same: Counter[str]) -> Table:
    table = Table(title="3. Read back and validated", title_justify="left", title_style="bold")
    for column in ("Object type", "Written", "Valid", "Same as generated"):
        table.add_column(column, justify="left" if column == "Object type" else "right")
    for name in OBJECT_TYPES:
        if written[name]:
            table.add_row(name, f"{written[name]:,}", f"{valid[name]:,}", f"{same[name]:,}")
    table.add_row(
        "[bold]All[/bold]",
        f"[bold]{sum(written.values()):,}[/bold]",
        f"[bold]{sum(valid.values()):,}[/bold]",
        f"[bold]{sum(same.values()):,}[/bold]",
    )
    return table


def _sample_pupil(synth: Synth) -> Panel:
    """One dual-registered pupil as each school holds it; no special category data."""
    records: dict[str, list[SyntheticPupil]] = {}
    for pupil in synth.iter_pupils():
        records.setdefault(pupil.learner.upn or pupil.learner.ref_id, []).append(pupil)
    chosen = next((pair for pair in records.values() if len(pair) > 1), None)
    chosen = chosen or next(iter(records.values()))
    first = chosen[0].learner
    legal = first.legal_name
    preferred = next((n for n in first.names if n.type is NameType.PREFERRED), None)
    known_as = f" (known as {preferred.given_name})" if preferred else ""
    enrolment = chosen[0].enrolments[0]
    lines = [
        f"[bold]{legal.given_name} {legal.family_name}[/bold]{known_as}",
        f"UPN {first.upn}   ULN {first.uln or 'not yet issued'}   born {first.date_of_birth}   "
        f"year {enrolment.nc_year.value if enrolment.nc_year else '?'}",
        "",
        "On roll at:",
    ]
    statuses: dict[EnrolmentStatus | None, str] = {
        None: "registration not recorded",
        EnrolmentStatus.C: "single registration",
        EnrolmentStatus.M: "main, dual registration",
        EnrolmentStatus.S: "subsidiary, dual registration",
        EnrolmentStatus.G: "guest",
    }
    for pupil in chosen:
        at = pupil.enrolments[0]
        lines.append(f"  {pupil.school.school_name}: {statuses[at.membership_type]}")
        lines.append(f"    since {at.entry_date}, RefId {pupil.learner.ref_id}")
    lines += ["", "Contacts:"]
    for contact, link in chosen[0].contacts:
        name = contact.names[0]
        responsibility = ", parental responsibility" if link.parental_responsibility else ""
        lines.append(
            f"  {link.contact_priority}. {name.title or ''} {name.given_name} {name.family_name}"
            f" ({link.relationship.name.replace('_', ' ').lower()}{responsibility})"
        )
    lines += [
        "",
        "[dim]Ethnicity, SEN, FSM and medical details are generated and checked too;",
        "special category data is not shown.[/dim]",
    ]
    title = "One pupil, two schools' records" if len(chosen) > 1 else "A sample pupil"
    return Panel("\n".join(lines), title=f"4. {title}", title_align="left", expand=False)


@click.command("demo")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the files to [default: a new folder in the system's temp folder].",
)
@click.option(
    "--format",
    "format_name",
    type=click.Choice(list(BUILTIN_FORMATS)),
    default="sif-xml",
    show_default=True,
    help="Write SIF XML or SIF JSON.",
)
@click.option(
    "--keep", is_flag=True, help="Leave the zone running afterwards, and say how to explore it."
)
@click.option("--no-zone", is_flag=True, help="Stop after the files: start no zone.")
def command(out: Path | None, format_name: str, keep: bool, no_zone: bool) -> None:
    """See sifbridge at work on two synthetic schools.

    Generates two schools (60 pupils, a fixed seed), writes each school's export as SIF files,
    reads every file back, validates each object and compares it with what was generated, and
    shows one dual-registered pupil as both schools hold it.

    Then it starts a zone (SQLite in a temporary folder) with the two schools on different MIS
    formats, their LA, the DfE and an LRS simulator, and walks through every workflow: pushes, a
    transfer, a lost pupil and its claim, dual registration, ULN requests and a census return
    that counts for nothing until the school approves it, saying what each party received.
    """
    console = Console(soft_wrap=True)
    target = out or Path(tempfile.mkdtemp(prefix="sif-demo-"))
    synth = Synth(pupils=DEMO_PUPILS, seed=DEMO_SEED, schools=DEMO_SCHOOLS)
    fmt: Format = "xml" if BUILTIN_FORMATS[format_name] == "xml" else "json"
    console.print(Rule("sifbridge demo: two synthetic schools, written as SIF and checked"))
    try:
        exports = export_synthetic_set(
            synth, target, collection_writer(fmt), format_name=format_name
        )
    except OutputExistsError as error:
        raise click.ClickException(str(error)) from error
    except (SIFError, OSError) as error:
        raise click.ClickException(f"{target}: {error}; nothing was written") from error
    console.print(_generated_table(synth, exports))
    dual = sum(
        1 for p in synth.iter_pupils() if p.enrolments[0].membership_type is EnrolmentStatus.S
    )
    console.print(
        f"{synth.pupils} pupils (seed {synth.seed}); {dual} of them are dual registered, so "
        f"{synth.records()} pupil records. Every pupil has a valid UPN, names, an address, "
        "contacts and attendance; some have SEN, FSM and key stage results.\n"
    )
    written: Counter[str] = Counter()
    for export in exports:
        written.update(export.counts)
    files = sum(1 for export in exports for _ in export.folder.iterdir())
    console.print(
        f"[bold]2. Written[/bold] as {format_name}: {files} files, one per object type and "
        f"school, in {target}\n"
    )
    try:
        valid, same, problems = _check_files(synth, exports)
    except SIFError as error:
        raise click.ClickException(f"reading the written files back failed: {error}") from error
    console.print(_validated_table(written, valid, same))
    if problems or valid != written or same != written:
        for problem in problems[:_PROBLEMS_SHOWN]:
            console.print(f"  {problem}", markup=False)
        raise click.ClickException(
            f"{len(problems)} problems reading the files back; the demo should never see one"
        )
    console.print("Every object is valid and identical to what was generated.\n")
    console.print(_sample_pupil(synth))
    console.print(
        f"\nThe files are in {target} (what is where: {target / MANIFEST_NAME}).\n"
        f"Next: sif validate {target}/*/*.{fmt}   or   "
        "sif synth --pupils 10000 --out my-schools"
    )
    if not no_zone:
        _zone_part(console, synth, keep=keep)


def _zone_part(console: Console, synth: Synth, *, keep: bool) -> None:
    # The zone and the LRS simulator are other plugins' commands, run as processes: sif_core
    # imports neither zone_server nor adapters.
    from sif_core.commands.demo_returns import walk_through
    from sif_core.commands.demo_zone import missing_plugins

    missing = missing_plugins()
    if missing:
        console.print(
            f"\nThe zone part of the demo needs the sif commands {', '.join(missing)}, which no "
            "installed plugin provides (install sifbridge with its zone server and LRS plugin)."
        )
        return
    try:
        walk_through(console, synth, keep=keep)
    except SIFError as error:
        raise click.ClickException(f"the zone walk-through failed: {error}") from error
