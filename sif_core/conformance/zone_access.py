"""Checks of ZON-1 to ZON-3: authentication, rights and scope."""

from __future__ import annotations

from sif_core.conformance.checks import CheckFailed
from sif_core.conformance.zone_client import Reply, add, change
from sif_core.conformance.zone_config import PARTY_ROLES
from sif_core.conformance.zone_session import ZONE_CHECKS, ZoneSession, names, require

__all__: list[str] = []


def _holds_no_data(reply: Reply) -> bool:
    body = reply.body
    if not isinstance(body, dict):
        return True
    return set(body) <= {"error"}


@ZONE_CHECKS.check("ZON-1.refuses-strangers", "No credentials, or a token it did not issue: 401")
def refuses_strangers(session: ZoneSession) -> str:
    client = session.client("school")
    known = session.config.party("school").token
    party_id = session.config.party("school").id
    strangers = {
        "no Authorization header": "",
        "a token it did not issue": f"Bearer {party_id}.{'A' * 43}",
        "the token of another party id": f"Bearer sif-kit-nobody.{known.partition('.')[2]}",
        "an unknown scheme": f"Basic {known}",
    }
    requests = {
        "query LearnerPersonals": ("GET", "/LearnerPersonals", None),
        "lease the queue": ("GET", "/queue", None),
        "publish": ("POST", "/events", b'{"events": []}'),
    }
    found = []
    for label, authorization in strangers.items():
        for what, (method, path, body) in requests.items():
            reply = client.request(method, path, what=what, body=body, authorization=authorization)
            if reply.status != 401:
                found.append(f"{what} with {label}: {reply.status}, not 401")
            elif not _holds_no_data(reply):
                found.append(f"{what} with {label}: the 401 reply carries data")
    if found:
        raise CheckFailed("the zone answers requests it cannot authenticate", found)
    return f"{len(strangers) * len(requests)} unauthenticated requests refused with 401"


@ZONE_CHECKS.check("ZON-1.accepts-parties", "Each test party's own token is accepted")
def accepts_parties(session: ZoneSession) -> str:
    found = []
    for role in PARTY_ROLES:
        reply = session.client(role).request("GET", "/queue", what="queue", params={"wait": 0})
        if reply.status != 200:
            found.append(f"{role}: {reply.status} {reply.error_text()}")
    if found:
        raise CheckFailed(
            "the zone refuses test parties; are they in the zone file (sif conformance zone "
            "--print-config)?",
            found,
        )
    return f"all {len(PARTY_ROLES)} test parties authenticated"


def _names_right(reply: Reply, right: str) -> bool:
    return reply.status == 403 and right in reply.error_text().split()


@ZONE_CHECKS.check("ZON-2.refusals-name-the-right", "Publish, query, admin without the right: 403")
def refusals_name_the_right(session: ZoneSession) -> str:
    [kit] = session.new_learners(1)
    attempts = {
        "reader publishes an add (needs create)": (
            session.client("reader").publish([add(kit.learner)]),
            "create",
        ),
        "app queries ContactPersonals (needs query)": (
            session.client("app").query("ContactPersonal"),
            "query",
        ),
        "school reads the admin queues (needs admin)": (
            session.client("school").request("GET", "/admin/queues", what="admin queues"),
            "admin",
        ),
    }
    found = [
        f"{what}: {reply.status} {reply.error_text()}; expected 403 naming the {right} right"
        for what, (reply, right) in attempts.items()
        if not _names_right(reply, right)
    ]
    stored = session.client("school").get("LearnerPersonal", kit.learner.ref_id)
    if stored.status != 404:
        found.append(f"the refused add was stored: the school reads it ({stored.status})")
    if found:
        raise CheckFailed(
            "the zone does not refuse, naming the right, what a party may not do", found
        )
    return f"{len(attempts)} refusals, each a 403 naming the missing right; nothing stored"


@ZONE_CHECKS.check("ZON-2.no-subscribe-no-events", "A party without subscribe receives no events")
def no_subscribe_no_events(session: ZoneSession) -> str:
    session.drain(["reader", "la"])
    kits = session.published_learners(2)
    ours = {ref for kit in kits for ref in (kit.learner.ref_id, kit.enrolment.ref_id)}
    got = session.collect(["la", "reader"], ours, lambda got: len(got["la"]) >= len(ours))
    require(
        len(got["la"]) >= len(ours),
        "the control failed: the LA, which subscribes, did not receive the events",
        {"LA received": names(got["la"])},
    )
    if got["reader"]:
        raise CheckFailed(
            "a party without the subscribe right received events", names(got["reader"])
        )
    return f"the LA received {len(got['la'])} events; the reader, without subscribe, none"


@ZONE_CHECKS.check("ZON-3.other-school-sees-nothing", "Another school's queries leave them out")
def other_school_sees_nothing(session: ZoneSession) -> str:
    kits = session.published_learners(2)
    session.school("other_school")
    learners = {kit.learner.ref_id for kit in kits}
    own = session.client("school").query("LearnerPersonal", navigationPageSize=1000).expect()
    control = learners - {str(obj.get("@RefId")) for obj in own.objects()}
    require(
        not control,
        "the control failed: the school cannot see its own learners",
        {"missing": sorted(control)},
    )
    found = []
    other = session.client("other_school")
    listed = other.query("LearnerPersonal", navigationPageSize=1000)
    if listed.status == 200:
        seen = learners & {str(obj.get("@RefId")) for obj in listed.objects()}
        found += [f"its query lists learner {ref}" for ref in sorted(seen)]
    else:
        found.append(f"its query answered {listed.status} rather than leaving them out")
    by_school = other.query("LearnerPersonal", school=session.config.school_laestab)
    if by_school.status == 200 and by_school.objects():
        found.append(f"filtering by the school's number lists {len(by_school.objects())}")
    for ref in sorted(learners):
        reply = other.get("LearnerPersonal", ref)
        if reply.status != 404:
            found.append(f"reading learner {ref} by RefId answered {reply.status}, not 404")
    if found:
        raise CheckFailed("a school sees another school's learners", found)
    return "the other school's queries and reads by RefId show none of the school's learners"


@ZONE_CHECKS.check("ZON-3.other-school-cannot-touch", "Another school receives and changes none")
def other_school_cannot_touch(session: ZoneSession) -> str:
    session.school("other_school")
    [kit] = session.published_learners(1)
    ours = {kit.learner.ref_id, kit.enrolment.ref_id}
    got = session.collect(["la", "other_school"], ours, lambda got: len(got["la"]) >= 2)
    require(
        len(got["la"]) >= 2,
        "the control failed: the LA did not receive the school's events",
        {"LA received": names(got["la"])},
    )
    found = [f"it received {line}" for line in names(got["other_school"])]
    altered = kit.learner.model_copy(update={"local_id": "CHANGED-BY-ANOTHER-SCHOOL"})
    reply = session.client("other_school").publish([change(altered)])
    if reply.status != 403:
        found.append(f"its change answered {reply.status}, not 403 ({reply.error_text()})")
    stored = session.client("school").get("LearnerPersonal", kit.learner.ref_id).expect()
    content = stored.body.get("LearnerPersonal", {}) if isinstance(stored.body, dict) else {}
    if content.get("LocalId") != kit.learner.local_id:
        found.append("the learner was changed")
    if found:
        raise CheckFailed("a school can reach another school's learner", found)
    return "it received none of the school's events; its change was refused with 403"
