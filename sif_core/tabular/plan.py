"""Compiled builders: one row's cells to one object's wire dict, with no per-cell dispatch.

A :class:`BuildPlan` is made once per mapping, input and target object. It fills the wire dict
exactly as :func:`~sif_core.tabular.fields.put_value` would, cell by cell in the mapping's
order (so repeated parts such as names and phone numbers are listed in the same order), then
puts the defaults of fields no cell filled.

It is compiled to a Python function of straight-line code, one ``if`` per column: a generic loop
spent most of a row's time deciding, for every cell, what kind of field it fills and where it
goes. The generated source holds only cell indexes and the wire names of :data:`FIELDS`
(checked to be plain names); everything from the mapping (value maps, date formats, defaults)
reaches the function as objects in its namespace, never as source text.

It only reports *whether* every cell converted: when one does not, the caller builds the object
again the slow, explaining way (:func:`~sif_core.tabular.cells.cell_value`), which says why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, Final

from sif_core.tabular.cells import cell_value, default_value
from sif_core.tabular.dates import parse_date
from sif_core.tabular.fields import FIELDS, Kind, Select, put_value
from sif_core.tabular.mapping import ColumnRule, Value

__all__ = ["BuildPlan"]

_BOOLS: Final = {
    **dict.fromkeys(("true", "t", "yes", "y", "1"), True),
    **dict.fromkeys(("false", "f", "no", "n", "0"), False),
}
# Distinct dates in an export are few (birthdays, admission days): each is converted once. The
# cache is emptied when full, so it never grows with the file.
_DATE_CACHE_SIZE: Final = 4096

Converter = Callable[[str], Any]
Fill = Callable[[Sequence[str], dict[str, Any]], bool]


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
    """What :func:`cell_value` does for ``rule``, raising ``ValueError`` or ``KeyError`` without
    the explanations (``None``: the text itself)."""
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


def _name(text: str) -> str:
    """``text`` as a string literal of the generated source, once it is known to be a plain
    name (every wire name and part type of FIELDS is)."""
    if not text.isidentifier():
        raise ValueError(f"not a plain wire name: {text!r}")
    return repr(text)


class BuildPlan:
    """How a row's ``cells`` fill one target object's wire dict.

    ``bound`` lists the target's column rules in force, in mapping order, each with its cell's
    index; ``defaults`` are every default of the read (those of other targets are ignored).

    ``fill(cells, wire)`` puts every non-empty cell's value, then the defaults, into ``wire``
    (which holds none of the target's fields yet) and returns ``True``; it returns ``False``
    (with ``wire`` half filled) as soon as a cell's text is not a value of its field.
    ``source`` is the code it runs.
    """

    def __init__(
        self,
        target: str,
        bound: Sequence[tuple[ColumnRule, int]],
        defaults: Mapping[str, Value],
    ) -> None:
        namespace: dict[str, Any] = {"put_value": put_value}
        parts: dict[str | Select, str] = {}  # a nested dict or list entry: its local variable
        body: list[str] = []
        for number, (rule, index) in enumerate(bound):
            spec = rule.field
            convert = _converter(rule)
            value = "text"
            if convert is not None:
                namespace[f"convert{number}"] = convert
                value = f"convert{number}(text)"
            body += [f"text = cells[{int(index)}]", "if text:"]
            if spec.kind is Kind.LAESTAB:
                body += [
                    f"    value = {value}",
                    "    wire['LAId'] = value[:3]",
                    "    wire['EstablishmentId'] = value[3:]",
                ]
            elif len(spec.location) == 1:
                (key,) = spec.location
                assert isinstance(key, str)
                body.append(f"    wire[{_name(key)}] = {value}")
            else:
                first, last = spec.location  # every other location FIELDS defines has two steps
                assert isinstance(last, str)
                part = parts.setdefault(first, f"part{len(parts)}")
                body.append(f"    if {part} is None:")
                if isinstance(first, Select):
                    # A list entry is added when its first cell with a value comes, as
                    # put_value adds it.
                    body += [
                        f"        {part} = {{'Type': {_name(first.type)}}}",
                        f"        wire.setdefault({_name(first.alias)}, []).append({part})",
                    ]
                else:
                    body.append(f"        {part} = wire[{_name(first)}] = {{}}")
                body.append(f"    {part}[{_name(last)}] = {value}")
        filled_by = {rule.field.name: index for rule, index in bound}
        after: list[str] = []
        for number, (name, given) in enumerate(defaults.items()):
            spec = FIELDS[name]
            if spec.target != target:
                continue
            namespace[f"default{number}"] = (spec, default_value(spec, given))
            column = filled_by.get(name)
            if column is None:
                after.append(f"put_value(wire, *default{number})")
            else:
                after += [f"if not cells[{int(column)}]:", f"    put_value(wire, *default{number})"]
        lines = [
            "def fill(cells, wire):",
            *(f"    {part} = None" for part in parts.values()),
            "    try:",
            *(f"        {line}" for line in body or ["pass"]),
            "    except (ValueError, KeyError):",
            "        return False",
            *(f"    {line}" for line in after),
            "    return True",
        ]
        self.source = "\n".join(lines)
        exec(compile(self.source, f"<build plan of {target}>", "exec"), namespace)  # noqa: S102
        self.fill: Fill = namespace["fill"]
