"""Party tokens: generated once, stored only as hashes, compared in constant time.

A token looks like ``northgate.Q2x...`` : the party id, a dot, and 43 characters of a 256-bit
random secret. The zone file keeps one of two hash forms:

- ``sha256:<64 hex>``: right for generated tokens (a 256-bit secret cannot be guessed, so a fast
  hash loses nothing) and the only form that allows SIF_HMACSHA256, whose key is the SHA-256
  digest of the token (so whoever reads the zone file could sign HMAC requests: keep it private).
- ``scrypt:<log2 n>:<r>:<p>:<salt hex>:<hash hex>``: for a token a person chose.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Final

__all__ = [
    "TokenHash",
    "hash_token",
    "new_token",
    "parse_token_hash",
]

_SHA256 = re.compile(r"^sha256:([0-9a-f]{64})$")
_SCRYPT = re.compile(
    r"^scrypt:([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}):([0-9a-f]{16,64}):([0-9a-f]{64})$"
)
_SCRYPT_MAXMEM: Final = 256 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class TokenHash:
    """A stored token hash; :meth:`matches` checks a presented token in constant time."""

    scheme: str
    digest: bytes
    salt: bytes = b""
    log2_n: int = 0
    r: int = 0
    p: int = 0

    def matches(self, token: str) -> bool:
        """True when ``token`` is the token this hash was made from."""
        return hmac.compare_digest(self._derive(token), self.digest)

    @property
    def hmac_key(self) -> bytes | None:
        """The SIF_HMACSHA256 key (the token's SHA-256 digest), or ``None`` for scrypt."""
        return self.digest if self.scheme == "sha256" else None

    def _derive(self, token: str) -> bytes:
        data = token.encode()
        if self.scheme == "sha256":
            return hashlib.sha256(data).digest()
        return hashlib.scrypt(
            data,
            salt=self.salt,
            n=2**self.log2_n,
            r=self.r,
            p=self.p,
            dklen=32,
            maxmem=_SCRYPT_MAXMEM,
        )


def parse_token_hash(text: str) -> TokenHash:
    """Read a stored hash (``sha256:...`` or ``scrypt:...``); ``ValueError`` says what is wrong."""
    if match := _SHA256.match(text):
        return TokenHash("sha256", bytes.fromhex(match.group(1)))
    if match := _SCRYPT.match(text):
        log2_n, r, p = (int(match.group(i)) for i in (1, 2, 3))
        if not (10 <= log2_n <= 20 and 1 <= r <= 32 and 1 <= p <= 16):
            raise ValueError("scrypt parameters out of range (log2 n 10-20, r 1-32, p 1-16)")
        return TokenHash(
            "scrypt", bytes.fromhex(match.group(5)), bytes.fromhex(match.group(4)), log2_n, r, p
        )
    raise ValueError(
        "a token hash is 'sha256:<64 hex digits>' or 'scrypt:<log2 n>:<r>:<p>:<salt>:<hash>'; "
        "never put the token itself in the zone file (make a hash with `sif zone hash-token`)"
    )


def hash_token(token: str, *, scheme: str = "sha256") -> str:
    """The stored form of ``token``: ``sha256:...`` (default) or ``scrypt:...``."""
    if scheme == "sha256":
        return "sha256:" + hashlib.sha256(token.encode()).hexdigest()
    if scheme == "scrypt":
        salt = secrets.token_bytes(16)
        digest = hashlib.scrypt(
            token.encode(), salt=salt, n=2**15, r=8, p=1, dklen=32, maxmem=_SCRYPT_MAXMEM
        )
        return f"scrypt:15:8:1:{salt.hex()}:{digest.hex()}"
    raise ValueError(f"unknown token hash scheme {scheme!r}; use sha256 or scrypt")


def new_token(party_id: str) -> str:
    """A fresh token for ``party_id``: the id, a dot and a 256-bit random secret."""
    return f"{party_id}.{secrets.token_urlsafe(32)}"
