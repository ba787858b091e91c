"""What a run of the adapter suite reports: outcomes kept apart, claims, statements, samples."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from adapters.sifxml import SPEC as SIFXML
from sif_core.codec import dumps_xml
from sif_core.conformance.adapter_session import SamplesError
from sif_core.conformance.checks import Checks, run_check
from sif_core.conformance.results import Outcome, Report
from sif_core.conformance.runner import host_with, run_adapter_conformance
from sif_core.conformance.statement import (
    StatementError,
    ZoneStatement,
    parse_adapter_statement,
    parse_toml_model,
)
from sif_core.conformance.zone_config import KitConfig
from sif_core.conformance.zone_session import ZoneSession
from sif_core.model import LearnerPersonal
from sif_core.testing import Synth

from .samples import write_samples

KIT_CONFIG = """
zone = "main"
[parties]
school = { id = "a", token = "a.0123456789abcdef" }
other_school = { id = "b", token = "b.0123456789abcdef" }
third_school = { id = "f", token = "f.0123456789abcdef" }
la = { id = "c", token = "c.0123456789abcdef" }
app = { id = "d", token = "d.0123456789abcdef" }
reader = { id = "e", token = "e.0123456789abcdef" }
"""


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_samples(SIFXML, tmp_path_factory.mktemp("sifxml") / "samples")


def run(samples: Path, workdir: Path, statement: str = "", **kwargs: object) -> Report:
    return run_adapter_conformance(
        "sifxml",
        samples,
        host=kwargs.pop("host", host_with(SIFXML)),  # type: ignore[arg-type]
        workdir=workdir,
        statement=parse_adapter_statement(statement),
        **kwargs,  # type: ignore[arg-type]
    )


def outcomes(report: Report) -> dict[str, Outcome]:
    return {result.check: result.outcome for result in report.results}


def test_an_adapter_that_is_not_installed_fails_adp1_and_every_other_check_is_an_error(
    samples: Path, tmp_path: Path
) -> None:
    report = run_adapter_conformance("acmee", samples, host=host_with(SIFXML), workdir=tmp_path)
    metadata = report.result("ADP-1.metadata")
    assert metadata.outcome is Outcome.FAILED
    assert "no adapter is called 'acmee'; installed: sifxml" in metadata.details[0]
    others = {result.outcome for result in report.results[1:]}
    assert others == {Outcome.ERROR}
    assert report.results[1].message == "not run: the adapter could not be loaded (see ADP-1)"
    assert not report.conformant


def test_the_kits_own_failure_is_an_error_not_a_failure() -> None:
    checks: Checks[ZoneSession] = Checks()

    @checks.check("ZON-8.kit-bug", "A check with a bug in it")
    def buggy(session: ZoneSession) -> str:
        return str({}["missing"])  # type: ignore[index]

    [check] = checks
    config = parse_toml_model(KitConfig, KIT_CONFIG, "kit.toml")
    result = run_check(check, ZoneSession("http://127.0.0.1:9", config, ZoneStatement()))
    assert result.outcome is Outcome.ERROR
    assert result.message == "the kit could not run this check: KeyError: 'missing'"
    assert any("test_adapter_runs.py" in line for line in result.details)


def test_a_check_must_name_a_clause_that_exists() -> None:
    checks: Checks[ZoneSession] = Checks()
    with pytest.raises(KeyError):
        checks.check("ADP-99.invented", "no such clause")


def test_a_should_not_met_is_a_warning_and_leaves_the_run_conformant(
    samples: Path, tmp_path: Path
) -> None:
    host = host_with(SIFXML)
    host.register(host_with(replace(SIFXML, name="lookalike")).pm.get_plugins().pop())
    report = run(samples, tmp_path, host=host)
    unambiguous = report.result("ADP-2.unambiguous")
    assert unambiguous.outcome is Outcome.WARNING
    assert "school.json is also recognised by lookalike" in unambiguous.details[0]
    assert report.conformant


def test_what_the_statement_does_not_claim_is_skipped_with_the_claim_named(
    samples: Path, tmp_path: Path
) -> None:
    report = run(samples, tmp_path, "[claims]\nwrites = []\nxml = false\n")
    skipped = {r.check: r.message for r in report.of(Outcome.SKIPPED)}
    assert skipped["ADP-9.round-trip"] == "not claimed: the statement does not claim writes"
    assert skipped["ADP-7.entities-refused"] == "not claimed: the statement does not claim xml"
    assert report.claims["writes"] == []


def test_a_claim_the_adapter_does_not_declare_fails_adp1(tmp_path: Path, samples: Path) -> None:
    narrow = replace(SIFXML, reads=("LearnerPersonal",), writes=("LearnerPersonal",))
    report = run_adapter_conformance(
        "sifxml",
        samples,
        host=host_with(narrow),
        workdir=tmp_path,
        statement=parse_adapter_statement('[claims]\nreads = ["LearnerContact"]\n'),
        select=["ADP-1"],
    )
    claims = report.result("ADP-1.claims-declared")
    assert claims.outcome is Outcome.FAILED
    assert claims.details == (
        "the statement claims it reads LearnerContact; the adapter does not declare it",
    )


def test_a_read_only_claim_without_bad_samples_leaves_adp8_unverified(
    samples: Path, tmp_path: Path
) -> None:
    report = run(samples, tmp_path, "[claims]\nwrites = []\n", select=["ADP-6", "ADP-8"])
    assert outcomes(report) == {
        "ADP-6.streaming": Outcome.ERROR,
        "ADP-8.bad-records": Outcome.SKIPPED,
        "ADP-8.reference-bad-samples": Outcome.ERROR,
    }
    assert not report.conformant


@pytest.fixture
def with_bad_sample(tmp_path: Path) -> Path:
    """sifxml samples and bad/wrong-upn.xml: five learners, the third with a wrong UPN."""
    folder = write_samples(SIFXML, tmp_path / "samples")
    learners = [p.learner for p in Synth(pupils=5, seed=3, schools=1).iter_pupils()]
    text = dumps_xml(learners).decode()
    upn = learners[2].upn
    assert upn is not None
    wrong = ("B" if upn[0] != "B" else "C") + upn[1:]
    (folder / "bad").mkdir()
    (folder / "bad" / "wrong-upn.xml").write_text(text.replace(upn, wrong), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("expectation", "outcome"),
    [
        ('field = "UPN"\nreason = "wrong check letter"\nrecord = "LearnerPersonal 3"', "PASSED"),
        ('field = "Sex"\nreason = "wrong check letter"', "FAILED"),
        ('field = "UPN"\nreason = "is missing"', "FAILED"),
    ],
)
def test_a_bad_sample_passes_only_when_refused_for_the_stated_reason(
    with_bad_sample: Path, tmp_path: Path, expectation: str, outcome: str
) -> None:
    statement = f'[[bad_samples]]\npath = "bad/wrong-upn.xml"\n{expectation}\n'
    report = run(with_bad_sample, tmp_path / "kit", statement, select=["ADP-8"])
    assert report.result("ADP-8.reference-bad-samples").outcome == outcome
    assert report.claims["samples"] == ["school.json", "school.ndjson", "school.xml"]


def test_a_missing_bad_sample_is_an_error_of_the_run(samples: Path, tmp_path: Path) -> None:
    report = run(samples, tmp_path, '[[bad_samples]]\npath = "bad/nothing.xml"\n', select=["ADP-8"])
    result = report.result("ADP-8.reference-bad-samples")
    assert result.outcome is Outcome.ERROR
    assert "bad/nothing.xml is not in" in result.message


def test_statement_mistakes_are_all_named_with_their_lines() -> None:
    text = '[claims]\nreads = ["Pupil"]\n\n[write]\ntarget = "out/x.xml"\ncolour = "red"\n'
    with pytest.raises(StatementError) as caught:
        parse_adapter_statement(text, source="conformance.toml")
    unknown, folders, extra = caught.value.problems
    assert unknown.startswith("line 2: claims.reads: unknown object type(s) ['Pupil']; known: ")
    assert folders == "line 5: write.target: 'out/x.xml' must be a file name, without folders"
    assert extra == "line 6: write.colour: Extra inputs are not permitted"
    assert str(caught.value).startswith("conformance.toml: 3 problem(s):")


def test_a_statement_for_another_adapter_is_refused(samples: Path, tmp_path: Path) -> None:
    with pytest.raises(StatementError, match=r"target\.adapter is 'acme', not 'sifxml'"):
        run(samples, tmp_path, '[target]\nadapter = "acme"\n')


def test_a_folder_without_samples_of_the_adapter_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a sample", encoding="utf-8")
    with pytest.raises(SamplesError, match=r"no sample matches \*\.xml, \*\.json"):
        run(tmp_path, tmp_path / "kit")
    with pytest.raises(SamplesError, match="does not exist"):
        run(tmp_path / "nowhere", tmp_path / "kit")


def test_asking_for_a_check_that_does_not_exist_is_refused(samples: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no check or clause is called ADP-42"):
        run(samples, tmp_path, select=["ADP-42"])


def test_a_learner_read_twice_is_compared_field_by_field_without_showing_values() -> None:
    from sif_core.conformance.reading import differences

    [first] = [p.learner for p in Synth(pupils=1, seed=2, schools=1).iter_pupils()]
    second = first.model_copy(update={"local_id": "changed"})
    other = LearnerPersonal.model_validate({**first.model_dump(by_alias=True), "RefId": "A" * 32})
    lines = differences([first], [second, other])
    assert lines == [
        f"LearnerPersonal {first.ref_id} differs at LearnerPersonal.LocalId",
        f"LearnerPersonal {'A' * 32} is unexpected",
    ]
    assert "changed" not in " ".join(lines)
