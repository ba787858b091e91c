"""Who is calling: Bearer tokens and SIF_HMACSHA256, checked in constant time.

``Authorization: Bearer <token>``: the token as ``sif zone init`` printed it.

``Authorization: SIF_HMACSHA256 <base64(party-id ":" signature)>`` with a ``timestamp`` header
(ISO 8601, e.g. ``2025-01-31T09:00:00Z``), where ``signature`` is
``base64(HMAC-SHA256(key, party-id ":" timestamp))`` and ``key`` is the 32-byte SHA-256 digest
of the party's token. A timestamp further than ``hmac_max_age_seconds`` from the server's clock
(either way) is refused, which bounds how long a captured header can be replayed.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping

from zone_server.acl import AccessPolicy, Party

__all__ = ["Authenticator", "Unauthorized", "hmac_authorization"]


class Unauthorized(Exception):  # noqa: N818 - named for the HTTP status it becomes
    """No valid credentials; the message says what was wrong (never echoing a secret)."""


def hmac_authorization(party_id: str, token: str, timestamp: str) -> str:
    """The ``Authorization`` header value a client sends for SIF_HMACSHA256."""
    key = hashlib.sha256(token.encode()).digest()
    signature = base64.b64encode(
        hmac.new(key, f"{party_id}:{timestamp}".encode(), hashlib.sha256).digest()
    ).decode()
    return "SIF_HMACSHA256 " + base64.b64encode(f"{party_id}:{signature}".encode()).decode()


class Authenticator:
    """Finds the party behind a request's ``Authorization`` header."""

    def __init__(
        self,
        policy: AccessPolicy,
        *,
        max_age_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._policy = policy
        self._max_age = max_age_seconds
        self._clock = clock
        # Tokens proven against a slow (scrypt) hash, by their SHA-256, so each costs one scrypt.
        self._proven: dict[bytes, str] = {}

    def authenticate(self, headers: Mapping[str, str]) -> Party:
        """The calling party, or :class:`Unauthorized`."""
        authorization = headers.get("authorization", "")
        scheme, _, credentials = authorization.partition(" ")
        credentials = credentials.strip()
        if scheme.lower() == "bearer" and credentials:
            return self._bearer(credentials)
        if scheme.upper() == "SIF_HMACSHA256" and credentials:
            return self._hmac(credentials, headers.get("timestamp", ""))
        raise Unauthorized(
            "send 'Authorization: Bearer <token>' or 'Authorization: SIF_HMACSHA256 ...' with a "
            "timestamp header"
        )

    def _bearer(self, token: str) -> Party:
        fingerprint = hashlib.sha256(token.encode()).digest()
        proven = self._proven.get(fingerprint)
        if proven is not None:
            return self._policy.parties[proven]
        party_id, dot, _ = token.partition(".")
        named = self._policy.parties.get(party_id) if dot else None
        candidates = [named] if named is not None else list(self._policy.parties.values())
        found: Party | None = None
        for party in candidates:
            # A token without its party prefix is only tried against fast hashes: one request
            # must never cost a scrypt per party.
            if party.token.scheme != "sha256" and party is not named:
                continue
            if party.token.matches(token):
                found = party
        if found is None:
            raise Unauthorized("the token is not valid for this zone server")
        if found.token.scheme != "sha256":
            self._proven[fingerprint] = found.id
        return found

    def _hmac(self, credentials: str, timestamp: str) -> Party:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized("SIF_HMACSHA256 credentials are not base64") from None
        party_id, colon, signature = decoded.partition(":")
        party = self._policy.parties.get(party_id)
        key = party.token.hmac_key if party is not None else None
        if not colon or party is None or key is None:
            raise Unauthorized("SIF_HMACSHA256 is not possible for this party")
        self._check_timestamp(timestamp)
        expected = base64.b64encode(
            hmac.new(key, f"{party_id}:{timestamp}".encode(), hashlib.sha256).digest()
        ).decode()
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise Unauthorized("the SIF_HMACSHA256 signature does not match")
        return party

    def _check_timestamp(self, timestamp: str) -> None:
        try:
            moment = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
        except ValueError:
            raise Unauthorized(
                "SIF_HMACSHA256 needs a timestamp header in ISO 8601 (2025-01-31T09:00:00Z)"
            ) from None
        if moment.tzinfo is None:
            raise Unauthorized("the timestamp header needs a time zone (end it with Z)")
        age = abs(self._clock() - moment.timestamp())
        if age > self._max_age:
            raise Unauthorized(
                f"the timestamp is {age:.0f} s away from the server's clock; the limit is "
                f"{self._max_age} s (check the client's clock)"
            )
