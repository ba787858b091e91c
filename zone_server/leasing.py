"""Leases asked for together are served together: one store call and one transaction.

A publish wakes every long poll waiting on the queues it fed, and each of them leases at once.
Served one by one, that is a worker-thread hop, a write transaction and a flush to disk per
subscriber. :class:`LeaseBatcher` gathers the leases asked for in one turn of the event loop
(the long polls one publish woke, say) and serves them with one
:meth:`~zone_server.store.Store.lease_many`: each delivery is still audited in the transaction
that leases it, and that transaction is on disk before any of them is answered.
"""

from __future__ import annotations

import asyncio

from starlette.concurrency import run_in_threadpool

from zone_server.store import LeaseOutcome, LeaseRequest, Store

__all__ = ["LeaseBatcher"]


class LeaseBatcher:
    """Serves lease requests made in the same turn of the event loop with one store call."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._waiting: list[tuple[LeaseRequest, asyncio.Future[LeaseOutcome]]] = []
        self._serving: set[asyncio.Task[None]] = set()
        #: The (zone, party) queues whose last reply was full: a lingering lease there does
        #: not wait first, as more than a reply's worth is already waiting.
        self.backlog: set[tuple[str, str]] = set()

    async def lease(self, request: LeaseRequest) -> LeaseOutcome:
        """Lease (acknowledging ``request.ack`` first) together with the others asked for now."""
        loop = asyncio.get_running_loop()
        outcome: asyncio.Future[LeaseOutcome] = loop.create_future()
        if not self._waiting:
            # Served once the callbacks already due have run: the other long polls woken by
            # the same publish join this batch.
            loop.call_soon(self._serve_waiting)
        self._waiting.append((request, outcome))
        return await outcome

    def _serve_waiting(self) -> None:
        batch, self._waiting = self._waiting, []
        task = asyncio.ensure_future(self._serve(batch))
        self._serving.add(task)  # held until done: the loop keeps only weak references
        task.add_done_callback(self._serving.discard)

    async def _serve(self, batch: list[tuple[LeaseRequest, asyncio.Future[LeaseOutcome]]]) -> None:
        try:
            outcomes = await run_in_threadpool(
                self._store.lease_many, [request for request, _ in batch]
            )
        except BaseException as error:  # each waiting request raises it (a 500, logged)
            for _, waiting in batch:
                if not waiting.done():
                    waiting.set_exception(error)
            if not isinstance(error, Exception):
                raise
            return
        for (_, waiting), outcome in zip(batch, outcomes, strict=True):
            if not waiting.done():
                waiting.set_result(outcome)
