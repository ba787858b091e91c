"""Turn a push parser (one that calls back with each item) into an iterator, with bounded memory.

expat, and so xmltodict, pushes items to a callback until the document ends. To let a caller pull
records one at a time, the parser runs in a worker thread and hands items over through a small
queue: the parser waits while the queue is full, so memory stays bounded however long the document
is. Closing the iterator early stops the parser.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["pump"]

T = TypeVar("T")

#: Items in flight between the parser thread and the reader.
_QUEUE_SIZE = 64
_POLL_SECONDS = 0.05


@dataclass(frozen=True, slots=True)
class _Failed:
    error: BaseException


class _Done:
    pass


_DONE = _Done()


class _Channel(Generic[T]):
    def __init__(self) -> None:
        self.items: queue.Queue[T | _Failed | _Done] = queue.Queue(maxsize=_QUEUE_SIZE)
        self.closed = threading.Event()

    def offer(self, item: T | _Failed | _Done) -> bool:
        """Hand ``item`` to the reader; False once the reader has gone away."""
        while not self.closed.is_set():
            try:
                self.items.put(item, timeout=_POLL_SECONDS)
            except queue.Full:
                continue
            return True
        return False


def pump(produce: Callable[[Callable[[T], bool]], None], *, name: str) -> Iterator[T]:
    """Run ``produce(offer)`` in a thread and yield every item it offers, in order.

    ``offer(item)`` returns False when the consumer has stopped reading; ``produce`` should then
    stop. An exception raised by ``produce`` is raised here, after the items offered before it.
    """
    channel: _Channel[T] = _Channel()

    def run() -> None:
        try:
            produce(channel.offer)
        except BaseException as error:  # handed to the reader, who raises it
            channel.offer(_Failed(error))
        else:
            channel.offer(_DONE)

    worker = threading.Thread(target=run, name=name, daemon=True)
    worker.start()
    try:
        while True:
            item = channel.items.get()
            if isinstance(item, _Done):
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item
    finally:
        channel.closed.set()
        worker.join()
