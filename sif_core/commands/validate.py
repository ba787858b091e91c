"""``sif validate``: check SIF XML and SIF JSON files and say what is wrong, record by record."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import click

from sif_core.codec import iter_document
from sif_core.errors import CodecError
from sif_core.problems import Problem

__all__ = ["command"]


@dataclass
class _FileReport:
    path: Path
    objects: int = 0
    problems: list[Problem] = field(default_factory=list)
    error: CodecError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not self.problems

    def as_json(self) -> dict[str, object]:
        return {
            "file": str(self.path),
            "objects": self.objects,
            "problems": [
                {
                    "record": problem.record,
                    "field": problem.field,
                    "message": problem.message,
                    "severity": problem.severity.value,
                    "line": problem.line,
                    "column": problem.column,
                }
                for problem in self.problems
            ],
            "error": None
            if self.error is None
            else {
                "message": self.error.message,
                "kind": type(self.error).__name__,
                "line": self.error.line,
                "column": self.error.column,
            },
        }


def _check(path: Path, *, echo: bool) -> _FileReport:
    report = _FileReport(path)
    try:
        for item in iter_document(path):
            if isinstance(item, Problem):
                report.problems.append(item)
                if echo:
                    click.echo(str(item))
            else:
                report.objects += 1
    except CodecError as error:
        report.error = error
        if echo:
            click.echo(str(error))
    return report


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@click.command("validate")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path),
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON report instead of lines.")
def command(files: tuple[Path, ...], as_json: bool) -> None:
    """Check SIF XML or JSON files; name each bad record and field.

    Every problem is printed with its file, record and field. Each record is checked against
    the object model (codes, dates, UPN check letters, ULN check digits, required fields); a
    bad record does not stop the others. Malformed files are reported with line and column,
    and files that declare XML entities are refused unread.

    Exit status: 0 when every file is clean, 1 when any file has a problem.
    """
    reports = [_check(path, echo=not as_json) for path in files]
    problems = sum(len(report.problems) for report in reports)
    unreadable = sum(report.error is not None for report in reports)
    if as_json:
        click.echo(json.dumps({"files": [report.as_json() for report in reports]}, indent=2))
    else:
        for report in reports:
            if report.ok:
                click.echo(f"{report.path}: {_plural(report.objects, 'object')}, no problems")
        summary = (
            f"{_plural(len(reports), 'file')}, {_plural(sum(r.objects for r in reports), 'object')}"
            f" valid, {_plural(problems, 'problem')}"
            + (f", {_plural(unreadable, 'file')} unreadable" if unreadable else "")
        )
        clean = problems == 0 and unreadable == 0
        click.secho(summary, fg="green" if clean else "red", err=True)
    if problems or unreadable:
        raise click.exceptions.Exit(1)
