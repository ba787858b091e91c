"""Dual registration end to end on a real zone: linked records, changes passed on under the other
school's RefIds, conflicts flagged and not applied, the link ending with an enrolment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sif_core.cli import main
from sif_core.model import (
    Address,
    ContactPersonal,
    EnrolmentStatus,
    LearnerPersonal,
    Name,
    NameType,
    PhoneNumber,
    PhoneType,
)
from tests.zone.factories import contact, learner
from tests.zone.server import ZoneClient, add, change
from tests.zone.stores import BACKENDS

from .zone import (
    EASTBAY,
    NORTHGATE,
    RIVERSIDE,
    TOKENS,
    WorkflowZone,
    enrolled,
    operations,
    workflow_zone,
)

M, S = EnrolmentStatus.M, EnrolmentStatus.S


def _at_riverside(pupil: LearnerPersonal, serial: int) -> LearnerPersonal:
    """The same pupil as the PRU's MIS holds them: own RefId and admission number."""
    return pupil.model_copy(
        update={"ref_id": f"{serial:032X}", "local_id": f"PRU{serial:03d}", "medical_flag": None}
    )


def _moved(pupil: LearnerPersonal, street: str) -> LearnerPersonal:
    address = Address(paon="9", street=street, town="Northtown", post_code="NT9 9ZZ")
    return pupil.model_copy(update={"address": address})


def _phone(pupil: LearnerPersonal, number: str) -> LearnerPersonal:
    return pupil.model_copy(
        update={"phone_numbers": [PhoneNumber(type=PhoneType.HOME, number=number)]}
    )


def _link(zone: WorkflowZone, client: str, pupil: LearnerPersonal) -> dict[str, Any]:
    links = zone.client(client).get("/dual-registrations").json()["dualRegistrations"]
    return next(link for link in links if link["upn"] == pupil.upn)


def _changes(client: ZoneClient) -> list[dict[str, Any]]:
    messages = client.drain()
    return [
        m["event"] for m in messages if m["kind"] == "event" and m["event"]["action"] == "change"
    ]


AVA = learner("801", "2000", 1, "Adams", "Ava")
BO = learner("801", "2000", 2, "Bell", "Bo")
CY = learner("801", "2000", 3, "Cole", "Cy")
DI = learner("801", "2000", 4, "Dale", "Di")
SOLO = learner("801", "2000", 5, "Single", "Sol")
EVE = learner("801", "2000", 6, "Evans", "Eve")
PAIRS = [
    (AVA, _at_riverside(AVA, 1)),
    (BO, _at_riverside(BO, 2)),
    (CY, _at_riverside(CY, 3)),
    (DI, _at_riverside(DI, 4)),
    (EVE, _at_riverside(EVE, 6)),
]


@pytest.fixture(scope="module", params=BACKENDS)
def zone(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkflowZone]:
    with workflow_zone(request, tmp_path_factory.mktemp("dual")) as server:
        main = [add(NORTHGATE)]
        subsidiary = [add(RIVERSIDE)]
        for at_main, at_pru in PAIRS:
            main += [add(at_main), add(enrolled(at_main, NORTHGATE, M))]
            subsidiary += [add(at_pru), add(enrolled(at_pru, RIVERSIDE, S))]
        person, link = contact(AVA, "Adams")
        pru_person = person.model_copy(update={"ref_id": "C" * 32})
        pru_link = link.model_copy(
            update={
                "ref_id": "D" * 32,
                "learner_personal_ref_id": PAIRS[0][1].ref_id,
                "contact_personal_ref_id": pru_person.ref_id,
            }
        )
        main += [add(person), add(link), add(SOLO), add(enrolled(SOLO, NORTHGATE))]
        subsidiary += [add(pru_person), add(pru_link)]
        assert server.client("northgate").publish(*main).status_code == 200
        assert server.client("riverside").publish(*subsidiary).status_code == 200
        assert server.client("eastbay").publish(add(EASTBAY)).status_code == 200
        for party in ("northgate", "riverside", "northshire"):
            server.client(party).drain()
        yield server


def test_learners_with_one_upn_dual_registered_at_two_schools_are_linked(
    zone: WorkflowZone,
) -> None:
    for party in ("northgate", "riverside", "northshire", "dfe"):
        links = zone.client(party).get("/dual-registrations").json()["dualRegistrations"]
        assert sorted(link["upn"] for link in links) == sorted(str(p.upn) for p, _ in PAIRS), party
    link = _link(zone, "northgate", AVA)
    assert {(s["school"], s["learnerRefId"]) for s in link["schools"]} == {
        ("8012000", AVA.ref_id),
        ("8012001", PAIRS[0][1].ref_id),
    }
    assert link["active"] is True
    # A single registration is never linked, and other LAs and schools see no links.
    assert SOLO.upn not in {
        link["upn"]
        for link in zone.client("northgate").get("/dual-registrations").json()["dualRegistrations"]
    }
    assert zone.client("eastshire").get("/dual-registrations").json()["dualRegistrations"] == []
    assert zone.client("eastbay").get("/dual-registrations").json()["dualRegistrations"] == []
    assert "dual-registration-linked" in operations(zone.audit())


def test_subsidiary_school_receives_address_change_under_its_own_refid(zone: WorkflowZone) -> None:
    at_pru = PAIRS[0][1]
    assert zone.client("northgate").publish(change(_moved(AVA, "Harbour Road"))).status_code == 200
    [received] = _changes(zone.client("riverside"))
    assert (received["refId"], received["publisher"]) == (at_pru.ref_id, "northgate")
    assert received["object"]["Address"]["Street"] == "Harbour Road"
    assert received["object"]["LocalId"] == "PRU001"  # the PRU's own fields stay its own
    assert "MedicalFlag" not in received["object"]
    held = zone.client("riverside").get(f"/LearnerPersonals/{at_pru.ref_id}").json()
    assert held["LearnerPersonal"]["Address"]["Street"] == "Harbour Road"
    assert "dual-registration-sync" in operations(zone.audit())


def test_main_school_receives_name_change_from_the_subsidiary(zone: WorkflowZone) -> None:
    at_pru = PAIRS[1][1]
    renamed = at_pru.model_copy(
        update={"names": [Name(type=NameType.LEGAL, family_name="Bell-Hart", given_name="Bo")]}
    )
    assert zone.client("riverside").publish(change(renamed)).status_code == 200
    [received] = _changes(zone.client("northgate"))
    assert received["refId"] == BO.ref_id
    assert received["object"]["Name"][0]["FamilyName"] == "Bell-Hart"
    assert received["object"]["LocalId"] == BO.local_id


def test_conflicting_change_within_the_window_is_flagged_not_applied(zone: WorkflowZone) -> None:
    at_pru = PAIRS[2][1]
    riverside, northgate = zone.client("riverside"), zone.client("northgate")
    assert riverside.publish(change(_phone(at_pru, "01234 111111"))).status_code == 200
    _changes(northgate)
    # Northgate's MIS had not taken the PRU's number yet and a clerk typed another one.
    assert northgate.publish(change(_phone(CY, "01234 222222"))).status_code == 200
    assert _changes(riverside) == []
    held = riverside.get(f"/LearnerPersonals/{at_pru.ref_id}").json()["LearnerPersonal"]
    assert held["PhoneNumber"][0]["#text"] == "01234 111111"

    for party in ("northgate", "riverside", "northshire"):
        conflicts = zone.client(party).get("/dual-registrations/conflicts").json()["conflicts"]
        [flagged] = [c for c in conflicts if c["field"] == "PhoneNumber"]
        assert flagged["earlier"]["school"] == "8012001"
        assert flagged["later"]["school"] == "8012000"
        assert flagged["later"]["value"][0]["#text"] == "01234 222222"
    assert zone.client("eastshire").get("/dual-registrations/conflicts").json()["conflicts"] == []
    assert "dual-registration-conflict" in operations(zone.audit())

    conflict_id = flagged["conflictId"]
    eastshire = zone.client("eastshire")
    path = f"/dual-registrations/conflicts/{conflict_id}/resolve"
    assert eastshire.session.post(eastshire.base + path, timeout=10).status_code == 404
    resolved = northgate.session.post(northgate.base + path, timeout=10)
    assert resolved.json()["status"] == "resolved"
    assert northgate.get("/dual-registrations/conflicts").json()["conflicts"] == []


def test_a_school_resending_its_old_value_is_not_taken_as_a_change(zone: WorkflowZone) -> None:
    at_pru = PAIRS[0][1]
    riverside, northgate = zone.client("riverside"), zone.client("northgate")
    # Riverside's MIS still holds the old address when it next pushes (an email was added).
    stale = at_pru.model_copy(update={"email": "family@example.org"})
    assert riverside.publish(change(stale)).status_code == 200
    received = _changes(northgate)
    assert [e["refId"] for e in received] == [AVA.ref_id]
    assert received[0]["object"]["Email"] == "family@example.org"
    assert received[0]["object"]["Address"]["Street"] == "Harbour Road"
    conflicts = northgate.get("/dual-registrations/conflicts").json()["conflicts"]
    assert [c for c in conflicts if c["field"] == "Address"] == []


def test_contact_change_reaches_the_matching_contact_at_the_other_school(
    zone: WorkflowZone,
) -> None:
    person, _ = contact(AVA, "Adams")
    phoned = person.model_copy(
        update={"phone_numbers": [PhoneNumber(type=PhoneType.MOBILE, number="07700 900123")]}
    )
    assert zone.client("northgate").publish(change(phoned)).status_code == 200
    received = _changes(zone.client("riverside"))
    assert [(e["objectType"], e["refId"]) for e in received] == [("ContactPersonal", "C" * 32)]
    assert received[0]["object"]["PhoneNumber"][0]["#text"] == "07700 900123"


def test_the_link_ends_when_one_enrolment_ends(zone: WorkflowZone) -> None:
    at_pru = PAIRS[3][1]
    riverside, northgate = zone.client("riverside"), zone.client("northgate")
    ended = enrolled(at_pru, RIVERSIDE, S, exit_date=dt.date(2024, 7, 19))
    assert riverside.publish(change(ended)).status_code == 200
    link = _link(zone, "northgate", DI)
    assert link["active"] is False
    assert "ended" in link["endReason"]
    riverside.drain()
    assert northgate.publish(change(_moved(DI, "Quay Street"))).status_code == 200
    assert _changes(riverside) == []
    assert "dual-registration-ended" in operations(zone.audit())


def test_a_contact_the_other_school_does_not_hold_is_flagged_not_guessed(
    zone: WorkflowZone,
) -> None:
    # Northgate records a carer for Bo whom the PRU has never been told about.
    carer = ContactPersonal(
        ref_id="F" * 32, names=[Name(type=NameType.LEGAL, family_name="Unwin", given_name="Una")]
    )
    _, link = contact(BO, "Bell")
    carer_link = link.model_copy(
        update={"ref_id": "E" * 32, "contact_personal_ref_id": carer.ref_id}
    )
    northgate = zone.client("northgate")
    assert northgate.publish(add(carer), add(carer_link)).status_code == 200
    moved = carer.model_copy(update={"email": "una@example.org"})
    assert northgate.publish(change(moved)).status_code == 200
    assert _changes(zone.client("riverside")) == []
    conflicts = northgate.get("/dual-registrations/conflicts").json()["conflicts"]
    [flagged] = [c for c in conflicts if c["field"] == "contact-match"]
    assert flagged["earlier"]["refId"] == carer.ref_id


def _sif(zone: WorkflowZone, party: str, *args: str) -> Result:
    environment = {"SIF_ZONE_URL": f"{zone.url}/api/zones/north", "SIF_AGENT_TOKEN": TOKENS[party]}
    return CliRunner().invoke(main, ["dual-reg", *args], env=environment)


def test_sif_dual_registrations_lists_links_shows_conflicts_and_resolves_them(
    zone: WorkflowZone,
) -> None:
    at_pru = PAIRS[4][1]
    riverside, northgate = zone.client("riverside"), zone.client("northgate")
    assert riverside.publish(change(_phone(at_pru, "01234 333333"))).status_code == 200
    _changes(northgate)
    assert northgate.publish(change(_phone(EVE, "01234 444444"))).status_code == 200

    listed = _sif(zone, "northgate", "list")
    assert listed.exit_code == 0, listed.output
    [line] = [line for line in listed.output.splitlines() if str(EVE.upn) in line]
    assert f"8012000 ({EVE.ref_id})" in line
    assert f"8012001 ({at_pru.ref_id})" in line
    assert ", since " in line

    shown = _sif(zone, "northshire", "conflicts")
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    [at] = [n for n, line in enumerate(lines) if str(EVE.upn) in line]
    assert lines[at].endswith(", LearnerPersonal PhoneNumber, open")
    assert lines[at + 1] == "    earlier 8012001: 01234 333333 (H)"  # the PRU changed it first
    assert lines[at + 2] == "    later   8012000: 01234 444444 (H)"
    conflict_id = lines[at].split()[1].rstrip(":")
    assert str(EVE.upn) not in _sif(zone, "eastshire", "conflicts").output

    refused = _sif(zone, "eastshire", "resolve", conflict_id)
    assert refused.exit_code == 1
    assert f"no conflict {conflict_id} that eastshire may resolve" in refused.output
    resolved = _sif(zone, "riverside", "resolve", conflict_id)
    assert resolved.exit_code == 0, resolved.output
    assert f"conflict {conflict_id} (LearnerPersonal PhoneNumber) resolved by riverside" in (
        resolved.output
    )
    assert str(EVE.upn) not in _sif(zone, "northshire", "conflicts").output
    closed = _sif(zone, "northshire", "conflicts", "--status", "resolved").output
    assert "resolved by riverside" in closed
