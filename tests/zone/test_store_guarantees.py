"""What every backend must keep when callers come at once, and what it must give back unchanged.

Each test runs on every backend of ``make_store`` (SQLite, and PostgreSQL when
SIF_TEST_POSTGRES_DSN names a server): several threads share one store, as a server's worker
threads do.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import TypeVar

from sif_core.model import Name, NameType
from zone_server.acl import AccessPolicy
from zone_server.publishing import PublishOutcome, publish
from zone_server.store import Store
from zone_server.wire import content_of

from .conftest import add
from .factories import enrolment, learner, school

NORTHGATE = school("801", "2000", "Northgate Primary")
NOTHING = frozenset[str]()
T = TypeVar("T")


def _at_once(count: int, work: Callable[[int], T]) -> list[T]:
    """Run ``work(0..count-1)`` in threads released together; re-raise the first failure."""
    start = threading.Barrier(count)
    results: list[T] = []
    failures: list[BaseException] = []

    def run(n: int) -> None:
        start.wait()
        try:
            results.append(work(n))
        except BaseException as error:  # handed to the test below
            failures.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return results


def test_retries_of_one_publish_arriving_together_store_it_once(
    store: Store, policy: AccessPolicy
) -> None:
    amy = learner("801", "2000", 1, "Ashby", "Amy")
    events = [add(NORTHGATE), add(amy), add(enrolment(amy, NORTHGATE))]
    party = policy.parties["northgate"]

    def retry(_: int) -> PublishOutcome:
        return publish(
            store, policy, "north", party, events, idempotency_key="k-1", request_hash="h"
        )

    outcomes = _at_once(4, retry)
    assert [outcome.replayed for outcome in outcomes].count(False) == 1
    assert all(outcome.reply == outcomes[0].reply for outcome in outcomes)
    leased = store.lease("north", "northshire", limit=100, lease_seconds=60, audited_types=NOTHING)
    assert len(leased) == 3


def test_consumers_leasing_one_queue_at_once_never_get_the_same_message(
    store: Store, policy: AccessPolicy
) -> None:
    pupils = [learner("801", "2000", n, f"Family{n}", "Kim") for n in range(1, 21)]
    batch = [add(NORTHGATE)] + [add(pupil) for pupil in pupils]
    publish(store, policy, "north", policy.parties["northgate"], batch)

    def consume(_: int) -> list[int]:
        mine: list[int] = []
        while leased := store.lease(
            "north", "northshire", limit=3, lease_seconds=600, audited_types=NOTHING
        ):
            mine += [message.message_id for message in leased]
        return mine

    taken = [message_id for share in _at_once(4, consume) for message_id in share]
    assert len(taken) == len(set(taken)) == len(batch)


def test_publishes_of_one_zone_at_once_get_markers_that_order_their_changes(
    store: Store, policy: AccessPolicy
) -> None:
    publish(store, policy, "north", policy.parties["northgate"], [add(NORTHGATE)])
    pupils = [learner("801", "2000", n, f"Family{n}", "Lee") for n in range(1, 9)]

    def one(n: int) -> PublishOutcome:
        return publish(store, policy, "north", policy.parties["northgate"], [add(pupils[n])])

    outcomes = _at_once(len(pupils), one)
    markers = sorted(int(outcome.reply["changesSinceMarker"]) for outcome in outcomes)
    assert len(set(markers)) == len(pupils)
    assert store.marker("north") == markers[-1]
    messages = store.lease(
        "north", "northshire", limit=100, lease_seconds=60, audited_types=NOTHING
    )
    delivered = [
        m.event.event_id for m in messages if m.event and m.event.ref_id != NORTHGATE.ref_id
    ]
    assert delivered == markers


def test_an_object_comes_back_with_its_fields_in_the_order_and_spelling_published(
    store: Store, policy: AccessPolicy
) -> None:
    siobhan = learner("801", "2000", 1, "Ó Súilleabháin", "Siobhán").model_copy(
        update={
            "names": [
                Name(type=NameType.LEGAL, family_name="Ó Súilleabháin", given_name="Siobhán"),
                Name(type=NameType.PREFERRED, family_name="O'Sullivan", given_name="Shiv"),
            ]
        }
    )
    publish(store, policy, "north", policy.parties["northgate"], [add(NORTHGATE), add(siobhan)])
    stored = store.get("north", "LearnerPersonal", siobhan.ref_id, None)
    assert stored is not None
    published = json.dumps(content_of(siobhan), ensure_ascii=False)
    assert json.dumps(stored.content, ensure_ascii=False) == published
    [message] = [
        m
        for m in store.lease(
            "north", "northshire", limit=10, lease_seconds=60, audited_types=NOTHING
        )
        if m.event and m.event.ref_id == siobhan.ref_id
    ]
    assert message.event is not None
    assert json.dumps(message.event.content, ensure_ascii=False) == published
