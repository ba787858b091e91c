"""Checks of ZON-8 to ZON-10: paging, changes since a marker and profiles."""

from __future__ import annotations

from typing import Any

from sif_core.conformance.checks import CheckFailed
from sif_core.conformance.zone_client import Reply, change, delete
from sif_core.conformance.zone_config import REMOVED_FIELDS
from sif_core.conformance.zone_session import ZONE_CHECKS, ZoneSession, names, require

__all__: list[str] = []

_PAGE = 3


def _header_number(reply: Reply, name: str) -> int:
    value = reply.headers.get(name)
    if value is None or not value.strip().isdigit():
        raise CheckFailed(f"{reply.what}: the {name} header is {value!r}, not a number")
    return int(value)


def _ref_ids(reply: Reply) -> list[str]:
    return [str(obj.get("@RefId")) for obj in reply.objects()]


@ZONE_CHECKS.check("ZON-8.pages-partition", "Pages hold every object once, with their totals")
def pages_partition(session: ZoneSession) -> str:
    kits = session.published_learners(2 * _PAGE + 1)
    client = session.client("school")
    school = session.config.school_laestab
    first = client.query(
        "LearnerPersonal", school=school, navigationPage=1, navigationPageSize=_PAGE
    ).expect()
    count = _header_number(first, "navigationCount")
    last = _header_number(first, "navigationLastPage")
    found = []
    if last != max(1, -(-count // _PAGE)):
        found.append(f"navigationLastPage is {last} for {count} objects in pages of {_PAGE}")
    listed: list[str] = []
    pages = [first]
    for page in range(2, last + 1):
        pages.append(
            client.query(
                "LearnerPersonal", school=school, navigationPage=page, navigationPageSize=_PAGE
            ).expect()
        )
    for number, reply in enumerate(pages, start=1):
        refs = _ref_ids(reply)
        if len(refs) > _PAGE:
            found.append(f"page {number} holds {len(refs)} objects, more than {_PAGE}")
        listed += refs
    repeated = sorted({ref for ref in listed if listed.count(ref) > 1})
    found += [f"{ref} is on more than one page" for ref in repeated]
    if len(set(listed)) != count:
        found.append(f"the pages hold {len(set(listed))} objects; navigationCount says {count}")
    missing = sorted({kit.learner.ref_id for kit in kits} - set(listed))
    found += [f"learner {ref} is on no page" for ref in missing]
    if found:
        raise CheckFailed("paging does not hold every object exactly once", found)
    return f"{count} learners on {last} pages of {_PAGE}, each once"


@ZONE_CHECKS.check("ZON-9.changes-since", "Changes since a marker: the changed, and the deleted")
def changes_since(session: ZoneSession) -> str:
    [kept, changed, deleted] = session.published_learners(3)
    client = session.client("school")
    marker = client.query("LearnerPersonal", navigationPageSize=1).expect()
    since = marker.headers.get("changesSinceMarker")
    if not since:
        raise CheckFailed("a query reply carries no changesSinceMarker header")
    [added] = session.published_learners(1)
    session.publish("school", [change(changed.learner.model_copy(update={"local_id": "changed"}))])
    session.publish("school", [delete(deleted.enrolment), delete(deleted.learner)])
    reply = client.query(
        "LearnerPersonal", changesSinceMarker=since, navigationPageSize=1000
    ).expect()
    refs = set(_ref_ids(reply))
    expected = {added.learner.ref_id, changed.learner.ref_id}
    found = [f"{ref} changed but is not returned" for ref in sorted(expected - refs)]
    if kept.learner.ref_id in refs:
        found.append(f"{kept.learner.ref_id} did not change but is returned")
    if deleted.learner.ref_id in refs:
        found.append(f"{deleted.learner.ref_id} was deleted but is returned as an object")
    gone = (reply.headers.get("deletedRefIds") or "").replace(" ", "").split(",")
    if deleted.learner.ref_id not in gone:
        found.append(f"deletedRefIds does not name the deleted learner {deleted.learner.ref_id}")
    if found:
        raise CheckFailed("changes since a marker are not exactly what changed", found)
    return "one added and one changed learner returned, the deleted one named, the rest left out"


def _removed_present(content: dict[str, Any] | None) -> list[str]:
    content = content or {}
    present: list[str] = [name for name in REMOVED_FIELDS if "." not in name and name in content]
    address = content.get("Address")
    if isinstance(address, dict) and "UPRN" in address:
        present.append("Address.UPRN")
    return present


@ZONE_CHECKS.check("ZON-10.profile-applied", "Fields a profile removes never reach its party")
def profile_applied(session: ZoneSession) -> str:
    [kit] = session.published_learners(1)
    ref = kit.learner.ref_id
    got = session.collect(["la", "app"], {ref}, lambda got: bool(got["la"]) and bool(got["app"]))
    require(
        bool(got["app"]), "the app did not receive the learner's event", {"LA": names(got["la"])}
    )
    require(bool(got["la"]), "the control failed: the LA did not receive the learner's event")
    control = _removed_present(got["la"][0].content)
    require(
        set(control) == set(REMOVED_FIELDS),
        "the control failed: the LA, without the profile, did not receive every field",
        {"received": control},
    )
    found = [f"its event holds {name}" for name in _removed_present(got["app"][0].content)]
    queried = (
        session.client("app")
        .query("LearnerPersonal", school=session.config.school_laestab, navigationPageSize=1000)
        .expect()
    )
    mine = [obj for obj in queried.objects() if obj.get("@RefId") == ref]
    if not mine:
        found.append("its query does not list the learner")
    found += [f"its query reply holds {name}" for obj in mine for name in _removed_present(obj)]
    one = session.client("app").get("LearnerPersonal", ref).expect()
    body = one.body.get("LearnerPersonal") if isinstance(one.body, dict) else None
    found += [f"reading by RefId gives {name}" for name in _removed_present(body)]
    if found:
        raise CheckFailed("fields the app's profile removes reach the app", found)
    return f"{', '.join(REMOVED_FIELDS)} reached the LA but not the app, by event or query"
