"""Rights, scope and data-minimisation profiles, decided from the zone file."""

from __future__ import annotations

import pytest

from zone_server.acl import AccessPolicy, Forbidden, Profile
from zone_server.config import Right, parse_zone_file
from zone_server.wire import content_of

from .factories import learner
from .zonefile import TOKENS


def test_a_school_holding_provide_may_publish_every_action(policy: AccessPolicy) -> None:
    northgate = policy.parties["northgate"]
    for action in ("add", "change", "delete"):
        policy.require_event_right(northgate, action, "LearnerPersonal")


def test_a_party_without_the_right_is_refused_and_the_right_is_named(policy: AccessPolicy) -> None:
    transport = policy.parties["transport"]
    with pytest.raises(Forbidden) as caught:
        policy.require_event_right(transport, "add", "LearnerPersonal")
    assert caught.value.right == "create"
    assert "lacks the create right" in caught.value.message
    with pytest.raises(Forbidden) as caught:
        policy.require(transport, Right.QUERY, "LearnerSENHistory", "query")
    assert caught.value.right == "query"


def test_subscribers_are_the_parties_holding_subscribe(policy: AccessPolicy) -> None:
    names = {p.id for p in policy.subscribers("north", "LearnerPersonal")}
    assert names == {"northshire", "transport"}
    assert {p.id for p in policy.subscribers("north", "LearnerSENHistory")} == {"northshire"}


def test_an_event_reaches_only_subscribers_whose_scope_covers_the_school(
    policy: AccessPolicy,
) -> None:
    in_801 = policy.recipients("north", "LearnerPersonal", frozenset({"8012000"}), "northgate")
    assert sorted(in_801) == ["northshire", "transport"]
    in_802 = policy.recipients("north", "LearnerPersonal", frozenset({"8023000"}), "eastbay")
    assert in_802 == []
    # Directory objects are not scoped: every subscriber gets them.
    schools = policy.recipients("north", "SchoolInfo", frozenset({"8023000"}), "eastbay")
    assert sorted(schools) == ["northshire", "transport"]


def test_a_school_scope_covers_only_its_own_school_and_an_la_its_own_schools(
    policy: AccessPolicy,
) -> None:
    northgate = policy.parties["northgate"].scope
    assert northgate.covers("8012000")
    assert not northgate.covers("8012001")
    assert not northgate.covers("801")
    la = policy.parties["northshire"].scope
    assert la.covers("8012000")
    assert la.covers("8012001")
    assert la.covers("801")
    assert not la.covers("8023000")
    assert policy.parties["dfe"].scope.covers("8023000")
    assert policy.parties["lrs"].scope.is_empty


def test_the_transport_profile_removes_ethnicity_medical_flag_and_uprn_only(
    policy: AccessPolicy,
) -> None:
    pupil = learner("801", "2000", 1, "Khan", "Aisha")
    content = content_of(pupil)
    content["Address"]["UPRN"] = "100023336956"
    seen = policy.parties["transport"].minimise("LearnerPersonal", content)
    assert "Ethnicity" not in seen
    assert "EthnicitySource" not in seen
    assert "MedicalFlag" not in seen
    assert "UPRN" not in seen["Address"]
    assert seen["Address"]["PostCode"] == "NT1 2AB"
    assert seen["UPN"] == pupil.upn
    assert seen["@RefId"] == pupil.ref_id
    # The stored content is not touched, and the LA (no profile) sees everything.
    assert content["Ethnicity"] == "WBRI"
    assert policy.parties["northshire"].minimise("LearnerPersonal", content) == content


def test_a_keep_profile_leaves_only_the_listed_fields_and_the_refid() -> None:
    zone = parse_zone_file(
        """[[zones]]
id = "north"
name = "North"
[profiles.minimal]
keep = { LearnerPersonal = ["UPN", "Name.FamilyName"] }
"""
    )
    profile = Profile("minimal", zone.profiles["minimal"])
    pupil = learner("801", "2000", 1, "Khan", "Aisha")
    seen = profile.apply("LearnerPersonal", content_of(pupil))
    assert seen == {
        "@RefId": pupil.ref_id,
        "UPN": pupil.upn,
        "Name": [{"FamilyName": "Khan"}],
    }


def test_a_partys_token_matches_its_stored_hash_only(policy: AccessPolicy) -> None:
    assert policy.parties["northgate"].token.matches(TOKENS["northgate"])
    assert not policy.parties["northgate"].token.matches(TOKENS["riverside"])
