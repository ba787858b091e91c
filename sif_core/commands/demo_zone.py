"""The running parts of ``sif demo``'s zone: a zone server and an LRS simulator, each started as
``sif ...`` in its own process (the zone plugin and the LRS plugin provide those commands;
sif_core imports neither), and the parties that talk to them.

Everything lives in one temporary folder: the zone file, the zone's SQLite store and log, each
school's MIS exports and what each party's pull agent wrote.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

import click
import requests

from sif_core.adapter import AdapterSpec, WriteContext
from sif_core.agent_pull import PullSettings, PullWriter
from sif_core.agent_push import PushReport, PushSettings, push
from sif_core.changes import Snapshot
from sif_core.client import ZoneClient
from sif_core.model import SchoolInfo, SIFObject
from sif_core.plugins import get_plugin_host

__all__ = ["DemoParty", "DemoZone", "sif_command"]

ZONE_ID: Final = "demo"
_STARTUP_SECONDS: Final = 30.0


def sif_command() -> list[str]:
    """How to run ``sif`` with this interpreter."""
    script = Path(sys.executable).parent / "sif"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from sif_core.cli import main; main()"]


def missing_plugins() -> list[str]:
    """Commands the zone walk-through needs that no installed plugin provides."""
    group = click.Group()
    get_plugin_host().register_commands(group)
    return [name for name in ("zone", "lrs") if name not in group.commands]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class DemoParty:
    """A party of the demo zone, with its token and a client."""

    party_id: str
    label: str
    token: str
    client: ZoneClient
    school: SchoolInfo | None = None
    adapter: AdapterSpec | None = None
    write_options: dict[str, str] = field(default_factory=dict)

    def drain(self) -> list[Any]:
        """Lease and acknowledge everything waiting (what this party received)."""
        messages: list[Any] = []
        while batch := self.client.lease(max_messages=500):
            self.client.ack(m.message_id for m in batch)
            messages += batch
        return messages

    @staticmethod
    def received(messages: list[Any]) -> str:
        """``3 change events (LearnerPersonal), 1 census request`` or ``nothing``."""
        counts: Counter[str] = Counter()
        for message in messages:
            if message.event is not None:
                counts[f"{message.event.action} {message.event.object_type}"] += 1
            elif message.request is not None:
                counts[f"{message.request.service} request"] += 1
            elif message.response is not None:
                counts[f"{message.response.service} response"] += 1
        if not counts:
            return "nothing"
        return ", ".join(f"{n} {what}" for what, n in sorted(counts.items()))


class DemoZone:
    """The demo's zone server and LRS simulator, in ``folder``."""

    def __init__(self, folder: Path, *, la: str, schools: list[SchoolInfo]) -> None:
        self.folder = folder
        self.la = la
        self.schools = schools
        self.tokens = {party: f"{party}.{secrets.token_urlsafe(32)}" for party in self._ids()}
        self.port = _free_port()
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.lrs_url = ""
        self._detach = False

    def _ids(self) -> list[str]:
        schools = [f"school-{school.laestab}" for school in self.schools]
        return [*schools, f"la-{self.la}", "dfe", "lrs", "admin"]

    @property
    def url(self) -> str:
        """The zone's API address."""
        return f"http://127.0.0.1:{self.port}/api/zones/{ZONE_ID}"

    def party(self, party_id: str, label: str) -> DemoParty:
        """A client of the zone as ``party_id``."""
        return DemoParty(
            party_id, label, self.tokens[party_id], ZoneClient(self.url, self.tokens[party_id])
        )

    def zone_file(self) -> str:
        """The zone file: the schools, their LA, the DfE, the LRS connector, an administrator."""
        hashes = {
            party: "sha256:" + hashlib.sha256(token.encode()).hexdigest()
            for party, token in self.tokens.items()
        }
        text = (
            '[server]\nstorage = "sqlite:zone.db"\nmax_wait_seconds = 5\n\n'
            f'[[zones]]\nid = "{ZONE_ID}"\nname = "sifbridge demo zone"\n'
        )
        for school in self.schools:
            party = f"school-{school.laestab}"
            name = json.dumps(school.school_name)  # a JSON string is a TOML basic string
            text += (
                f'\n[[parties]]\nid = "{party}"\nname = {name}\n'
                f'kind = "school"\nla = "{school.la_id}"\n'
                f'establishment = "{school.establishment_id}"\ntoken_hash = "{hashes[party]}"\n'
                '[parties.rights]\n"*" = ["provide", "query"]\n'
                '[parties.services]\nuln = ["create"]\n'
            )
        la = f"la-{self.la}"
        text += (
            f'\n[[parties]]\nid = "{la}"\nname = "Local authority {self.la}"\nkind = "la"\n'
            f'la = "{self.la}"\ntoken_hash = "{hashes[la]}"\n'
            '[parties.rights]\n"*" = ["subscribe", "query"]\n'
            '\n[[parties]]\nid = "dfe"\nname = "Department for Education"\nkind = "dfe"\n'
            f'token_hash = "{hashes["dfe"]}"\n[parties.rights]\n"*" = ["query"]\n'
            '\n[[parties]]\nid = "lrs"\nname = "LRS connector"\nkind = "service"\n'
            f'token_hash = "{hashes["lrs"]}"\nservices = {{ uln = ["provide"] }}\n'
            '\n[[parties]]\nid = "admin"\nname = "Zone administrator"\nkind = "app"\n'
            f'token_hash = "{hashes["admin"]}"\n[parties.rights]\n"*" = ["admin"]\n'
        )
        return text

    def start(self, *, known_learners: list[dict[str, str]], detach: bool) -> None:
        """Start the zone server and the LRS simulator; ``detach`` lets them outlive the demo."""
        self._detach = detach
        config = self.folder / "zone.toml"
        config.write_text(self.zone_file(), encoding="utf-8")
        config.chmod(0o600)
        for _ in range(3):
            if self._start_zone(config):
                break
            self.port = _free_port()
        else:
            raise click.ClickException(f"the zone could not bind a port; see {self._log('zone')}")
        known = self.folder / "lrs-known-learners.json"
        known.write_text(json.dumps(known_learners), encoding="utf-8")
        simulator = self._spawn(
            "lrs-simulator", ["lrs", "simulator", "--port", "0", "--known", str(known)], pipe=True
        )
        assert simulator.stdout is not None
        line = simulator.stdout.readline().decode().strip()
        if " at " not in line:
            raise click.ClickException(f"the LRS simulator did not start: {line or 'no output'}")
        self.lrs_url = line.rsplit(" at ", 1)[1]

    def _log(self, name: str) -> Path:
        return self.folder / f"{name}.log"

    def _spawn(self, name: str, args: list[str], *, pipe: bool = False) -> subprocess.Popen[bytes]:
        log: IO[bytes]
        with self._log(name).open("ab") as log:
            process = subprocess.Popen(  # noqa: S603 - our own command, no shell
                [*sif_command(), *args],
                stdout=subprocess.PIPE if pipe else log,
                stderr=log,
                cwd=self.folder,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                start_new_session=self._detach,
            )
        self.processes[name] = process
        return process

    def _start_zone(self, config: Path) -> bool:
        offset = self._log("zone").stat().st_size if self._log("zone").exists() else 0
        process = self._spawn(
            "zone", ["zone", "serve", "--config", str(config), "--port", str(self.port)]
        )
        deadline = time.monotonic() + _STARTUP_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                said = self._log("zone").read_text(errors="replace")[offset:]
                if "address already in use" in said:
                    return False
                raise click.ClickException(f"the zone server stopped: {said[-2000:]}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).ok:
                    return True
            time.sleep(0.1)
        raise click.ClickException(f"the zone did not start within {_STARTUP_SECONDS:g} s")

    def run_connector(self) -> str:
        """Run the LRS connector once through its queue (``sif lrs serve``); its summary."""
        finished = subprocess.run(  # noqa: S603 - our own command, no shell
            [
                *sif_command(), "lrs", "serve", "--zone", self.url, "--lrs-url", self.lrs_url,
                "--ukprn", "10000001", "--user", "sifbridge-demo",
            ],
            env={**os.environ, "SIF_AGENT_TOKEN": self.tokens["lrs"], "SIF_LRS_PASSWORD": "demo"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )  # fmt: skip
        if finished.returncode != 0:
            raise click.ClickException(f"sif lrs serve failed: {finished.stderr[-2000:]}")
        return finished.stdout.strip()

    def stop(self) -> None:
        """Stop both processes and remove the folder."""
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            if process.stdout is not None:
                process.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def push(
        self,
        party: DemoParty,
        objects: list[SIFObject],
        *,
        read_from: str,
        adapter: AdapterSpec | None = None,
        options: dict[str, str] | None = None,
        write_to: str | None = None,
        types: frozenset[str] | None = None,
    ) -> PushReport:
        """Write ``party``'s MIS export through ``adapter`` (its own by default) and push what
        changed since that export was last pushed.

        The adapter writes into a folder, or into the file ``write_to`` there; the agent reads
        the file ``read_from`` of it back, as it would read the MIS's export.
        """
        adapter = adapter or party.adapter
        assert adapter is not None
        assert adapter.write is not None
        assert party.school is not None
        chosen = dict(party.write_options if options is None else options)
        folder = self.folder / "exports" / f"{party.party_id}-{adapter.name}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        target = folder / write_to if write_to else folder
        adapter.write(objects, target, WriteContext(options=chosen))
        source = f"{party.school.laestab}/{adapter.name}"
        settings = PushSettings(
            adapter=adapter,
            input=folder / read_from,
            source_system=source,
            options=chosen,
            object_types=types,
        )
        state = self.folder / "agents" / f"{party.party_id}-{adapter.name}.snapshot"
        identity = {"zone": self.url, "adapter": adapter.name, "source": source}
        with Snapshot(state, identity) as snapshot:
            return push(settings, client=party.client, snapshot=snapshot)

    def pull(self, party: DemoParty, adapter: AdapterSpec, options: dict[str, str]) -> list[str]:
        """Pull ``party``'s queue through ``adapter`` into its inbox; the files written."""
        inbox = self.folder / "inbox" / party.party_id
        settings = PullSettings(
            adapter=adapter,
            out=inbox,
            options=options,
            file_name="" if adapter.name == "ctf" else None,
        )
        written: list[str] = []
        writer = PullWriter(party.client, settings, say=written.append)
        try:
            while writer.poll(0):
                pass
        finally:
            writer.close()
        return written
