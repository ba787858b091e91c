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
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sif_core.adapter import AdapterSpec, ReadContext
from sif_core.conformance.reading import ReadResult, read_all
from sif_core.plugins import (
    ALLOW_LIST_ENV,
    DISABLE_AUTOLOAD_ENV,
    PluginHost,
    using_plugin_host,
)

__all__ = [
    "CHECK_ADAPTER_CHECKS",
    "FreshVenv",
    "ReadResult",
    "check_adapter",
    "installed_sif_host",
    "read_all",
    "read_context",
    "sif_cli",
    "sif_host",
]


#: The conformance checks :func:`check_adapter` runs on one sample.
CHECK_ADAPTER_CHECKS = (
    "ADP-2.recognises-samples",
    "ADP-2.refuses-impostors",
    "ADP-3.valid-objects",
    "ADP-4.same-twice",
)


def check_adapter(
    adapter: AdapterSpec, sample: Path, workdir: Path, *, round_trip: bool = True
) -> ReadResult:
    """Assert what every adapter must do with a good ``sample`` of its format.

    It runs these conformance checks on the sample (see ``docs/spec/adapters.md``): it recognises
    the sample and refuses files of the same name that are not its format (ADP-2); reading yields
    valid objects, only of the types it declares, and no problems (ADP-3); reading twice, and
    from another folder, gives equal objects (ADP-4, deterministic RefIds); and, if it writes and
    ``round_trip`` is true, what it writes reads back to equal objects (ADP-9). ``workdir`` is a
    scratch directory (``tmp_path``). Returns the first read. ``sif conformance adapter`` runs
    the whole suite.
    """
    from sif_core.conformance.results import Outcome
    from sif_core.conformance.runner import host_with, run_adapter_conformance

    select = [*CHECK_ADAPTER_CHECKS, *(["ADP-9.round-trip"] if round_trip else [])]
    report = run_adapter_conformance(
        adapter.name,
        sample.parent,
        host=host_with(adapter),
        workdir=workdir / "conformance",
        select=select,
        only=[sample],
    )
    wrong = [
        result
        for result in report.results
        if result.outcome in (Outcome.FAILED, Outcome.ERROR)
        or (result.outcome is Outcome.WARNING and result.check == "ADP-3.valid-objects")
    ]
    if wrong:
        lines = [f"{adapter.name} with {sample.name}:"]
        for result in wrong:
            lines.append(f"{result.outcome} {result.check}: {result.message}")
            lines += [f"    {detail}" for detail in result.details]
        raise AssertionError("\n".join(lines))
    return read_all(adapter, sample)


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
