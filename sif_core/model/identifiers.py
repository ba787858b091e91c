"""Identifiers of English school data, validated exactly.

UPN (Unique Pupil Number), ULN (Unique Learner Number), LA number, establishment number, URN and
the SIF RefId. Each identifier has a plain checking function (returns a reason or ``None``) and an
``Annotated`` type that pydantic models use, so a model can never hold an identifier that fails its
check.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from operator import mul
from typing import Annotated, Final

from pydantic import AfterValidator, StringConstraints

__all__ = [
    "LA_NUMBER_PATTERN",
    "REFID_NAMESPACE",
    "TEMPORARY_ULN",
    "ULN",
    "UPN",
    "UPN_CHECK_LETTERS",
    "URN",
    "EstablishmentNumber",
    "LANumber",
    "RefId",
    "deterministic_refid",
    "is_temporary_uln",
    "is_temporary_upn",
    "new_refid",
    "uln_problem",
    "upn_check_letter",
    "upn_problem",
]

#: The 23 letters a UPN may use: A=0 ... Z=22 (no I, O or S).
UPN_CHECK_LETTERS: Final = "ABCDEFGHJKLMNPQRTUVWXYZ"

#: The ULN the LRS hands out while a learner's real number is unknown. It fails the checksum.
TEMPORARY_ULN: Final = "9999999999"

LA_NUMBER_PATTERN: Final = r"^[0-9]{3}$"
_UPN_BODY = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")
_ULN_SHAPE = re.compile(r"^[1-9][0-9]{9}$")

# Fast paths. A value of exactly these shapes passes every check but the check character's, so
# that check alone runs on it; anything else takes the step-by-step checks, which name what is
# wrong. Every object read or published validates its identifiers, so this is worth its lines.
_UPN_WELL_FORMED = re.compile(f"[{UPN_CHECK_LETTERS}][0-9]{{11}}[0-9{UPN_CHECK_LETTERS}]")
_ULN_WELL_FORMED = re.compile(r"[1-9][0-9]{9}")
#: The score of each character that may end a UPN: a digit its value, a letter its table index.
_UPN_FINAL_SCORES: Final = {str(digit): digit for digit in range(10)} | {
    letter: index for index, letter in enumerate(UPN_CHECK_LETTERS)
}
# Weighted sums over ASCII digits taken as bytes: each byte is its digit plus ord("0") (48), so
# the sum of the weights times 48 is taken off once instead of converting each digit.
_UPN_DIGIT_WEIGHTS: Final = tuple(range(2, 13))  # positions 2 to 12 (the final one is 13)
_UPN_DIGIT_OFFSET: Final = 48 * sum(_UPN_DIGIT_WEIGHTS)
_ULN_WEIGHTS: Final = tuple(range(10, 1, -1))  # the first nine digits
_ULN_OFFSET: Final = 48 * sum(_ULN_WEIGHTS)

#: Namespace of the project's deterministic RefIds (UUIDv5). Never change it: every RefId that
#: adapters have already handed out was derived from it.
REFID_NAMESPACE: Final = uuid.UUID("6b1f5c1e-3f0a-5a4e-9d36-5f1c0b7a2e10")
_NAMESPACE_BYTES: Final = REFID_NAMESPACE.bytes


def _upn_value(char: str) -> int:
    if char.isdigit():
        return int(char)
    return UPN_CHECK_LETTERS.index(char)


def upn_check_letter(body: str) -> str:
    """Return the check letter for the last 12 characters of a UPN (positions 2 to 13).

    ``body`` must be 11 digits followed by a digit or an allowed letter; a letter scores its index
    in :data:`UPN_CHECK_LETTERS` (a known public bug scores every letter as 0).
    """
    if len(body) != 12:
        raise ValueError("a UPN body has 12 characters (positions 2 to 13)")
    total = sum(_upn_value(char) * position for position, char in enumerate(body, start=2))
    return UPN_CHECK_LETTERS[total % 23]


def upn_problem(value: str) -> str | None:
    """Say what is wrong with a UPN; ``None`` when it is valid (permanent or temporary)."""
    if _UPN_WELL_FORMED.fullmatch(value):
        # The same score as upn_check_letter(value[1:]), without a call per character.
        total = sum(map(mul, value[1:12].encode("ascii"), _UPN_DIGIT_WEIGHTS)) - _UPN_DIGIT_OFFSET
        expected = UPN_CHECK_LETTERS[(total + 13 * _UPN_FINAL_SCORES[value[12]]) % 23]
        if value[0] == expected:
            return None
        return f"wrong check letter {value[0]!r}: the digits give {expected!r}"
    if len(value) != 13:
        return f"a UPN has 13 characters, this has {len(value)}"
    if not _UPN_BODY.fullmatch(value):
        return (
            "a UPN is a check letter, 11 digits and a final digit or letter (letters in upper case)"
        )
    if value[0] not in UPN_CHECK_LETTERS:
        return f"check letter {value[0]!r} is not one of {UPN_CHECK_LETTERS}"
    if value[12].isalpha() and value[12] not in UPN_CHECK_LETTERS:
        return f"character 13 {value[12]!r} is not allowed (I, O and S are never used)"
    expected = upn_check_letter(value[1:])
    if value[0] != expected:
        return f"wrong check letter {value[0]!r}: the digits give {expected!r}"
    return None


def is_temporary_upn(value: str) -> bool:
    """True for a valid temporary UPN (one whose 13th character is a letter)."""
    return upn_problem(value) is None and value[12].isalpha()


def uln_problem(value: str) -> str | None:
    """Say what is wrong with a ULN, or return ``None`` when it is a real, valid ULN.

    The temporary ULN ``9999999999`` is reported as temporary: it is never a real ULN.
    """
    if value == TEMPORARY_ULN:
        return "9999999999 is the temporary ULN, not a learner's number; request a real one"
    if _ULN_WELL_FORMED.fullmatch(value):
        # zip-like: map stops at the nine weights, so the check digit is not summed.
        remainder = (sum(map(mul, value.encode("ascii"), _ULN_WEIGHTS)) - _ULN_OFFSET) % 11
        if remainder and ord(value[9]) - 48 == 10 - remainder:
            return None
    # The step-by-step checks: they name what is wrong (and decide every other shape).
    if not _ULN_SHAPE.fullmatch(value):
        return "a ULN is 10 digits and does not start with 0"
    remainder = sum(int(digit) * (10 - i) for i, digit in enumerate(value[:9])) % 11
    if remainder == 0:
        return "the first nine digits of this ULN can never have a valid check digit"
    if int(value[9]) != 10 - remainder:
        return f"wrong check digit {value[9]}: the digits give {10 - remainder}"
    return None


def is_temporary_uln(value: str) -> bool:
    """True for the LRS's temporary ULN."""
    return value == TEMPORARY_ULN


def _check_upn(value: str) -> str:
    problem = upn_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _check_uln(value: str) -> str:
    problem = uln_problem(value)
    if problem:
        raise ValueError(problem)
    return value


UPN = Annotated[str, AfterValidator(_check_upn)]
"""A valid UPN, permanent or temporary."""

ULN = Annotated[str, AfterValidator(_check_uln)]
"""A valid, real ULN (the temporary 9999999999 is refused)."""

LANumber = Annotated[str, StringConstraints(pattern=LA_NUMBER_PATTERN)]
"""A local authority number: 3 digits."""

EstablishmentNumber = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")]
"""An establishment number within an LA: 4 digits."""

URN = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
"""A Unique Reference Number of an establishment: 6 digits."""

RefId = Annotated[str, StringConstraints(pattern=r"^[0-9A-F]{32}$")]
"""A SIF RefId: 32 upper-case hexadecimal characters, no hyphens."""


def deterministic_refid(source_system: str, object_type: str, local_key: str) -> str:
    """The RefId of one record from one source system, the same every time it is read.

    UUIDv5 over :data:`REFID_NAMESPACE` and ``source_system``, ``object_type`` and ``local_key``.
    Reading the same export twice therefore yields identical objects.
    """
    if not (source_system and object_type and local_key):
        raise ValueError("a deterministic RefId needs a source system, an object type and a key")
    name = "\x1f".join((source_system, object_type, local_key))
    # uuid.uuid5 by hand, without building a UUID object: three times faster, and readers of
    # large files make one RefId for every object they read.
    sha1 = hashlib.sha1(_NAMESPACE_BYTES + name.encode("utf-8"), usedforsecurity=False)
    digest = bytearray(sha1.digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    return digest.hex().upper()


def new_refid() -> str:
    """A random RefId, for objects with no stable key of their own."""
    return uuid.uuid4().hex.upper()
