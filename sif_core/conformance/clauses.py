"""The numbered clauses of the conformance specifications (``docs/spec/adapters.md``, ``zones.md``).

Each clause is one testable sentence. Its ``claim`` names what a conformance statement must claim
for the clause to apply (``writes``, ``xml``, ``workflow:approval`` ...); a clause without one
applies to every target. The documents quote these sentences word for word (a test keeps them
in step), and every check of the kit is tagged with the id of the clause it tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["ADAPTER_CLAUSES", "SUITE_VERSION", "ZONE_CLAUSES", "Clause", "clause"]

#: The version of the clauses and checks; reports carry it. A change to what a clause demands
#: is a new minor version; a clause added or removed is a new major version.
SUITE_VERSION: Final = "1.1"


@dataclass(frozen=True)
class Clause:
    """One numbered requirement: ``ADP-4`` "Deterministic RefIds": the ``requirement`` sentence."""

    id: str
    title: str
    requirement: str
    claim: str | None = None


ADAPTER_CLAUSES: Final = (
    Clause(
        "ADP-1",
        "Metadata",
        "An adapter MUST be registered with the plugin host under its name with a supplier, a "
        "version, a description, at least one format and the SIF object types it reads and "
        "writes, and every object type its conformance statement claims MUST be among them.",
    ),
    Clause(
        "ADP-2",
        "Detection",
        "`detect` MUST recognise every good sample and MUST refuse, without raising, an empty, "
        "binary or unrelated file or folder of the same name; no other installed adapter SHOULD "
        "recognise the samples.",
    ),
    Clause(
        "ADP-3",
        "Valid objects",
        "Reading a good sample MUST yield only valid SIF objects, of the types the adapter "
        "declares, and no error Problems; the samples SHOULD hold every object type the "
        "statement claims.",
    ),
    Clause(
        "ADP-4",
        "Deterministic RefIds",
        "Reading one input twice, from any path, MUST yield the same objects with the same "
        "RefIds, and two different objects of one type MUST NOT share a RefId.",
    ),
    Clause(
        "ADP-5",
        "Referential integrity",
        "Every RefId an object refers to (LearnerPersonalRefId, SchoolInfoRefId, ...) MUST "
        "resolve to an object of that type in the same read whenever the adapter reads that type.",
    ),
    Clause(
        "ADP-6",
        "Streaming memory",
        "Reading MUST stream: the peak memory of a read MUST NOT grow with the input as it would "
        "if the objects read were held.",
    ),
    Clause(
        "ADP-7",
        "Hostile XML refused",
        "An adapter that reads XML MUST refuse a document that declares entities or names an "
        "external DTD by raising HostileXMLError naming the file, before yielding any object.",
        claim="xml",
    ),
    Clause(
        "ADP-8",
        "Precise Problems for bad records",
        "A record with a wrong value MUST yield an error Problem naming the input file, the "
        "record and the field and giving the reason, and reading MUST carry on with the other "
        "records.",
    ),
    Clause(
        "ADP-9",
        "Write then read round trip",
        "Objects the adapter writes MUST read back, with the same adapter, as the same objects.",
        claim="writes",
    ),
    Clause(
        "ADP-10",
        "Nothing half-written",
        "When writing fails part way the error MUST reach the caller and the target's folder "
        "MUST be left as it was: no partial or temporary file, an existing target unchanged.",
        claim="writes",
    ),
)

ZONE_CLAUSES: Final = (
    Clause(
        "ZON-1",
        "Authentication",
        "A zone MUST answer a request without credentials, or with a token it did not issue, "
        "with 401 and no data, and MUST accept each test party's own token.",
    ),
    Clause(
        "ZON-2",
        "Rights enforced",
        "A zone MUST refuse with 403, naming the missing right, a party that publishes, queries "
        "or administers without the right to, and MUST NOT deliver events to a party without "
        "the subscribe right.",
    ),
    Clause(
        "ZON-3",
        "Scope",
        "A school MUST NOT see, receive or change another school's learners: its queries leave "
        "them out, reading one by RefId answers 404 and changing one is refused with 403.",
    ),
    Clause(
        "ZON-4",
        "Fan-out",
        "An accepted event MUST be queued once for every party entitled to it (subscribe right, "
        "scope covering the object) and for no other party, the publisher included.",
    ),
    Clause(
        "ZON-5",
        "Durable delivery and redelivery",
        "A leased message that is not acknowledged MUST be delivered again once its lease has "
        "expired, with a higher delivery count, and an acknowledged message MUST NOT be.",
    ),
    Clause(
        "ZON-6",
        "Idempotent publish",
        "Publishing a batch again with the same Idempotency-Key MUST return the same event ids "
        "and queue nothing new, and a different batch with that key MUST be refused with 409.",
    ),
    Clause(
        "ZON-7",
        "Order per object",
        "Events about one object MUST reach each subscriber in the order they were published.",
    ),
    Clause(
        "ZON-8",
        "Paging",
        "A query MUST page with navigationPage and navigationPageSize so that every object is "
        "on exactly one page, with navigationCount and navigationLastPage giving the totals.",
    ),
    Clause(
        "ZON-9",
        "Changes since",
        "A query with changesSinceMarker MUST return the objects changed after that marker and "
        "no others, and name the RefIds deleted since then.",
    ),
    Clause(
        "ZON-10",
        "Minimisation profiles",
        "A field that a party's profile removes MUST NOT reach that party, in events or in "
        "query replies, while parties without the profile still receive it.",
    ),
    Clause(
        "ZON-11",
        "Approval gate",
        "A zone that claims the approval workflow MUST NOT release a census return to anyone "
        "but its school, as objects, deliveries or funding counts, until the school has "
        "approved it; MUST refuse anyone else's approval with 403; and MUST make a later "
        "change a new draft that needs approval again.",
        claim="workflow:approval",
    ),
    Clause(
        "ZON-12",
        "Transfer",
        "A zone that claims the transfer workflow MUST deliver a transferred learner's whole "
        "record to the receiving school, and to no other school, and show the transfer "
        "complete once that school acknowledges it; MUST refuse a destination that is not in "
        "the zone, sending nothing; and MUST keep the record of a pupil whose next school is "
        "unknown (MMM) for a school that enrols a pupil with that UPN, and no other, to claim.",
        claim="workflow:transfer",
    ),
)

_ALL = {c.id: c for c in (*ADAPTER_CLAUSES, *ZONE_CLAUSES)}


def clause(clause_id: str) -> Clause:
    """The clause with this id (``"ADP-4"``); ``KeyError`` for an unknown id."""
    return _ALL[clause_id]
