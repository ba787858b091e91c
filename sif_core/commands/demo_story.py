"""The zone half of ``sif demo``, first part: the parties, their pushes, a transfer, a lost
pupil and its claim, and dual registration kept in step (:mod:`demo_returns` has the rest).

Two synthetic schools of one LA push their MIS exports: a secondary school on SIMS
CommandReporter XML, a pupil referral unit on a mapped CSV. After each step the demo says what
each party received. Names, UPNs and an address are shown; ethnicity, SEN needs, medical and
other special category data never are.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from rich.console import Console
from rich.rule import Rule

from sif_core.agent_push import PushReport
from sif_core.commands.demo_zone import DemoParty, DemoZone
from sif_core.errors import ZoneError
from sif_core.model import (
    Address,
    EnrolmentStatus,
    LearnerPersonal,
    LearnerSchoolEnrolment,
    PhoneNumber,
    PhoneType,
    SIFObject,
    deterministic_refid,
)
from sif_core.plugins import get_plugin_host
from sif_core.testing import Synth

__all__ = ["HISTORY_TYPES", "Story", "name_of"]

#: What school A's SIMS report does not carry; its agent pushes them from a SIF export.
HISTORY_TYPES: Final = frozenset(
    {"LearnerFSMHistory", "LearnerSENHistory", "LearnerAttendanceSummary"}
)


def name_of(pupil: LearnerPersonal) -> str:
    """``Given Family (UPN ...)``."""
    legal = pupil.legal_name
    return f"{legal.given_name} {legal.family_name} (UPN {pupil.upn})"


def _home_phone(pupil: LearnerPersonal, number: str) -> LearnerPersonal:
    return pupil.model_copy(
        update={"phone_numbers": [PhoneNumber(type=PhoneType.HOME, number=number)]}
    )


class Story:
    """The demo's parties and the steps they take."""

    def __init__(self, console: Console, synth: Synth, zone: DemoZone) -> None:
        self.console = console
        self.synth = synth
        self.zone = zone
        host = get_plugin_host()
        main_school, pru = synth.schools[0], synth.schools[1]
        self.pupils_a = list(synth.iter_pupils(main_school))
        self.pupils_b = list(synth.iter_pupils(pru))
        self.a = zone.party(f"school-{main_school.laestab}", main_school.school_name)
        self.a.school, self.a.adapter = main_school, host.adapter("sims")
        self.a.write_options = {"format": "sims-xml"}
        self.b = zone.party(f"school-{pru.laestab}", pru.school_name)
        self.b.school, self.b.adapter = pru, host.adapter("csvmap")
        self.la = zone.party(f"la-{zone.la}", f"LA {zone.la}")
        self.dfe = zone.party("dfe", "The DfE")
        self.admin = zone.party("admin", "The administrator")
        everything_a = list(synth.iter_objects(main_school))
        self.objects_a = [o for o in everything_a if o.object_name not in HISTORY_TYPES]
        self.histories_a = [o for o in everything_a if o.object_name in HISTORY_TYPES]
        self.objects_b = [o for o in synth.iter_objects(pru) if o.object_name not in HISTORY_TYPES]
        subsidiary = EnrolmentStatus.S
        dual = {
            p.learner.upn for p in self.pupils_b if p.enrolments[0].membership_type is subsidiary
        }
        self.dual_a = [p for p in self.pupils_a if p.learner.upn in dual]
        self.single_a = [p for p in self.pupils_a if p.learner.upn not in dual]

    # -- output ----------------------------------------------------------------------------

    def step(self, title: str) -> None:
        """Start a numbered step."""
        self.console.print()
        self.console.print(Rule(title, align="left"))

    def say(self, text: str) -> None:
        """One line of the story."""
        self.console.print(text, highlight=False)

    def received(self, *parties: DemoParty) -> None:
        """Drain each party's queue and say what was on it."""
        for party in parties:
            said = party.received(party.drain())
            self.say(f"  {party.label} ({party.party_id}) received: {said}")

    def call(self, party: DemoParty, method: str, path: str, **kwargs: Any) -> Any:
        """Call a workflow route as ``party``."""
        return party.client.call_json(method, path, **kwargs)

    # -- the schools' agents ---------------------------------------------------------------

    def push_a(self, *changed: SIFObject) -> PushReport:
        """Push school A's SIMS export, with ``changed`` objects in place of the old ones."""
        replace = {o.ref_id: o for o in changed}
        self.objects_a = [replace.get(o.ref_id, o) for o in self.objects_a]
        return self.zone.push(self.a, self.objects_a, read_from="StudentDetails.xml")

    def push_b(self, *changed: SIFObject) -> PushReport:
        """Push school B's CSV export, with ``changed`` objects in place of the old ones."""
        replace = {o.ref_id: o for o in changed}
        self.objects_b = [replace.get(o.ref_id, o) for o in self.objects_b]
        return self.zone.push(self.b, self.objects_b, read_from="pupils.csv")

    def pull_b_as_ctf(self) -> str:
        """School B's pull agent, writing what arrived as a CTF (its MIS imports CTFs)."""
        assert self.b.school is not None
        options = {"dest_la": self.b.school.la_id, "dest_estab": self.b.school.establishment_id}
        return ", ".join(self.zone.pull(self.b, get_plugin_host().adapter("ctf"), options))

    # -- the steps -------------------------------------------------------------------------

    def setup(self) -> None:
        """5: who is in the zone."""
        self.step("5. A zone: two schools, their LA, the DfE and the LRS connector")
        self.say(f"  A zone server (SQLite in {self.zone.folder}) at {self.zone.url}")
        self.say(f"  {self.a.label}: its MIS exports SIMS CommandReporter XML (adapter sims)")
        self.say(f"  {self.b.label}: its MIS exports a mapped CSV (adapter csvmap)")
        self.say(f"  {self.la.label}, the DfE, and the LRS connector, which asks an LRS")
        self.say(f"  simulator (not the real LRS) at {self.zone.lrs_url}")

    def pushes(self) -> None:
        """6: both schools push; the LA receives; nobody else does."""
        self.step("6. Each school's agent pushes its MIS export")
        for party, report in ((self.a, self.push_a()), (self.b, self.push_b())):
            adapter = party.adapter.name if party.adapter else "?"
            read = sum(report.read.values())
            self.say(f"  {party.label}: read {read} objects ({adapter}), {report.events} events")
        histories = self.zone.push(
            self.a,
            self.histories_a,
            adapter=get_plugin_host().adapter("sifxml"),
            options={},
            write_to="histories.xml",
            read_from="histories.xml",
            types=HISTORY_TYPES,
        )
        self.say(
            f"  {self.a.label}'s report has no FSM, SEN or attendance: its agent pushes them "
            f"from a SIF export too, {histories.events} events"
        )
        self.received(self.la, self.dfe, self.a, self.b)
        self.say("  The LA subscribes to its schools' data; the DfE gets approved census returns")
        self.say("  only; neither school sees anything of the other's.")
        links = self.call(self.la, "GET", "/dual-registrations")["dualRegistrations"]
        self.say(
            f"  Dual registrations the zone linked (one UPN, main and subsidiary): {len(links)}"
        )

    def transfer(self) -> None:
        """7: a transfer, written as a CTF at the new school, complete on acknowledgement."""
        self.step("7. A pupil moves school: the record goes by itself")
        pupil = self.single_a[0].learner
        assert self.b.school is not None
        body = {"upn": pupil.upn, "to": self.b.school.laestab}
        started = self.call(self.a, "POST", "/transfers", body=body)
        self.say(f"  {self.a.label} transfers {name_of(pupil)} to {self.b.label}:")
        self.say(f"  {started['objects']} objects, {started['status']}")
        self.say(f"  {self.b.label}'s MIS imports CTFs; its pull agent {self.pull_b_as_ctf()}")
        status = self.call(self.a, "GET", f"/transfers/{started['transferId']}")
        self.say(f"  Acknowledged, so {self.a.label} sees the transfer {status['status']}")
        self.received(self.la)

    def lost_pupil(self) -> None:
        """8: a transfer to MMM, found by the LA, claimed by the school that enrols the pupil."""
        self.step("8. A pupil leaves for an unknown school: the lost-pupils area")
        pupil = self.single_a[1].learner
        started = self.call(self.a, "POST", "/transfers", body={"upn": pupil.upn, "to": "MMM"})
        self.say(f"  {self.a.label} sends {name_of(pupil)} to MMM: {started['status']};")
        self.say("  no school receives it")
        params = {"upn": str(pupil.upn)}
        found = self.call(self.la, "GET", "/lost-pupils", params=params)["lostPupils"]
        self.say(f"  {self.la.label} searches the lost-pupils area: {len(found)} record found")
        try:
            self.call(self.b, "POST", "/lost-pupils/claims", body={"upn": pupil.upn})
        except ZoneError as error:
            self.say(f"  {self.b.label} claims it before enrolling the pupil: refused (403)")
            self.say(f"    {str(error).split(':')[0]}")
        assert self.b.school is not None
        arrived = pupil.model_copy(
            update={
                "ref_id": deterministic_refid("demo", "LearnerPersonal", str(pupil.upn)),
                "local_id": "NEW001",
            }
        )
        enrolment = LearnerSchoolEnrolment(
            ref_id=deterministic_refid("demo", "LearnerSchoolEnrolment", str(pupil.upn)),
            learner_personal_ref_id=arrived.ref_id,
            school_info_ref_id=self.b.school.ref_id,
            membership_type=EnrolmentStatus.C,
            entry_date=dt.date.today(),
        )
        self.objects_b = [*self.objects_b, arrived, enrolment]
        report = self.push_b()
        self.say(f"  {self.b.label} enrols the pupil; its agent pushes {report.events} events")
        claims = self.call(self.b, "POST", "/lost-pupils/claims", body={"upn": pupil.upn})
        claimed = claims["claimed"][0]
        self.say(f"  It claims the record: the transfer is {claimed['status']} to it, and")
        self.say(f"  its pull agent {self.pull_b_as_ctf()}")
        self.received(self.la)

    def dual_registration(self) -> None:
        """9: a change passed on to the other school; a conflicting change flagged."""
        self.step("9. Dual registration: one pupil, two schools' records kept in step")
        main, _ = self._pair(0)
        town = main.address.town if main.address else None
        moved = main.model_copy(
            update={
                "address": Address(paon="9", street="Harbour Road", town=town, post_code="NT9 9HR")
            }
        )
        report = self.push_a(moved)
        self.say(f"  {name_of(main)} moves house; {self.a.label} sends {report.events} change")
        for message in self.b.drain():
            event = message.event
            if event is None or event.content is None:
                continue
            address = event.content.get("Address", {})
            self.say(f"  {self.b.label} received a change of its own record {event.ref_id}")
            street = f"{address.get('PAON')} {address.get('Street')}"
            self.say(f"    from {event.publisher}: the address is now {street}")
        self.received(self.la)
        main2, sub2 = self._pair(1)
        self.push_b(_home_phone(sub2, "01632 960001"))
        got = DemoParty.received(self.a.drain())
        self.say(f"  {self.b.label} records a new phone number for {name_of(sub2)};")
        self.say(f"  {self.a.label} received: {got}")
        self.push_a(_home_phone(main2, "01632 960002"))
        self.say(f"  Minutes later {self.a.label}, not yet updated, pushes another number")
        for conflict in self.call(self.la, "GET", "/dual-registrations/conflicts")["conflicts"]:
            first, then = conflict["earlier"]["school"], conflict["later"]["school"]
            self.say(f"  Flagged for review, not passed on: {conflict['field']} changed by")
            self.say(f"    {first}, then differently by {then}")
        self.say(f"  {self.b.label} received: {DemoParty.received(self.b.drain())}")
        self.received(self.la)

    def _pair(self, index: int) -> tuple[LearnerPersonal, LearnerPersonal]:
        main = self.dual_a[index].learner
        sub = next(p.learner for p in self.pupils_b if p.learner.upn == main.upn)
        return main, sub
