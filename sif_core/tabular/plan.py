"""Compiled builders: one row's cells to one object's wire dict, with no per-cell dispatch.

A :class:`BuildPlan` is made once per mapping, input and target object: for each column in force
it knows the cell's index, how its text becomes the field's value and where that value goes. It
fills the wire dict exactly as :func:`~sif_core.tabular.fields.put_value` would, cell by cell in
the mapping's order (so repeated parts such as names and phone numbers are listed in the same
order), then the defaults of fields no cell filled.

It only reports *whether* every cell converted: when one does not, the caller builds the object
again the slow, explaining way (:func:`~sif_core.tabular.cells.cell_value`), which says why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, Final

from sif_core.tabular.cells import cell_value, default_value
from sif_core.tabular.dates import parse_date
from sif_core.tabular.fields import FIELDS, FieldSpec, Kind, Select, put_value
from sif_core.tabular.mapping import ColumnRule, Value

__all__ = ["BuildPlan"]

_BOOLS: Final = {
    **dict.fromkeys(("true", "t", "yes", "y", "1"), True),
    **dict.fromkeys(("false", "f", "no", "n", "0"), False),
}
# Distinct dates in an export are few (birthdays, admission days): converted once each. The
# cache is emptied when full, so it never grows with the file.
_DATE_CACHE_SIZE: Final = 4096
# A converter signals "not a value" with one of these; the slow path then says why.
_NOT_A_VALUE: Final = (ValueError, KeyError)

Converter = Callable[[str], Any]


def _bool(text: str) -> bool:
    return _BOOLS[text.lower()]


def _dates(formats: tuple[str, ...]) -> Converter:
    cache: dict[str, str] = {}

    def convert(text: str) -> str:
        value = cache.get(text)
        if value is None:
            value = parse_date(text, formats).isoformat()
            if len(cache) >= _DATE_CACHE_SIZE:
                cache.clear()
            cache[text] = value
        return value

    return convert


def _converter(rule: ColumnRule) -> Converter | None:
    """What :func:`cell_value` does for ``rule``, without the explanations (``None``: the text
    itself)."""
    kind = rule.field.kind
    if rule.values is not None:
        # A value map's targets are never dates (the mapping refuses that), so default_value
        # leaves them as they are.
        return {local: default_value(rule.field, v) for local, v in rule.values.items()}.__getitem__
    if kind is Kind.TEXT or kind is Kind.CODE:
        return None
    if kind is Kind.DATE:
        return _dates(rule.date_formats)
    if kind is Kind.BOOL:
        return _bool
    if kind is Kind.INT:
        return int
    return partial(cell_value, rule)


class BuildPlan:
    """How a row's ``cells`` fill one target object's wire dict.

    ``bound`` lists the target's column rules in force, in mapping order, each with its cell's
    index; ``defaults`` are every default of the read (those of other targets are ignored).

    The cells are taken in groups, each in mapping order: text fields at the top of the wire
    dict, converted ones, the parts of each nested dict (an address), the entries of repeated
    parts (names, phone numbers: in one pass, so the entries are listed in the order their first
    non-empty cell comes in the mapping, as ``put_value`` lists them), the LAESTAB.
    The order of keys in a dict does not change what a model makes of it.
    """

    def __init__(
        self,
        target: str,
        bound: Sequence[tuple[ColumnRule, int]],
        defaults: Mapping[str, Value],
    ) -> None:
        text: list[tuple[int, str]] = []
        converted: list[tuple[int, str, Converter]] = []
        nested: dict[str, list[tuple[int, str, Converter | None]]] = {}
        selects: list[tuple[int, int, str, str, str, Converter | None]] = []
        slots: dict[Select, int] = {}
        laestab: list[tuple[int, Converter]] = []
        for rule, index in bound:
            spec = rule.field
            convert = _converter(rule)
            if spec.kind is Kind.LAESTAB:
                assert convert is not None
                laestab.append((index, convert))
            elif len(spec.location) == 1:
                (key,) = spec.location
                assert isinstance(key, str)
                if convert is None:
                    text.append((index, key))
                else:
                    converted.append((index, key, convert))
            else:
                first, last = spec.location  # every other location FIELDS defines has two steps
                assert isinstance(last, str)
                if isinstance(first, Select):
                    slot = slots.setdefault(first, len(slots))
                    selects.append((index, slot, first.alias, first.type, last, convert))
                else:
                    nested.setdefault(first, []).append((index, last, convert))
        self._text = tuple(text)
        self._converted = tuple(converted)
        self._nested = tuple((key, tuple(parts)) for key, parts in nested.items())
        self._selects = tuple(selects)
        self._slots = len(slots)
        self._laestab = tuple(laestab)
        filled_by = {rule.field.name: index for rule, index in bound}
        self._defaults: tuple[tuple[int, FieldSpec, Any], ...] = tuple(
            (filled_by.get(name, -1), FIELDS[name], default_value(FIELDS[name], value))
            for name, value in defaults.items()
            if FIELDS[name].target == target
        )

    def fill(self, cells: Sequence[str], wire: dict[str, Any]) -> bool:
        """Put every non-empty cell's value, then the defaults, into ``wire`` (which holds none
        of the target's fields yet); ``False`` (with ``wire`` half filled) as soon as a cell's
        text is not a value of its field."""
        try:
            for index, key in self._text:
                text = cells[index]
                if text:
                    wire[key] = text
            for index, key, convert in self._converted:
                text = cells[index]
                if text:
                    wire[key] = convert(text)
            for key, parts in self._nested:
                node: dict[str, Any] | None = None
                for index, sub, maybe in parts:
                    text = cells[index]
                    if text:
                        if node is None:
                            node = wire[key] = {}
                        node[sub] = text if maybe is None else maybe(text)
            if self._selects:
                entries: list[dict[str, Any] | None] = [None] * self._slots
                for index, slot, alias, kind, sub, maybe in self._selects:
                    text = cells[index]
                    if text:
                        entry = entries[slot]
                        if entry is None:
                            entry = entries[slot] = {"Type": kind}
                            wire.setdefault(alias, []).append(entry)
                        entry[sub] = text if maybe is None else maybe(text)
            for index, convert in self._laestab:
                text = cells[index]
                if text:
                    value = convert(text)
                    wire["LAId"], wire["EstablishmentId"] = value[:3], value[3:]
        except _NOT_A_VALUE:
            return False
        for index, spec, value in self._defaults:
            if index < 0 or not cells[index]:
                put_value(wire, spec, value)
        return True
