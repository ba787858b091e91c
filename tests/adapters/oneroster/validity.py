"""What makes a bundle valid OneRoster 1.1 CSV, checked independently of the adapter's reader.

Each check names the file, row and column it fails on, so a failing test says what is wrong.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection
from pathlib import Path

from adapters.oneroster.spec import HEADERS, MANIFEST_FILES, REQUIRED

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$")
_VOCABULARY = {
    ("orgs.csv", "type"): {"department", "school", "district", "local", "state", "national"},
    ("users.csv", "role"): {
        "administrator", "aide", "guardian", "parent", "proctor", "relative", "student", "teacher",
    },
    ("users.csv", "enabledUser"): {"true", "false"},
    ("enrollments.csv", "role"): {"administrator", "proctor", "student", "teacher"},
    ("classes.csv", "classType"): {"homeroom", "scheduled"},
    ("academicSessions.csv", "type"): {"gradingPeriod", "semester", "schoolYear", "term"},
    ("demographics.csv", "sex"): {"male", "female"},
}  # fmt: skip


def _rows(folder: Path, name: str) -> tuple[list[str], list[dict[str, str]]]:
    data = (folder / name).read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf"), f"{name}: written with a byte order mark"
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    header = next(reader)
    return header, [dict(zip(header, row, strict=True)) for row in reader]


def bundle_problems(folder: Path) -> list[str]:
    """Everything that keeps ``folder`` from being a valid OneRoster 1.1 bundle ([] if valid)."""
    problems: list[str] = []
    header, manifest_rows = _rows(folder, "manifest.csv")
    if header != list(HEADERS["manifest.csv"]):
        problems.append(f"manifest.csv: header is {header}")
    manifest = {row["propertyName"]: row["value"] for row in manifest_rows}
    if manifest.get("manifest.version") != "1.0" or manifest.get("oneroster.version") != "1.1":
        problems.append("manifest.csv: versions are not manifest 1.0, OneRoster 1.1")
    present = {p.name for p in folder.iterdir()} - {"manifest.csv"}
    listed = {f"{name}.csv" for name in MANIFEST_FILES if manifest.get(f"file.{name}") != "absent"}
    if present != listed:
        problems.append(f"manifest lists {sorted(listed)} but the bundle holds {sorted(present)}")
    ids: dict[str, dict[str, dict[str, str]]] = {}
    for name in sorted(present):
        header, rows = _rows(folder, name)
        if header != list(HEADERS[name]):
            problems.append(f"{name}: header {header} is not the 1.1 header {list(HEADERS[name])}")
            continue
        ids[name] = {}
        for number, row in enumerate(rows, start=2):
            where = f"{name} row {number}"
            for column in REQUIRED[name]:
                if not row[column]:
                    problems.append(f"{where}: required {column} is empty")
            if row["status"] not in ("active", "tobedeleted"):
                problems.append(f"{where}: status {row['status']!r}")
            if not _DATETIME.match(row["dateLastModified"]):
                problems.append(f"{where}: dateLastModified {row['dateLastModified']!r}")
            for column in ("startDate", "endDate", "beginDate", "birthDate"):
                if row.get(column) and not _DATE.match(row[column]):
                    problems.append(f"{where}: {column} {row[column]!r} is not yyyy-mm-dd")
            for (file, column), allowed in _VOCABULARY.items():
                if file == name and row[column] and row[column] not in allowed:
                    problems.append(f"{where}: {column} {row[column]!r} is not one of {allowed}")
            if row["sourcedId"] in ids[name]:
                problems.append(f"{where}: sourcedId {row['sourcedId']} appears twice")
            ids[name][row["sourcedId"]] = row
    problems += _references(ids)
    return problems


def _references(ids: dict[str, dict[str, dict[str, str]]]) -> list[str]:
    problems: list[str] = []
    orgs, users = ids.get("orgs.csv", {}), ids.get("users.csv", {})
    schools = {key for key, row in orgs.items() if row["type"] == "school"}

    def check(file: str, column: str, targets: Collection[str], many: bool) -> None:
        for key, row in ids.get(file, {}).items():
            values = row[column].split(",") if many else [row[column]]
            for value in filter(None, values):
                if value not in targets:
                    problems.append(f"{file} {key}: {column} {value!r} names nothing in the bundle")

    check("orgs.csv", "parentSourcedId", orgs, many=False)
    check("users.csv", "orgSourcedIds", orgs, many=True)
    check("users.csv", "agentSourcedIds", users, many=True)
    check("courses.csv", "orgSourcedId", orgs, many=False)
    check("courses.csv", "schoolYearSourcedId", ids.get("academicSessions.csv", {}), many=False)
    check("classes.csv", "courseSourcedId", ids.get("courses.csv", {}), many=False)
    check("classes.csv", "schoolSourcedId", schools, many=False)
    check("classes.csv", "termSourcedIds", ids.get("academicSessions.csv", {}), many=True)
    check("enrollments.csv", "classSourcedId", ids.get("classes.csv", {}), many=False)
    check("enrollments.csv", "schoolSourcedId", schools, many=False)
    check("enrollments.csv", "userSourcedId", users, many=False)
    check("demographics.csv", "sourcedId", users, many=False)
    return problems
