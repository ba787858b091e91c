"""``sif adapters new``: the files of a new adapter distribution, rendered from templates.

The templates (``*.j2`` beside this module) make a working adapter for a small CSV pupil export,
with tests that pass as generated; a vendor then changes the format, not the plumbing.
"""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path

import jinja2

from sif_core import __version__

__all__ = ["create_adapter_distribution", "distribution_files"]

_NAME = re.compile(r"^[a-z][a-z0-9\-]{0,39}$")

#: Template file -> path in the new distribution (``{package}`` is the import package).
_LAYOUT = {
    "pyproject.toml.j2": "pyproject.toml",
    "README.md.j2": "README.md",
    "init.py.j2": "{package}/__init__.py",
    "plugin.py.j2": "{package}/plugin.py",
    "adapter.py.j2": "{package}/adapter.py",
    "py.typed.j2": "{package}/py.typed",
    "test_adapter.py.j2": "tests/test_adapter.py",
    "pupils.csv.j2": "tests/data/pupils.csv",
}


def distribution_files(name: str, *, supplier: str) -> dict[str, str]:
    """The new distribution's files for adapter ``name``: relative path -> text."""
    if not _NAME.match(name):
        raise ValueError(
            f"{name!r} cannot name an adapter: use lower case letters, digits and hyphens, "
            "starting with a letter (for example acme or acme-mis)"
        )
    package = "sif_" + name.replace("-", "_")
    environment = jinja2.Environment(
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - the output is Python, TOML and CSV, never HTML
    )
    # A JSON string is a Python string literal too, and double-quoted as ruff format wants.
    environment.filters["py"] = lambda value: json.dumps(value, ensure_ascii=False)
    values = {
        "name": name,
        "package": package,
        "distribution": f"sif-{name}",
        "title": name.replace("-", " ").title(),
        "supplier": supplier,
        "sif_version": __version__,
    }
    templates = files(__package__)
    rendered = {}
    for template_name, destination in _LAYOUT.items():
        source = templates.joinpath(template_name).read_text(encoding="utf-8")
        rendered[destination.format(package=package)] = environment.from_string(source).render(
            values
        )
    return rendered


def create_adapter_distribution(name: str, directory: Path | None, *, supplier: str) -> Path:
    """Write the distribution for adapter ``name`` into ``directory`` (default ``./sif-NAME``).

    Raises ``ValueError`` for a name that cannot name an adapter and ``FileExistsError`` when the
    directory exists and is not empty, so nothing of the user's is overwritten.
    """
    rendered = distribution_files(name, supplier=supplier)
    target = directory if directory is not None else Path.cwd() / f"sif-{name}"
    if target.exists() and any(target.iterdir()):
        raise FileExistsError(f"{target} exists and is not empty; choose another --directory")
    for relative, text in rendered.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return target
