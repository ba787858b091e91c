"""SIF XML and SIF JSON in and out, and JSON Schema export and validation.

The profile (see :mod:`sif_core.codec.profile`): every XML document carries
:data:`SIF_NAMESPACE` as the default namespace of its root. A document holds one object (its
element is the root), one type's collection (root ``LearnerPersonals``), or objects of several
types in order (root ``SIFObjects``). SIF JSON is the same content in Goessner notation
(``@RefId`` for attributes, ``#text`` for element text; see :mod:`sif_core.codec.goessner`).

Reading refuses entity declarations and external entities
(:class:`~sif_core.errors.HostileXMLError`) and reports malformed documents with line and column
(:class:`~sif_core.errors.MalformedDocumentError`); a record that is not a valid object becomes a
:class:`~sif_core.problems.Problem` and reading carries on.

For adapters of other JSON formats, :func:`iter_json_members` streams any JSON document that is
one object, item by item through the arrays it is told about.
"""

from __future__ import annotations

from sif_core.codec.document import (
    DocumentResult,
    InvalidRecordsError,
    iter_document,
    loads_json,
    loads_xml,
    read_document,
)
from sif_core.codec.goessner import from_goessner, to_goessner
from sif_core.codec.jsonstream import JSONMember, iter_json_members
from sif_core.codec.profile import MIXED_ROOT, SIF_NAMESPACE
from sif_core.codec.schema import SchemaProblem, export_schemas, object_schema, validate_document
from sif_core.codec.writing import Format, dumps_json, dumps_xml, write_collection

__all__ = [
    "MIXED_ROOT",
    "SIF_NAMESPACE",
    "DocumentResult",
    "Format",
    "InvalidRecordsError",
    "JSONMember",
    "SchemaProblem",
    "dumps_json",
    "dumps_xml",
    "export_schemas",
    "from_goessner",
    "iter_document",
    "iter_json_members",
    "loads_json",
    "loads_xml",
    "object_schema",
    "read_document",
    "to_goessner",
    "validate_document",
    "write_collection",
]
