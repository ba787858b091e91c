"""The kit's HTTP client against a server that drops idle keep-alive connections."""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
from collections.abc import Iterator

import pytest

from sif_core.conformance.zone_client import PartyClient

IDLE_LIMIT = 0.3


class _Impatient(socketserver.BaseRequestHandler):
    """Answers requests on a kept-alive connection, but resets one that was idle for longer than
    ``IDLE_LIMIT``: what a server closing idle connections does to a request sent just then."""

    server: _Server

    def handle(self) -> None:
        self.server.connections += 1
        connection: socket.socket = self.request
        stream = connection.makefile("rb")
        last = time.monotonic()
        while True:
            line = stream.readline()
            if not line:
                return
            if time.monotonic() - last > IDLE_LIMIT:
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            while stream.readline() not in (b"\r\n", b""):
                pass
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


def _client(server: _Server) -> PartyClient:
    host, port = server.server_address[:2]
    client = PartyClient(f"http://{host!s}:{port}", "north", "app", "token", timeout=5)
    client.idle_reuse_seconds = IDLE_LIMIT / 3
    return client


def test_requests_in_quick_succession_share_one_connection(impatient: _Server) -> None:
    client = _client(impatient)
    for _ in range(3):
        assert client.request("GET", "/queue", what="lease").status == 200
    client.close()
    assert impatient.connections == 1


def test_a_request_after_an_idle_spell_does_not_meet_a_closed_connection(
    impatient: _Server,
) -> None:
    client = _client(impatient)
    assert client.request("GET", "/queue", what="lease").status == 200
    time.sleep(IDLE_LIMIT * 1.5)
    assert client.request("GET", "/queue", what="lease").status == 200
    client.close()
    assert impatient.connections == 2
