"""pytest fixtures and checks for people writing sifbridge plugins.

Use them with ``-p sif_core.testing.plugin_fixtures`` (for example in ``addopts`` of your
pyproject's ``[tool.pytest.ini_options]``), then ask for the fixtures by name:

``sif_host``
    A fresh :class:`~sif_core.plugins.PluginHost` with nothing loaded, made the current host for
    the test (so ``sif`` commands run through ``sif_cli`` see it). Register your plugin module with
    ``sif_host.register(my_plugin)``.
``installed_sif_host``
    A fresh host loaded from the installed entry points, as ``sif`` itself would load them: proves
    your distribution's entry point works.
``read_context``
    A :class:`~sif_core.adapter.ReadContext` for source system ``"test-school"``.
``sif_cli``
    ``sif_cli("adapters", "list")`` runs a ``sif`` command in-process and returns click's result.

and the plain functions :func:`read_all` and :func:`check_adapter` (what every adapter must do).
:class:`FreshVenv` builds a throw-away virtual environment layered over the current one, to prove
a distribution installs with pip and registers itself; it never downloads anything.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sif_core.adapter import DETECT_BYTES, AdapterSpec, ReadContext, WriteContext
from sif_core.model import SIFObject
from sif_core.plugins import (
    ALLOW_LIST_ENV,
    DISABLE_AUTOLOAD_ENV,
    PluginHost,
    using_plugin_host,
)
from sif_core.problems import Problem

__all__ = [
    "FreshVenv",
    "ReadResult",
    "check_adapter",
    "installed_sif_host",
    "read_all",
    "read_context",
    "sif_cli",
    "sif_host",
]


@dataclass
class ReadResult:
    """Everything one ``read`` produced, objects and problems apart, in order."""

    objects: list[SIFObject] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def of_type(self, object_name: str) -> list[SIFObject]:
        """The objects of one type (``"LearnerPersonal"``)."""
        return [obj for obj in self.objects if obj.object_name == object_name]


def read_all(adapter: AdapterSpec, source: Path, context: ReadContext | None = None) -> ReadResult:
    """Run ``adapter.read`` to the end and sort what it yields into objects and problems."""
    result = ReadResult()
    for item in adapter.read(source, context or ReadContext(source_system="test-school")):
        if isinstance(item, Problem):
            result.problems.append(item)
        elif isinstance(item, SIFObject):
            result.objects.append(item)
        else:
            raise AssertionError(
                f"{adapter.name}: read() yielded {type(item).__name__}; "
                "it may yield only SIF objects and Problems"
            )
    return result


def _head(path: Path) -> bytes:
    if path.is_dir():
        return b""
    with path.open("rb") as stream:
        return stream.read(DETECT_BYTES)


def check_adapter(
    adapter: AdapterSpec, sample: Path, workdir: Path, *, round_trip: bool = True
) -> ReadResult:
    """Assert what every adapter must do with a good ``sample`` of its format.

    It recognises the sample (file name, then content) and refuses an unrelated file with the same
    name; reading yields objects, only of the types it declares, and no problems; reading twice
    gives equal objects (deterministic RefIds); and, if it writes and ``round_trip`` is true,
    what it writes reads back to equal objects. ``workdir`` is a scratch directory (``tmp_path``).
    Returns the first read.
    """
    assert adapter.matches_name(sample), (
        f"{adapter.name}: file_patterns {adapter.file_patterns} do not match {sample.name!r}"
    )
    assert adapter.detect(sample, _head(sample)), f"{adapter.name}: detect() refuses {sample}"
    impostor = workdir / "impostor" / sample.name
    impostor.parent.mkdir(parents=True, exist_ok=True)
    if sample.is_dir():
        impostor.mkdir(exist_ok=True)
    else:
        impostor.write_bytes(b"Name,Comment\nnot,an export\n")
    assert not adapter.detect(impostor, _head(impostor)), (
        f"{adapter.name}: detect() accepts a file that is not its format"
    )

    first = read_all(adapter, sample)
    assert first.objects, f"{adapter.name}: read() of {sample} yielded no objects"
    assert not first.problems, f"{adapter.name}: problems in a good sample: {first.problems[:3]}"
    undeclared = {obj.object_name for obj in first.objects} - set(adapter.reads)
    assert not undeclared, f"{adapter.name}: reads {sorted(undeclared)} but does not declare them"
    second = read_all(adapter, sample)
    assert second.objects == first.objects, (
        f"{adapter.name}: reading {sample} twice gives different objects (are RefIds made with "
        "context.refid()?)"
    )

    if adapter.write is not None and round_trip:
        written = [obj for obj in first.objects if obj.object_name in adapter.writes]
        target = workdir / "round-trip" / sample.name
        target.parent.mkdir(parents=True, exist_ok=True)
        adapter.write(written, target, WriteContext())
        again = read_all(adapter, target)
        assert not again.problems, f"{adapter.name}: problems reading its own output"
        back = [obj for obj in again.objects if obj.object_name in adapter.writes]
        assert back == written, f"{adapter.name}: what it writes does not read back the same"
    return first


@pytest.fixture
def sif_host() -> Iterator[PluginHost]:
    """A fresh plugin host with nothing loaded, current for the duration of the test."""
    host = PluginHost()
    with using_plugin_host(host):
        yield host


@pytest.fixture
def installed_sif_host() -> Iterator[PluginHost]:
    """A fresh host loaded from installed entry points (autoload forced on, no allow-list)."""
    environ = {k: v for k, v in os.environ.items() if k not in _PLUGIN_SWITCHES}
    host = PluginHost.from_environment(environ=environ)
    with using_plugin_host(host):
        yield host


@pytest.fixture
def read_context() -> ReadContext:
    """A read context for the source system ``"test-school"``."""
    return ReadContext(source_system="test-school")


@pytest.fixture
def sif_cli() -> Callable[..., Result]:
    """Run a ``sif`` command in-process against the current host: ``sif_cli("adapters", "list")``.

    Use it with ``sif_host`` or ``installed_sif_host`` to choose which plugins it sees.
    """
    from sif_core.cli import main

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)

    return run


_PLUGIN_SWITCHES = (DISABLE_AUTOLOAD_ENV, ALLOW_LIST_ENV)


@dataclass(frozen=True)
class FreshVenv:
    """A throw-away virtual environment that sees every package of the running one.

    Packages installed into it (``install``) stay in it; the running environment is untouched.
    Installs use pip with ``--no-build-isolation --no-deps --no-index``, so nothing is downloaded.
    """

    root: Path

    @classmethod
    def create(cls, root: Path) -> FreshVenv:
        """Create the environment at ``root`` (no pip of its own: the running one is used)."""
        venv.EnvBuilder(with_pip=False, clear=True).create(root)
        fresh = cls(root)
        parents = dict.fromkeys(sysconfig.get_path(kind) for kind in ("purelib", "platlib"))
        lines = "".join(f"import site; site.addsitedir({p!r})\n" for p in parents)
        (fresh.site_packages / "_sif_parent_environment.pth").write_text(lines, encoding="utf-8")
        return fresh

    @property
    def python(self) -> Path:
        """The environment's interpreter."""
        return self.root / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")

    @property
    def site_packages(self) -> Path:
        """Where packages installed into this environment go."""
        # The venv is made by this interpreter, so its layout is this interpreter's scheme.
        root = str(self.root)
        return Path(sysconfig.get_path("purelib", vars={"base": root, "platbase": root}))

    def environ(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment variables its commands run with (plugin switches removed)."""
        env = {k: v for k, v in os.environ.items() if k not in _PLUGIN_SWITCHES}
        env["VIRTUAL_ENV"] = str(self.root)
        env["PATH"] = f"{self.python.parent}{os.pathsep}{env.get('PATH', '')}"
        env.update(extra or {})
        return env

    def run(
        self,
        *args: str | Path,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        """Run its python with ``args``; output is captured as text."""
        return subprocess.run(  # noqa: S603 - the command is this environment's own python
            [str(self.python), *map(str, args)],
            cwd=cwd or self.root,
            env=self.environ(env),
            capture_output=True,
            text=True,
            check=check,
            timeout=600,
        )

    def install(self, *distributions: Path, editable: bool = True) -> None:
        """``pip install`` the distributions at these paths, offline, without their dependencies."""
        args: list[str | Path] = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        args += ["--no-build-isolation", "--no-deps", "--no-index"]
        for path in distributions:
            args += ["-e", path] if editable else [path]
        done = self.run(*args)
        if done.returncode != 0:
            raise AssertionError(f"pip install failed:\n{done.stdout}\n{done.stderr}")

    def sif(
        self, *args: str | Path, cwd: Path | None = None, env: Mapping[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run the ``sif`` command inside this environment."""
        return self.run("-c", _SIF_MAIN, *args, cwd=cwd, env=env)

    def pytest(
        self, *args: str | Path, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run pytest inside this environment."""
        return self.run("-m", "pytest", "-p", "no:cacheprovider", *args, cwd=cwd)


_SIF_MAIN = "import sys; from sif_core.cli import main; sys.argv[0] = 'sif'; main()"
