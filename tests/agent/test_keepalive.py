"""Clients against a server that resets a kept-alive connection used after an idle spell."""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
from collections.abc import Iterator

import pytest
import requests

from sif_core.client import ZoneClient
from sif_core.conformance.zone_client import PartyClient
from sif_core.keepalive import IDLE_REUSE_SECONDS, fresh_after_idle_session

# Longer than the clients' idle limit, as every common server's keep-alive timeout is.
SERVER_IDLE_LIMIT = IDLE_REUSE_SECONDS + 0.3


class _Impatient(socketserver.BaseRequestHandler):
    """Answers every request on a kept-alive connection, but resets one whose next request comes
    after ``SERVER_IDLE_LIMIT``: what a server closing idle connections does to a request that
    arrives just as it closes."""

    server: _Server

    def handle(self) -> None:
        self.server.connections += 1
        connection: socket.socket = self.request
        stream = connection.makefile("rb")
        last = time.monotonic()
        while stream.readline():
            if time.monotonic() - last > SERVER_IDLE_LIMIT:
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            length = 0
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            stream.read(length)
            self.server.requests += 1
            body = b'{"ok": true}'
            connection.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            last = time.monotonic()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    connections = 0
    requests = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def counts(self) -> tuple[int, int]:
        """Connections accepted and requests answered so far."""
        return self.connections, self.requests


@pytest.fixture
def impatient() -> Iterator[_Server]:
    server = _Server(("127.0.0.1", 0), _Impatient)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _idle() -> None:
    time.sleep(SERVER_IDLE_LIMIT + 0.2)


def test_the_server_here_resets_a_plain_session_after_an_idle_spell(impatient: _Server) -> None:
    session = requests.Session()
    assert session.get(impatient.url + "/a", timeout=5).ok
    _idle()
    with pytest.raises(requests.ConnectionError):
        session.get(impatient.url + "/a", timeout=5)


def test_requests_in_quick_succession_share_one_connection(impatient: _Server) -> None:
    session = fresh_after_idle_session()
    for _ in range(3):
        assert session.get(impatient.url + "/a", timeout=5).ok
    assert impatient.counts() == (1, 3)


def test_a_request_that_may_not_be_repeated_goes_on_a_fresh_connection_after_idling(
    impatient: _Server,
) -> None:
    client = ZoneClient(impatient.url + "/api/zones/north", "token")
    assert client.call_json("POST", "/services/census/requests", body={"n": 1}) == {"ok": True}
    _idle()
    assert client.call_json("POST", "/services/census/requests", body={"n": 2}) == {"ok": True}
    assert client.requests_made == 2
    assert impatient.counts() == (2, 2)


def test_the_conformance_kit_does_not_report_a_reset_idle_connection_as_a_dead_zone(
    impatient: _Server,
) -> None:
    party = PartyClient(impatient.url, "north", "app", "token", timeout=5)
    assert party.request("GET", "/queue", what="lease").status == 200
    _idle()
    assert party.request("GET", "/queue", what="lease").status == 200
    party.close()
