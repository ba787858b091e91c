"""The benchmark runner: it finds every module, tables rows and holds ratios to their floors."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import benchmarks
from benchmarks.__main__ import discover, load_floors, main

FAST = '''
"""A fake benchmark whose ratios are fixed."""
from benchmarks._harness import Row

def rows(quick: bool = False) -> list[Row]:
    return [
        Row.rate("speed", "good", "fast thing", 80.0, "ops/s", "anchor", 100.0),
        Row.rate("speed", "slow", "slow thing", 30.0, "ops/s", "anchor", 100.0),
        Row.rate("speed", "absent", "needs a broker", 10.0, "ops/s", "broker", None,
                 "the broker is not running"),
    ]
'''

LEGACY = '''
"""A benchmark that prints its own report."""
def main() -> None:
    print("legacy report printed")
'''

BROKEN = '''
"""A benchmark that fails."""
def rows(quick: bool = False) -> list[object]:
    raise RuntimeError("the benchmark broke")
'''


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A package of fake benchmarks, importable under a name unique to the test."""
    name = "fakebench_" + tmp_path.name.replace("-", "_").lower()
    folder = tmp_path / name
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    (folder / "fast.py").write_text(FAST)
    (folder / "legacy.py").write_text(LEGACY)
    (folder / "broken.py").write_text(BROKEN)
    (folder / "_helper.py").write_text("raise AssertionError('helpers are never run')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    for module in [m for m in sys.modules if m.startswith(name)]:
        del sys.modules[module]


def floors(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "floors.toml"
    path.write_text(textwrap.dedent(text))
    return path


def run(package: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--package", package, *args])


def test_every_benchmark_module_of_the_folder_is_found_and_helpers_are_not() -> None:
    found = discover(benchmarks)
    assert {"zone_throughput", "growth"} <= set(found)
    assert not [name for name in found if name.startswith("_")]


def test_rows_are_tabled_with_figure_anchor_and_ratio(package: str, tmp_path: Path) -> None:
    result = run(package, "--only", "fast", "--floors", str(floors(tmp_path, "[floors]\n")))
    assert result.exit_code == 0, result.output
    assert "fast thing" in result.output
    assert "80.0 ops/s" in result.output
    assert "100 ops/s" in result.output
    assert "0.80" in result.output


def test_check_fails_naming_the_row_below_its_floor(package: str, tmp_path: Path) -> None:
    path = floors(tmp_path, '[floors]\n"fast.good" = 0.5\n"fast.slow" = 0.5\n')
    result = run(package, "--only", "fast", "--check", "--floors", str(path))
    assert result.exit_code == 1
    assert "fast.slow: ratio 0.30 is below its floor 0.50" in result.output
    assert "fast.good" not in result.output.split("FAIL", 1)[1]


def test_check_passes_when_every_ratio_reaches_its_floor(package: str, tmp_path: Path) -> None:
    path = floors(tmp_path, '[floors]\n"fast.good" = 0.8\n"fast.slow" = 0.25\n')
    result = run(package, "--only", "fast", "--check", "--floors", str(path))
    assert result.exit_code == 0, result.output
    assert "every ratio is at or above its floor" in result.output


def test_a_row_without_its_anchor_is_reported_unchecked_not_failed(
    package: str, tmp_path: Path
) -> None:
    path = floors(tmp_path, '[floors]\n"fast.absent" = 0.5\n')
    result = run(package, "--only", "fast", "--check", "--floors", str(path))
    assert result.exit_code == 0, result.output
    assert "not checked: fast.absent: the broker is not running" in result.output


def test_a_floor_naming_a_row_the_module_lacks_fails(package: str, tmp_path: Path) -> None:
    path = floors(tmp_path, '[floors]\n"fast.renamed" = 0.5\n')
    result = run(package, "--only", "fast", "--check", "--floors", str(path))
    assert result.exit_code == 1
    assert "fast.renamed: no such row" in result.output


def test_floors_of_modules_left_out_by_only_are_ignored(package: str, tmp_path: Path) -> None:
    path = floors(tmp_path, '[floors]\n"fast.slow" = 0.9\n')
    result = run(package, "--only", "legacy", "--check", "--floors", str(path))
    assert result.exit_code == 0, result.output
    assert "legacy report printed" in result.output


def test_a_failing_benchmark_fails_the_run_and_the_others_still_run(
    package: str, tmp_path: Path
) -> None:
    result = run(package, "--floors", str(floors(tmp_path, "[floors]\n")))
    assert result.exit_code == 1
    assert "the benchmark broke" in result.output
    assert "fast thing" in result.output
    assert "legacy report printed" in result.output


def test_quick_skips_a_module_that_has_no_quick_mode(package: str, tmp_path: Path) -> None:
    result = run(package, "--only", "legacy", "--quick", "--floors", str(floors(tmp_path, "")))
    assert result.exit_code == 0, result.output
    assert "legacy: skipped" in result.output
    assert "legacy report printed" not in result.output


def test_check_is_refused_on_a_quick_run(package: str, tmp_path: Path) -> None:
    path = floors(tmp_path, '[floors]\n"fast.slow" = 0.9\n')
    result = run(package, "--only", "fast", "--quick", "--check", "--floors", str(path))
    assert result.exit_code == 2
    assert "use --check without --quick" in result.output


def test_an_unknown_module_name_lists_the_benchmarks(package: str, tmp_path: Path) -> None:
    result = run(package, "--only", "nosuch", "--floors", str(floors(tmp_path, "")))
    assert result.exit_code == 2
    assert "no benchmark named nosuch" in result.output
    assert "fast" in result.output


def test_a_floor_that_is_not_a_positive_number_names_the_file_and_key(tmp_path: Path) -> None:
    path = floors(tmp_path, '[floors]\n"zone.batch" = "half"\n')
    with pytest.raises(Exception, match=r"floors\.toml: floor 'zone\.batch' is 'half'"):
        load_floors(path)


def test_the_repository_floors_file_reads() -> None:
    assert all(
        value > 0
        for value in load_floors(Path(benchmarks.__file__).parent / "floors.toml").values()
    )
