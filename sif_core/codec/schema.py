"""JSON Schema (Draft 2020-12) of each object type's SIF JSON, and validation of documents.

Each schema describes exactly what the codec writes: a document holding one object
(``{"LearnerPersonal": {...}}``) or a collection of that type
(``{"LearnerPersonals": {"LearnerPersonal": [...]}}``), attributes as ``@Name``, element text as
``#text``, a list field always as an array, absent values left out. It is generated from the
pydantic models, so it checks shapes, codes, patterns and bounds; rules that span fields and
identifier check characters (UPN check letter, ULN check digit) are checked by the models
(:func:`sif_core.codec.iter_document`, ``sif validate``).

The generated files are checked in under ``sif_core/schemas/`` (one per object type); a test
fails when they differ from what the models generate.
"""

from __future__ import annotations

import copy
import functools
import inspect
import json
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

# No type stubs for jsonschema are installed (types-jsonschema would provide them).
from jsonschema import Draft202012Validator
from pydantic import AfterValidator
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from sif_core.codec.goessner import wire_fields
from sif_core.codec.profile import MIXED_ROOT, SIF_NAMESPACE
from sif_core.model import OBJECT_TYPES, ULN, UPN, SIFObject, SIFPart
from sif_core.model.identifiers import UPN_CHECK_LETTERS

__all__ = [
    "SCHEMA_DIRECTORY",
    "SchemaProblem",
    "export_schemas",
    "object_schema",
    "schema_file_name",
    "validate_document",
]

DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
#: Where the checked-in schemas live.
SCHEMA_DIRECTORY: Final = Path(__file__).resolve().parent.parent / "schemas"


def _validator_function(annotated: Any) -> Callable[..., Any]:
    (validator,) = (m for m in typing.get_args(annotated) if isinstance(m, AfterValidator))
    return validator.func


# Identifier checks run as pydantic after-validators, which a JSON Schema cannot run; the
# schema states the shape and leaves the check character to the model.
_IDENTIFIER_SCHEMAS: Final[dict[Callable[..., Any], dict[str, Any]]] = {
    _validator_function(UPN): {
        "pattern": f"^[{UPN_CHECK_LETTERS}][0-9]{{11}}[0-9{UPN_CHECK_LETTERS}]$",
        "description": "Unique Pupil Number (the check letter is verified by the model)",
    },
    _validator_function(ULN): {
        "pattern": "^[1-9][0-9]{9}$",
        "not": {"const": "9999999999"},
        "description": "Unique Learner Number (the check digit is verified by the model; "
        "the temporary ULN 9999999999 is not accepted)",
    },
}


class _SchemaGenerator(GenerateJsonSchema):
    def function_after_schema(
        self, schema: core_schema.AfterValidatorFunctionSchema
    ) -> JsonSchemaValue:
        json_schema = super().function_after_schema(schema)
        extra = _IDENTIFIER_SCHEMAS.get(schema["function"]["function"])
        return {**json_schema, **extra} if extra else json_schema


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """One place where a document breaks its schema: ``path`` is a JSON path (``$.A.B[0]``)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def schema_file_name(cls: type[SIFObject]) -> str:
    """The file name of an object type's schema: ``LearnerPersonal.schema.json``."""
    return f"{cls.object_name}.schema.json"


def object_schema(cls: type[SIFObject]) -> dict[str, Any]:
    """The Draft 2020-12 schema of ``cls``'s SIF JSON documents (a fresh copy each call)."""
    return copy.deepcopy(_object_schema(cls))


@functools.cache
def _object_schema(cls: type[SIFObject]) -> dict[str, Any]:
    generated = cls.model_json_schema(
        by_alias=True, mode="validation", schema_generator=_SchemaGenerator
    )
    definitions: dict[str, Any] = generated.pop("$defs", {})
    parts = _parts_of(cls)
    for name, definition in definitions.items():
        if name in parts:
            definitions[name] = _goessner(parts[name], definition)
    definitions[cls.object_name] = _goessner(cls, generated)
    reference = {"$ref": f"#/$defs/{cls.object_name}"}
    return {
        "$schema": DIALECT,
        "$id": f"{SIF_NAMESPACE}:schema:{cls.object_name}",
        "title": cls.object_name,
        "description": (
            f"SIF JSON of one {cls.object_name} or of a {cls.collection_name} collection, in "
            f"sifbridge's profile {SIF_NAMESPACE}. " + inspect.cleandoc(cls.__doc__ or "")
        ),
        "type": "object",
        "properties": {
            cls.object_name: reference,
            cls.collection_name: {
                "type": "object",
                "properties": {cls.object_name: {"type": "array", "items": reference}},
                "required": [cls.object_name],
                "additionalProperties": False,
            },
        },
        "minProperties": 1,
        "maxProperties": 1,
        "additionalProperties": False,
        "$defs": dict(sorted(definitions.items())),
    }


def _parts_of(cls: type[SIFPart]) -> dict[str, type[SIFPart]]:
    found: dict[str, type[SIFPart]] = {}
    for field in wire_fields(cls):
        if field.part is not None and field.part.__name__ not in found:
            found[field.part.__name__] = field.part
            found.update(_parts_of(field.part))
    return found


def _goessner(cls: type[SIFPart], generated: dict[str, Any]) -> dict[str, Any]:
    """Rename a model's properties to their Goessner keys and tidy what pydantic generated."""
    properties: dict[str, Any] = generated.get("properties", {})
    renamed: dict[str, Any] = {}
    keys: dict[str, str] = {}
    for field in wire_fields(cls):
        keys[field.alias] = field.key
        renamed[field.key] = _tidy(properties[field.alias], is_list=field.is_list)
    schema: dict[str, Any] = {
        key: value for key, value in generated.items() if key not in ("properties", "required")
    }
    schema["properties"] = renamed
    required = [keys[name] for name in generated.get("required", [])]
    if required:
        schema["required"] = required
    return schema


def _tidy(property_schema: dict[str, Any], *, is_list: bool) -> dict[str, Any]:
    schema = {key: value for key, value in property_schema.items() if key != "title"}
    # An absent value is left out of the document, never written as null.
    options = schema.pop("anyOf", None)
    if options is not None:
        (kept,) = (option for option in options if option != {"type": "null"})
        schema = {**kept, **schema}
        if schema.get("default", 0) is None:
            del schema["default"]
    if is_list:
        schema.setdefault("minItems", 1)  # an empty list is left out
    return schema


def export_schemas(directory: Path) -> list[Path]:
    """Write one schema file per object type into ``directory`` (created if missing)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for cls in OBJECT_TYPES.values():
        path = directory / schema_file_name(cls)
        path.write_text(schema_text(cls), encoding="utf-8")
        written.append(path)
    return written


def schema_text(cls: type[SIFObject]) -> str:
    """The exact text of ``cls``'s schema file."""
    return json.dumps(_object_schema(cls), indent=2, ensure_ascii=False) + "\n"


@functools.cache
def _validator(cls: type[SIFObject]) -> Draft202012Validator:
    return Draft202012Validator(
        _object_schema(cls), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def validate_document(document: Any) -> list[SchemaProblem]:
    """Check a parsed SIF JSON document against the schemas; return every problem found.

    Documents of one object, of a collection and of ``SIFObjects`` (each item checked against
    its type's schema) are understood. An empty list means the document is valid.
    """
    if not isinstance(document, dict) or len(document) != 1:
        return [
            SchemaProblem(
                "$",
                "a SIF JSON document is an object with a single member: an object type, a "
                f"collection or {MIXED_ROOT}",
            )
        ]
    ((root, body),) = document.items()
    cls = _type_of_root(root)
    if cls is not None:
        return _problems(cls, document, "$")
    if root != MIXED_ROOT:
        return [SchemaProblem(f"$.{root}", f"{root} is not an object type or a collection")]
    if not isinstance(body, list):
        return [SchemaProblem(f"$.{root}", "SIFObjects is an array of one-member objects")]
    problems: list[SchemaProblem] = []
    for index, item in enumerate(body):
        path = f"$.{root}[{index}]"
        item_type = (
            OBJECT_TYPES.get(next(iter(item)))
            if isinstance(item, dict) and len(item) == 1
            else None
        )
        if item_type is None:
            problems.append(SchemaProblem(path, "not an object with one member named by its type"))
        else:
            problems.extend(_problems(item_type, item, path))
    return problems


def _type_of_root(root: str) -> type[SIFObject] | None:
    for cls in OBJECT_TYPES.values():
        if root in (cls.object_name, cls.collection_name):
            return cls
    return None


def _problems(cls: type[SIFObject], document: Any, prefix: str) -> list[SchemaProblem]:
    return [
        SchemaProblem(prefix + error.json_path[1:], error.message)
        for error in _validator(cls).iter_errors(document)
    ]
