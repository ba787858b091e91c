"""Report files of a run: JUnit XML (for CI), JSON (for tools) and HTML (for people).

The HTML report is one self-contained file (styles inline, nothing fetched) that a consultant can
hand to a client. Every file is written beside its final name and renamed into place.
"""

from __future__ import annotations

import json
import os
import tempfile
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import jinja2

from sif_core import __version__
from sif_core.conformance.clauses import clause
from sif_core.conformance.results import Outcome, Report

__all__ = ["html_report", "json_report", "junit_report", "write_reports"]


def json_report(report: Report) -> str:
    """The JSON report: suite and its version, target, claims, summary and every check."""
    document = {"kitVersion": __version__, **report.as_json()}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def junit_report(report: Report) -> str:
    """The JUnit XML report: one testcase per check, named by its id, its clause as classname.

    FAILED is a ``failure``, ERROR an ``error``, SKIPPED ``skipped``; a WARNING passes with the
    warning in ``system-out`` (JUnit has no warnings).
    """
    counts = report.counts()
    seconds = sum(result.seconds for result in report.results)
    attributes = {
        "name": f"{report.suite}: {report.target.name} {report.target.version}",
        "tests": str(len(report.results)),
        "failures": str(counts[Outcome.FAILED]),
        "errors": str(counts[Outcome.ERROR]),
        "skipped": str(counts[Outcome.SKIPPED]),
        "time": f"{seconds:.3f}",
    }
    root = ET.Element("testsuites", attributes)
    suite = ET.SubElement(
        root, "testsuite", {**attributes, "timestamp": report.started.isoformat(timespec="seconds")}
    )
    properties = ET.SubElement(suite, "properties")
    facts = {
        "suiteVersion": report.suite_version,
        "kitVersion": __version__,
        "targetKind": report.target.kind,
        "targetName": report.target.name,
        "targetVersion": report.target.version,
        "conformant": str(report.conformant).lower(),
    }
    for name, value in facts.items():
        ET.SubElement(properties, "property", {"name": name, "value": value})
    for result in report.results:
        case = ET.SubElement(
            suite,
            "testcase",
            {"classname": result.clause, "name": result.check, "time": f"{result.seconds:.3f}"},
        )
        text = "\n".join((result.message, *result.details))
        if result.outcome is Outcome.FAILED:
            ET.SubElement(
                case, "failure", {"message": result.message, "type": "FAILED"}
            ).text = text
        elif result.outcome is Outcome.ERROR:
            ET.SubElement(case, "error", {"message": result.message, "type": "ERROR"}).text = text
        elif result.outcome is Outcome.SKIPPED:
            ET.SubElement(case, "skipped", {"message": result.message})
        elif result.outcome is Outcome.WARNING:
            ET.SubElement(case, "system-out").text = f"WARNING: {text}"
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


_ENVIRONMENT = jinja2.Environment(
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def html_report(report: Report) -> str:
    """The self-contained HTML report: verdict, claims, then each clause with its checks."""
    by_clause: dict[str, list[object]] = {}
    for result in report.results:
        by_clause.setdefault(result.clause, []).append(result)
    clauses = [(clause(clause_id), results) for clause_id, results in by_clause.items()]
    template = resources.files(__package__).joinpath("report.html.j2").read_text("utf-8")
    return _ENVIRONMENT.from_string(template).render(
        report=report,
        document=report.as_json(),
        clauses=clauses,
        counts=report.counts(),
        kit_version=__version__,
    )


def _write(path: Path, text: str) -> None:
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_reports(report: Report, folder: Path, stem: str = "conformance") -> dict[str, Path]:
    """Write ``STEM.junit.xml``, ``STEM.json`` and ``STEM.html`` into ``folder`` (made if
    missing); returns their paths by kind (``junit``, ``json``, ``html``)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "junit": folder / f"{stem}.junit.xml",
        "json": folder / f"{stem}.json",
        "html": folder / f"{stem}.html",
    }
    _write(paths["junit"], junit_report(report))
    _write(paths["json"], json_report(report))
    _write(paths["html"], html_report(report))
    return paths
