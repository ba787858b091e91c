"""End to end over real HTTP: two schools publish; the LA and a transport app receive exactly
what they are entitled to; a school sees nothing of another school."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sif_core.model import LearnerPersonal

from .factories import contact, enrolment, learner, school, sen_history
from .server import ZoneServer, add, change, events_of

NORTHGATE = school("801", "2000", "Northgate Primary")
RIVERSIDE = school("801", "2001", "Riverside Academy")
EASTBAY = school("802", "3000", "Eastbay School")
AMY = learner("801", "2000", 1, "Ashby", "Amy")
BEN = learner("801", "2000", 2, "Brook", "Ben")
RIA = learner("801", "2001", 3, "Rahman", "Ria")
EVE = learner("802", "3000", 4, "Evans", "Eve")


def _school_batch(at: Any, *pupils: LearnerPersonal) -> list[dict[str, Any]]:
    events = [add(at)]
    for pupil in pupils:
        person, link = contact(pupil, pupil.legal_name.family_name or "")
        events += [
            add(pupil),
            add(enrolment(pupil, at)),
            add(person),
            add(link),
            add(sen_history(pupil)),
        ]
    return events


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ZoneServer]:
    server = ZoneServer(tmp_path_factory.mktemp("exchange")).start()
    try:
        for party, at, pupils in (
            ("northgate", NORTHGATE, (AMY, BEN)),
            ("riverside", RIVERSIDE, (RIA,)),
            ("eastbay", EASTBAY, (EVE,)),
        ):
            reply = server.client(party).publish(*_school_batch(at, *pupils))
            assert reply.status_code == 200, reply.text
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def la_messages(zone: ZoneServer) -> list[dict[str, Any]]:
    return zone.client("northshire").drain()


@pytest.fixture(scope="module")
def transport_messages(zone: ZoneServer) -> list[dict[str, Any]]:
    return zone.client("transport").drain()


def test_the_la_receives_every_event_of_its_two_schools_in_publishing_order(
    la_messages: list[dict[str, Any]],
) -> None:
    about_people = [e for e in events_of(la_messages) if e[1] != "SchoolInfo"]
    expected = [
        ("add", event["objectType"], event["object"]["@RefId"])
        for at, pupils in ((NORTHGATE, (AMY, BEN)), (RIVERSIDE, (RIA,)))
        for event in _school_batch(at, *pupils)
        if event["objectType"] != "SchoolInfo"
    ]
    assert about_people == expected


def test_the_la_receives_nothing_about_a_learner_of_another_la(
    la_messages: list[dict[str, Any]],
) -> None:
    refs = {ref for _, object_type, ref in events_of(la_messages) if object_type != "SchoolInfo"}
    assert EVE.ref_id not in refs
    assert not any(str(EVE.upn) in str(m) for m in la_messages)


def test_the_la_receives_learners_whole_with_ethnicity_and_sen(
    la_messages: list[dict[str, Any]],
) -> None:
    amy = next(m["event"]["object"] for m in la_messages if m["event"]["refId"] == AMY.ref_id)
    assert amy["Ethnicity"] == "WBRI"
    assert amy["MedicalFlag"] is False
    sen = [m for m in la_messages if m["event"]["objectType"] == "LearnerSENHistory"]
    assert len(sen) == 3


def test_the_transport_app_gets_learners_and_enrolments_without_ethnicity_or_sen(
    transport_messages: list[dict[str, Any]],
) -> None:
    types = {m["event"]["objectType"] for m in transport_messages}
    assert types == {"SchoolInfo", "LearnerPersonal", "LearnerSchoolEnrolment"}
    pupils = [m["event"]["object"] for m in transport_messages if m["event"]["refId"] in (
        AMY.ref_id, BEN.ref_id, RIA.ref_id)]  # fmt: skip
    assert len(pupils) == 3
    for pupil in pupils:
        assert "Ethnicity" not in pupil
        assert "EthnicitySource" not in pupil
        assert "MedicalFlag" not in pupil
        assert pupil["Address"]["PostCode"] == "NT1 2AB"
    assert not any(EVE.ref_id in str(m) for m in transport_messages)


def test_the_transport_app_queries_learners_through_its_profile_too(zone: ZoneServer) -> None:
    reply = zone.client("transport").get("/LearnerPersonals")
    assert reply.status_code == 200
    pupils = reply.json()["LearnerPersonals"]["LearnerPersonal"]
    assert sorted(p["@RefId"] for p in pupils) == sorted([AMY.ref_id, BEN.ref_id, RIA.ref_id])
    assert all("Ethnicity" not in p for p in pupils)
    refused = zone.client("transport").get("/LearnerSENHistories")
    assert refused.status_code == 403
    assert refused.json()["error"]["right"] == "query"


def test_a_school_sees_nothing_of_another_school(zone: ZoneServer) -> None:
    riverside = zone.client("riverside")
    own = riverside.get("/LearnerPersonals").json()["LearnerPersonals"]["LearnerPersonal"]
    assert [p["@RefId"] for p in own] == [RIA.ref_id]
    assert riverside.get(f"/LearnerPersonals/{AMY.ref_id}").status_code == 404
    assert riverside.get("/LearnerPersonals", upn=AMY.upn).json()["LearnerPersonals"] == {
        "LearnerPersonal": []
    }
    for collection in ("ContactPersonals", "LearnerContacts", "LearnerSENHistories"):
        members = riverside.get(f"/{collection}").json()[collection]
        assert len(next(iter(members.values()))) == 1, collection
    assert riverside.lease() == []


def test_a_school_reads_its_own_learner_by_refid_upn_and_local_id(zone: ZoneServer) -> None:
    northgate = zone.client("northgate")
    single = northgate.get(f"/LearnerPersonals/{BEN.ref_id}")
    assert single.json()["LearnerPersonal"]["UPN"] == BEN.upn
    by_upn = northgate.get("/LearnerPersonals", upn=BEN.upn).json()
    assert [p["@RefId"] for p in by_upn["LearnerPersonals"]["LearnerPersonal"]] == [BEN.ref_id]
    by_local = northgate.get("/LearnerPersonals", localId="ADM0001").json()
    assert [p["@RefId"] for p in by_local["LearnerPersonals"]["LearnerPersonal"]] == [AMY.ref_id]


def test_every_school_is_listed_to_every_party_that_may_query_schools(zone: ZoneServer) -> None:
    reply = zone.client("riverside").get("/SchoolInfos")
    names = sorted(s["SchoolName"] for s in reply.json()["SchoolInfos"]["SchoolInfo"])
    assert names == ["Eastbay School", "Northgate Primary", "Riverside Academy"]


def test_the_la_pages_through_its_learners_with_sif3_headers(zone: ZoneServer) -> None:
    la = zone.client("northshire")
    first = la.get("/LearnerPersonals", navigationPage=1, navigationPageSize=2)
    assert first.headers["navigationPage"] == "1"
    assert first.headers["navigationPageSize"] == "2"
    assert first.headers["navigationCount"] == "3"
    assert first.headers["navigationLastPage"] == "2"
    second = la.get("/LearnerPersonals", navigationPage=2, navigationPageSize=2)
    refs = [
        p["@RefId"]
        for r in (first, second)
        for p in r.json()["LearnerPersonals"]["LearnerPersonal"]
    ]
    assert sorted(refs) == sorted([AMY.ref_id, BEN.ref_id, RIA.ref_id])
    by_school = la.get("/LearnerPersonals", school="8012001").json()
    assert [p["@RefId"] for p in by_school["LearnerPersonals"]["LearnerPersonal"]] == [RIA.ref_id]


def test_changes_since_a_marker_return_only_the_change(zone: ZoneServer) -> None:
    la = zone.client("northshire")
    marker = la.get("/LearnerPersonals").headers["changesSinceMarker"]
    moved = BEN.model_copy(update={"local_id": "ADM9002"})
    assert zone.client("northgate").publish(change(moved)).status_code == 200
    changed = la.get("/LearnerPersonals", changesSinceMarker=marker)
    assert [p["LocalId"] for p in changed.json()["LearnerPersonals"]["LearnerPersonal"]] == [
        "ADM9002"
    ]
    assert changed.headers["deletedRefIds"] == ""
    assert int(changed.headers["changesSinceMarker"]) > int(marker)


def test_sif_xml_in_and_out(zone: ZoneServer) -> None:
    zoe = learner("801", "2001", 7, "Zed", "Zoe")
    body = (
        '<events xmlns="urn:sifbridge:sif-uk:1"><event action="add">'
        f'<LearnerPersonal RefId="{zoe.ref_id}"><LocalId>X7</LocalId><UPN>{zoe.upn}</UPN>'
        '<Name Type="L"><GivenName>Zoe</GivenName><FamilyName>Zed</FamilyName></Name>'
        "<DateOfBirth>2015-03-08</DateOfBirth><Sex>F</Sex><MedicalFlag>true</MedicalFlag>"
        "</LearnerPersonal></event></events>"
    )
    riverside = zone.client("riverside")
    reply = riverside.session.post(
        riverside.base + "/events", data=body, headers={"Content-Type": "application/xml"}
    )
    assert reply.status_code == 200, reply.text
    transport = zone.client("transport")
    queued = transport.session.get(transport.base + "/queue", headers={"Accept": "application/xml"})
    assert queued.headers["content-type"].startswith("application/xml")
    text = queued.text
    assert f'<LearnerPersonal RefId="{zoe.ref_id}">' in text
    assert "<GivenName>Zoe</GivenName>" in text
    assert "MedicalFlag" not in text  # the transport profile removes it
    single = riverside.session.get(
        riverside.base + f"/LearnerPersonals/{zoe.ref_id}", headers={"Accept": "application/xml"}
    )
    assert "<MedicalFlag>true</MedicalFlag>" in single.text
    assert 'xmlns="urn:sifbridge:sif-uk:1"' in single.text
