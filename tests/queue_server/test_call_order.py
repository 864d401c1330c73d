"""One call order: the database's call-next candidates (usecases/call_order.py, built from the
policy's tiers) and `policy.pick_next` over every waiting stage of the hall pick the same stage,
for random queues (zones, services, priorities, transfers to this or another counter, issue
times with ties, ended stages as noise) and random counters (zone, order of services, priority
streak and cap). On a real SQLite file and on PostgreSQL (KUAIBAN_TEST_PG)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Table, delete, insert, select

from queue_server.db.models import Stage, Ticket
from queue_server.db.store import Store
from queue_server.domain.policy import Caller, pick_next
from queue_server.usecases import call_order
from tests.conftest import either_database

HALL = "t1"
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
ZONES = ("intake", "approval")
SERVICES = ("a", "b", "c", "d")
CODES = ("W01", "W02", "W03")
_TICKETS, _STAGES = cast(Table, Ticket.__table__), cast(Table, Stage.__table__)

stage_st = st.fixed_dictionaries({
    "zone": st.sampled_from(ZONES), "service": st.sampled_from(SERVICES),
    "priority": st.booleans(), "target": st.none() | st.sampled_from(CODES),
    "minute": st.integers(0, 6),  # few distinct times: ties in issue time are common
    "due": st.none() | st.integers(0, 2),  # an approval case's deadline, in days; ties common
    "status": st.sampled_from(("waiting", "waiting", "waiting", "ended", "called")),
})
caller_st = st.builds(
    Caller, code=st.sampled_from(CODES), zone=st.sampled_from(ZONES),
    services=st.lists(st.sampled_from(SERVICES), min_size=1, max_size=4, unique=True).map(tuple),
    streak=st.integers(0, 4), cap=st.integers(1, 3))


@pytest.fixture(scope="module", params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Store]:
    for url in either_database(request.param, tmp_path_factory.mktemp("co") / "q.db"):
        s = Store(url)
        yield s
        s.close()


def _fill(conn: Any, stages: list[dict[str, Any]]) -> None:
    conn.execute(delete(_STAGES).where(_STAGES.c.hall == HALL))
    conn.execute(delete(_TICKETS).where(_TICKETS.c.hall == HALL))
    for i, st_ in enumerate(stages, start=1):
        at = T0 + timedelta(minutes=st_["minute"])
        conn.execute(insert(_TICKETS).values(
            id=f"tk{i}", hall=HALL, service=st_["service"], number=f"A{i:03d}", prefix="A",
            seq=i, day=date(2026, 3, 2), channel="kiosk", priority=st_["priority"],
            issued_at=at, status=st_["status"], zone=st_["zone"], print_failed=False))
        conn.execute(insert(_STAGES).values(
            hall=HALL, ticket_id=f"tk{i}", zone=st_["zone"], service=st_["service"],
            status=st_["status"], priority=st_["priority"], target_counter=st_["target"],
            sort_at=at, recalls=0, rated=False,
            deadline=None if st_.get("due") is None else T0 + timedelta(days=st_["due"])))


class _Rollback(Exception):
    """Leaves the unit of work without keeping anything."""


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(stages=st.lists(stage_st, max_size=14), caller=caller_st)
def test_the_database_calls_whom_the_policy_picks(store: Store, stages: list[dict[str, Any]],
                                                   caller: Caller) -> None:
    seen: dict[str, Any] = {}
    with pytest.raises(_Rollback), store.write() as tx:
        _fill(tx.conn, stages)
        waiting = [call_order.candidate(row) for row in tx.conn.execute(
            select(_STAGES).where(_STAGES.c.hall == HALL, _STAGES.c.status == "waiting"))]
        seen["policy"] = pick_next(waiting, caller)
        picked = call_order.pick(tx.conn, HALL, caller)
        seen["db"] = picked.id if picked is not None else None
        raise _Rollback
    expected = seen["policy"].stage_id if seen["policy"] is not None else None
    assert seen["db"] == expected


def test_an_approval_post_calls_the_case_due_first(store: Store) -> None:
    """An approval officer's week (an outside check): the post called a fresh case of the
    service it lists first while an overdue case of another waited. In approval the deadline
    decides, soonest first, then issue time; a case without one comes last."""
    queue = [{"zone": "approval", "service": code, "priority": False, "target": None,
              "minute": minute, "status": "waiting", "due": due}
             for code, minute, due in (("a", 0, None), ("a", 1, 2), ("b", 5, 0), ("b", 6, 0))]
    caller = Caller("W01", "approval", ("a", "b"))
    with pytest.raises(_Rollback), store.write() as tx:
        _fill(tx.conn, queue)
        picked = call_order.pick(tx.conn, HALL, caller)
        assert picked is not None and picked.ticket_id == "tk3"  # due first, then the older
        raise _Rollback


@pytest.mark.parametrize(("services", "expected"), [
    (("c", "a", "b"), "tk1"),  # the first service has nobody: the next one with somebody
    (("b", "a", "d"), "tk2"),  # the counter's order before issue time (tk1 is older)
    (("d", "c"), "tk3"),
])
def test_the_counter_order_of_services_decides_before_issue_time(
        store: Store, services: tuple[str, ...], expected: str) -> None:
    """Random queues seldom hold normal stages of several of a counter's services at once;
    these do: three waiting normal stages of services a, b, d, oldest first."""
    queue = [{"zone": "intake", "service": code, "priority": False, "target": None,
              "minute": minute, "status": "waiting"}
             for code, minute in (("a", 0), ("b", 1), ("d", 2))]
    queue.append({"zone": "intake", "service": "b", "priority": True, "target": None,
                  "minute": 0, "status": "waiting"})  # priority, taken over by the streak cap
    caller = Caller("W01", "intake", services, streak=3, cap=3)
    with pytest.raises(_Rollback), store.write() as tx:
        _fill(tx.conn, queue)
        picked = call_order.pick(tx.conn, HALL, caller)
        assert picked is not None and picked.ticket_id == expected
        raise _Rollback


@pytest.mark.pg
def test_a_call_locks_no_service_after_the_one_it_calls(store: Store) -> None:
    """PostgreSQL: the normal tier's first stage of each service is one member of the UNION,
    each `FOR UPDATE SKIP LOCKED`; only the members up to the first that answers may run. A
    counter calling `a` before `b` holds the first `a`; another counter calling `b` at the same
    time gets the first `b`, not the second (which it would if the first had locked every
    service's first stage)."""
    if store.is_sqlite:
        pytest.skip("row locks: PostgreSQL only")
    queue = [{"zone": "intake", "service": code, "priority": False, "target": None,
              "minute": minute, "status": "waiting"}
             for code, minute in (("a", 0), ("b", 1), ("b", 2))]
    with store.writer.begin() as conn:
        _fill(conn, queue)
    try:
        with store.writer.begin() as first, store.writer.begin() as second:
            held = call_order.pick(first, HALL, Caller("W01", "intake", ("a", "b"), 0, 3))
            assert held is not None and held.ticket_id == "tk1"
            other = call_order.pick(second, HALL, Caller("W02", "intake", ("b",), 0, 3))
            assert other is not None and other.ticket_id == "tk2"
            same = call_order.pick(second, HALL, Caller("W03", "intake", ("a", "b"), 0, 3))
            assert same is not None and same.ticket_id == "tk2"  # tk1 is held: skipped
    finally:
        with store.writer.begin() as conn:
            _fill(conn, [])


def test_a_staffed_counter_s_call_order_is_prepared_before_it_calls(store: Store) -> None:
    """`prepare_call_orders` builds exactly what a counter's first call would build: at
    start-up for the counters somebody is logged in at (not the others, nor an inactive one),
    and at a login for its counter; a pick then finds its SQL ready."""
    from sqlalchemy import update

    from queue_server.db.models import Counter
    from queue_server.db.records import Record
    from queue_server.usecases import counters
    from queue_server.usecases.halls import load_hall

    cache = call_order._STATEMENTS
    table = cast(Table, Counter.__table__)
    with store.read() as session:
        rows = [Record(table, r) for r in session.connection().execute(
            select(table).where(table.c.hall == HALL, table.c.active).order_by(table.c.code))]
        hall = load_hall(session.connection(), HALL)
    assert hall is not None and len(rows) >= 3

    def staff(code: str, staff_id: str | None, active: bool = True) -> None:
        with store.write() as tx:
            tx.conn.execute(update(table).where(table.c.hall == HALL, table.c.code == code)
                            .values(staff_id=staff_id, active=active))

    dialect = "sqlite" if store.is_sqlite else "postgresql"

    def key(row: Record) -> tuple[str, str, str, str, tuple[str, ...]]:
        caller = counters.caller_of(row, hall)
        return (dialect, HALL, caller.code, caller.zone, caller.services)

    staff(rows[0].code, "s1")
    staff(rows[1].code, "s2", active=False)
    try:
        cache.clear()
        assert counters.prepare_call_orders(store) == 1  # at start-up: the staffed one
        assert set(cache) == {key(rows[0])}
        assert counters.prepare_call_orders(store, HALL, rows[2].code) == 1  # a login
        assert counters.prepare_call_orders(store, HALL, rows[1].code) == 0  # inactive
        assert set(cache) == {key(rows[0]), key(rows[2])}
        built = dict(cache)
        with store.read() as session:  # a pick finds its SQL ready, the very same object
            call_order.pick(session.connection(), HALL, counters.caller_of(rows[2], hall))
        assert cache == built and all(cache[k] is built[k] for k in built)
    finally:
        staff(rows[0].code, None)
        staff(rows[1].code, None)
