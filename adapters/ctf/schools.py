"""The schools a CTF names: each establishment becomes one ``SchoolInfo`` when first met."""

from __future__ import annotations

import re

from pydantic import ValidationError

from sif_core.adapter import ReadContext
from sif_core.model import SchoolInfo

__all__ = ["SchoolRegistry"]

_LA = re.compile(r"^[0-9]{3}$")
_ESTAB = re.compile(r"^[0-9]{4}$")


class SchoolRegistry:
    """The establishments met so far in one file, by LAESTAB.

    A school's RefId comes from its LAESTAB (``ReadContext.refid(SchoolInfo, "8012000")``), so the
    same school gets the same RefId in every file from the same source system. The first name met
    for an establishment is kept (the header's ``SourceSchool`` comes first). Memory grows with the
    number of distinct schools, never with the number of pupils.
    """

    def __init__(self, context: ReadContext) -> None:
        self._context = context
        self._known: dict[str, str] = {}

    def ref_id(self, laestab: str) -> str:
        """The RefId of the school with this LAESTAB (whether or not it has been met)."""
        return self._context.refid(SchoolInfo, laestab)

    def known(self, la: str | None, estab: str | None) -> str | None:
        """The RefId of an establishment already met, or ``None``."""
        if la is None or estab is None:
            return None
        return self._known.get(la + estab)

    def meet(
        self, la: str | None, estab: str | None, name: str | None, urn: str | None = None
    ) -> tuple[str | None, SchoolInfo | None, str | None]:
        """Meet a school named in the file.

        Returns ``(ref_id, new_school, reason)``: the school's RefId; a ``SchoolInfo`` when this
        is the first time it is met (to be emitted before anything that refers to it); and, when
        the school cannot be known, ``ref_id`` is ``None`` and ``reason`` says why.
        """
        if la is not None and estab is not None:
            known = self._known.get(la + estab)
            if known is not None:
                return known, None, None
        if la is None or estab is None or not _LA.match(la) or not _ESTAB.match(estab):
            return (
                None,
                None,
                (
                    "a school needs an LEA of 3 digits and an Estab of 4 digits "
                    f"(found LEA {la!r}, Estab {estab!r})"
                ),
            )
        laestab = la + estab
        if name is None:
            return (
                None,
                None,
                (f"school {laestab} has no SchoolName here and was not named earlier in the file"),
            )
        ref_id = self.ref_id(laestab)
        try:
            school = SchoolInfo.model_validate(
                {
                    "ref_id": ref_id,
                    "la_id": la,
                    "establishment_id": estab,
                    "urn": urn,
                    "school_name": name,
                }
            )
        except ValidationError as error:
            return None, None, f"school {laestab} cannot be read: {error.errors()[0]['msg']}"
        self._known[laestab] = ref_id
        return ref_id, school, None
