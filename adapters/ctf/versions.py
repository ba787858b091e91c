"""The CTF versions this adapter reads and writes, and what differs between them."""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "DEFAULT_VERSION",
    "SUPPORTED_VERSIONS",
    "is_supported",
    "normalise_version",
    "sex_element",
]

#: Every CTF version written, oldest first ("20.0" is CTF 20, for the 2020/21 school year).
SUPPORTED_VERSIONS: Final = ("20.0", "21.0", "22.0", "23.0", "24.0", "25.0")

#: What ``write`` produces unless asked for another version: the newest supported.
DEFAULT_VERSION: Final = SUPPORTED_VERSIONS[-1]

#: The first major version whose pupils carry ``Sex`` rather than ``Gender``. The DfE renamed the
#: data item; readers accept either element in any version, writers use the version's own name.
_SEX_SINCE: Final = 23

_VERSION = re.compile(r"^([0-9]{1,3})(?:\.([0-9]{1,2}))?$")


def normalise_version(text: str) -> str:
    """``"25"``, ``"25.0"`` and ``" 25.0 "`` all become ``"25.0"``.

    Raises ``ValueError`` (naming the supported versions) for anything that is not a version
    number this adapter supports.
    """
    match = _VERSION.match(text.strip())
    if match is None or f"{int(match.group(1))}.0" not in SUPPORTED_VERSIONS:
        raise ValueError(
            f"CTF version {text!r} is not supported; choose one of {', '.join(SUPPORTED_VERSIONS)}"
        )
    return f"{int(match.group(1))}.{match.group(2) or '0'}"


def is_supported(text: str) -> bool:
    """True when ``text`` names a supported version (minor revisions such as ``24.1`` included)."""
    try:
        normalise_version(text)
    except ValueError:
        return False
    return True


def sex_element(version: str) -> str:
    """The element a pupil's sex is written in for ``version``: ``Gender`` before CTF 23."""
    major = int(normalise_version(version).split(".")[0])
    return "Sex" if major >= _SEX_SINCE else "Gender"
