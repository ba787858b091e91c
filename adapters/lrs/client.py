"""The LRS SOAP client: requests, with the organisation's client certificate.

::

    settings = LRSSettings(url="https://.../LearnerService.svc", ukprn="10000000",
                           user_name="sifbridge", password=..., cert_file=Path("org.pem"),
                           key_file=Path("org.key"))
    with LRSClient(settings) as lrs:
        answer = lrs.find(Demographics(...))

A transport failure (the LRS unreachable, a TLS handshake refused, an HTTP error without a SOAP
fault) is an :class:`LRSUnavailableError`: nothing was decided, so the caller tries again later.
An LRS error code comes back as an :class:`~adapters.lrs.messages.LRSAnswer` whose
``is_fault`` is true.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import requests

from adapters.lrs.messages import (
    Demographics,
    LRSAnswer,
    Organisation,
    find_request,
    read_answer,
    register_request,
)
from sif_core.errors import SIFError
from sif_core.keepalive import fresh_after_idle_session

__all__ = ["LRSClient", "LRSSettings", "LRSUnavailableError"]


class LRSUnavailableError(SIFError):
    """The LRS could not be asked (or its answer could not be read); try again later."""


@dataclass(frozen=True)
class LRSSettings:
    """Where the LRS is and how the organisation proves who it is.

    ``cert_file`` and ``key_file`` are the organisation's client certificate and key (PEM); the
    live LRS refuses a connection without them. ``ca_file`` is a CA bundle to check the LRS's
    own certificate with (the system's when ``None``).
    """

    url: str
    ukprn: str
    user_name: str
    password: str = field(repr=False)
    cert_file: Path | None = None
    key_file: Path | None = None
    ca_file: Path | None = None
    timeout_seconds: float = 30.0

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"the LRS URL {self.url!r} must start with https:// (or http://)")
        if not (self.ukprn.isdigit() and len(self.ukprn) == 8):
            raise ValueError("the UKPRN is the organisation's 8-digit UK provider number")
        if (self.cert_file is None) != (self.key_file is None):
            raise ValueError("give both the client certificate and its key, or neither")
        for path in (self.cert_file, self.key_file, self.ca_file):
            if path is not None and not path.is_file():
                raise ValueError(f"{path} does not exist")

    @property
    def organisation(self) -> Organisation:
        """The organisation part of every request."""
        return Organisation(self.ukprn, self.user_name, self.password)


class LRSClient:
    """Calls the LRS ``LearnerService``: :meth:`find` and :meth:`register`."""

    def __init__(self, settings: LRSSettings, *, session: requests.Session | None = None) -> None:
        self.settings = settings
        self.session = session or fresh_after_idle_session()
        # Given with each request: a CA bundle named in the environment (REQUESTS_CA_BUNDLE)
        # would otherwise win over the session's.
        self._cert = (
            (str(settings.cert_file), str(settings.key_file))
            if settings.cert_file is not None and settings.key_file is not None
            else None
        )
        self._verify: bool | str = str(settings.ca_file) if settings.ca_file is not None else True

    def __enter__(self) -> LRSClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self.session.close()

    def find(self, learner: Demographics) -> LRSAnswer:
        """Search the LRS by the learner's demographics."""
        return self._call(
            "learnerByDemographics", find_request(self.settings.organisation, learner)
        )

    def register(self, learner: Demographics) -> LRSAnswer:
        """Register the learner; a new ULN comes back with ``WSRC0005``."""
        body = register_request(self.settings.organisation, learner)
        return self._call("registerSingleLearner", body)

    def _call(self, operation: str, body: bytes) -> LRSAnswer:
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{operation}"'}
        try:
            reply = self.session.post(
                self.settings.url,
                data=body,
                headers=headers,
                timeout=self.settings.timeout_seconds,
                cert=self._cert,
                verify=self._verify,
            )
        except requests.exceptions.SSLError as error:
            raise LRSUnavailableError(
                f"the TLS handshake with the LRS at {self.settings.url} failed "
                f"({type(error).__name__}): check the client certificate, its key and the CA"
            ) from None
        except requests.RequestException as error:
            raise LRSUnavailableError(
                f"the LRS at {self.settings.url} could not be reached ({type(error).__name__}); "
                "the request stays queued and is tried again"
            ) from None
        if reply.status_code not in (200, 500) or not reply.content:
            raise LRSUnavailableError(
                f"the LRS at {self.settings.url} answered {operation} with HTTP "
                f"{reply.status_code}; the request stays queued and is tried again"
            )
        try:
            return read_answer(reply.content, source=f"the LRS's answer to {operation}")
        except (ValueError, SIFError) as error:
            raise LRSUnavailableError(str(error)) from None
