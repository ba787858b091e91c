"""An LRS **simulator**: a small SOAP server that answers like the Learning Records Service.

It is not the LRS and holds no real learner: it exists so that the connector, the tests and
``sif demo`` can run the whole ULN flow on one machine. It knows the learners it was started
with (``known``) and those registered with it since, and answers:

- find, with exactly one known learner of that family name, given name and date of birth (and
  sex, when both give it): ``WSRC0004`` with the learner's ULN;
- find, with several such learners: ``WSRC0002`` (too many matches);
- find, with none, but a known learner of that family name and date of birth: ``WSRC0003``
  (possible match);
- find, with nobody alike: ``WSRC0001`` (no match);
- register without a postcode: ``WSRC0021`` (could not be registered); otherwise ``WSRC0005``
  and a new, valid ULN, which later finds return;
- a request without a UKPRN of 8 digits, a family name, a given name or a date of birth: a SOAP
  fault ``WSEC0001`` (badly formed request).

With ``tls`` (a certificate and key) it serves HTTPS; with ``client_ca`` as well it refuses any
client that does not present a certificate signed by that CA, as the LRS does.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Final

from adapters.lrs.messages import (
    Demographics,
    fault,
    find_response,
    read_request,
    register_response,
)
from sif_core.errors import SIFError

__all__ = ["KnownLearner", "LRSSimulator", "load_known", "next_uln"]

_MAX_BODY: Final = 1 << 20


@dataclass(frozen=True, slots=True)
class KnownLearner:
    """A learner the simulator knows, with the ULN it answers for them."""

    uln: str
    given_name: str
    family_name: str
    date_of_birth: str
    sex: str = ""


def load_known(path: Path) -> list[KnownLearner]:
    """Known learners from a JSON file: ``[{"uln", "givenName", "familyName", "dateOfBirth",
    "sex"}, ...]``; ``ValueError`` names the file and the entry that is wrong."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"{path}: not a JSON list of learners ({error})") from None
    if not isinstance(entries, list):
        raise ValueError(f"{path}: not a JSON list of learners")
    known = []
    for number, entry in enumerate(entries, start=1):
        try:
            known.append(
                KnownLearner(
                    uln=str(entry["uln"]),
                    given_name=str(entry["givenName"]),
                    family_name=str(entry["familyName"]),
                    date_of_birth=str(entry["dateOfBirth"]),
                    sex=str(entry.get("sex", "")),
                )
            )
        except (KeyError, TypeError):
            raise ValueError(
                f"{path}: learner {number} needs uln, givenName, familyName and dateOfBirth"
            ) from None
    return known


def next_uln(after: int) -> tuple[int, str]:
    """The first valid ULN whose first nine digits come after ``after``: (its prefix, the ULN)."""
    prefix = after + 1
    while True:
        digits = [int(d) for d in f"{prefix:09d}"]
        remainder = sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        if digits[0] != 0 and remainder != 0:
            return prefix, f"{prefix:09d}{10 - remainder}"
        prefix += 1


@dataclass
class _Registry:
    learners: list[KnownLearner]
    prefix: int = 400_000_000
    calls: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def find(self, who: Demographics) -> bytes:
        family, given = who.family_name.casefold(), who.given_name.casefold()
        alike = [
            k
            for k in self.learners
            if k.family_name.casefold() == family and k.date_of_birth == who.date_of_birth
        ]
        exact = [
            k
            for k in alike
            if k.given_name.casefold() == given and (not k.sex or not who.sex or k.sex == who.sex)
        ]
        if len(exact) == 1:
            self.calls.append(("find", "WSRC0004"))
            return find_response("WSRC0004", (exact[0].uln,))
        code = "WSRC0002" if exact else "WSRC0003" if alike else "WSRC0001"
        self.calls.append(("find", code))
        return find_response(code)

    def register(self, who: Demographics) -> bytes:
        if not who.postcode:
            self.calls.append(("register", "WSRC0021"))
            return register_response("WSRC0021")
        self.prefix, uln = next_uln(self.prefix)
        self.learners.append(
            KnownLearner(uln, who.given_name, who.family_name, who.date_of_birth, who.sex)
        )
        self.calls.append(("register", "WSRC0005"))
        return register_response("WSRC0005", uln)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing: requests carry learners' names."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > _MAX_BODY:
            self._reply(400, fault("WSEC0001", "the request has no body or is too large"))
            return
        body = self.rfile.read(length)
        registry = self.server.registry
        try:
            operation, organisation, learner = read_request(body)
        except (ValueError, SIFError):
            self._reply(500, fault("WSEC0001", "the request is not a SOAP envelope"))
            return
        if not (organisation.ukprn.isdigit() and len(organisation.ukprn) == 8):
            self._reply(500, fault("WSEC0001", "the request has no UKPRN of 8 digits"))
            return
        if learner is None:
            self._reply(500, fault("WSEC0001", "family name, given name and date of birth"))
            return
        with registry.lock:
            if operation == "FindLearnerByDemographics":
                self._reply(200, registry.find(learner))
            elif operation == "RegisterSingleLearner":
                self._reply(200, registry.register(learner))
            else:
                self._reply(500, fault("WSEC0001", f"unknown operation {operation}"))

    def _reply(self, status: int, body: bytes) -> None:
        if status == 500:
            self.server.registry.calls.append(("fault", "WSEC0001"))
        self.send_response(status)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    registry: _Registry


class LRSSimulator:
    """An LRS simulator on ``host:port`` (0: a free port), started with :meth:`start`.

    ``calls`` lists (operation, response code) of every request answered, for tests.
    """

    def __init__(
        self,
        known: Iterable[KnownLearner] = (),
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: tuple[Path, Path] | None = None,
        client_ca: Path | None = None,
    ) -> None:
        self._server = _Server((host, port), _Handler)
        self._server.registry = _Registry(list(known))
        self._scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            if client_ca is not None:
                context.verify_mode = ssl.CERT_REQUIRED
                context.load_verify_locations(str(client_ca))
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self._scheme = "https"
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The simulator's LearnerService address."""
        host, port = self._server.server_address[:2]
        return f"{self._scheme}://{host!s}:{port}/LearnerService.svc"

    @property
    def calls(self) -> list[tuple[str, str]]:
        """Every (operation, response code) answered so far."""
        return list(self._server.registry.calls)

    def start(self) -> LRSSimulator:
        """Serve in a background thread."""
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted."""
        self._server.serve_forever()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
