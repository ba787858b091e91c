"""How fast and how lean the sifxml adapter reads a 20,000-pupil school: SIF XML, JSON, NDJSON.

Run: ``python -m benchmarks --only sifxml_read`` (or ``python -m benchmarks.sifxml_read``, which
prints each ratio also as "times the anchor"; add ``--largest`` to measure the peak memory of
reading 100,000 pupils too, which takes a few minutes the first time). One synthetic school
(``Synth(pupils=N, seed=1, schools=1)``, every object type) is written by the adapter itself as a
SIF XML document, a SIF JSON document and NDJSON, then read back through the adapter. From one run:

- each read's CPU time (of this process, the best of several interleaved runs: on a shared machine
  wall-clock time mostly measures the other work; it is shown too for XML) with objects per
  second, beside the floor for the same bytes, measured in the same run:

  - SIF XML: a pyexpat parse of the same file with empty start, end and character-data handlers
    (the floor for any Python code that looks at every element), and the same with
    ``buffer_text`` on (text in fewer calls, a stricter floor);
  - SIF JSON: ``json.load`` of the same file, the whole document decoded at once by the C
    decoder into plain dicts and lists: nothing that builds and validates objects in Python can
    come close, so this floor is far stricter than pyexpat's;
  - NDJSON: ``json.loads`` of each line of the same file (the C decoder again);

- the peak memory of reading 2,000 and 20,000 pupils (and, with ``--largest``, 100,000) in each
  format: the peak resident memory (``VmHWM``) of a fresh process that imports the adapter and
  reads the file, and for SIF XML also the peak ``tracemalloc`` traces in this process. A ratio of
  1.0 means memory did not grow with a school ten times larger.

Targets (issue 10): a read within 3x its parser floor (ratio at least 0.33), with flat memory.

The files are cached under the system's temporary folder, keyed by the source of the code that
writes them (the adapter's writer, the codec, the models and the synthetic generator), so only the
first run pays for writing them (about 25 seconds for the 20,000-pupil SIF XML on a 2-core machine).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from benchmarks._harness import Row
from benchmarks._reading import bare_parse, count_objects, rss_peak_mib, timed, traced_peak_mib
from sif_core.adapter import WriteContext
from sif_core.testing import Synth

__all__ = ["FORMATS", "cached_school", "main", "rows"]

PUPILS, SMALLER, LARGEST = 20_000, 2_000, 100_000
_QUICK = (2_000, 200)
#: Format key -> the file's suffix (the adapter writes by suffix).
FORMATS = {"xml": ".xml", "json": ".json", "ndjson": ".ndjson"}
_LABELS = {"xml": "SIF XML", "json": "SIF JSON", "ndjson": "NDJSON"}


def _source_key() -> str:
    """A digest of the code that decides what the cached files hold."""
    import adapters.sifxml
    import sif_core.codec
    import sif_core.model
    import sif_core.testing

    folders = [Path(module.__file__ or "").parent for module in (sif_core.model, sif_core.testing)]
    files = [path for folder in folders for path in sorted(folder.glob("*.py"))]
    codec = Path(sif_core.codec.__file__ or "").parent
    files += [codec / name for name in ("writing.py", "sif_xml.py", "sif_json.py", "goessner.py")]
    files.append(Path(adapters.sifxml.__file__ or "").parent / "writing.py")
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cached_school(pupils: int, fmt: str) -> Path:
    """A synthetic school of ``pupils`` written by the sifxml adapter in ``fmt``, made once."""
    from adapters.sifxml import SPEC

    folder = Path(tempfile.gettempdir()) / "sifbridge-benchmarks"
    folder.mkdir(exist_ok=True)
    path = folder / f"sifxml-{pupils}-seed1-{_source_key()}{FORMATS[fmt]}"
    if not path.exists():
        synth = Synth(pupils=pupils, seed=1, schools=1)
        (school,) = synth.schools
        partial = folder / f".{path.name}.{os.getpid()}"
        partial.mkdir()
        try:
            written = partial / path.name  # the suffix tells the adapter the format
            assert SPEC.write is not None
            SPEC.write(synth.iter_objects(school), written, WriteContext())
            written.replace(path)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    return path


def adapter_read(path: Path) -> int:
    """The measured work: every object read through the sifxml adapter (a Problem fails it)."""
    from adapters.sifxml import SPEC

    return count_objects(SPEC.read, path)


def json_load(path: Path) -> int:
    """The SIF JSON floor: the whole file decoded by ``json.load``."""
    with path.open("rb") as stream:
        return len(json.load(stream))


def json_lines(path: Path) -> int:
    """The NDJSON floor: ``json.loads`` of every line."""
    with path.open("rb") as stream:
        return sum(1 for line in stream if json.loads(line))


def rows(quick: bool = False, largest: bool = False) -> list[Row]:
    """Read time against each format's floor, and peak memory as the school grows."""
    large, small = _QUICK if quick else (PUPILS, SMALLER)
    paths = {fmt: cached_school(large, fmt) for fmt in FORMATS}
    count = adapter_read(paths["xml"])
    best = timed(
        {
            "bare": lambda: bare_parse(paths["xml"]),
            "buffered": lambda: bare_parse(paths["xml"], buffer_text=True),
            "xml": lambda: adapter_read(paths["xml"]),
            "json-load": lambda: json_load(paths["json"]),
            "json": lambda: adapter_read(paths["json"]),
            "json-lines": lambda: json_lines(paths["ndjson"]),
            "ndjson": lambda: adapter_read(paths["ndjson"]),
        },
        runs=1 if quick else 3,
    )

    def size(fmt: str) -> str:
        return f"{paths[fmt].stat().st_size / 2**20:.0f} MiB"

    def rate(fmt: str) -> str:
        return f"{count / best[fmt][0]:,.0f} objects/s"

    table = f"sifxml read, one school of {large:,} pupils ({count:,} objects), CPU seconds"
    result = [
        Row.cost(table, "xml.vs-pyexpat", f"SIF XML ({size('xml')}), {rate('xml')}",
                 best["xml"][0], "s", "pyexpat, empty handlers", best["bare"][0]),
        Row.cost(table, "xml.vs-pyexpat-buffered", "SIF XML", best["xml"][0], "s",
                 "pyexpat, empty handlers, buffer_text", best["buffered"][0]),
        Row.cost(table, "xml.wall-vs-pyexpat", "SIF XML, wall clock", best["xml"][1], "s",
                 "pyexpat, empty handlers, wall clock", best["bare"][1]),
        Row.cost(table, "json.vs-json-load", f"SIF JSON ({size('json')}), {rate('json')}",
                 best["json"][0], "s", "json.load, whole file", best["json-load"][0]),
        Row.cost(table, "ndjson.vs-json-loads", f"NDJSON ({size('ndjson')}), {rate('ndjson')}",
                 best["ndjson"][0], "s", "json.loads of each line", best["json-lines"][0]),
    ]  # fmt: skip
    sizes = [large, LARGEST] if largest and not quick else [large]
    memory = f"peak memory of a read, against the same read of {small:,} pupils"
    for fmt in FORMATS:
        base = rss_peak_mib("benchmarks.sifxml_read", cached_school(small, fmt))
        for pupils in sizes:
            key = f"{fmt}.rss-growth" if pupils == large else f"{fmt}.rss-growth-largest"
            path = paths[fmt] if pupils == large else cached_school(pupils, fmt)
            figure = rss_peak_mib("benchmarks.sifxml_read", path)
            result.append(
                Row.cost(memory, key, f"{_LABELS[fmt]}, peak RSS, {pupils:,} pupils", figure,
                         "MiB", f"{small:,} pupils", base)
            )  # fmt: skip
    result.append(
        Row.cost(memory, "xml.traced-growth", f"SIF XML, tracemalloc peak, {large:,} pupils",
                 traced_peak_mib(adapter_read, paths["xml"]), "MiB", f"{small:,} pupils",
                 traced_peak_mib(adapter_read, cached_school(small, "xml")))
    )  # fmt: skip
    return result


def main() -> None:
    """Print the rows, with each ratio also as "times the anchor"."""
    if sys.argv[1:2] == ["--read"]:
        adapter_read(Path(sys.argv[2]))
        return
    arguments = sys.argv[1:]
    for row in rows(quick="--quick" in arguments, largest="--largest" in arguments):
        times = f"{row.figure / row.anchor:.2f}x the anchor" if row.figure and row.anchor else "-"
        print(
            f"{row.table}: {row.label}: {row.figure:.2f} {row.unit}; {row.anchor_label} "
            f"{row.anchor:.2f} {row.unit}: ratio {row.ratio:.2f} ({times})"
        )


if __name__ == "__main__":
    main()
