"""The specification documents quote every clause word for word and name every check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sif_core.conformance.clauses import ADAPTER_CLAUSES, ZONE_CLAUSES, Clause
from sif_core.conformance.runner import ADAPTER_CHECKS, ZONE_CHECKS

SPEC = Path(__file__).parents[2] / "docs" / "spec"


@pytest.mark.parametrize(
    ("document", "clauses", "check_ids"),
    [
        ("adapters.md", ADAPTER_CLAUSES, [c.id for c in ADAPTER_CHECKS]),
        ("zones.md", ZONE_CLAUSES, [c.id for c in ZONE_CHECKS]),
    ],
)
def test_the_document_quotes_each_clause_and_names_exactly_the_kits_checks(
    document: str, clauses: tuple[Clause, ...], check_ids: list[str]
) -> None:
    text = (SPEC / document).read_text(encoding="utf-8")
    headings = re.findall(r"^## ([A-Z]+-\d+) (.+)$", text, flags=re.MULTILINE)
    assert headings == [(clause.id, clause.title) for clause in clauses]
    for clause in clauses:
        assert f"\n{clause.requirement}\n" in text, clause.id
        if clause.claim:
            assert f"*Claim: {clause.claim}" in text, clause.id
    named = re.findall(r"`([A-Z]+-\d+\.[a-z\-]+)`", text)
    assert sorted(set(named)) == sorted(check_ids)
    assert {check.partition(".")[0] for check in check_ids} == {c.id for c in clauses}
