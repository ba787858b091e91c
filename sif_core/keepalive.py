"""HTTP sessions that never send a request on a connection the server may be closing.

A server closes a kept-alive connection after it has been idle for a while, on its own clock
(uvicorn after 5 s, gunicorn after 2 s, proxies anywhere from 1 s to minutes). A request sent on
that connection just as the server closes it is reset without an answer, and the client cannot
tell whether the server saw it, so a request that is not safe to repeat cannot be retried. The
sessions here reuse a connection only while requests follow each other closely: one idle for
longer than :data:`IDLE_REUSE_SECONDS` is dropped and the next request opens a fresh one.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import requests
from requests.adapters import HTTPAdapter

__all__ = ["IDLE_REUSE_SECONDS", "FreshAfterIdleAdapter", "fresh_after_idle_session"]

#: Seconds a connection may sit idle and still be reused (below any common server's timeout).
IDLE_REUSE_SECONDS = 1.0


class FreshAfterIdleAdapter(HTTPAdapter):
    """An :class:`~requests.adapters.HTTPAdapter` that closes its pooled connections before a
    request when none was answered for ``idle_seconds``."""

    def __init__(self, idle_seconds: float = IDLE_REUSE_SECONDS) -> None:
        super().__init__()
        self.idle_seconds = idle_seconds
        self._last_answer = time.monotonic()

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        if time.monotonic() - self._last_answer > self.idle_seconds:
            # The pools open new connections for this request.
            self.poolmanager.clear()
            for manager in self.proxy_manager.values():
                manager.clear()
        try:
            return super().send(request, stream, timeout, verify, cert, proxies)
        finally:
            self._last_answer = time.monotonic()


def fresh_after_idle_session(idle_seconds: float = IDLE_REUSE_SECONDS) -> requests.Session:
    """A :class:`requests.Session` whose HTTP and HTTPS connections are reused only while they
    have been idle for at most ``idle_seconds``."""
    session = requests.Session()
    adapter = FreshAfterIdleAdapter(idle_seconds)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
