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

# Where a value goes: wire[key]; wire[key][sub]; the entry of list wire[key] whose Type is
# kind, at sub; or a LAESTAB split into LAId and EstablishmentId.
_TOP: Final = 0
_NESTED: Final = 1
_SELECT: Final = 2
_LAESTAB: Final = 3

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
_Step = tuple[int, int, Converter | None, str, str, str, str]


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


def _step(rule: ColumnRule, index: int) -> _Step:
    spec = rule.field
    convert = _converter(rule)
    location = spec.location
    if spec.kind is Kind.LAESTAB:
        return (index, _LAESTAB, convert, "", "", "", "")
    if len(location) == 1:
        key = location[0]
        assert isinstance(key, str)
        return (index, _TOP, convert, key, "", "", "")
    first, last = location  # every location FIELDS defines has one or two steps
    assert isinstance(last, str)
    if isinstance(first, Select):
        return (
            index,
            _SELECT,
            convert,
            first.alias,
            last,
            first.type,
            f"{first.alias}:{first.type}",
        )
    return (index, _NESTED, convert, first, last, "", "")


class BuildPlan:
    """How a row's ``cells`` fill one target object's wire dict.

    ``bound`` lists the target's column rules in force, in mapping order, each with its cell's
    index; ``defaults`` are every default of the read (those of other targets are ignored).
    """

    def __init__(
        self,
        target: str,
        bound: Sequence[tuple[ColumnRule, int]],
        defaults: Mapping[str, Value],
    ) -> None:
        self.steps: tuple[_Step, ...] = tuple(_step(rule, index) for rule, index in bound)
        filled_by = {rule.field.name: index for rule, index in bound}
        self.defaults: tuple[tuple[int, FieldSpec, Any], ...] = tuple(
            (filled_by.get(name, -1), FIELDS[name], default_value(FIELDS[name], value))
            for name, value in defaults.items()
            if FIELDS[name].target == target
        )

    def fill(self, cells: Sequence[str], wire: dict[str, Any]) -> bool:
        """Put every non-empty cell's value, then the defaults, into ``wire``; ``False`` (with
        ``wire`` half filled) as soon as a cell's text is not a value of its field."""
        selected: dict[str, dict[str, Any]] = {}
        for index, op, convert, key, sub, kind, select in self.steps:
            text = cells[index]
            if not text:
                continue
            if convert is None:
                value: Any = text
            else:
                try:
                    value = convert(text)
                except _NOT_A_VALUE:
                    return False
            if op == _TOP:
                wire[key] = value
            elif op == _NESTED:
                node = wire.get(key)
                if node is None:
                    node = wire[key] = {}
                node[sub] = value
            elif op == _SELECT:
                entry = selected.get(select)
                if entry is None:
                    entry = selected[select] = {"Type": kind}
                    entries = wire.get(key)
                    if entries is None:
                        wire[key] = [entry]
                    else:
                        entries.append(entry)
                entry[sub] = value
            else:
                wire["LAId"], wire["EstablishmentId"] = value[:3], value[3:]
        for index, spec, value in self.defaults:
            if index < 0 or not cells[index]:
                put_value(wire, spec, value)
        return True
