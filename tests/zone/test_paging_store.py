"""Paging a collection through the store: a page that continues after the previous one's last
key (``ObjectQuery.after``, with the first page's ``total``) holds what the numbered page holds,
never skips or repeats an object that stays while the pages are read, and costs the same work
however deep it is, on each backend.

Work is counted deterministically, not timed: on SQLite the virtual machine's instructions (a
progress handler called on each), on PostgreSQL the rows each of the store's statements reads
(``EXPLAIN ANALYZE`` of the statements it ran).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any, Literal

import pytest

from zone_server.scope import Scope
from zone_server.store import NewEvent, ObjectIndex, ObjectPage, ObjectQuery, Store

ZONE = "north"
LA_801 = Scope(las=frozenset({"801"}))
#: Scope keys given in turn: two schools of LA 801, one of LA 802, LA 801 itself, and a
#: learner registered at schools of both LAs.
KEYS = (
    frozenset({"8012000"}),
    frozenset({"8012001"}),
    frozenset({"8023000"}),
    frozenset({"801"}),
    frozenset({"8023000", "8012001"}),
)


def _ref(number: int) -> str:
    return f"{number:08X}-0000-4000-8000-000000000000"


def _visible(number: int) -> bool:
    return LA_801.covers_any(KEYS[number % len(KEYS)])


def _fill(
    store: Store, numbers: Iterable[int], action: Literal["add", "change", "delete"] = "add"
) -> None:
    with store.transaction() as tx:
        for number in numbers:
            ref_id = _ref(number)
            content = {"@RefId": ref_id, "n": number} if action != "delete" else None
            event = tx.append_event(
                ZONE, "northgate", NewEvent(action, "LearnerPersonal", ref_id, content)
            )
            if action == "delete":
                tx.delete_object(event)
            else:
                tx.put_object(event, ObjectIndex(), KEYS[number % len(KEYS)])


def _read_all(store: Store, query: ObjectQuery) -> list[ObjectPage]:
    """Every page of ``query``, each continuing after the one before."""
    pages = [store.query(ZONE, query)]
    while pages[-1].last_key is not None:
        last = pages[-1]
        pages.append(
            store.query(
                ZONE,
                replace(query, page=len(pages) + 1, after=last.last_key, total=last.total),
            )
        )
    return pages


def test_continued_pages_hold_what_numbered_pages_hold_within_the_scope(store: Store) -> None:
    _fill(store, range(200))
    query = ObjectQuery("LearnerPersonal", LA_801, page_size=7)
    continued = _read_all(store, query)
    expected = sorted(_ref(n) for n in range(200) if _visible(n))
    assert [obj.ref_id for page in continued for obj in page.objects] == expected
    assert {page.total for page in continued} == {len(expected)}
    numbered = [
        store.query(ZONE, replace(query, page=number)) for number in range(1, len(continued) + 1)
    ]
    assert [[o.ref_id for o in p.objects] for p in numbered] == [
        [o.ref_id for o in p.objects] for p in continued
    ]
    # Each object as the scope may see it: its keys, its content.
    assert all(LA_801.covers_any(o.scope_keys) for page in continued for o in page.objects)
    assert continued[0].objects[0].content == {"@RefId": expected[0], "n": int(expected[0][:8], 16)}


def test_a_school_filter_pages_the_same_way(store: Store) -> None:
    _fill(store, range(120))
    query = ObjectQuery("LearnerPersonal", LA_801, school="8012001", page_size=5)
    refs = [obj.ref_id for page in _read_all(store, query) for obj in page.objects]
    assert refs == sorted(_ref(n) for n in range(120) if n % len(KEYS) in (1, 4))


def test_changes_since_continue_in_the_order_of_change_with_the_deleted_named(
    store: Store,
) -> None:
    _fill(store, range(60))
    marker = store.marker(ZONE)
    changed = [59, 3, 40, 8, 21, 33, 14, 50, 1, 26]
    for number in changed:
        _fill(store, range(number, number + 1), "change")
    _fill(store, range(15, 16), "delete")
    _fill(store, range(16, 17), "delete")
    query = ObjectQuery("LearnerPersonal", LA_801, changes_since=marker, page_size=3)
    pages = _read_all(store, query)
    in_order = [obj.ref_id for page in pages for obj in page.objects]
    assert in_order == [_ref(n) for n in changed if _visible(n)]
    assert [ref for page in pages for ref in page.deleted_ref_ids] == [
        _ref(n) for n in (15, 16) if _visible(n)
    ]
    assert isinstance(pages[0].last_key, int)


def test_objects_added_and_deleted_between_pages_move_no_other_object(store: Store) -> None:
    """Numbered pages shift when an earlier object goes: the next page skips one. A page that
    continues after the last key read does not."""
    _fill(store, range(10, 110))
    query = ObjectQuery("LearnerPersonal", LA_801, page_size=6)
    first = store.query(ZONE, query)
    second = store.query(ZONE, replace(query, page=2, after=first.last_key, total=first.total))
    # Meanwhile the first object read goes.
    gone = first.objects[0].ref_id
    _fill(store, [int(gone[:8], 16)], "delete")
    numbered = [store.query(ZONE, replace(query, page=n)) for n in range(3, 20)]
    by_number = {o.ref_id for page in (first, second, *numbered) for o in page.objects}
    stayed = {_ref(n) for n in range(10, 110) if _visible(n)} - {gone}
    assert len(stayed - by_number) == 1  # skipped: it moved onto page 2, already read
    # Objects come before and after the place reached, too.
    _fill(store, [*range(0, 10), *range(110, 130)])
    pages = [first, second]
    while pages[-1].last_key is not None:
        last = pages[-1]
        pages.append(
            store.query(
                ZONE, replace(query, page=len(pages) + 1, after=last.last_key, total=last.total)
            )
        )
    seen = [obj.ref_id for page in pages for obj in page.objects]
    assert len(seen) == len(set(seen))
    assert stayed <= set(seen)
    assert {_ref(n) for n in range(110, 130) if _visible(n)} <= set(seen)
    assert {page.total for page in pages} == {first.total}


# -- work done --------------------------------------------------------------------------------


@contextlib.contextmanager
def _sqlite_work(store: Store) -> Iterator[Callable[[], int]]:
    """SQLite virtual machine instructions run on this thread's connection of ``store``."""
    conn = store._conn()  # type: ignore[attr-defined]
    counted = [0]

    def tick() -> int:
        counted[0] += 1
        return 0

    conn.set_progress_handler(tick, 1)
    try:
        yield lambda: counted[0]
    finally:
        conn.set_progress_handler(None, 1)


def _plan_rows(node: dict[str, Any]) -> float:
    """Rows a plan node and those under it produced or filtered out, over all its loops."""
    loops = float(node.get("Actual Loops", 1))
    own = float(node.get("Actual Rows", 0)) + float(node.get("Rows Removed by Filter", 0))
    return own * loops + sum(_plan_rows(child) for child in node.get("Plans", []))


@contextlib.contextmanager
def _postgres_work(store: Store) -> Iterator[Callable[[], int]]:
    """Rows read by the SELECT statements ``store`` runs (each re-run under EXPLAIN ANALYZE),
    with the tables' statistics gathered first, as autovacuum does once they have grown."""
    pool = store._pool  # type: ignore[attr-defined]
    statements: list[tuple[str, Any]] = []
    opened = pool.connection
    with opened() as conn:
        conn.execute("ANALYZE objects")
        conn.execute("ANALYZE object_scopes")

    class Recording:
        def __init__(self, conn: Any) -> None:
            self._conn = conn

        def execute(self, sql: str, params: Any = None) -> Any:
            if sql.lstrip().upper().startswith("SELECT"):
                statements.append((sql, params))
            return self._conn.execute(sql, params)

        def __getattr__(self, name: str) -> Any:
            return getattr(self._conn, name)

    @contextlib.contextmanager
    def recording() -> Iterator[Recording]:
        with opened() as conn:
            yield Recording(conn)

    pool.connection = recording

    def rows() -> int:
        total = 0.0
        with opened() as conn:
            for sql, params in statements:
                plan = conn.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params).fetchone()
                document = plan[0] if isinstance(plan[0], list) else json.loads(plan[0])
                total += _plan_rows(document[0]["Plan"])
        statements.clear()
        return int(total)

    try:
        yield rows
    finally:
        pool.connection = opened


def _work_of(store: Store, query: ObjectQuery) -> int:
    backend = _sqlite_work if type(store).__name__ == "SQLiteStore" else _postgres_work
    with backend(store) as work:
        store.query(ZONE, query)
        return work()


def test_a_deep_continued_page_costs_no_more_than_the_second(store: Store) -> None:
    _fill(store, range(3000))
    query = ObjectQuery("LearnerPersonal", LA_801, page_size=20)
    pages = _read_all(store, query)
    assert len(pages) > 100
    total = pages[0].total

    def continuing(number: int) -> ObjectQuery:
        return replace(query, page=number, after=pages[number - 2].last_key, total=total)

    first = _work_of(store, query)
    second = _work_of(store, continuing(2))
    deep = _work_of(store, continuing(100))
    numbered_deep = _work_of(store, replace(query, page=100))
    assert deep <= second * 1.1 + 50, (first, second, deep)
    # The first page counts every object it may see: it costs far more than a page.
    assert first > 5 * deep, (first, second, deep)
    # A numbered deep page (no key to continue from) counts and skips: the measure sees depth.
    assert numbered_deep > 5 * deep, (numbered_deep, deep)
    assert (
        store.query(ZONE, continuing(100)).objects
        == store.query(ZONE, replace(query, page=100)).objects
    )


@pytest.mark.parametrize("filtered", ["school", "changes"])
def test_deep_continued_pages_of_filtered_queries_cost_no_more_than_the_second(
    store: Store, filtered: str
) -> None:
    _fill(store, range(1500))
    marker = store.marker(ZONE)
    if filtered == "school":
        query = ObjectQuery("LearnerPersonal", LA_801, school="8012001", page_size=10)
    else:
        _fill(store, range(1500), "change")
        query = ObjectQuery("LearnerPersonal", LA_801, changes_since=marker, page_size=10)
    pages = _read_all(store, query)
    assert len(pages) > 40

    def continuing(number: int) -> ObjectQuery:
        return replace(query, page=number, after=pages[number - 2].last_key, total=pages[0].total)

    second = _work_of(store, continuing(2))
    deep = _work_of(store, continuing(40))
    assert deep <= second * 1.1 + 50, (second, deep)
