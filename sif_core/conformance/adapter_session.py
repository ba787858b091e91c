"""An adapter under test: its spec from the plugin host, its samples, and guarded calls into it.

Every call into the adapter goes through :class:`AdapterSession`, which turns whatever the
adapter raises into :class:`~sif_core.conformance.checks.CheckFailed` naming the call, so the
adapter's own faults are FAILED results and only the kit's faults become ERROR.
"""

from __future__ import annotations

import fnmatch
import functools
import itertools
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sif_core.adapter import DETECT_BYTES, AdapterSpec, ReadContext, WriteContext
from sif_core.conformance.checks import CheckFailed, Checks, KitError
from sif_core.conformance.reading import ReadResult, read_all
from sif_core.conformance.statement import AdapterStatement
from sif_core.errors import AdapterError, SIFError
from sif_core.model import SIFObject
from sif_core.plugins import PluginHost
from sif_core.testing.synth import Synth

__all__ = [
    "ADAPTER_CHECKS",
    "STATEMENT_NAMES",
    "AdapterSession",
    "SamplesError",
    "default_statement",
    "find_samples",
    "head_of",
]

#: File names in a samples folder taken for a conformance statement, never for a sample.
STATEMENT_NAMES = ("conformance.toml", "sif-conformance.toml")
#: The seed of the synthetic pupils the kit writes with the adapter.
SYNTH_SEED = 20240901

#: Every adapter check, in clause order (the check modules add themselves).
ADAPTER_CHECKS: Checks[AdapterSession] = Checks()


class SamplesError(SIFError):
    """The samples folder cannot be used (missing, or nothing in it for this adapter)."""


def head_of(path: Path) -> bytes:
    """What ``detect`` is given: the first bytes of a file, nothing for a folder."""
    if path.is_dir():
        return b""
    with path.open("rb") as stream:
        return stream.read(DETECT_BYTES)


def _describe(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def default_statement(samples: Path) -> Path | None:
    """The statement in the samples folder (``conformance.toml``), if it has one."""
    return next((samples / n for n in STATEMENT_NAMES if (samples / n).is_file()), None)


def find_samples(folder: Path, spec: AdapterSpec | None, statement: AdapterStatement) -> list[Path]:
    """The good samples in ``folder``: its entries the statement's ``include`` patterns (else the
    adapter's ``file_patterns``) match, apart from hidden ones, the statement, and any entry that
    is or holds a bad sample. Raises :class:`SamplesError` when there are none."""
    if not folder.is_dir():
        raise SamplesError(f"{folder}: the samples folder does not exist")
    bad = {Path(sample.path).parts[0] for sample in statement.bad_samples}
    include = statement.samples.include
    chosen = []
    for entry in sorted(folder.iterdir()):
        name = entry.name
        if name.startswith(".") or name in STATEMENT_NAMES or name in bad:
            continue
        if include is not None:
            if any(fnmatch.fnmatch(name, pattern) for pattern in include):
                chosen.append(entry)
        elif spec is None or spec.matches_name(entry):
            chosen.append(entry)
    if not chosen:
        patterns = include or (spec.file_patterns if spec else ()) or ("*",)
        raise SamplesError(
            f"{folder}: no sample matches {', '.join(patterns)}; put the adapter's good sample "
            "files there, or name them with [samples] include in the statement"
        )
    return chosen


@dataclass
class AdapterSession:
    """One conformance run of one adapter: what the checks test and how they call it."""

    name: str
    host: PluginHost
    samples_dir: Path
    statement: AdapterStatement
    workdir: Path
    samples: list[Path]
    spec_or_error: AdapterSpec | str
    _scratch: Iterator[int] = field(default_factory=itertools.count)

    @classmethod
    def open(
        cls,
        name: str,
        samples_dir: Path,
        statement: AdapterStatement,
        workdir: Path,
        host: PluginHost,
        samples: list[Path] | None = None,
    ) -> AdapterSession:
        """The session for adapter ``name`` over ``samples`` (default: those
        :func:`find_samples` finds in ``samples_dir``). An adapter the host cannot give is kept
        as its error, for ADP-1 to report. Raises :class:`SamplesError` for an unusable folder."""
        try:
            spec: AdapterSpec | str = host.adapter(name)
        except AdapterError as error:
            spec = str(error)
        found = spec if isinstance(spec, AdapterSpec) else None
        if samples is None:
            samples = find_samples(samples_dir, found, statement)
        return cls(name, host, samples_dir, statement, workdir, samples, spec)

    # -- what is claimed ------------------------------------------------------------------------

    @property
    def spec(self) -> AdapterSpec:
        """The adapter's spec; checks other than ADP-1 cannot run without it (ERROR)."""
        if isinstance(self.spec_or_error, str):
            raise KitError(
                f"not run: the adapter could not be loaded (see ADP-1): {self.spec_or_error}"
            )
        return self.spec_or_error

    @property
    def claimed_reads(self) -> tuple[str, ...]:
        """The types the statement claims it reads (default: every type the adapter declares)."""
        claimed = self.statement.claims.reads
        return tuple(claimed) if claimed is not None else self.spec.reads

    @property
    def claimed_writes(self) -> tuple[str, ...]:
        """The types the statement claims it writes (default: every type it declares)."""
        claimed = self.statement.claims.writes
        return tuple(claimed) if claimed is not None else self.spec.writes

    @functools.cached_property
    def xml_samples(self) -> list[Path]:
        """The samples that are XML documents (first character ``<`` after any BOM)."""
        found = []
        for sample in self.samples:
            if sample.is_file():
                head = head_of(sample)
                text = head.decode("utf-16") if head[:2] in (b"\xff\xfe", b"\xfe\xff") else None
                start = (text or head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")).lstrip()
                if start.startswith("<"):
                    found.append(sample)
        return found

    def blocker(self, check_id: str) -> str | None:
        """Every check but ADP-1.metadata needs the adapter loaded."""
        if isinstance(self.spec_or_error, str) and check_id != "ADP-1.metadata":
            return "not run: the adapter could not be loaded (see ADP-1)"
        return None

    def claims(self, claim: str) -> bool:
        """``writes``: it writes a claimed type; ``xml``: it reads XML (statement, else samples)."""
        if claim == "writes":
            return self.spec.write is not None and bool(self.claimed_writes)
        if claim == "xml":
            stated = self.statement.claims.xml
            return stated if stated is not None else bool(self.xml_samples)
        return False

    # -- calls into the adapter -----------------------------------------------------------------

    def context(self) -> ReadContext:
        """A fresh read context with the statement's source system and options."""
        read = self.statement.read
        return ReadContext(source_system=read.source_system, options=dict(read.options))

    def read(self, source: Path) -> ReadResult:
        """Read ``source`` to the end; the adapter raising is :class:`CheckFailed`."""
        try:
            return read_all(self.spec, source, self.context())
        except Exception as error:  # whatever the adapter raises is the adapter's failure
            raise CheckFailed(f"reading {source.name} raised {_describe(error)}") from error

    def read_lazily(self, source: Path) -> Iterator[object]:
        """The items of ``source`` one by one, as ``read`` yields them."""
        try:
            yield from self.spec.read(source, self.context())
        except Exception as error:  # the adapter's failure
            raise CheckFailed(f"reading {source.name} raised {_describe(error)}") from error

    def detect(self, path: Path) -> bool:
        """``detect`` on ``path``; raising is :class:`CheckFailed` (it must answer yes or no)."""
        try:
            return bool(self.spec.detect(path, head_of(path)))
        except Exception as error:  # detect must never raise
            raise CheckFailed(f"detect() raised {_describe(error)} for {path.name}") from error

    def write(self, objects: Iterable[SIFObject], target: Path) -> None:
        """Write with the statement's options; raising is :class:`CheckFailed`."""
        write = self.spec.write
        if write is None:
            raise KitError("the adapter does not write")
        try:
            write(objects, target, WriteContext(options=dict(self.statement.write.options)))
        except Exception as error:  # the adapter's failure
            raise CheckFailed(f"writing {target.name} raised {_describe(error)}") from error

    # -- the kit's own inputs -------------------------------------------------------------------

    def scratch(self, purpose: str) -> Path:
        """A new empty folder for one check's files."""
        folder = self.workdir / f"{next(self._scratch):03d}-{purpose}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return folder

    @property
    def target_name(self) -> str:
        """The file name the kit writes to: the statement's, else the first sample's."""
        return self.statement.write.target or self.samples[0].name

    def synthetic_objects(self, pupils: int) -> Iterator[SIFObject]:
        """One synthetic school of ``pupils`` pupils, only the types the adapter claims to write."""
        synth = Synth(pupils=pupils, seed=SYNTH_SEED, schools=1)
        writes = set(self.claimed_writes)
        return (obj for obj in synth.iter_objects(synth.schools[0]) if obj.object_name in writes)

    def synthetic_input(self, pupils: int) -> Path:
        """A synthetic school written by the adapter itself; ERROR when it cannot be written."""
        folder = self.scratch(f"synthetic-{pupils}")
        target = folder / self.target_name
        try:
            self.write(self.synthetic_objects(pupils), target)
        except CheckFailed as failure:
            raise KitError(
                f"the kit could not make an input of {pupils} synthetic pupils: {failure.message}"
            ) from failure
        if not target.exists():
            raise KitError(f"the adapter wrote no {target.name} for {pupils} synthetic pupils")
        return target
