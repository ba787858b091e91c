"""What validating one object costs: each SIF model against a plain pydantic twin of it.

Run: ``python -m benchmarks --only model_validation`` (or ``python -m
benchmarks.model_validation``).
Every adapter read and every zone publish validates each object with its model
(:mod:`sif_core.model`): patterns, code sets, bounds, and Python checks for UPN check letters,
ULN check digits, names, addresses and date order. The objects are a synthetic school's
(``Synth(pupils=2_000, seed=1, schools=1)``, 200 pupils with ``--quick``) as SIF JSON would carry
them (``model_dump(mode="json", by_alias=True)``, ``None`` left out).

The anchor is a plain pydantic model of the same shape, built here from the real one: the same
fields, aliases, types, code sets and configuration (aliases or names, unknown fields refused,
frozen), its parts twinned the same way, but no patterns, lengths, bounds or Python checks. Its
cost is what pydantic charges for building the object at all; the ratio (twin / model, higher is
better, 1.0 = the rules cost nothing) is what SIF's rules add. Times are CPU seconds of this
process per object, the best of interleaved rounds (the machine is shared).
"""

from __future__ import annotations

import functools
import operator
import time
import types
import typing
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field, create_model

from benchmarks._harness import Row
from sif_core.model import OBJECT_TYPES, SIFPart
from sif_core.testing import Synth

PUPILS, QUICK_PUPILS = 2_000, 200
ROUNDS, QUICK_ROUNDS = 15, 5
#: Validations per timed batch at least.
REPEAT_TO = 1_000


def _plain_annotation(annotation: Any) -> Any:
    """``annotation`` without its constraints, with every part model replaced by its twin."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _plain_annotation(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return functools.reduce(operator.or_, map(_plain_annotation, typing.get_args(annotation)))
    if origin is list:
        (item,) = typing.get_args(annotation)
        return list[_plain_annotation(item)]  # type: ignore[misc]
    if isinstance(annotation, type) and issubclass(annotation, SIFPart):
        return plain_twin(annotation)
    return annotation


@functools.cache
def plain_twin(cls: type[SIFPart]) -> type[BaseModel]:
    """A pydantic model with ``cls``'s fields, aliases and configuration and none of its rules."""
    fields: dict[str, Any] = {}
    for name, info in cls.model_fields.items():
        # info.annotation holds the type alone: patterns, lengths and bounds are in its metadata.
        if info.is_required():
            spec = Field(alias=info.alias)
        elif info.default_factory is not None:
            spec = Field(default_factory=info.default_factory, alias=info.alias)
        else:
            spec = Field(default=info.default, alias=info.alias)
        fields[name] = (_plain_annotation(info.annotation), spec)
    twin: type[BaseModel] = create_model(
        f"Plain{cls.__name__}", __config__=cls.model_config, **fields
    )
    return twin


def samples(pupils: int) -> dict[str, list[dict[str, Any]]]:
    """One synthetic school's objects as SIF JSON carries them, by object type."""
    synth = Synth(pupils=pupils, seed=1, schools=1)
    documents: dict[str, list[dict[str, Any]]] = {name: [] for name in OBJECT_TYPES}
    for obj in synth.iter_objects(synth.schools[0]):
        documents[obj.object_name].append(
            obj.model_dump(mode="json", by_alias=True, exclude_none=True)
        )
    return documents


def _validating(
    validate: Callable[[Any], Any], documents: list[dict[str, Any]]
) -> Callable[[], None]:
    def work() -> None:
        for document in documents:
            validate(document)

    return work


def _best_per_object(
    works: dict[str, Callable[[], None]], count: int, rounds: int
) -> dict[str, float]:
    """Interleaved rounds of each work; the fastest round's CPU seconds per object, by name."""
    best = dict.fromkeys(works, float("inf"))
    for _ in range(rounds):
        for name, work in works.items():
            started = time.process_time()
            work()
            best[name] = min(best[name], (time.process_time() - started) / count)
    return best


def rows(quick: bool = False) -> list[Row]:
    """Per object type, and for the whole school: CPU time to validate, beside the twin's."""
    documents = samples(QUICK_PUPILS if quick else PUPILS)
    rounds = QUICK_ROUNDS if quick else ROUNDS
    table = "Validating objects: each SIF model against a plain pydantic model of its shape"
    result: list[Row] = []
    school_model = school_twin = 0.0
    for name, cls in OBJECT_TYPES.items():
        batch = documents[name]
        if not batch:
            continue
        twin = plain_twin(cls)
        for document in batch:  # both must take every document, or the comparison is void
            cls.model_validate(document)
            twin.model_validate(document)
        # A school has one LAInfo and one SchoolInfo: repeat short batches so a round is long
        # enough for the clock.
        repeated = batch * -(-REPEAT_TO // len(batch))
        times = _best_per_object(
            {
                "model": _validating(cls.__pydantic_validator__.validate_python, repeated),
                "twin": _validating(twin.__pydantic_validator__.validate_python, repeated),
            },
            len(repeated),
            rounds,
        )
        school_model += times["model"] * len(batch)
        school_twin += times["twin"] * len(batch)
        result.append(
            Row.cost(
                table,
                name,
                f"{name}: validate one ({len(batch):,} in the school)",
                times["model"] * 1e6,
                "us",
                "plain pydantic twin",
                times["twin"] * 1e6,
            )
        )
    count = sum(len(batch) for batch in documents.values())
    result.append(
        Row.cost(
            table,
            "school",
            f"the whole school: {count:,} objects",
            school_model * 1e3,
            "ms",
            "plain pydantic twins",
            school_twin * 1e3,
        )
    )
    return result


def main() -> None:
    for row in rows():
        assert row.figure is not None
        assert row.anchor is not None
        assert row.ratio is not None
        print(
            f"{row.label}: {row.figure:.2f} {row.unit}; {row.anchor_label}: "
            f"{row.anchor:.2f} {row.unit}; "
            f"ratio {row.ratio:.2f} ({row.figure / row.anchor:.2f}x the twin)"
        )


if __name__ == "__main__":
    main()
