"""A real zone for the agent tests: two synthetic schools, their LA and a ULN service, on a real
port (``sif zone serve`` in a subprocess, started by the zone tests' helper)."""

from __future__ import annotations

from pathlib import Path

from sif_core.client import RetryPolicy, ZoneClient
from sif_core.testing import Synth
from tests.zone.server import ZoneServer
from zone_server.tokens import hash_token

PARTIES = ("school-a", "school-b", "la", "lrs")
TOKENS = {party: f"{party}.agent-test-token-{party}-0123456789" for party in PARTIES}


def zone_text(synth: Synth, *, max_body_bytes: int, lease_seconds: float) -> str:
    """Two schools of ``synth`` (A and B), their LA, and an LRS connector providing ``uln``."""
    school_a, school_b = synth.schools[0], synth.schools[1]
    la = synth.la_of(school_a).la_id
    hashes = {party: hash_token(token) for party, token in TOKENS.items()}

    def school(party: str, laestab: str, name: str) -> str:
        return f'''
[[parties]]
id = "{party}"
name = "{name}"
kind = "school"
la = "{laestab[:3]}"
establishment = "{laestab[3:]}"
token_hash = "{hashes[party]}"
[parties.rights]
"*" = ["provide", "query"]
[parties.services]
uln = ["create"]
'''

    return (
        f"""
[server]
storage = "sqlite:zone.db"
lease_seconds = {lease_seconds}
max_body_bytes = {max_body_bytes}
max_wait_seconds = 5
hmac_max_age_seconds = 300
default_page_size = 100

[[zones]]
id = "north"
name = "Agent tests"
"""
        + school("school-a", school_a.laestab, "School A")
        + school("school-b", school_b.laestab, "School B")
        + f'''
[[parties]]
id = "la"
name = "The LA"
kind = "la"
la = "{la}"
token_hash = "{hashes["la"]}"
[parties.rights]
"*" = ["subscribe", "query"]

[[parties]]
id = "lrs"
name = "LRS connector"
kind = "service"
token_hash = "{hashes["lrs"]}"
services = {{ uln = ["provide"] }}
'''
    )


class AgentZone(ZoneServer):
    """The tests' zone server, with the parties of :func:`zone_text` instead of the zone
    tests' own."""

    def __init__(
        self,
        folder: Path,
        synth: Synth,
        *,
        max_body_bytes: int = 1_048_576,
        lease_seconds: float = 60,
    ) -> None:
        super().__init__(folder)
        text = zone_text(synth, max_body_bytes=max_body_bytes, lease_seconds=lease_seconds)
        self.config.write_text(text, encoding="utf-8")

    @property
    def zone_url(self) -> str:
        return f"{self.url}/api/zones/north"

    def party(self, party: str, *, attempts: int = 3, hmac: bool = False) -> ZoneClient:
        """A client of ``party``; retries are quick in tests."""
        retry = RetryPolicy(attempts=attempts, first_delay=0.05, max_delay=0.2)
        return ZoneClient(
            self.zone_url, TOKENS[party], retry=retry, hmac_party=party if hmac else None
        )
