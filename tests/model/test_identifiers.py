"""The UPN and ULN rules of DOMAIN.md, with its test vectors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sif_core.model import (
    deterministic_refid,
    is_temporary_uln,
    is_temporary_upn,
    uln_problem,
    upn_check_letter,
    upn_problem,
)


@pytest.mark.parametrize("upn", ["H801200001001", "B801200005001", "G80120000101A"])
def test_valid_upns_from_domain_vectors(upn: str) -> None:
    assert upn_problem(upn) is None


def test_temporary_upn_has_a_letter_at_position_13() -> None:
    assert is_temporary_upn("G80120000101A")
    assert not is_temporary_upn("H801200001001")


def test_wrong_check_letter_names_the_expected_one() -> None:
    problem = upn_problem("Z801200001001")
    assert problem is not None
    assert "'Z'" in problem
    assert "'H'" in problem


@pytest.mark.parametrize("upn", ["G80120000101S", "G80120000101I", "G80120000101O"])
def test_letters_i_o_s_never_stand_at_position_13(upn: str) -> None:
    problem = upn_problem(upn)
    assert problem is not None
    assert "character 13" in problem


def test_letters_count_by_their_table_index_not_as_zero() -> None:
    # The public bug scores every letter as 0; with it, 'A' and 'B' at position 13 would give the
    # same check letter.
    assert upn_check_letter("80120000101A") != upn_check_letter("80120000101B")
    assert upn_check_letter("80120000101A") == "G"


@pytest.mark.parametrize(
    "upn",
    ["H80120000100", "h801200001001", "H8012000010011", "H80120000100X1", "", "H80120000100\n"],
)
def test_malformed_upns_are_refused(upn: str) -> None:
    assert upn_problem(upn) is not None


@given(st.from_regex(r"\A[0-9]{11}[0-9ABCDEFGHJKLMNPQRTUVWXYZ]\Z"))
def test_any_body_with_its_check_letter_is_valid_and_any_other_letter_is_not(body: str) -> None:
    letter = upn_check_letter(body)
    assert upn_problem(letter + body) is None
    other = "A" if letter != "A" else "B"
    assert upn_problem(other + body) is not None


def test_uln_vectors() -> None:
    assert uln_problem("1000000043") is None
    assert uln_problem("1000000042") is not None


def test_temporary_uln_is_recognised_and_never_a_real_uln() -> None:
    assert is_temporary_uln("9999999999")
    problem = uln_problem("9999999999")
    assert problem is not None
    assert "temporary" in problem


@pytest.mark.parametrize(
    "uln", ["0000000043", "100000004", "10000000431", "10000000A3", "1000000043\n"]
)
def test_malformed_ulns_are_refused(uln: str) -> None:
    assert uln_problem(uln) is not None


@given(st.from_regex(r"\A[1-9][0-9]{8}\Z"))
def test_each_uln_prefix_has_at_most_one_valid_check_digit(prefix: str) -> None:
    valid = [d for d in "0123456789" if uln_problem(prefix + d) is None]
    assert len(valid) <= 1


@given(st.from_regex(r"\A[1-9][0-9]{8}\Z"))
def test_a_uln_prefix_takes_the_check_digit_its_weighted_sum_gives(prefix: str) -> None:
    # The weighted sum written out digit by digit (weights 10 down to 2), against the checker.
    remainder = (
        sum(int(digit) * weight for digit, weight in zip(prefix, range(10, 1, -1), strict=True))
        % 11
    )
    valid = [d for d in "0123456789" if uln_problem(prefix + d) is None]
    assert valid == ([] if remainder == 0 else [str(10 - remainder)])


def test_deterministic_refid_is_stable_and_distinguishes_its_inputs() -> None:
    first = deterministic_refid("8012000/SIMS", "LearnerPersonal", "1234")
    assert first == deterministic_refid("8012000/SIMS", "LearnerPersonal", "1234")
    assert len(first) == 32
    assert first == first.upper()
    assert first != deterministic_refid("8012000/SIMS", "LearnerPersonal", "1235")
    assert first != deterministic_refid("8012001/SIMS", "LearnerPersonal", "1234")
    assert first != deterministic_refid("8012000/SIMS", "ContactPersonal", "1234")
