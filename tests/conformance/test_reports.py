"""The report files: JUnit XML for CI, JSON for tools, a self-contained HTML page for people."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sif_core.codec.safexml import parse
from sif_core.conformance.clauses import SUITE_VERSION
from sif_core.conformance.reports import html_report, junit_report, write_reports
from sif_core.conformance.results import CheckResult, Outcome, Report, Target


def a_report() -> Report:
    report = Report(
        "sifbridge adapter conformance",
        SUITE_VERSION,
        Target("adapter", "acme", "1.2.0", {"supplier": "Acme <Systems> Ltd"}),
        {"reads": ["LearnerPersonal"], "xml": False},
        dt.datetime(2025, 1, 31, 9, 0, tzinfo=dt.UTC),
    )
    outcomes = [
        ("ADP-1.metadata", Outcome.PASSED, "acme 1.2.0 by Acme", ()),
        ("ADP-4.same-twice", Outcome.FAILED, "reading twice differs", ("LearnerPersonal X",)),
        ("ADP-6.streaming", Outcome.ERROR, "the kit could not run this check: OSError", ()),
        ("ADP-7.entities-refused", Outcome.SKIPPED, "not claimed: xml", ()),
        ("ADP-2.unambiguous", Outcome.WARNING, "also <b>recognised</b> by sims", ("x.csv",)),
    ]
    for check, outcome, message, details in outcomes:
        report.results.append(
            CheckResult(check, check.partition(".")[0], "a title", outcome, message, details, 0.25)
        )
    report.finished = report.started + dt.timedelta(seconds=3)
    report.suite_size = len(report.results)
    return report


def test_a_run_of_some_checks_is_partial_and_never_conformant() -> None:
    report = a_report()
    report.results = [r for r in report.results if r.outcome is Outcome.PASSED]
    report.suite_size = 17
    assert report.verdict == "PARTIAL RUN (1 of 17 checks)"
    assert not report.conformant
    assert "PARTIAL RUN (1 of 17 checks)" in html_report(report)
    assert not report.as_json()["complete"]


def test_junit_counts_failures_errors_and_skips_apart_and_names_each_check() -> None:
    document = parse(junit_report(a_report()))
    suite = document["testsuites"]["testsuite"]
    assert (suite["@tests"], suite["@failures"], suite["@errors"], suite["@skipped"]) == (
        "5",
        "1",
        "1",
        "1",
    )
    cases = {case["@name"]: case for case in suite["testcase"]}
    assert cases["ADP-4.same-twice"]["@classname"] == "ADP-4"
    assert cases["ADP-4.same-twice"]["failure"]["@message"] == "reading twice differs"
    assert "LearnerPersonal X" in cases["ADP-4.same-twice"]["failure"]["#text"]
    assert cases["ADP-6.streaming"]["error"]["@type"] == "ERROR"
    assert cases["ADP-7.entities-refused"]["skipped"]["@message"] == "not claimed: xml"
    assert cases["ADP-2.unambiguous"]["system-out"].startswith("WARNING: also <b>recognised")
    properties = {p["@name"]: p["@value"] for p in suite["properties"]["property"]}
    assert properties["suiteVersion"] == SUITE_VERSION
    assert properties["conformant"] == "false"


def test_json_gives_suite_version_target_and_clause_result_message_per_check(
    tmp_path: Path,
) -> None:
    paths = write_reports(a_report(), tmp_path / "out", stem="acme")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "acme.html",
        "acme.json",
        "acme.junit.xml",
    ]
    document = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert document["suiteVersion"] == SUITE_VERSION
    assert document["target"] == {
        "kind": "adapter",
        "name": "acme",
        "version": "1.2.0",
        "supplier": "Acme <Systems> Ltd",
    }
    assert document["conformant"] is False
    assert document["summary"] == {
        "PASSED": 1,
        "FAILED": 1,
        "WARNING": 1,
        "SKIPPED": 1,
        "ERROR": 1,
    }
    assert document["checks"][1] == {
        "id": "ADP-4.same-twice",
        "clause": "ADP-4",
        "title": "a title",
        "result": "FAILED",
        "message": "reading twice differs",
        "details": ["LearnerPersonal X"],
        "durationSeconds": 0.25,
    }
    assert document["durationSeconds"] == 3


def test_the_html_report_is_self_contained_escaped_and_quotes_each_clause() -> None:
    page = html_report(a_report())
    assert "NOT CONFORMANT" in page
    for outside in ("http://", "https://", "<script", "<link", "src="):
        assert outside not in page
    assert "also &lt;b&gt;recognised&lt;/b&gt; by sims" in page
    assert "Acme &lt;Systems&gt; Ltd" in page
    assert "Reading one input twice, from any path, MUST yield the same objects" in page
    for clause_id in ("ADP-1", "ADP-2", "ADP-4", "ADP-6", "ADP-7"):
        assert f'id="{clause_id}"' in page
