"""OneRoster 1.1 CSV: the files, their columns in order, required values and vocabularies.

Only what sifbridge reads or writes is listed: orgs, users, demographics, academic sessions,
courses, classes and enrollments, plus the manifest.
"""

from __future__ import annotations

from typing import Final

from sif_core.model import ContactRelationship, NCYear

__all__ = [
    "AGENT_ROLES",
    "FILE_KEYS",
    "GRADE_OF_YEAR",
    "HEADERS",
    "MANIFEST_FILES",
    "RELATIONSHIP_OF_ROLE",
    "REQUIRED",
    "ROLE_OF_RELATIONSHIP",
    "YEAR_OF_GRADE",
]

HEADERS: Final[dict[str, tuple[str, ...]]] = {
    "manifest.csv": ("propertyName", "value"),
    "academicSessions.csv": (
        "sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate",
        "parentSourcedId", "schoolYear",
    ),
    "orgs.csv": (
        "sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId",
    ),
    "courses.csv": (
        "sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode",
        "grades", "orgSourcedId", "subjects", "subjectCodes",
    ),
    "classes.csv": (
        "sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId",
        "classCode", "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects",
        "subjectCodes", "periods",
    ),
    "users.csv": (
        "sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role",
        "username", "userIds", "givenName", "familyName", "middleName", "identifier", "email",
        "sms", "phone", "agentSourcedIds", "grades", "password",
    ),
    "enrollments.csv": (
        "sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId",
        "userSourcedId", "role", "primary", "beginDate", "endDate",
    ),
    "demographics.csv": (
        "sourcedId", "status", "dateLastModified", "birthDate", "sex",
        "americanIndianOrAlaskaNative", "asian", "blackOrAfricanAmerican",
        "nativeHawaiianOrOtherPacificIslander", "white", "demographicRaceTwoOrMoreRaces",
        "hispanicOrLatinoEthnicity", "countryOfBirthCode", "stateOfBirthAbbreviation",
        "cityOfBirth", "publicSchoolResidenceStatus",
    ),
}  # fmt: skip

#: Columns whose value every row must have.
REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "academicSessions.csv": (
        "sourcedId", "title", "type", "startDate", "endDate", "schoolYear",
    ),
    "orgs.csv": ("sourcedId", "name", "type"),
    "courses.csv": ("sourcedId", "title", "orgSourcedId"),
    "classes.csv": (
        "sourcedId", "title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds",
    ),
    "users.csv": (
        "sourcedId", "enabledUser", "orgSourcedIds", "role", "username", "givenName", "familyName",
    ),
    "enrollments.csv": ("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"),
    "demographics.csv": ("sourcedId",),
}  # fmt: skip

#: The ``file.*`` entries of a 1.1 manifest, in the order sifbridge writes them.
MANIFEST_FILES: Final = (
    "academicSessions",
    "categories",
    "classes",
    "classResources",
    "courses",
    "courseResources",
    "demographics",
    "enrollments",
    "lineItems",
    "orgs",
    "resources",
    "results",
    "users",
)

#: What each manifest ``file.X`` entry says about ``X.csv``.
FILE_KEYS: Final = ("bulk", "delta", "absent")

#: The user roles sifbridge reads as contacts, and what each means in SIF.
RELATIONSHIP_OF_ROLE: Final = {
    "parent": ContactRelationship.PARENT,
    "guardian": ContactRelationship.CARER,
    "relative": ContactRelationship.RELATIVE,
}
AGENT_ROLES: Final = frozenset(RELATIONSHIP_OF_ROLE)

#: The OneRoster role a contact is written with. Childminders, doctors, social workers and other
#: contacts are not written: OneRoster consumers give parent, guardian and relative users access
#: to a pupil's work, which those contacts must not get.
ROLE_OF_RELATIONSHIP: Final = {
    ContactRelationship.PARENT: "parent",
    ContactRelationship.MOTHER: "parent",
    ContactRelationship.FATHER: "parent",
    ContactRelationship.STEP_PARENT: "parent",
    ContactRelationship.CARER: "guardian",
    ContactRelationship.FOSTER_CARER: "guardian",
    ContactRelationship.FAMILY_MEMBER: "relative",
    ContactRelationship.RELATIVE: "relative",
}

#: National Curriculum year to OneRoster grade (CEDS vocabulary): the year's number where CEDS
#: has it, the nearest CEDS stage otherwise; one grade per year, so grades read back exactly.
GRADE_OF_YEAR: Final = {
    NCYear.E1: "IT",
    NCYear.E2: "PR",
    NCYear.N1: "PK",
    NCYear.N2: "TK",
    NCYear.R: "KG",
    **{NCYear(str(n)): f"{n:02d}" for n in range(1, 14)},
    NCYear.Y14: "PS",
    NCYear.X: "Other",
}
YEAR_OF_GRADE: Final = {grade: year for year, grade in GRADE_OF_YEAR.items()}
