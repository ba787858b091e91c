"""Reading SIF documents (XML or JSON): every valid object, and a Problem for each bad record.

:func:`iter_document` streams: it yields each object as it is read and a
:class:`~sif_core.problems.Problem` for each record that is not a valid object, and carries on.
A document that cannot be read at all (malformed, hostile, not SIF) raises a
:class:`~sif_core.errors.CodecError` subclass naming the file, line and column.
"""

from __future__ import annotations

import io
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast
from xml.etree.ElementTree import Element

from pydantic import ValidationError

from sif_core.codec.elements import element_content, object_input
from sif_core.codec.goessner import from_goessner
from sif_core.codec.jsonstream import iter_json_records
from sif_core.codec.profile import MIXED_ROOT, RawRecord, collection_member, describe_record
from sif_core.codec.sif_xml import iter_xml_records
from sif_core.errors import CodecError, MalformedDocumentError
from sif_core.model import OBJECT_TYPES, SIFObject
from sif_core.problems import Problem, problems_from_validation_error

__all__ = [
    "DocumentResult",
    "InvalidRecordsError",
    "iter_document",
    "loads_json",
    "loads_xml",
    "read_document",
]

_SNIFF_BYTES = 1024
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


class InvalidRecordsError(CodecError):
    """Some records of a document are not valid objects; ``problems`` lists every one."""

    def __init__(self, problems: list[Problem], *, source: str) -> None:
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        field_text = f" field {first.field}:" if first.field else ""
        super().__init__(f"{first.record}:{field_text} {first.message}{more}", source=source)


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """Everything read from one document: the valid objects and the problems, in order."""

    objects: list[SIFObject] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no record had a problem."""
        return not self.problems


def detect_format(head: bytes) -> Literal["xml", "json"] | None:
    """``"xml"`` or ``"json"`` from a document's first bytes, or ``None`` when it is neither."""
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    stripped = head.replace(b"\x00", b"").lstrip()
    if stripped.startswith(b"<"):
        return "xml"
    if stripped.startswith(b"{"):
        return "json"
    return None


def iter_document(
    path_or_bytes: Path | bytes, *, source: str | None = None
) -> Generator[SIFObject | Problem, None, None]:
    """Yield each object of a SIF XML or SIF JSON document, and a Problem for each bad record.

    The format is recognised from the content. ``source`` names the document in problems and
    errors (default: the path, or ``"<input>"``). Raises
    :class:`~sif_core.errors.MalformedDocumentError` or
    :class:`~sif_core.errors.HostileXMLError` (with line and column) when the document cannot be
    read, :class:`CodecError` when it is not a SIF document. Close the generator to stop reading
    early (the parser stops too).
    """
    if isinstance(path_or_bytes, Path):
        name = source or str(path_or_bytes)
        with path_or_bytes.open("rb") as stream:
            head = stream.read(_SNIFF_BYTES)
        records = _records(path_or_bytes, head, name)
    else:
        name = source or "<input>"
        records = _records(path_or_bytes, path_or_bytes[:_SNIFF_BYTES], name)
    return validate_records(records, source=name)


def _records(data: Path | bytes, head: bytes, source: str) -> Iterator[RawRecord]:
    fmt = detect_format(head)
    if fmt == "xml":
        yield from iter_xml_records(data, source=source)
    elif fmt == "json":
        if isinstance(data, Path):
            with data.open("rb") as stream:
                yield from iter_json_records(stream, source=source)
        else:
            yield from iter_json_records(io.BytesIO(data), source=source)
    else:
        raise MalformedDocumentError(
            "neither SIF XML (starting with '<') nor SIF JSON (starting with '{')",
            source=source,
            line=1,
            column=1,
        )


def validate_records(
    records: Iterator[RawRecord], *, source: str
) -> Generator[SIFObject | Problem, None, None]:
    """Validate raw records into objects, yielding a Problem for each one that is not valid.

    A record's content is Goessner notation (SIF JSON) or the object's XML element (SIF XML:
    turned straight into the model's input by :mod:`sif_core.codec.elements`).
    """
    ordinals: dict[str, int] = {}
    for record in records:
        ordinal = ordinals[record.element] = ordinals.get(record.element, 0) + 1
        content = record.content
        cls = OBJECT_TYPES.get(record.element)
        data: Any = None
        if isinstance(content, Element):
            streamed = record.root not in OBJECT_TYPES
            if cls is None:
                content = element_content(content, streamed=streamed)
            else:
                data = object_input(cls, content, streamed=streamed)
        refusal = _misplaced(record)
        if refusal is None:
            try:
                if data is None:
                    obj = from_goessner(record.element, content)
                else:
                    obj = cast(type[SIFObject], cls).model_validate(data)
            except ValidationError as error:
                invalid = error
            else:
                yield obj
                continue
        # A record is named only when it has a problem: most have none.
        if data is None:
            label = describe_record(record.element or "record", ordinal, content)
        else:
            label = _input_label(record.element, ordinal, data)
        if refusal is not None:
            yield Problem(source, label, None, refusal, line=record.line)
        else:
            yield from problems_from_validation_error(
                invalid, source=source, record=label, line=record.line
            )


def _input_label(element: str, ordinal: int, data: Any) -> str:
    """:func:`~sif_core.codec.profile.describe_record` of a record, from its model input."""
    label = f"{element} {ordinal}"
    if not isinstance(data, dict):
        return label
    found = [
        f"{name} {value}"
        for name in ("RefId", "UPN", "LocalId")
        if isinstance(value := data.get(name), str) and value
    ]
    return f"{label} ({', '.join(found)})" if found else label


def _misplaced(record: RawRecord) -> str | None:
    """Why a record's element cannot stand where it is, or ``None`` when it can."""
    if record.root == MIXED_ROOT and not record.element:
        return f"each item of {MIXED_ROOT} is an object with one member named by its type"
    if record.element not in OBJECT_TYPES:
        return (
            f"{record.element} is not a SIF object type; expected one of {', '.join(OBJECT_TYPES)}"
        )
    member = collection_member(record.root)
    if member is not None and record.element != member:
        return f"a {record.root} collection holds only {member} elements"
    return None


def read_document(path_or_bytes: Path | bytes, *, source: str | None = None) -> DocumentResult:
    """Read a whole document: its valid objects and its problems (see :func:`iter_document`)."""
    result = DocumentResult()
    for item in iter_document(path_or_bytes, source=source):
        if isinstance(item, Problem):
            result.problems.append(item)
        else:
            result.objects.append(item)
    return result


def _strict(records: Iterator[RawRecord], source: str) -> list[SIFObject]:
    objects: list[SIFObject] = []
    problems: list[Problem] = []
    for item in validate_records(records, source=source):
        if isinstance(item, Problem):
            problems.append(item)
        else:
            objects.append(item)
    if problems:
        raise InvalidRecordsError(problems, source=source)
    return objects


def loads_xml(data: bytes | str, source: str = "<input>") -> list[SIFObject]:
    """The objects of a SIF XML document; :class:`InvalidRecordsError` if any record is bad."""
    return _strict(iter_xml_records(data, source=source), source)


def loads_json(data: bytes | str, source: str = "<input>") -> list[SIFObject]:
    """The objects of a SIF JSON document; :class:`InvalidRecordsError` if any record is bad."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return _strict(iter_json_records(io.BytesIO(raw), source=source), source)
