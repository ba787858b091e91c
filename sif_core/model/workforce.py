"""School staff."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from sif_core.model.base import SIFObject, Text
from sif_core.model.codes import Sex
from sif_core.model.identifiers import RefId
from sif_core.model.parts import Email, Name

__all__ = ["WorkforcePersonal"]

#: A DfE teacher reference number: 7 digits.
TeacherNumber = Annotated[str, StringConstraints(pattern=r"^[0-9]{7}$")]
_NOT_ALLOCATED_NI_PREFIXES = frozenset({"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"})


def _check_ni_prefix(value: str) -> str:
    if value[:2] in _NOT_ALLOCATED_NI_PREFIXES:
        raise ValueError(f"NI numbers never start with {value[:2]}")
    return value


#: A National Insurance number, without spaces (``QQ123456C``).
NINumber = Annotated[
    str,
    StringConstraints(pattern=r"^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z][0-9]{6}[A-D]$"),
    AfterValidator(_check_ni_prefix),
]


class WorkforcePersonal(SIFObject):
    """A member of staff at a school."""

    local_id: Text | None = None
    school_info_ref_id: RefId | None = Field(default=None, alias="SchoolInfoRefId")
    names: list[Name] = Field(min_length=1, alias="Name")
    teacher_number: TeacherNumber | None = None
    ni_number: NINumber | None = Field(default=None, alias="NINumber")
    date_of_birth: dt.date | None = None
    sex: Sex | None = None
    job_title: Text | None = None
    email: Email | None = None
