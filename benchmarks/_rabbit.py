"""The broker anchor: the same fan-out through RabbitMQ, as an integrator would build it.

Persistent messages, publisher confirms (a batch is sent, then every message of it confirmed
before the next), a fan-out exchange to durable queues, one consumer per queue acknowledging
each message. Through pika (the ``bench`` extra); the broker is ``SIF_BENCH_AMQP_URL`` or
``amqp://guest:guest@127.0.0.1:5672/%2F``.
"""

from __future__ import annotations

import importlib
import os
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["AMQP_URL", "Delivery", "fan_out", "unavailable"]

AMQP_URL = os.environ.get("SIF_BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")

#: (message id, body) of one message.
Delivery = tuple[str, bytes]


def _pika() -> Any:
    return importlib.import_module("pika")


def unavailable() -> str | None:
    """Why RabbitMQ cannot be measured here (pika missing, broker down), or ``None``."""
    try:
        pika = _pika()
    except ImportError:
        return "pika is not installed (pip install 'sifbridge[bench]')"
    try:
        pika.BlockingConnection(_parameters(pika)).close()
    except pika.exceptions.AMQPError as error:
        where = AMQP_URL.split("@")[-1]
        return f"RabbitMQ is not reachable at {where} ({type(error).__name__})"
    return None


def _parameters(pika: Any) -> Any:
    parameters = pika.URLParameters(AMQP_URL)
    parameters.connection_attempts = 1
    parameters.socket_timeout = 5
    return parameters


def fan_out(
    batches: Sequence[Sequence[Delivery]],
    *,
    queues: int,
    sent_at: dict[str, float],
    on_delivery: Callable[[int, str, float], None],
    gap_seconds: float = 0.0,
) -> tuple[float, float]:
    """Publish ``batches`` to ``queues`` durable queues and consume every copy.

    ``sent_at[id]`` is set just before a message's batch is published; ``on_delivery(queue,
    id, when)`` is called for each message a consumer receives. Returns (start, end) on the
    :func:`time.perf_counter` clock: end is when the last consumer had every message.
    """
    pika = _pika()
    name = f"sif-bench-{os.getpid()}-{secrets.token_hex(4)}"
    names = [f"{name}-q{n}" for n in range(1, queues + 1)]
    setup = pika.BlockingConnection(_parameters(pika))
    channel = setup.channel()
    channel.exchange_declare(exchange=name, exchange_type="fanout", durable=True)
    for queue in names:
        channel.queue_declare(queue=queue, durable=True)
        channel.queue_bind(queue=queue, exchange=name)
    total = sum(len(batch) for batch in batches)
    ready = threading.Barrier(queues + 1)
    finished: list[float] = []
    errors: list[BaseException] = []
    consumers = [
        threading.Thread(
            target=_consume,
            args=(pika, queue, index, total, ready, on_delivery, finished, errors),
            daemon=True,
        )
        for index, queue in enumerate(names)
    ]
    try:
        for thread in consumers:
            thread.start()
        ready.wait(timeout=30)
        started = time.perf_counter()
        _ConfirmedPublisher(pika, name, batches, sent_at, gap_seconds).run()
        for thread in consumers:
            thread.join(timeout=600)
        if errors:
            raise RuntimeError(f"a RabbitMQ consumer failed: {errors[0]!r}")
        if len(finished) != queues:
            raise RuntimeError("RabbitMQ consumers did not receive every message in 10 minutes")
        return started, max(finished)
    finally:
        for queue in names:
            channel.queue_delete(queue=queue)
        channel.exchange_delete(exchange=name)
        setup.close()


def _consume(
    pika: Any,
    queue: str,
    index: int,
    total: int,
    ready: threading.Barrier,
    on_delivery: Callable[[int, str, float], None],
    finished: list[float],
    errors: list[BaseException],
) -> None:
    try:
        connection = pika.BlockingConnection(_parameters(pika))
        channel = connection.channel()
        channel.basic_qos(prefetch_count=100)
        received = 0

        def deliver(channel: Any, method: Any, properties: Any, body: bytes) -> None:
            nonlocal received
            on_delivery(index, properties.message_id, time.perf_counter())
            channel.basic_ack(delivery_tag=method.delivery_tag)
            received += 1

        channel.basic_consume(queue=queue, on_message_callback=deliver)
        ready.wait(timeout=30)
        deadline = time.monotonic() + 600
        while received < total and time.monotonic() < deadline:
            connection.process_data_events(time_limit=0.05)
        if received == total:
            finished.append(time.perf_counter())
        connection.close()
    except BaseException as error:  # reported by fan_out in the main thread
        errors.append(error)


class _ConfirmedPublisher:
    """Publishes one batch, waits until the broker has confirmed all of it, then the next."""

    def __init__(
        self,
        pika: Any,
        exchange: str,
        batches: Sequence[Sequence[Delivery]],
        sent_at: dict[str, float],
        gap_seconds: float,
    ) -> None:
        self._pika = pika
        self._exchange = exchange
        self._batches = batches
        self._sent_at = sent_at
        self._gap = gap_seconds
        self._next_batch = 0
        self._published = 0
        self._unconfirmed: set[int] = set()
        self._problem: str | None = None
        self._connection: Any = None
        self._channel: Any = None

    def run(self) -> None:
        self._connection = self._pika.SelectConnection(
            _parameters(self._pika),
            on_open_callback=lambda connection: connection.channel(on_open_callback=self._opened),
            on_open_error_callback=self._failed,
            on_close_callback=lambda connection, reason: connection.ioloop.stop(),
        )
        try:
            self._connection.ioloop.start()
        finally:
            self._connection.ioloop.close()
        if self._problem is not None:
            raise RuntimeError(f"publishing to RabbitMQ failed: {self._problem}")

    def _failed(self, connection: Any, error: Any) -> None:
        self._problem = str(error)
        connection.ioloop.stop()

    def _opened(self, channel: Any) -> None:
        self._channel = channel
        channel.confirm_delivery(self._confirmed, callback=lambda frame: self._publish_next())

    def _publish_next(self) -> None:
        if self._next_batch == len(self._batches):
            self._connection.close()
            return
        if self._gap and self._next_batch:
            time.sleep(self._gap)
        batch = self._batches[self._next_batch]
        self._next_batch += 1
        now = time.perf_counter()
        for message_id, body in batch:
            self._sent_at[message_id] = now
            properties = self._pika.BasicProperties(
                delivery_mode=2, content_type="application/json", message_id=message_id
            )
            self._channel.basic_publish(self._exchange, "", body, properties)
            self._published += 1
            self._unconfirmed.add(self._published)

    def _confirmed(self, frame: Any) -> None:
        method = frame.method
        if isinstance(method, self._pika.spec.Basic.Nack):
            self._problem = f"the broker refused message {method.delivery_tag}"
            self._connection.close()
            return
        if method.multiple:
            self._unconfirmed = {tag for tag in self._unconfirmed if tag > method.delivery_tag}
        else:
            self._unconfirmed.discard(method.delivery_tag)
        if not self._unconfirmed:
            self._publish_next()
