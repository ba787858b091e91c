"""Authentication: Bearer tokens against stored hashes, and SIF_HMACSHA256 with its time limit."""

from __future__ import annotations

import datetime as dt

import pytest

from zone_server.acl import AccessPolicy
from zone_server.auth import Authenticator, Unauthorized, hmac_authorization
from zone_server.config import parse_zone_file
from zone_server.tokens import hash_token

from .zonefile import TOKENS

NOW = dt.datetime(2025, 1, 31, 9, 0, 0, tzinfo=dt.UTC)


def _authenticator(policy: AccessPolicy) -> Authenticator:
    return Authenticator(policy, max_age_seconds=300, clock=NOW.timestamp)


def test_each_bearer_token_finds_its_own_party(policy: AccessPolicy) -> None:
    auth = _authenticator(policy)
    for party, token in TOKENS.items():
        assert auth.authenticate({"authorization": f"Bearer {token}"}).id == party


def test_a_token_without_its_party_prefix_still_finds_a_sha256_party(policy: AccessPolicy) -> None:
    zone = parse_zone_file(
        f'''[[zones]]
id = "north"
name = "North"
[[parties]]
id = "app"
name = "App"
kind = "app"
token_hash = "{hash_token("plain-secret-without-prefix")}"
'''
    )
    auth = _authenticator(AccessPolicy(zone))
    assert auth.authenticate({"authorization": "Bearer plain-secret-without-prefix"}).id == "app"


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer northgate.wrong",
        f"Basic {TOKENS['northgate']}",
        "Bearer nobody.test-token",
    ],
)
def test_missing_or_wrong_credentials_are_unauthorized(policy: AccessPolicy, header: str) -> None:
    with pytest.raises(Unauthorized):
        _authenticator(policy).authenticate({"authorization": header})


def test_a_scrypt_token_is_accepted_with_its_party_prefix_only() -> None:
    token = "person.chosen words of a person"
    zone = parse_zone_file(
        f'''[[zones]]
id = "north"
name = "North"
[[parties]]
id = "person"
name = "P"
kind = "app"
token_hash = "{hash_token(token, scheme="scrypt")}"
'''
    )
    auth = _authenticator(AccessPolicy(zone))
    assert auth.authenticate({"authorization": f"Bearer {token}"}).id == "person"
    assert auth.authenticate({"authorization": f"Bearer {token}"}).id == "person"  # remembered
    with pytest.raises(Unauthorized):
        auth.authenticate({"authorization": "Bearer chosen words of a person"})
    stamp = "2025-01-31T09:00:00Z"
    signed = {"authorization": hmac_authorization("person", token, stamp), "timestamp": stamp}
    with pytest.raises(Unauthorized, match="not possible for this party"):
        auth.authenticate(signed)


@pytest.mark.parametrize(
    ("offset", "accepted"), [(0, True), (-299, True), (299, True), (-301, False), (301, False)]
)
def test_an_hmac_timestamp_must_be_within_the_maximum_age_either_way(
    policy: AccessPolicy, offset: int, accepted: bool
) -> None:
    stamp = (NOW + dt.timedelta(seconds=offset)).isoformat().replace("+00:00", "Z")
    headers = {
        "authorization": hmac_authorization("northgate", TOKENS["northgate"], stamp),
        "timestamp": stamp,
    }
    auth = _authenticator(policy)
    if accepted:
        assert auth.authenticate(headers).id == "northgate"
    else:
        with pytest.raises(Unauthorized, match="limit is 300 s"):
            auth.authenticate(headers)


def test_an_hmac_signed_for_another_timestamp_or_without_a_zone_is_refused(
    policy: AccessPolicy,
) -> None:
    auth = _authenticator(policy)
    signed = hmac_authorization("northgate", TOKENS["northgate"], "2025-01-31T09:00:00Z")
    with pytest.raises(Unauthorized, match="does not match"):
        auth.authenticate({"authorization": signed, "timestamp": "2025-01-31T09:00:01Z"})
    naive = hmac_authorization("northgate", TOKENS["northgate"], "2025-01-31T09:00:00")
    with pytest.raises(Unauthorized, match="time zone"):
        auth.authenticate({"authorization": naive, "timestamp": "2025-01-31T09:00:00"})
    with pytest.raises(Unauthorized, match="not base64"):
        auth.authenticate({"authorization": "SIF_HMACSHA256 %%%", "timestamp": "x"})
