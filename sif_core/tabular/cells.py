"""Cells to field values: value maps, dates, yes/no, numbers, LAESTABs, lists; keys to RefIds."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sif_core.adapter import ReadContext
from sif_core.tabular.dates import parse_date
from sif_core.tabular.fields import FieldSpec, Kind
from sif_core.tabular.mapping import ColumnRule, Value

__all__ = ["CellError", "cell_value", "default_value", "refid_for_key"]

_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})
_REFID = re.compile(r"^[0-9A-F]{32}$")


def refid_for_key(context: ReadContext, object_type: str, key: Sequence[str]) -> str:
    """The RefId of the record whose key columns hold ``key``.

    A one-column key that already is a RefId (as sifbridge writes unmapped key columns) is the
    RefId itself, so what an adapter writes reads back with the same RefIds; any other key is
    turned into one by :meth:`ReadContext.refid`.
    """
    if len(key) == 1 and _REFID.match(key[0]):
        return key[0]
    return context.refid(object_type, "\x1f".join(key))


class CellError(ValueError):
    """A cell's text cannot be the field's value."""


def cell_value(rule: ColumnRule, text: str) -> Any:
    """The value of ``rule``'s field that the (non-empty, stripped) cell ``text`` stands for.

    Raises :class:`CellError` saying why the text is not a value of the field.
    """
    spec = rule.field
    if rule.values is not None:
        if text not in rule.values:
            raise CellError(
                f"{text!r} has no entry in the value map of column {rule.column!r} "
                f"({rule.values_where}); add it to the map"
            )
        return default_value(spec, rule.values[text])
    if spec.kind is Kind.DATE:
        try:
            return parse_date(text, rule.date_formats).isoformat()
        except ValueError as error:
            raise CellError(str(error)) from None
    if spec.kind is Kind.BOOL:
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise CellError(f"{text!r} is not yes or no (use Yes/No, True/False, Y/N or 1/0)")
    if spec.kind is Kind.INT:
        try:
            return int(text)
        except ValueError:
            raise CellError(f"{text!r} is not a whole number") from None
    if spec.kind is Kind.LAESTAB:
        compact = text.replace("/", "").replace(" ", "")
        if len(compact) != 7 or not compact.isdigit():
            raise CellError(f"{text!r} is not a 7-digit LAESTAB (LA and establishment number)")
        return compact
    if spec.kind is Kind.LIST:
        return [part for part in text.replace(",", ";").replace(" ", ";").split(";") if part]
    return text


def default_value(spec: FieldSpec, value: Value) -> Any:
    """A mapping's value (a default, a value map's target) as the field takes it."""
    if spec.kind is Kind.DATE and isinstance(value, str):
        return parse_date(value, ()).isoformat()
    return value
