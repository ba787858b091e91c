"""A real zone server for end-to-end tests: `sif zone serve` in a subprocess on a free port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from sif_core.keepalive import fresh_after_idle_session
from sif_core.model import SIFObject
from zone_server.wire import content_of

from .zonefile import TOKENS, write_zone

SIF = str(Path(sys.executable).parent / "sif")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ZoneServer:
    """One zone server process over one folder; :meth:`start` again after a stop is a restart."""

    def __init__(
        self,
        folder: Path,
        *,
        text: str | None = None,
        tokens: dict[str, str] | None = None,
        **zone_options: Any,
    ) -> None:
        """Serve the zone file ``text`` whose parties hold ``tokens`` (by default the zone
        tests' own file, built with ``zone_options``, and :data:`TOKENS`)."""
        self.folder = folder
        if text is None:
            self.config = write_zone(folder, **zone_options)
        else:
            self.config = folder / "zone.toml"
            self.config.write_text(text, encoding="utf-8")
        self.tokens = TOKENS if tokens is None else tokens
        self.log = folder / "server.log"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ZoneServer:
        # Another process may take the free port between our probe and the server's bind:
        # then try again on a new port.
        for _ in range(3):
            if self._start_once():
                return self
            self.port = free_port()
        raise RuntimeError(f"the zone server could not bind a port: {self.log.read_text()}")

    def _start_once(self) -> bool:
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [SIF, "zone", "serve", "--config", str(self.config), "--port", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                if "address already in use" in self.log.read_text()[offset:]:
                    return False
                raise RuntimeError(f"the zone server exited: {self.log.read_text()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return True
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("the zone server did not answer /healthz within 60 s")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=timeout)
        self.process = None

    def client(self, party: str, zone: str = "north") -> ZoneClient:
        return ZoneClient(self.url, zone, self.tokens[party])


class ZoneClient:
    """A party talking to the zone over HTTP, as any client would."""

    def __init__(self, url: str, zone: str, token: str) -> None:
        self.base = f"{url}/api/zones/{zone}"
        self.session = fresh_after_idle_session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def publish(self, *events: dict[str, Any], key: str | None = None) -> requests.Response:
        headers = {"Idempotency-Key": key} if key else {}
        return self.session.post(
            self.base + "/events", json={"events": list(events)}, headers=headers, timeout=30
        )

    def lease(self, wait: float = 0, most: int = 100) -> list[dict[str, Any]]:
        reply = self.session.get(
            self.base + "/queue", params={"wait": wait, "max": most}, timeout=wait + 30
        )
        reply.raise_for_status()
        messages: list[dict[str, Any]] = reply.json()["messages"]
        return messages

    def ack(self, messages: list[dict[str, Any]]) -> requests.Response:
        ids = [m["messageId"] for m in messages]
        return self.session.post(self.base + "/queue/ack", json={"messageIds": ids}, timeout=30)

    def drain(self) -> list[dict[str, Any]]:
        """Lease and acknowledge everything waiting."""
        everything = []
        while messages := self.lease():
            self.ack(messages).raise_for_status()
            everything += messages
        return everything

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.session.get(self.base + path, params=params, timeout=30)


def add(obj: SIFObject) -> dict[str, Any]:
    return {"action": "add", "objectType": obj.object_name, "object": content_of(obj)}


def change(obj: SIFObject) -> dict[str, Any]:
    return {"action": "change", "objectType": obj.object_name, "object": content_of(obj)}


def delete(obj: SIFObject) -> dict[str, Any]:
    return {"action": "delete", "objectType": obj.object_name, "refId": obj.ref_id}


def events_of(messages: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(action, objectType, refId) of each event message."""
    return [
        (m["event"]["action"], m["event"]["objectType"], m["event"]["refId"])
        for m in messages
        if m["kind"] == "event"
    ]
