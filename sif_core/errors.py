"""The project's exceptions: one small hierarchy, each message says what to do next."""

from __future__ import annotations

__all__ = [
    "AdapterConflictError",
    "AdapterError",
    "AdapterNotFoundError",
    "AgentConfigError",
    "AmbiguousAdapterError",
    "CodecError",
    "HostileXMLError",
    "MalformedDocumentError",
    "NoAdapterMatchedError",
    "PushInterruptedError",
    "SIFError",
    "SnapshotError",
    "StorageBackendConflictError",
    "ZoneAuthenticationError",
    "ZoneError",
    "ZoneForbiddenError",
    "ZoneNotFoundError",
    "ZoneRejectedError",
    "ZoneUnreachableError",
]


class SIFError(Exception):
    """Base of every error sifbridge raises on purpose."""


class CodecError(SIFError):
    """A document could not be read or written as SIF XML or SIF JSON.

    ``source`` names the file (or ``"<input>"``); ``line`` and ``column`` are 1-based where known.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str = "<input>",
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class MalformedDocumentError(CodecError):
    """The bytes are not well-formed XML or JSON (the message gives line and column)."""


class HostileXMLError(CodecError):
    """The XML declares entities or refers to external ones; it is refused before expansion."""


class AdapterError(SIFError):
    """An adapter could not do what was asked."""


class AdapterNotFoundError(AdapterError):
    """No adapter is registered under the requested name."""


class NoAdapterMatchedError(AdapterError):
    """No adapter recognises the input; ``tried`` lists the adapters that were asked."""

    def __init__(self, source: str, tried: list[str]) -> None:
        self.source = source
        self.tried = tried
        names = ", ".join(tried) or "none installed"
        super().__init__(
            f"{source}: no adapter recognises this file (tried: {names}); "
            "name one with --adapter or install the adapter for this format"
        )


class AmbiguousAdapterError(AdapterError):
    """Several adapters recognise the input; ``candidates`` lists them."""

    def __init__(self, source: str, candidates: list[str]) -> None:
        self.source = source
        self.candidates = candidates
        super().__init__(
            f"{source}: several adapters could read this file ({', '.join(candidates)}); "
            "choose one with --adapter NAME"
        )


class AdapterConflictError(AdapterError):
    """Two plugins registered adapters with one name."""

    def __init__(self, name: str, first: str, second: str) -> None:
        self.name = name
        self.distributions = (first, second)
        super().__init__(
            f"adapter name {name!r} is registered by both {first} and {second}; "
            "uninstall one of them or disable one with SIF_PLUGINS"
        )


class StorageBackendConflictError(SIFError):
    """Two plugins registered zone storage backends for one URL scheme."""

    def __init__(self, name: str, first: str, second: str) -> None:
        self.name = name
        self.distributions = (first, second)
        super().__init__(
            f"storage backend {name!r} is registered by both {first} and {second}; "
            "uninstall one of them or disable one with SIF_PLUGINS"
        )


class ZoneError(SIFError):
    """A call to a zone failed; ``status`` is the HTTP status (``None`` when none came back),
    ``code`` the zone's error code (``"forbidden"``, ...) and ``url`` what was called."""

    def __init__(
        self, message: str, *, url: str, status: int | None = None, code: str | None = None
    ) -> None:
        self.url = url
        self.status = status
        self.code = code
        super().__init__(message)


class ZoneUnreachableError(ZoneError):
    """The zone did not answer (refused, timed out, or kept replying 5xx) after every retry.

    Whether a publish reached the zone is unknown: resend it with the same idempotency key.
    """


class ZoneAuthenticationError(ZoneError):
    """The zone refused the credentials (401): a wrong, revoked or mistyped token."""


class ZoneForbiddenError(ZoneError):
    """The party lacks a right or reached outside its scope (403); ``right`` names the right."""

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int | None = 403,
        code: str | None = None,
        right: str | None = None,
    ) -> None:
        self.right = right
        super().__init__(message, url=url, status=status, code=code)


class ZoneNotFoundError(ZoneError):
    """The zone, object type, object or service request does not exist there (404)."""


class ZoneRejectedError(ZoneError):
    """The zone refused what was sent (400, 409, 413, 415, 422); nothing of it was stored.

    ``problems`` lists the zone's per-event complaints (index, objectType, refId, problems) for
    a 422, and is empty otherwise.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str,
        status: int | None = None,
        code: str | None = None,
        problems: list[dict[str, object]] | None = None,
    ) -> None:
        self.problems = problems or []
        super().__init__(message, url=url, status=status, code=code)


class AgentConfigError(SIFError):
    """An agent configuration file (or the flags standing in for it) is wrong; the message names
    the file, the line where known, and what to write instead."""


class SnapshotError(SIFError):
    """A push agent's snapshot file cannot be used: locked by another push, unreadable, or the
    snapshot of another zone, adapter or source system."""


class PushInterruptedError(SIFError):
    """A push stopped before the end (zone down, connection lost): every batch the zone
    confirmed is kept, and the batch in flight is resent by the next push under its key."""
