"""The kit catches what it claims to: each broken adapter FAILS its own clause and no other."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.sifxml import SPEC as SIFXML
from sif_core.adapter import AdapterSpec
from sif_core.conformance.clauses import ADAPTER_CLAUSES
from sif_core.conformance.results import Outcome, Report
from sif_core.conformance.runner import host_with, run_adapter_conformance

from .broken_adapters import BROKEN
from .samples import write_samples


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_samples(SIFXML, tmp_path_factory.mktemp("sifxml") / "samples")


def conformance(spec: AdapterSpec, samples: Path, workdir: Path) -> Report:
    return run_adapter_conformance(spec.name, samples, host=host_with(spec), workdir=workdir)


def outline(report: Report) -> str:
    return "\n".join(
        f"{r.outcome} {r.check}: {r.message} {list(r.details)[:3]}"
        for r in report.results
        if r.outcome is not Outcome.PASSED
    )


def test_every_adapter_clause_has_a_broken_adapter() -> None:
    assert list(BROKEN) == [clause.id for clause in ADAPTER_CLAUSES]


def test_the_adapter_the_broken_ones_are_made_from_passes(samples: Path, tmp_path: Path) -> None:
    report = conformance(SIFXML, samples, tmp_path)
    assert report.conformant, outline(report)
    skipped = [result.check for result in report.of(Outcome.SKIPPED)]
    assert skipped == ["ADP-8.reference-bad-samples"], outline(report)


@pytest.mark.parametrize(
    ("clause", "broken", "reason"),
    [(clause, spec, reason) for clause, cases in BROKEN.items() for spec, reason in cases],
    ids=[spec.name for cases in BROKEN.values() for spec, _ in cases],
)
def test_the_kit_fails_a_broken_adapter_on_its_clause_only(
    clause: str, broken: AdapterSpec, reason: str, samples: Path, tmp_path: Path
) -> None:
    report = conformance(broken, samples, tmp_path)
    assert report.failed_clauses() == [clause], outline(report)
    assert not report.of(Outcome.ERROR), outline(report)
    assert not report.conformant
    evidence = [
        line for result in report.of(Outcome.FAILED) for line in (result.message, *result.details)
    ]
    assert any(reason in line for line in evidence), outline(report)
