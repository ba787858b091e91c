"""Writing Acme MIS exports: the school, and each learner with their enrolment there.

What Acme cannot hold is left out: contacts, SEN and other object types are skipped, and of a
learner's names only the legal name and a preferred forename are kept.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sif_core.adapter import AdapterError, WriteContext
from sif_core.model import LearnerPersonal, LearnerSchoolEnrolment, NameType, SchoolInfo, SIFObject

from acme_sif.codes import ENROLMENTS, GENDERS, PHASES, YEAR_GROUPS, format_acme_date, reverse
from acme_sif.export import HEADER_KEY

FORMAT_VERSION = "3.2"


def write(objects: Iterable[SIFObject], target: Path, context: WriteContext) -> None:
    """Write one Acme export holding the one school among ``objects`` and its learners."""
    schools: list[SchoolInfo] = []
    learners: list[LearnerPersonal] = []
    enrolments: dict[str, LearnerSchoolEnrolment] = {}
    for obj in objects:
        if isinstance(obj, SchoolInfo):
            schools.append(obj)
        elif isinstance(obj, LearnerPersonal):
            learners.append(obj)
        elif isinstance(obj, LearnerSchoolEnrolment):
            enrolments[obj.learner_personal_ref_id] = obj
    if len(schools) != 1:
        raise AdapterError(
            f"{target}: an Acme export holds exactly one school, and {len(schools)} were given"
        )
    [school] = schools
    students = []
    for done, learner in enumerate(learners, start=1):
        enrolment = enrolments.get(learner.ref_id)
        if enrolment is None or enrolment.school_info_ref_id != school.ref_id:
            raise AdapterError(
                f"{target}: learner {learner.local_id or learner.ref_id} has no enrolment at "
                f"{school.school_name}; Acme needs one for every student"
            )
        students.append(_student(learner, enrolment))
        context.progress(done, len(learners))
    document = {
        HEADER_KEY: {
            "format_version": FORMAT_VERSION,
            "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            "school": {
                "dfe_number": f"{school.la_id}/{school.establishment_id}",
                "urn": school.urn,
                "name": school.school_name,
                "phase": reverse(PHASES)[school.phase] if school.phase else None,
            },
        },
        "students": students,
    }
    # Written beside the target and renamed, so a failure never leaves half an export.
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            json.dump(document, stream, ensure_ascii=False, indent=2)
            stream.write("\n")
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _student(learner: LearnerPersonal, enrolment: LearnerSchoolEnrolment) -> dict[str, Any]:
    legal = learner.legal_name
    preferred = next((n for n in learner.names if n.type is NameType.PREFERRED), None)
    address = learner.address
    return {
        "student_id": learner.local_id,
        "upn": learner.upn,
        "uln": learner.uln,
        "surname": legal.family_name,
        "forename": legal.given_name,
        "middle_names": legal.middle_names,
        "preferred_forename": preferred.given_name if preferred else None,
        "date_of_birth": format_acme_date(learner.date_of_birth),
        "gender": reverse(GENDERS)[learner.sex],
        "ethnicity": learner.ethnicity,
        "year_group": reverse(YEAR_GROUPS)[enrolment.nc_year] if enrolment.nc_year else None,
        "enrolment": reverse(ENROLMENTS)[enrolment.membership_type]
        if enrolment.membership_type
        else None,
        "admission_date": format_acme_date(enrolment.entry_date),
        "leaving_date": format_acme_date(enrolment.exit_date) if enrolment.exit_date else None,
        "home_address": {
            "line1": address.paon,
            "line2": address.street,
            "town": address.town,
            "postcode": address.post_code,
            "uprn": address.uprn,
        }
        if address
        else None,
    }
