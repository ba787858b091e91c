"""A real HTTP proxy in front of the zone that loses chosen requests: either the zone's reply
(the request reached the zone, the answer never reaches the agent) or the request itself."""

from __future__ import annotations

import threading
from collections.abc import Collection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests


class LossyProxy:
    """Forwards every request to ``target``. Of the POSTs to paths ending ``path`` (1 = the
    first), those in ``lose`` reach the zone but their replies are dropped, and those in
    ``refuse`` never reach it; either way the connection is closed without an answer."""

    def __init__(
        self,
        target: str,
        *,
        lose: Collection[int] = (),
        refuse: Collection[int] = (),
        path: str = "/events",
    ) -> None:
        self.target = target
        self.lose = lose
        self.refuse = refuse
        self.path = path
        self.posts = 0
        self.lost = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._forward()

            def do_POST(self) -> None:
                self._forward()

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                counted = self.command == "POST" and self.path.endswith(proxy.path)
                if counted:
                    proxy.posts += 1
                    if proxy.posts in proxy.refuse:
                        proxy.lost += 1
                        self.close_connection = True
                        return
                reply = requests.request(
                    self.command, proxy.target + self.path, data=body, headers=headers, timeout=30
                )
                if counted and proxy.posts in proxy.lose:
                    proxy.lost += 1
                    self.close_connection = True
                    return
                self.send_response(reply.status_code)
                for name, value in reply.headers.items():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.content)))
                self.end_headers()
                self.wfile.write(reply.content)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> LossyProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
