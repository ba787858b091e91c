"""The zone half of ``sif demo``, second part: ULNs from the LRS simulator, the census return
and its approve button, the audit log; and :func:`walk_through`, which runs every step."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Final

from rich.console import Console
from rich.rule import Rule

from sif_core.commands.demo_story import Story
from sif_core.commands.demo_zone import DemoParty, DemoZone
from sif_core.errors import ZoneError
from sif_core.model import LearnerPersonal, uln_problem
from sif_core.testing import Synth

__all__ = ["walk_through"]

COLLECTION: Final = "Spring census"


def uln(story: Story) -> None:
    """10: ULN requests answered by the LRS connector from the simulator."""
    story.step("10. ULNs from the Learning Records Service (its simulator)")
    sent = story.call(story.a, "POST", "/uln-requests", body={"missing": True})
    story.say(f"  {story.a.label} asks for ULNs for its {sent['learners']} learners without one;")
    story.say("  the LRS connector gets names, date of birth, sex and postcode, nothing more")
    story.say(f"  It searches, and registers on no match: {story.zone.run_connector()}")
    story.say(f"  {story.a.label} received: {DemoParty.received(story.a.drain())}")
    reviews = story.call(story.a, "GET", "/uln-reviews")["ulnReviews"]
    outcomes = Counter(f"{r['outcome']} ({r['code']})" for r in reviews)
    listed = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
    story.say(f"  Its review list, for a person to decide: {listed}")
    story.received(story.la)


def census(story: Story) -> None:
    """11: a draft the LA may not approve and the DfE does not count; the school approves."""
    story.step("11. The census: nothing counts until the school approves")
    day = story.synth.calendar.census_day.isoformat()
    body = {"collection": COLLECTION, "referenceDate": day}
    draft = story.call(story.a, "POST", "/census-returns", body=body)
    story.say(f"  {story.a.label} submits its {COLLECTION} return for {day}:")
    story.say(f"  version {draft['version']}, {draft['objects']} objects, {draft['status']}")
    seen = story.call(story.la, "GET", "/census-returns")["censusReturns"][0]
    story.say(
        f"  {story.la.label} sees version {seen['version']} {seen['status']}: no objects, no counts"
    )
    try:
        story.call(story.la, "POST", f"/census-returns/{draft['returnId']}/approve", body={})
    except ZoneError as error:
        story.say(f"  {story.la.label} presses approve: refused (403)")
        story.say(f"    {str(error).split(';')[0]}")
    params = {"collection": COLLECTION}
    before = story.call(story.dfe, "GET", "/funding-summary", params=params)
    story.say(
        f"  The DfE's funding summary: {before['totals']['pupils']} pupils, "
        f"{len(before['schools'])} approved returns"
    )
    approve = f"/census-returns/{draft['returnId']}/approve"
    approved = story.call(story.a, "POST", approve, body={"contentHash": draft["contentHash"]})
    attested = approved["attestation"]
    story.say(f"  {story.a.label} approves: attested by {attested['approvedBy']}")
    story.say(f"    at {attested['approvedAt']}, content {attested['contentHash'][:23]}...")
    totals = story.call(story.dfe, "GET", "/funding-summary", params=params)["totals"]
    story.say(
        f"  The DfE's funding summary now: {totals['pupils']} pupils, {totals['fsmEligible']} "
        f"eligible for FSM, {totals['senSupport']} SEN support, {totals['ehcPlans']} EHC plans"
    )
    story.received(story.la, story.dfe)


def audit(story: Story) -> None:
    """12: the audit log, by operation."""
    story.step("12. Every step is in the audit log")
    params = {"limit": "1000"}
    entries = story.call(story.admin, "GET", "/admin/audit", params=params)["entries"]
    counts = Counter(entry["operation"] for entry in entries)
    story.say(
        f"  {len(entries)} entries: " + ", ".join(f"{op} {n}" for op, n in sorted(counts.items()))
    )


def _valid_uln(serial: int) -> str:
    """A ULN with a correct check digit, for the LRS simulator's known learners."""
    prefix = 700_000_000 + serial
    while True:
        digits = [int(d) for d in str(prefix)]
        remainder = sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        if remainder:
            found = f"{prefix}{10 - remainder}"
            assert uln_problem(found) is None
            return found
        prefix += 1


def known_learners(learners: list[LearnerPersonal]) -> list[dict[str, str]]:
    """Who the LRS simulator knows: three of ``learners`` exactly, the fourth twice (too many
    matches) and the fifth by another given name (a possible match)."""
    known = []
    for serial, learner in enumerate([p for p in learners if not p.uln][:5]):
        entry = {
            "uln": _valid_uln(serial * 10),
            "givenName": learner.legal_name.given_name or "",
            "familyName": learner.legal_name.family_name or "",
            "dateOfBirth": learner.date_of_birth.isoformat(),
            "sex": learner.sex.value,
        }
        if serial == 3:
            known.append({**entry, "uln": _valid_uln(serial * 10 + 5)})
        if serial == 4:
            entry["givenName"] += "ine"
        known.append(entry)
    return known


def walk_through(console: Console, synth: Synth, *, keep: bool) -> None:
    """Start a zone and the LRS simulator, run every workflow, and stop them (unless ``keep``)."""
    folder = Path(tempfile.mkdtemp(prefix="sif-demo-zone-"))
    zone = DemoZone(folder, la=synth.schools[0].la_id, schools=synth.schools[:2])
    story = Story(console, synth, zone)
    # The first two pupils are transferred away before the ULN step.
    zone.start(known_learners=known_learners([p.learner for p in story.single_a[2:]]), detach=keep)
    steps = (story.setup, story.pushes, story.transfer, story.lost_pupil, story.dual_registration)
    try:
        for step in steps:
            step()
        for final in (uln, census, audit):
            final(story)
    except BaseException:
        zone.stop()
        raise
    if keep:
        _explain(console, zone, story)
        return
    zone.stop()
    console.print(
        "\nThe zone and the LRS simulator have stopped; `sif demo --keep` leaves them running."
    )


def _explain(console: Console, zone: DemoZone, story: Story) -> None:
    tokens = zone.folder / "tokens.env"
    tokens.write_text("".join(f"{party}={token}\n" for party, token in zone.tokens.items()))
    tokens.chmod(0o600)
    pids = " ".join(str(p.pid) for p in zone.processes.values() if p.poll() is None)
    server = zone.url.split("/api/")[0]
    la, school = zone.tokens[story.la.party_id], zone.tokens[story.a.party_id]
    console.print()
    console.print(Rule("The zone is still running: explore it", align="left"))
    console.print(
        f"Zone {zone.url}\nFolder {zone.folder} (tokens in {tokens.name})\n\n"
        f"With sif, as a party:\n"
        f"  export SIF_ZONE_URL={zone.url}\n"
        f"  SIF_AGENT_TOKEN={la} sif census list\n"
        f"  SIF_AGENT_TOKEN={la} sif lost-pupils search\n"
        f"  SIF_AGENT_TOKEN={school} sif transfer --list\n"
        f"  SIF_AGENT_TOKEN={school} sif uln reviews\n\n"
        f"With HTTP:\n"
        f"  curl -H 'Authorization: Bearer {zone.tokens['dfe']}' "
        f"'{zone.url}/funding-summary?collection=Spring%20census'\n"
        f"  curl -H 'Authorization: Bearer {la}' {zone.url}/LearnerPersonals\n"
        f"  curl -H 'Authorization: Bearer {zone.tokens['admin']}' {zone.url}/admin/audit\n"
        f"  {server}/openapi.json describes the zone's routes\n\n"
        f"Stop it: kill {pids}; then remove {zone.folder}",
        highlight=False,
        soft_wrap=True,
    )
