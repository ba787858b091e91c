"""The adapter SDK: what an MIS vendor implements to plug an export format into sifbridge.

An adapter is described by one :class:`AdapterSpec`, handed to the ``register`` callback of the
``sif_register_adapters`` hook. It reads an input into a stream of SIF objects and
:class:`~sif_core.problems.Problem`\\ s, and may write objects back out in its own format.

Detection is two-phase: the host first keeps adapters whose ``file_patterns`` match the input's
name (an adapter with no patterns is always kept), then asks each one's ``detect`` whether the first
bytes of the content are its format.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from sif_core.errors import AdapterError
from sif_core.model import OBJECT_TYPES, SIFObject, deterministic_refid
from sif_core.problems import Problem, Severity, problems_from_validation_error

__all__ = [
    "DETECT_BYTES",
    "AdapterError",
    "AdapterSpec",
    "DetectFunction",
    "Problem",
    "ProgressCallback",
    "ReadContext",
    "ReadFunction",
    "Severity",
    "WriteContext",
    "WriteFunction",
    "validate_record",
]

ObjectT = TypeVar("ObjectT", bound=SIFObject)

#: How many leading bytes of an input ``detect`` receives.
DETECT_BYTES = 8192

#: ``progress(done, total)``: ``done`` units (bytes or records) of ``total`` (``None`` if unknown).
ProgressCallback = Callable[[int, int | None], None]


def _no_progress(done: int, total: int | None) -> None:
    """The default progress callback: report nothing."""


@dataclass
class ReadContext:
    """What a ``read`` call needs besides its input.

    ``source_system`` identifies the system the export came from (for example the school's
    LAESTAB and MIS); it seeds deterministic RefIds, so the same record always gets the same RefId.
    Adapters put facts about the whole input (a CTF header, say) into ``metadata``.
    """

    source_system: str
    options: Mapping[str, str] = field(default_factory=dict)
    progress: ProgressCallback = _no_progress
    metadata: dict[str, object] = field(default_factory=dict)

    def refid(self, object_type: type[SIFObject] | str, local_key: str) -> str:
        """The deterministic RefId of the record with ``local_key`` of this type."""
        name = object_type if isinstance(object_type, str) else object_type.object_name
        return deterministic_refid(self.source_system, name, local_key)


@dataclass
class WriteContext:
    """What a ``write`` call needs besides its objects and target (options, progress)."""

    options: Mapping[str, str] = field(default_factory=dict)
    progress: ProgressCallback = _no_progress


DetectFunction = Callable[[Path, bytes], bool]
ReadFunction = Callable[[Path, ReadContext], Iterator[SIFObject | Problem]]
WriteFunction = Callable[[Iterable[SIFObject], Path, WriteContext], None]

_NAME = re.compile(r"^[a-z][a-z0-9\-]{0,39}$")


@dataclass(frozen=True)
class AdapterSpec:
    """Everything the host knows about one adapter.

    ``name`` is lower case (``ctf``, ``acme``) and unique across installed plugins. ``formats``
    names the formats it speaks, ``file_patterns`` are glob patterns on the file name used for the
    cheap first phase of detection, ``reads`` and ``writes`` list object type names
    (``LearnerPersonal`` ...). ``write`` is ``None`` for a read-only adapter.
    ``distribution`` is filled in by the host with the name of the distribution that registered it.
    """

    name: str
    supplier: str
    version: str
    description: str
    formats: tuple[str, ...]
    reads: tuple[str, ...]
    read: ReadFunction
    detect: DetectFunction
    writes: tuple[str, ...] = ()
    write: WriteFunction | None = None
    file_patterns: tuple[str, ...] = ()
    distribution: str = "unknown"

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(
                f"adapter name {self.name!r} must be lower case letters, digits and hyphens, "
                "starting with a letter"
            )
        unknown = [t for t in (*self.reads, *self.writes) if t not in OBJECT_TYPES]
        if unknown:
            raise ValueError(
                f"adapter {self.name!r} names unknown object types {unknown}; "
                f"known types: {', '.join(OBJECT_TYPES)}"
            )
        if self.writes and self.write is None:
            raise ValueError(f"adapter {self.name!r} lists types it writes but has no write()")

    @property
    def can_write(self) -> bool:
        """True when the adapter can write objects back out."""
        return self.write is not None

    def matches_name(self, path: Path) -> bool:
        """Phase one of detection: does the file name fit one of ``file_patterns``?"""
        if not self.file_patterns:
            return True
        name = path.name.lower()
        return any(fnmatch.fnmatch(name, pattern.lower()) for pattern in self.file_patterns)


def validate_record(
    object_type: type[ObjectT],
    fields: Mapping[str, Any],
    *,
    source: str,
    record: str,
    line: int | None = None,
) -> tuple[ObjectT | None, list[Problem]]:
    """Build one object from ``fields``, or say everything that is wrong with them.

    ``fields`` may use Python names (``date_of_birth``) or wire names (``DateOfBirth``). Returns
    ``(object, [])`` when the record is valid and ``(None, problems)`` when it is not, with one
    :class:`Problem` per wrong field, each naming ``record`` and the field's wire path, so a
    ``read`` can ``yield from problems`` and carry on with the next record.
    """
    try:
        return object_type.model_validate(fields), []
    except ValidationError as error:
        found = problems_from_validation_error(error, source=source, record=record, line=line)
        return None, list(found)
