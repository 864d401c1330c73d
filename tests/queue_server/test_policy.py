"""The queue policy as pure functions, with Hypothesis: no interleaving of call-next from many
counters calls a ticket twice or skips an eligible one, the priority cap holds, and the order
is transferred → priority → the counter's services → issue time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.domain.policy import (
    Caller,
    Candidate,
    estimate_wait_s,
    format_number,
    mean_service_s,
    pick_next,
    streak_after,
)

T0 = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
SERVICES = ("a", "b", "c")
COUNTERS = (("a", "b"), ("b", "a"), ("c",), ("a", "b", "c"))
ZONE = "intake"


def caller(k: int, streak: int = 0, cap: int = 3, services: tuple[str, ...] | None = None
           ) -> Caller:
    return Caller(f"W{k}", ZONE, services or COUNTERS[k], streak, cap)


def cand(i: int, svc: str, prio: bool, target: int | None, at: datetime,
         zone: str = ZONE) -> Candidate:
    return Candidate(i, zone, svc, prio, f"W{target}" if target is not None else None, at)

issue_op = st.tuples(st.just("issue"), st.sampled_from(SERVICES), st.booleans(),
                     st.none() | st.integers(0, len(COUNTERS) - 1))
call_op = st.tuples(st.just("call"), st.integers(0, len(COUNTERS) - 1))
ops = st.lists(st.one_of(issue_op, call_op), max_size=120)


def _run(operations: list[tuple], cap: int) -> list[tuple[int, Candidate]]:
    """Apply issue/call operations in the given interleaving; answers the calls made. A ticket
    issued with a target stands for one transferred to that counter. Checks on the way that
    a counter finds nobody only when nobody it may call waits."""
    waiting: dict[int, Candidate] = {}
    calls: list[tuple[int, Candidate]] = []
    streaks = [0] * len(COUNTERS)
    for n, op in enumerate(operations, start=1):
        if op[0] == "issue":
            _, svc, prio, target = op
            waiting[n] = cand(n, svc, prio, target, T0 + timedelta(seconds=n))
            continue
        k = op[1]
        picked = pick_next(waiting.values(), caller(k, streaks[k], cap))
        servable = [c for c in waiting.values() if c.target == f"W{k}"
                    or (c.target is None and c.service in COUNTERS[k])]
        assert (picked is None) == (not servable)
        if picked is not None:
            del waiting[picked.stage_id]
            streaks[k] = streak_after(streaks[k], picked)
            calls.append((k, picked))
    return calls


@settings(max_examples=300, deadline=None)
@given(ops, st.integers(1, 4))
def test_no_interleaving_calls_a_ticket_twice(operations: list[tuple], cap: int) -> None:
    calls = _run(operations, cap)
    ids = [c.stage_id for _, c in calls]
    assert len(ids) == len(set(ids))
    issued = sum(1 for op in operations if op[0] == "issue")
    assert len(ids) <= issued


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(("a", "b")), st.booleans()), min_size=1,
                max_size=60), st.integers(1, 5))
def test_priority_cap_holds(tickets: list[tuple[str, bool]], cap: int) -> None:
    """One counter drains a queue: never more than `cap` priority calls in a row while a
    normal ticket waits; and priority tickets go first otherwise."""
    pool = [cand(i, svc, prio, None, T0 + timedelta(seconds=i))
            for i, (svc, prio) in enumerate(tickets)]
    streak, run = 0, 0
    while pool:
        picked = pick_next(pool, caller(0, streak, cap, ("a", "b")))
        assert picked is not None
        normal_waiting = any(not c.priority for c in pool)
        run = run + 1 if picked.priority else 0
        if normal_waiting:
            assert run <= cap
        if not picked.priority and streak < cap:
            assert not any(c.priority for c in pool)
        streak = streak_after(streak, picked)
        pool.remove(picked)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(SERVICES), st.booleans(), st.booleans()),
                min_size=1, max_size=40), st.integers(0, 3))
def test_order_transferred_then_priority_then_services_then_time(
        tickets: list[tuple[str, bool, bool]], counter: int) -> None:
    services = COUNTERS[counter]
    pool = [cand(i, svc, prio, counter if targeted else None, T0 + timedelta(seconds=-i))
            for i, (svc, prio, targeted) in enumerate(tickets)]
    picked = pick_next(pool, caller(counter))
    targeted = [c for c in pool if c.target is not None]
    if targeted:
        assert picked == min(targeted, key=lambda c: c.sort_at)
        return
    served = [c for c in pool if c.service in services]
    # a stage of another zone, or transferred to another counter, is never called here
    assert pick_next([cand(99, services[0], True, None, T0, zone="pickup"),
                      cand(98, services[0], True, counter + 1, T0)], caller(counter)) is None
    if not served:
        assert picked is None
        return
    assert picked is not None
    best = min(served, key=lambda c: (not c.priority, services.index(c.service), c.sort_at))
    assert picked == best


def test_numbers_and_estimates() -> None:
    assert format_number("A", 1) == "A001" and format_number("AB", 1234) == "AB1234"
    assert estimate_wait_s(6, 2, 300) == 900 and estimate_wait_s(3, 0, 100) == 300
    assert mean_service_s([]) == 300 and mean_service_s([60, 120, 10**6]) == 90
