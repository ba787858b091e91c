"""The zone client: one party's side of a zone's HTTP API, on requests.

::

    client = ZoneClient("https://zone.example.org/api/zones/main", token)
    client.publish([Event.of("change", learner)], idempotency_key="push-0001")
    messages = client.lease(wait=30)            # long poll
    ...                                         # handle them durably, then
    client.ack(m.message_id for m in messages)  # or lease again with ack=[...]
    page = client.query("LearnerPersonal", upn="H801200001001")

Every failure is a :class:`~sif_core.errors.ZoneError` whose message says what went wrong and
what to do: :class:`ZoneAuthenticationError` (wrong token), :class:`ZoneForbiddenError` (a missing
right, named), :class:`ZoneNotFoundError`, :class:`ZoneRejectedError` (the zone refused the
content; nothing was stored) and :class:`ZoneUnreachableError` (zone down, after retries).

Retries: reads, acknowledgements and publishes that carry an idempotency key are retried on
connection failures, timeouts and 429/502/503/504 replies, with exponential back-off; the zone
stores a batch sent twice under one key only once. A request that is not safe to repeat (a
service request, a publish without a key) is retried only when the connection was never made;
so that such a request is never reset by a zone closing a connection left idle, a connection idle
for over a second is not reused (:mod:`sif_core.keepalive`).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NoReturn, TypeVar

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from sif_core import __version__
from sif_core.errors import ZoneError, ZoneUnreachableError
from sif_core.keepalive import fresh_after_idle_session
from sif_core.model import OBJECT_TYPES
from sif_core.zone_wire import (
    RETRY_STATUSES,
    AckResult,
    ChangeSet,
    Event,
    LeasedMessages,
    PublishResult,
    QueryPage,
    QueueMessage,
    ReceivedEvent,
    ServiceMessage,
    ServiceRequestStatus,
    canonical_json,
    encode_batch,
    encode_event,
    error_for,
    event_bytes,
)

__all__ = [
    "AckResult",
    "ChangeSet",
    "Event",
    "LeasedMessages",
    "PublishResult",
    "QueryPage",
    "QueueMessage",
    "ReceivedEvent",
    "RetryPolicy",
    "ServiceMessage",
    "ServiceRequestStatus",
    "ZoneClient",
    "canonical_json",
    "encode_batch",
    "encode_event",
]

_ZONE_URL = re.compile(r"^(?P<server>https?://[^/?#]+(?:/[^?#]*?)?)/api/zones/(?P<zone>[^/?#]+)/?$")
_JSON = "application/json"
#: The queue reply's header naming the zone's longest long poll.
_MAX_WAIT_HEADER = "maxWaitSeconds"

T = TypeVar("T")
Retry = Literal["always", "connect"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to retry: ``attempts`` tries in all, waiting ``first_delay``
    seconds after the first failure, doubling up to ``max_delay``."""

    attempts: int = 5
    first_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, failures: int) -> float:
        """Seconds to wait after the ``failures``-th failure (1-based)."""
        return float(min(self.max_delay, self.first_delay * 2 ** (failures - 1)))


class ZoneClient:
    """A party's connection to one zone.

    ``zone_url`` is the zone's API address, ``http(s)://HOST[:PORT]/api/zones/ZONE``. ``token``
    is the party's token as ``sif zone init`` printed it; it is sent as a Bearer token, or, when
    ``hmac_party`` names the party, as a ``SIF_HMACSHA256`` signature (the token never leaves the
    machine). ``timeout`` bounds each request (a long poll adds its wait). ``sleep`` is for tests.
    """

    def __init__(
        self,
        zone_url: str,
        token: str,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        hmac_party: str | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        match = _ZONE_URL.match(zone_url.strip())
        if match is None:
            raise ValueError(
                f"{zone_url!r} is not a zone URL; write http(s)://HOST[:PORT]/api/zones/ZONE, "
                "e.g. http://127.0.0.1:8080/api/zones/main"
            )
        if not token.strip():
            raise ValueError("the token is empty; give the party's token as `sif zone init` shows")
        self.server_url = match.group("server")
        self.zone = match.group("zone")
        self.base = f"{self.server_url}/api/zones/{self.zone}"
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._token = token.strip()
        self._hmac_party = hmac_party
        self._sleep = sleep
        self.session = session or fresh_after_idle_session()
        self.session.headers["User-Agent"] = f"sifbridge/{__version__}"
        #: Request bytes (bodies) sent so far, over every attempt; for measurements.
        self.bytes_sent = 0
        #: HTTP requests made so far, retries included.
        self.requests_made = 0
        self._max_wait: float | None = None
        self._asked_max_wait = False

    def __repr__(self) -> str:
        return f"ZoneClient({self.base!r})"

    def close(self) -> None:
        """Close the connection pool."""
        self.session.close()

    # -- events ------------------------------------------------------------------------------

    def publish(
        self, events: Iterable[Event], *, idempotency_key: str | None = None
    ) -> PublishResult:
        """Publish a batch of events; the zone stores all of them or none.

        With ``idempotency_key`` the batch is retried on failure, and sending it again later
        under the same key (after a crash, say) stores nothing twice.
        """
        body = encode_batch([event_bytes(event) for event in events])
        return self.publish_encoded(body, idempotency_key=idempotency_key)

    def publish_encoded(self, body: bytes, *, idempotency_key: str | None = None) -> PublishResult:
        """Publish a batch already encoded with :func:`encode_batch` (resending it byte for
        byte is what lets the zone recognise a repeat under the same key)."""
        headers = {"Content-Type": _JSON}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        before = self.bytes_sent, self.requests_made
        reply = self._call(
            "POST",
            "/events",
            data=body,
            headers=headers,
            retry="always" if idempotency_key else "connect",
        )
        return self._read(
            reply,
            lambda document: PublishResult.from_reply(
                document,
                replayed=reply.headers.get("Idempotent-Replayed") == "true",
                bytes_sent=self.bytes_sent - before[0],
                attempts=self.requests_made - before[1],
            ),
        )

    # -- the queue ---------------------------------------------------------------------------

    def lease(
        self,
        *,
        wait: float = 0,
        max_messages: int = 100,
        ack: Iterable[str] | None = None,
        linger: float = 0,
    ) -> LeasedMessages:
        """Lease up to ``max_messages`` messages from this party's queue, waiting up to ``wait``
        seconds for the first (a long poll, shortened to the longest the zone allows).

        ``ack`` acknowledges those message ids first, in the same request (as :meth:`ack`
        would), so a consuming loop costs one request per batch: lease, handle durably, then
        lease again acknowledging what was handled. What was acknowledged is the result's
        ``acknowledged`` (``None`` when ``ack`` named nothing); acknowledge the last batch
        with :meth:`ack` before stopping.

        ``linger`` (seconds, at most 5; only with a ``wait``) lets messages gather before the
        zone leases and after the long poll is woken, so single events come in batches: fewer
        requests for a little latency. A queue with a backlog is answered at once.
        """
        limit = self.max_wait_seconds() if wait > 0 else None
        if limit is not None and wait > limit:
            wait = limit
        params = {"wait": f"{wait:g}", "max": str(max_messages)}
        if linger > 0 and wait > 0:
            params["linger"] = f"{min(linger, wait):g}"
        ids = list(dict.fromkeys(ack or ()))
        timeout = self.timeout + wait
        if ids:
            body = json.dumps({"ack": ids}).encode()
            headers = {"Content-Type": _JSON}
            reply = self._call(
                "POST", "/queue", params=params, data=body, headers=headers, timeout=timeout
            )
        else:
            reply = self._call("GET", "/queue", params=params, timeout=timeout)
        limit_text = reply.headers.get(_MAX_WAIT_HEADER, "")
        with contextlib.suppress(ValueError):
            self._max_wait = float(limit_text) if limit_text else self._max_wait

        def messages(document: Any) -> LeasedMessages:
            if not isinstance(document, dict) or not isinstance(document.get("messages"), list):
                raise ValueError("a queue reply is an object with messages")
            acknowledged = None
            if ids:
                acknowledged = AckResult(
                    tuple(str(i) for i in document["acknowledged"]),
                    tuple(str(i) for i in document["unknown"]),
                )
            return LeasedMessages(
                (QueueMessage.from_reply(item) for item in document["messages"]),
                acknowledged=acknowledged,
                max_wait_seconds=self._max_wait,
            )

        return self._read(reply, messages)

    def max_wait_seconds(self) -> float | None:
        """The longest long poll the zone allows, in seconds (``None`` if the zone does not
        say). Learned from the zone's last queue reply, or asked of ``/healthz`` once."""
        if self._max_wait is None and not self._asked_max_wait:
            self._asked_max_wait = True
            try:
                reply = self.session.get(
                    f"{self.server_url}/healthz",
                    timeout=self.timeout,
                    headers={"Accept": _JSON},
                )
                value = reply.json().get("maxWaitSeconds") if reply.ok else None
            except (requests.RequestException, ValueError, AttributeError):
                value = None  # an older zone, or none there yet: the lease itself will tell
            if isinstance(value, int | float) and not isinstance(value, bool):
                self._max_wait = float(value)
        return self._max_wait

    def ack(self, message_ids: Iterable[str]) -> AckResult:
        """Acknowledge messages: the zone removes them from this party's queue for good."""
        ids = list(dict.fromkeys(message_ids))
        if not ids:
            return AckResult((), ())
        body = json.dumps({"messageIds": ids}).encode()
        reply = self._call("POST", "/queue/ack", data=body, headers={"Content-Type": _JSON})

        def result(document: Any) -> AckResult:
            return AckResult(
                tuple(str(i) for i in document["acknowledged"]),
                tuple(str(i) for i in document["unknown"]),
            )

        return self._read(reply, result)

    # -- queries -----------------------------------------------------------------------------

    def query(
        self,
        object_type: str,
        *,
        page: int = 1,
        page_size: int | None = None,
        upn: str | None = None,
        local_id: str | None = None,
        school: str | None = None,
        changes_since: str | None = None,
        navigation_id: str | None = None,
    ) -> QueryPage:
        """One page of the objects of ``object_type`` this party may see (pages count from 1).

        Filters: ``upn``, ``local_id``, ``school`` (a 7-digit LAESTAB). With ``changes_since``
        (a marker from an earlier reply) only what changed since then, and the deleted RefIds.
        ``navigation_id``: the previous page's, to read the next page (``page`` one more, the
        same filters) at the cost of that page alone, however deep.
        """
        _check_type(object_type)
        params = {
            "navigationPage": str(page),
            "navigationPageSize": None if page_size is None else str(page_size),
            "upn": upn,
            "localId": local_id,
            "school": school,
            "changesSinceMarker": changes_since,
            "navigationId": navigation_id,
        }
        path = "/" + OBJECT_TYPES[object_type].collection_name
        reply = self._call("GET", path, params={k: v for k, v in params.items() if v is not None})

        def read(document: Any) -> QueryPage:
            collection = document[OBJECT_TYPES[object_type].collection_name]
            members = collection.get(object_type, []) if isinstance(collection, dict) else []
            headers = reply.headers
            deleted = headers.get("deletedRefIds", "")
            return QueryPage(
                object_type,
                tuple(members if isinstance(members, list) else [members]),
                int(headers["navigationPage"]),
                int(headers["navigationPageSize"]),
                int(headers["navigationCount"]),
                int(headers["navigationLastPage"]),
                headers["changesSinceMarker"],
                tuple(ref for ref in deleted.split(",") if ref),
                headers.get("navigationId"),
            )

        return self._read(reply, read)

    def iter_pages(self, object_type: str, **filters: Any) -> Iterator[QueryPage]:
        """Every page of a query, first to last (``filters`` as for :meth:`query`); each page
        continues from the one before (its ``navigation_id``), so reading them all costs time
        linear in their number."""
        page = self.query(object_type, page=1, **filters)
        yield page
        for number in range(2, page.last_page + 1):
            page = self.query(object_type, page=number, navigation_id=page.navigation_id, **filters)
            yield page

    def changes_since(
        self, object_type: str, marker: str = "0", *, page_size: int | None = None
    ) -> ChangeSet:
        """Everything of ``object_type`` that changed after ``marker``, over every page.

        The returned marker is the one the zone gave with the first page, so a change made while
        the pages were read is read again next time rather than missed.
        """
        pages = list(self.iter_pages(object_type, changes_since=marker, page_size=page_size))
        contents = tuple(content for page in pages for content in page.contents)
        deleted = tuple(dict.fromkeys(ref for page in pages for ref in page.deleted_ref_ids))
        return ChangeSet(object_type, contents, deleted, pages[0].changes_since_marker)

    def get(self, object_type: str, ref_id: str) -> dict[str, Any] | None:
        """One object's Goessner content as this party may see it, or ``None`` when it does not
        exist or is outside the party's scope."""
        _check_type(object_type)
        path = f"/{OBJECT_TYPES[object_type].collection_name}/{ref_id}"
        reply = self._call("GET", path, allow=(404,))
        if reply.status_code == 404 and error_of(reply).get("code") == "not-found":
            return None
        if reply.status_code == 404:
            self._raise(reply)

        def content(document: Any) -> dict[str, Any]:
            found = document[object_type]
            if not isinstance(found, dict):
                raise ValueError("an object reply holds the object")
            return found

        return self._read(reply, content)

    # -- services ----------------------------------------------------------------------------

    def request_service(self, service: str, body: Mapping[str, Any]) -> ServiceRequestStatus:
        """Send a request to the party providing ``service``; its response arrives on this
        party's queue as a ``response`` message with the same ``request_id``."""
        reply = self._call(
            "POST",
            f"/services/{service}/requests",
            data=json.dumps(dict(body)).encode(),
            headers={"Content-Type": _JSON},
            retry="connect",
        )
        return self._read(reply, ServiceRequestStatus.from_reply)

    def service_request(self, service: str, request_id: str) -> ServiceRequestStatus:
        """The status of a request this party sent or provides."""
        reply = self._call("GET", f"/services/{service}/requests/{request_id}")
        return self._read(reply, ServiceRequestStatus.from_reply)

    def answer_service_request(
        self, service: str, request_id: str, body: Mapping[str, Any]
    ) -> ServiceRequestStatus:
        """As the provider, answer a request: ``body`` goes to the requester's queue."""
        reply = self._call(
            "POST",
            f"/services/{service}/requests/{request_id}/response",
            data=json.dumps(dict(body)).encode(),
            headers={"Content-Type": _JSON},
            retry="connect",
        )
        return self._read(reply, ServiceRequestStatus.from_reply)

    def health(self) -> dict[str, Any]:
        """The server's ``/healthz`` reply (no credentials needed)."""
        reply = self._call("GET", "", url=f"{self.server_url}/healthz")
        return self._read(reply, lambda document: dict(document))

    def call_json(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
        safe_to_repeat: bool = False,
    ) -> Any:
        """Call another route of this zone's API (``path`` below the zone, e.g. ``/transfers``)
        with a JSON body, and return the JSON reply; errors as for every other call.

        ``safe_to_repeat`` allows retries after the request may have reached the zone (true for
        reads, and for writes the zone deduplicates); otherwise only unsent requests are retried.
        """
        reply = self._call(
            method,
            path,
            params=params,
            data=None if body is None else json.dumps(dict(body)).encode(),
            headers={"Content-Type": _JSON} if body is not None else None,
            retry="always" if safe_to_repeat or method == "GET" else "connect",
        )
        return self._read(reply, lambda document: document)

    # -- transport ---------------------------------------------------------------------------

    def _authorization(self) -> dict[str, str]:
        if self._hmac_party is None:
            return {"Authorization": f"Bearer {self._token}"}
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        key = hashlib.sha256(self._token.encode()).digest()
        message = f"{self._hmac_party}:{stamp}".encode()
        signature = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
        credentials = base64.b64encode(f"{self._hmac_party}:{signature}".encode()).decode()
        return {"Authorization": f"SIF_HMACSHA256 {credentials}", "timestamp": stamp}

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        retry: Retry = "always",
        allow: tuple[int, ...] = (),
        url: str | None = None,
    ) -> requests.Response:
        """Send one request, retrying as ``retry`` allows; a reply that is neither 2xx nor in
        ``allow`` raises the matching :class:`ZoneError`."""
        target = url or self.base + path
        failures = 0
        while True:
            self.requests_made += 1
            self.bytes_sent += len(data or b"")
            try:
                reply = self.session.request(
                    method,
                    target,
                    params=params,
                    data=data,
                    headers={**(headers or {}), **self._authorization()},
                    timeout=timeout or self.timeout,
                )
            except requests.RequestException as error:
                failures += 1
                if failures >= self.retry.attempts or not _may_retry(error, retry):
                    raise self._unreachable(error, failures) from None
                self._sleep(self.retry.delay(failures))
                continue
            if reply.status_code in RETRY_STATUSES and retry == "always":
                failures += 1
                if failures < self.retry.attempts:
                    self._sleep(_retry_after(reply) or self.retry.delay(failures))
                    continue
            if reply.ok or reply.status_code in allow:
                return reply
            self._raise(reply, failures=failures)

    def _unreachable(self, error: requests.RequestException, tries: int) -> ZoneUnreachableError:
        reason = "timed out" if isinstance(error, requests.Timeout) else _reason(error)
        return ZoneUnreachableError(
            f"the zone at {self.base} did not answer ({reason}) after {tries} "
            f"{'try' if tries == 1 else 'tries'}; check that the zone server is running and "
            "that the URL is right, then try again",
            url=self.base,
        )

    def _raise(self, reply: requests.Response, *, failures: int = 0) -> NoReturn:
        raise error_for(reply.status_code, error_of(reply), reply.reason, self.base, failures)

    def _read(self, reply: requests.Response, build: Callable[[Any], T]) -> T:
        try:
            return build(reply.json())
        except (ValueError, KeyError, TypeError) as error:
            raise ZoneError(
                f"{reply.url.split('?')[0]} did not answer as a zone does (HTTP {reply.status_code}"
                f", {reply.headers.get('content-type', 'no content type')}: {error}); check that "
                "the URL is the zone's API address",
                url=self.base,
                status=reply.status_code,
            ) from None


def _check_type(object_type: str) -> None:
    if object_type not in OBJECT_TYPES:
        known = ", ".join(OBJECT_TYPES)
        raise ValueError(f"unknown object type {object_type!r}; known: {known}")


def error_of(reply: requests.Response) -> dict[str, Any]:
    """The ``error`` member of a zone's error reply (empty when the reply has none)."""
    try:
        document = reply.json()
    except ValueError:
        return {}
    error = document.get("error") if isinstance(document, dict) else None
    return error if isinstance(error, dict) else {}


def _may_retry(error: requests.RequestException, retry: Retry) -> bool:
    if retry == "always":
        return isinstance(error, requests.ConnectionError | requests.Timeout)
    if isinstance(error, requests.ConnectTimeout):
        return True
    # A refused or unresolvable connection never reached the zone: safe to send again.
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def _reason(error: requests.RequestException) -> str:
    reason = getattr(error.args[0], "reason", None) if error.args else None
    text = str(reason or error)
    if "refused" in text.lower():
        return "connection refused"
    if "name or service not known" in text.lower() or "resolve" in text.lower():
        return "the host name does not resolve"
    return type(reason or error).__name__


def _retry_after(reply: requests.Response) -> float | None:
    value = reply.headers.get("Retry-After", "")
    return min(float(value), 60.0) if value.isdigit() else None
