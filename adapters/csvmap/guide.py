"""What ``sif adapters show csvmap`` prints: the mapping format, an example, every field."""

from __future__ import annotations

from typing import Final

from sif_core.tabular import FIELDS, TARGETS, Kind

__all__ = ["GUIDE"]

_INTRO = """\
Reads any CSV export (Bromcom, ScholarPack, iSAMS, a spreadsheet) through a mapping file, and
writes CSV with a matching mapping. The mapping is TOML; give it with --option mapping=FILE, or
put it beside the CSV as NAME.mapping.toml (pupils.csv -> pupils.mapping.toml).

Rows repeated once per contact fold into one learner with several contacts. Every bad value is
reported with its line, the learner's key and the column; the other rows are still read. A
mapping mistake (an unknown field, a value map entry that is not a code) names the line and
column of the mapping file.

Example mapping:

    [file]
    encoding = "auto"           # auto (UTF-8, UTF-8 with BOM or Windows-1252), utf-8, ...
    delimiter = ","
    date_format = "%d/%m/%Y"    # strftime pattern; ISO dates are always accepted too
    missing_columns = "error"   # or "ignore": skip mapped columns the file does not have

    [keys]
    learner = ["Admission No"]  # the columns that identify a learner (RefIds come from them)
    contact = ["Contact ID"]    # optional; without it each learner's contacts are told apart
                                # by their values

    [defaults]                  # values for fields no column gives, or whose cell is empty
    "LearnerSchoolEnrolment.MembershipType" = "C"
    "SchoolInfo.LAESTAB" = "8012000"
    "SchoolInfo.SchoolName" = "Hilltop Primary School"

    [columns]                   # "column name" = "Field", or a table with a value map
    "Admission No" = "LearnerPersonal.LocalId"
    "UPN" = "LearnerPersonal.UPN"
    "Surname" = "LearnerPersonal.Name.FamilyName"
    "Forename" = "LearnerPersonal.Name.GivenName"
    "DOB" = "LearnerPersonal.DateOfBirth"
    "Gender" = { field = "LearnerPersonal.Sex", values = { Male = "M", Female = "F" } }
    "Year" = { field = "LearnerSchoolEnrolment.NCYear", values = { Y7 = "7", Y8 = "8" } }
    "Admitted" = { field = "LearnerSchoolEnrolment.EntryDate", date_format = "%Y-%m-%d" }
    "Parent Surname" = "ContactPersonal.Name.FamilyName"
    "Relation" = { field = "LearnerContact.Relationship", values = { Mum = "MUM", Dad = "DAD" } }
    "Parental Responsibility" = "LearnerContact.ParentalResponsibility"

A column with a value map accepts only the values in its map. Yes/no fields read Yes/No,
True/False, Y/N or 1/0. Every learner needs a name, DateOfBirth and Sex; an enrolment needs
EntryDate and its school (LAESTAB, SchoolName); a contact needs a name,
Relationship and ParentalResponsibility: map them or give them in [defaults].
"""


def _fields() -> str:
    lines = ["Fields:"]
    for target in TARGETS:
        lines.append(f"  {target}")
        for spec in FIELDS.values():
            if spec.target != target:
                continue
            note = spec.kind.value
            if spec.kind is Kind.CODE:
                note = f"code: {spec.code_list}"
            if spec.help:
                note += f"; {spec.help}"
            lines.append(f"    {spec.name} ({note})")
    return "\n".join(lines)


GUIDE: Final = f"{_INTRO}\n{_fields()}"
