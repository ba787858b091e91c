"""Every call the zone makes into :mod:`sif_core.codec`, in one place.

Bodies arrive as SIF JSON or SIF XML; both become Goessner-notation dicts here, and objects go
between Goessner content and models here. Nothing else in the zone server imports the codec.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

import xmltodict

from sif_core.codec import SIF_NAMESPACE, from_goessner, object_schema, to_goessner
from sif_core.codec.safexml import parse as parse_xml_document
from sif_core.errors import CodecError, MalformedDocumentError
from sif_core.model import OBJECT_TYPES, SIFObject

__all__ = [
    "JSON_TYPE",
    "SIF_NAMESPACE",
    "XML_TYPE",
    "content_of",
    "dump_json",
    "dump_xml",
    "object_from",
    "object_schemas",
    "parse_json",
    "parse_xml",
]

JSON_TYPE: Final = "application/json"
XML_TYPE: Final = "application/xml"


def content_of(obj: SIFObject) -> dict[str, Any]:
    """The Goessner-notation content of ``obj`` (without its element name)."""
    return to_goessner(obj)


def object_from(object_type: str, content: Mapping[str, Any] | None) -> SIFObject:
    """Validate Goessner content as ``object_type``; raises :class:`pydantic.ValidationError`."""
    return from_goessner(object_type, content)


def parse_json(body: bytes, *, source: str = "request body") -> Any:
    """Parse a JSON body; :class:`MalformedDocumentError` gives the line and column."""
    try:
        return json.loads(body)
    except UnicodeDecodeError:
        raise MalformedDocumentError("the body is not UTF-8 text", source=source) from None
    except json.JSONDecodeError as error:
        raise MalformedDocumentError(
            f"not valid JSON: {error.msg}", source=source, line=error.lineno, column=error.colno
        ) from None
    except RecursionError:
        raise MalformedDocumentError(
            "the JSON is nested too deeply to be a SIF document", source=source
        ) from None


def parse_xml(body: bytes, *, source: str = "request body") -> dict[str, Any]:
    """Parse an XML body (entities refused) into Goessner notation, namespace prefixes dropped."""
    document = parse_xml_document(
        body,
        source=source,
        process_namespaces=True,
        namespaces={SIF_NAMESPACE: None},
    )
    if not isinstance(document, dict) or len(document) != 1:
        raise CodecError("the XML document has no root element", source=source)
    return document


def dump_json(document: Any) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def dump_xml(root: str, content: Mapping[str, Any]) -> bytes:
    """An XML document whose root ``root`` has Goessner ``content``, in the SIF namespace."""
    text = xmltodict.unparse({root: {"@xmlns": SIF_NAMESPACE, **content}}, pretty=True, indent="  ")
    return text.encode("utf-8")


def object_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schemas of every object type's Goessner content and its parts, by name.

    References point at ``#/components/schemas/NAME``, ready for an OpenAPI document.
    """
    schemas: dict[str, dict[str, Any]] = {}
    for cls in OBJECT_TYPES.values():
        for name, definition in object_schema(cls)["$defs"].items():
            schemas[name] = _rereference(definition)
    return dict(sorted(schemas.items()))


def _rereference(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: value.replace("#/$defs/", "#/components/schemas/")
            if key == "$ref" and isinstance(value, str)
            else _rereference(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rereference(item) for item in node]
    return node
