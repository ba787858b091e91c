"""The CTF header: who sent the file, to whom, when, in which version.

On reading, the header becomes transfer metadata (:meth:`CTFHeader.as_metadata`, kept in
``ReadContext.metadata["ctf"]``); on writing, it is built from the write options and the source
school's ``SchoolInfo`` and written with :meth:`CTFHeader.to_xml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from xml.etree.ElementTree import Element

from adapters.ctf.elements import children, text
from adapters.ctf.xmlout import leaf

__all__ = [
    "DOCUMENT_NAME",
    "UNKNOWN_DESTINATION",
    "CTFHeader",
    "Destination",
    "DestinationKind",
    "HeaderError",
    "SourceSchool",
]

#: The ``DocumentName`` of every CTF.
DOCUMENT_NAME = "Common Transfer File"

_LA = re.compile(r"^[0-9]{3}$")
_ESTAB = re.compile(r"^[0-9]{4}$")


class HeaderError(ValueError):
    """The header lacks something every CTF must have, or holds a value that cannot be right."""


class DestinationKind(StrEnum):
    """Where a CTF is going, as its destination codes say."""

    SCHOOL = "school"
    #: ``MMM``/``MMMM``: the destination is not known; the file goes to the lost pupils area.
    UNKNOWN = "unknown"
    #: ``XXX``/``XXXX``: the pupil is leaving the maintained sector (or England and Wales).
    OUTSIDE_MAINTAINED_SECTOR = "outside_maintained_sector"
    #: An LA number with ``LLLL``: the file is for the local authority itself.
    LOCAL_AUTHORITY = "local_authority"


@dataclass(frozen=True, slots=True)
class SourceSchool:
    """``Header/SourceSchool``: the school that made the file."""

    la: str
    estab: str
    urn: str | None = None
    name: str | None = None
    academic_year: str | None = None

    @property
    def laestab(self) -> str:
        """``LLLEEEE``."""
        return self.la + self.estab


@dataclass(frozen=True, slots=True)
class Destination:
    """``Header/DestSchool``: a school's LA and establishment number, or a special code."""

    la: str
    estab: str
    urn: str | None = None

    @classmethod
    def parse(cls, la: str, estab: str, urn: str | None = None) -> Destination:
        """Check the codes fit together; raise :class:`HeaderError` saying what is allowed."""
        la, estab = la.strip().upper(), estab.strip().upper()
        pairs = {"MMM": "MMMM", "XXX": "XXXX"}
        if la in pairs:
            if estab != pairs[la]:
                raise HeaderError(
                    f"destination LA {la} goes with establishment {pairs[la]}, not {estab!r}"
                )
        elif not _LA.match(la):
            raise HeaderError(
                f"destination LA {la!r} must be 3 digits, MMM (destination unknown) or XXX "
                "(leaving the maintained sector)"
            )
        elif not (_ESTAB.match(estab) or estab == "LLLL"):
            raise HeaderError(
                f"destination establishment {estab!r} must be 4 digits, or LLLL for the LA itself"
            )
        if urn is not None and not re.match(r"^[0-9]{6}$", urn):
            raise HeaderError(f"destination URN {urn!r} must be 6 digits")
        return cls(la, estab, urn)

    @property
    def kind(self) -> DestinationKind:
        """What the codes mean."""
        if self.la == "MMM":
            return DestinationKind.UNKNOWN
        if self.la == "XXX":
            return DestinationKind.OUTSIDE_MAINTAINED_SECTOR
        if self.estab == "LLLL":
            return DestinationKind.LOCAL_AUTHORITY
        return DestinationKind.SCHOOL

    @property
    def code(self) -> str:
        """``LLLEEEE`` as used in file names (``MMMMMMM``, ``XXXXXXX``, ``801LLLL``)."""
        return self.la + self.estab


#: Where a CTF goes when nobody says: the destination is unknown.
UNKNOWN_DESTINATION = Destination("MMM", "MMMM")


@dataclass(frozen=True, slots=True)
class CTFHeader:
    """Everything in a CTF's ``Header``."""

    version: str
    source: SourceSchool
    destination: Destination | None = None
    date_time: str | None = None
    document_name: str = DOCUMENT_NAME
    document_qualifier: str | None = None
    data_qualifier: str | None = None
    data_descriptor: str | None = None
    supplier_id: str | None = None
    supp_id: str | None = None

    @classmethod
    def from_element(cls, header: Element) -> CTFHeader:
        """Read a ``Header`` element; raise :class:`HeaderError` if it cannot be a CTF's."""
        fields = children(header)
        version = text(fields.get("CTFversion"))
        if version is None:
            raise HeaderError("the header has no CTFversion")
        source = children(fields.get("SourceSchool"))
        la, estab = text(source.get("LEA")), text(source.get("Estab"))
        if la is None or not _LA.match(la) or estab is None or not _ESTAB.match(estab):
            raise HeaderError(
                "the header's SourceSchool needs an LEA of 3 digits and an Estab of 4 digits "
                f"(found LEA {la!r}, Estab {estab!r})"
            )
        dest = children(fields.get("DestSchool"))
        dest_la, dest_estab = text(dest.get("LEA")), text(dest.get("Estab"))
        destination = None
        if dest_la is not None and dest_estab is not None:
            # A destination is kept as written even when its codes are odd: it is metadata.
            destination = Destination(dest_la, dest_estab, text(dest.get("URN")))
        return cls(
            version=version,
            source=SourceSchool(
                la=la,
                estab=estab,
                urn=text(source.get("URN")),
                name=text(source.get("SchoolName")),
                academic_year=text(source.get("AcademicYear")),
            ),
            destination=destination,
            date_time=text(fields.get("DateTime")),
            document_name=text(fields.get("DocumentName")) or DOCUMENT_NAME,
            document_qualifier=text(fields.get("DocumentQualifier")),
            data_qualifier=text(fields.get("DataQualifier")),
            data_descriptor=text(fields.get("DataDescriptor")),
            supplier_id=text(fields.get("SupplierID")),
            supp_id=text(fields.get("SuppID")),
        )

    def as_metadata(self) -> dict[str, object]:
        """The header as plain data (strings, ``None`` and dicts), for ``ReadContext.metadata``."""
        destination: dict[str, object] | None = None
        if self.destination is not None:
            destination = {
                "la": self.destination.la,
                "estab": self.destination.estab,
                "urn": self.destination.urn,
                "kind": self.destination.kind.value,
            }
        return {
            "format": "CTF",
            "version": self.version,
            "document_name": self.document_name,
            "date_time": self.date_time,
            "document_qualifier": self.document_qualifier,
            "data_qualifier": self.data_qualifier,
            "data_descriptor": self.data_descriptor,
            "supplier_id": self.supplier_id,
            "supp_id": self.supp_id,
            "source": {
                "la": self.source.la,
                "estab": self.source.estab,
                "urn": self.source.urn,
                "name": self.source.name,
                "academic_year": self.source.academic_year,
            },
            "destination": destination,
        }

    def to_xml(self) -> str:
        """The ``Header`` element as indented text, leaving out what the header does not hold."""
        source, dest = self.source, self.destination
        parts = [
            "  <Header>\n",
            leaf("    ", "DocumentName", self.document_name),
            leaf("    ", "CTFversion", self.version),
            leaf("    ", "DateTime", self.date_time),
            leaf("    ", "DocumentQualifier", self.document_qualifier),
            leaf("    ", "DataQualifier", self.data_qualifier),
            leaf("    ", "DataDescriptor", self.data_descriptor),
            leaf("    ", "SupplierID", self.supplier_id),
            "    <SourceSchool>\n",
            leaf("      ", "LEA", source.la),
            leaf("      ", "Estab", source.estab),
            leaf("      ", "URN", source.urn),
            leaf("      ", "SchoolName", source.name),
            leaf("      ", "AcademicYear", source.academic_year),
            "    </SourceSchool>\n",
        ]
        if dest is not None:
            parts += [
                "    <DestSchool>\n",
                leaf("      ", "LEA", dest.la),
                leaf("      ", "Estab", dest.estab),
                leaf("      ", "URN", dest.urn),
                "    </DestSchool>\n",
            ]
        parts += [leaf("    ", "SuppID", self.supp_id), "  </Header>\n"]
        return "".join(parts)
