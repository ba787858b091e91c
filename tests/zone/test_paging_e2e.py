"""Paging a scoped collection on a real zone (``sif zone serve``, over HTTP), on each backend:
numbered pages carry ``navigationId`` while more follow; sent back with the next page's number
it continues from there. The LA's scope, the transport app's profile and the audit of every
page hold exactly as for numbered pages; a ``navigationId`` for another query or page is set
aside, and one the zone never gave is a 400.
"""

from __future__ import annotations

import base64
import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sif_core.client import ZoneClient
from sif_core.model import LearnerPersonal, SchoolInfo

from .factories import enrolment, learner, school
from .server import ZoneServer, add, change, delete
from .stores import BACKENDS, postgres_schema
from .zonefile import TOKENS

NORTHGATE = school("801", "2000", "Northgate Primary")
RIVERSIDE = school("801", "2001", "Riverside Academy")
EASTBAY = school("802", "3000", "Eastbay School")
PUPILS: dict[str, tuple[SchoolInfo, list[LearnerPersonal]]] = {
    "northgate": (
        NORTHGATE,
        [learner("801", "2000", n, f"North{n}", "Ann") for n in range(1, 24)],
    ),
    "riverside": (
        RIVERSIDE,
        [learner("801", "2001", n, f"River{n}", "Bea") for n in range(30, 44)],
    ),
    "eastbay": (EASTBAY, [learner("802", "3000", n, f"East{n}", "Cy") for n in range(50, 59)]),
}
LA_LEARNERS = sorted(p.ref_id for name in ("northgate", "riverside") for p in PUPILS[name][1])


@pytest.fixture(scope="module", params=BACKENDS)
def zone(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with contextlib.ExitStack() as stack:
        options: dict[str, Any] = {}
        if request.param == "postgresql":
            _, options["storage"] = stack.enter_context(postgres_schema())
        server = ZoneServer(tmp_path_factory.mktemp("paging"), **options).start()
        stack.callback(server.stop)
        for party, (at, pupils) in PUPILS.items():
            events = [add(at)]
            for pupil in pupils:
                events += [add(pupil), add(enrolment(pupil, at))]
            reply = server.client(party).publish(*events)
            assert reply.status_code == 200, reply.text
        yield server


def _client(zone: ZoneServer, party: str) -> ZoneClient:
    return ZoneClient(f"{zone.url}/api/zones/north", TOKENS[party])


def _refs(reply: Any) -> list[str]:
    found = reply.json()["LearnerPersonals"]
    members = found.get("LearnerPersonal", []) if isinstance(found, dict) else []
    return [m["@RefId"] for m in (members if isinstance(members, list) else [members])]


def _query_audits(zone: ZoneServer, party: str) -> list[dict[str, Any]]:
    reply = zone.client("admin").get("/admin/audit", party=party, limit=1000)
    assert reply.status_code == 200, reply.text
    return [
        e
        for e in reply.json()["entries"]
        if e["operation"] == "query" and e["objectType"] == "LearnerPersonal"
    ]


def test_the_la_pages_through_its_schools_learners_each_page_continuing_the_last(
    zone: ZoneServer,
) -> None:
    audited_before = len(_query_audits(zone, "northshire"))
    pages = list(_client(zone, "northshire").iter_pages("LearnerPersonal", page_size=5))
    assert [page.page for page in pages] == list(range(1, 9))
    assert {(page.count, page.last_page) for page in pages} == {(len(LA_LEARNERS), 8)}
    assert all(page.navigation_id for page in pages[:-1])
    assert pages[-1].navigation_id is None
    refs = [content["@RefId"] for page in pages for content in page.contents]
    assert refs == LA_LEARNERS  # every learner of the LA's schools once, none of Eastbay's
    # Every page's learners are in the audit log, a query entry per page.
    audits = _query_audits(zone, "northshire")[audited_before:]
    assert [e["detail"] for e in audits] == [f"page {n}; filters: none" for n in range(1, 9)]
    assert [ref for e in audits for ref in e["refIds"]] == refs


def test_continued_pages_hold_what_numbered_pages_hold(zone: ZoneServer) -> None:
    la = zone.client("northshire")
    numbered = [
        la.get("/LearnerPersonals", navigationPage=n, navigationPageSize=4) for n in range(1, 11)
    ]
    continued = [numbered[0]]
    for n in range(2, 11):
        navigation = continued[-1].headers["navigationId"]
        continued.append(
            la.get(
                "/LearnerPersonals", navigationPage=n, navigationPageSize=4, navigationId=navigation
            )
        )
    assert [_refs(r) for r in continued] == [_refs(r) for r in numbered]
    for reply in continued:
        assert reply.headers["navigationCount"] == str(len(LA_LEARNERS))
        assert reply.headers["navigationLastPage"] == "10"
    assert "navigationId" not in continued[-1].headers


def test_the_navigation_id_is_taken_as_a_header_too(zone: ZoneServer) -> None:
    la = zone.client("northshire")
    first = la.get("/LearnerPersonals", navigationPageSize=10)
    second = la.session.get(
        la.base + "/LearnerPersonals",
        headers={
            "navigationPage": "2",
            "navigationPageSize": "10",
            "navigationId": first.headers["navigationId"],
        },
        timeout=30,
    )
    assert second.status_code == 200, second.text
    assert _refs(second) == LA_LEARNERS[10:20]


def test_a_school_pages_through_its_own_learners_only(zone: ZoneServer) -> None:
    pages = list(_client(zone, "riverside").iter_pages("LearnerPersonal", page_size=3))
    refs = [content["@RefId"] for page in pages for content in page.contents]
    assert refs == sorted(p.ref_id for p in PUPILS["riverside"][1])
    by_school = list(
        _client(zone, "northshire").iter_pages("LearnerPersonal", school="8012000", page_size=6)
    )
    assert [c["@RefId"] for page in by_school for c in page.contents] == sorted(
        p.ref_id for p in PUPILS["northgate"][1]
    )


def test_the_transport_apps_profile_holds_on_every_continued_page(zone: ZoneServer) -> None:
    pages = list(_client(zone, "transport").iter_pages("LearnerPersonal", page_size=7))
    contents = [content for page in pages for content in page.contents]
    assert [c["@RefId"] for c in contents] == LA_LEARNERS
    assert all(page.navigation_id for page in pages[:-1])
    for content in contents:
        assert "Ethnicity" not in content
        assert "MedicalFlag" not in content
        assert "Sex" in content


def test_a_navigation_id_for_another_query_or_page_is_set_aside(zone: ZoneServer) -> None:
    la = zone.client("northshire")
    first = la.get("/LearnerPersonals", navigationPageSize=5)
    navigation = first.headers["navigationId"]
    # Another page number: that page, found from its number.
    third = la.get(
        "/LearnerPersonals", navigationPage=3, navigationPageSize=5, navigationId=navigation
    )
    assert _refs(third) == LA_LEARNERS[10:15]
    # Another page size, another filter, another party: each gets its own query's page.
    other_size = la.get(
        "/LearnerPersonals", navigationPage=2, navigationPageSize=6, navigationId=navigation
    )
    assert _refs(other_size) == LA_LEARNERS[6:12]
    riverside = sorted(p.ref_id for p in PUPILS["riverside"][1])
    filtered = la.get(
        "/LearnerPersonals",
        navigationPage=2,
        navigationPageSize=5,
        school="8012001",
        navigationId=navigation,
    )
    assert _refs(filtered) == riverside[5:10]
    assert filtered.headers["navigationCount"] == str(len(riverside))
    school = zone.client("riverside").get(
        "/LearnerPersonals", navigationPage=2, navigationPageSize=5, navigationId=navigation
    )
    assert _refs(school) == riverside[5:10]


def _encoded(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "navigation",
    [
        "not a navigation id",
        "%%%",
        _encoded([]),
        _encoded([2, 37, "x"]),
        _encoded(["2", 37, "x", "abc"]),
        _encoded([2, -1, "x", "abc"]),
        _encoded([2, 37, 5, "abc"]),
        _encoded({"page": 2}),
    ],
)
def test_a_navigation_id_the_zone_never_gave_is_a_clear_400(
    zone: ZoneServer, navigation: str
) -> None:
    reply = zone.client("northshire").get(
        "/LearnerPersonals", navigationPage=2, navigationId=navigation
    )
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["code"] == "bad-request"
    assert "navigationId" in error["message"]


def test_changes_since_continue_in_order_of_change(zone: ZoneServer) -> None:
    """Runs after the tests that read the learners as published (it changes and deletes)."""
    la = _client(zone, "northshire")
    marker = la.query("LearnerPersonal", page_size=1).changes_since_marker
    northgate = PUPILS["northgate"][1]
    changed = [northgate[n] for n in (9, 2, 17, 5, 12, 0, 21)]
    for pupil in changed:
        moved = pupil.model_copy(update={"local_id": f"NEW{pupil.local_id}"})
        assert zone.client("northgate").publish(change(moved)).status_code == 200
    gone = northgate[22]
    assert zone.client("northgate").publish(delete(gone)).status_code == 200
    assert zone.client("eastbay").publish(change(PUPILS["eastbay"][1][0])).status_code == 200
    found = la.changes_since("LearnerPersonal", marker, page_size=2)
    assert [c["@RefId"] for c in found.contents] == [p.ref_id for p in changed]
    assert found.deleted_ref_ids == (gone.ref_id,)


def test_directory_objects_page_the_same_way(zone: ZoneServer) -> None:
    pages = list(_client(zone, "riverside").iter_pages("SchoolInfo", page_size=1))
    assert [page.page for page in pages] == [1, 2, 3]
    assert all(page.navigation_id for page in pages[:-1])
    names = sorted(c["SchoolName"] for page in pages for c in page.contents)
    assert names == ["Eastbay School", "Northgate Primary", "Riverside Academy"]


def test_the_openapi_document_names_the_navigation_id(zone: ZoneServer) -> None:
    document = requests.get(zone.url + "/openapi.json", timeout=30).json()
    parameters = document["paths"]["/api/zones/{zone}/{collection}"]["get"]["parameters"]
    assert "navigationId" in {p["name"] for p in parameters}


def test_a_continued_page_repeats_the_first_pages_count(zone: ZoneServer) -> None:
    """What shows the page was continued, not found afresh: the count is the first page's."""
    la = zone.client("northshire")
    first = la.get("/LearnerPersonals", navigationPageSize=4, school="8012001")
    counted = int(first.headers["navigationCount"])
    newcomer = learner("801", "2001", 44, "River44", "Dee")
    published = zone.client("riverside").publish(add(newcomer), add(enrolment(newcomer, RIVERSIDE)))
    assert published.status_code == 200, published.text
    continued = la.get(
        "/LearnerPersonals",
        navigationPage=2,
        navigationPageSize=4,
        school="8012001",
        navigationId=first.headers["navigationId"],
    )
    numbered = la.get("/LearnerPersonals", navigationPage=2, navigationPageSize=4, school="8012001")
    assert continued.headers["navigationCount"] == str(counted)
    assert numbered.headers["navigationCount"] == str(counted + 1)
    assert _refs(continued)[0] > _refs(first)[-1]
