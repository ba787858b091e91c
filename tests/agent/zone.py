"""A real zone for the agent tests: two synthetic schools, their LA and a ULN service, on a real
port (``sif zone serve`` in a subprocess, started by the zone tests' helper)."""

from __future__ import annotations

from pathlib import Path

from sif_core.client import RetryPolicy, ZoneClient
from sif_core.testing import Synth
from tests.zone.server import ZoneServer
from tests.zone.zonefile import local_authority, school, server, uln_provider, zone_file, zones

PARTIES = ("school-a", "school-b", "la", "lrs")
TOKENS = {party: f"{party}.agent-test-token-{party}-0123456789" for party in PARTIES}


def zone_text(synth: Synth, *, max_body_bytes: int, lease_seconds: float) -> str:
    """Two schools of ``synth`` (A and B), their LA, and an LRS connector providing ``uln``."""
    school_a, school_b = synth.schools[0], synth.schools[1]
    return zone_file(
        server(
            storage="sqlite:zone.db",
            lease_seconds=lease_seconds,
            max_body_bytes=max_body_bytes,
            max_wait_seconds=5,
            hmac_max_age_seconds=300,
            default_page_size=100,
        ),
        zones("north", "Agent tests"),
        school("school-a", school_a.laestab, "School A", TOKENS["school-a"]),
        school("school-b", school_b.laestab, "School B", TOKENS["school-b"]),
        local_authority("la", synth.la_of(school_a).la_id, "The LA", TOKENS["la"]),
        uln_provider("lrs", "LRS connector", TOKENS["lrs"]),
    )


class AgentZone(ZoneServer):
    """The tests' zone server, with the parties of :func:`zone_text`."""

    def __init__(
        self,
        folder: Path,
        synth: Synth,
        *,
        max_body_bytes: int = 1_048_576,
        lease_seconds: float = 60,
    ) -> None:
        text = zone_text(synth, max_body_bytes=max_body_bytes, lease_seconds=lease_seconds)
        super().__init__(folder, text=text, tokens=TOKENS)

    @property
    def zone_url(self) -> str:
        return f"{self.url}/api/zones/north"

    def party(self, party: str, *, attempts: int = 3, hmac: bool = False) -> ZoneClient:
        """A client of ``party``; retries are quick in tests."""
        retry = RetryPolicy(attempts=attempts, first_delay=0.05, max_delay=0.2)
        return ZoneClient(
            self.zone_url, TOKENS[party], retry=retry, hmac_party=party if hmac else None
        )
