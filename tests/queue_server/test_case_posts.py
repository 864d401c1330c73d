"""The supervisor's views of cases handed on by transfer, and of the hall's live waits, through
the use cases on a real SQLite file built by the migrations (and PostgreSQL when
KUAIBAN_TEST_PG is set), with a clock the test moves (an outside check of a supervisor's day):

- a case transferred from intake straight to an approval post keeps who accepted it (受理人)
  and stays in that staff member's 全程盯办; a transfer to another intake counter accepts
  nothing (the counter that moves it on does);
- a case waiting at, or held by, a post with nobody signed in is listed as such;
- 大厅实况's waits are the people waiting in the hall today (consult, intake, pickup), never
  the approval backlog or a ticket left waiting from an earlier day."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from queue_server import wire
from queue_server.db.store import Store
from queue_server.usecases import cases, counters, live
from queue_server.usecases.auth import Principal, authenticate, enrol_terminal
from queue_server.usecases.login import login, logout
from tests.conftest import either_database
from tests.queue_server.conftest import set_all_pins
from tests.queue_server.supervision_seed import SetClock, local, staff, take, to_approval
from tests.queue_server.test_supervision import HALL, SUPERVISOR


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, SetClock]]:
    for url in either_database(request.param, tmp_path / "s.db"):
        set_all_pins(url)
        clock = SetClock(local("2026-03-02T09:00:00"))  # a Monday
        store = Store(url, clock=clock)
        yield store, clock
        store.close()


def transfer_to_approval(store: Store, counter: str = "W01", staff_id: str = "s001") -> str:
    """A case called at an intake counter and transferred to the approval post W03."""
    ticket = take(store, HALL)
    who = staff(HALL, counter, staff_id)
    assert counters.call_next(store, who, counter, "").id == ticket
    counters.start(store, who, counter, "")
    moved = counters.transfer(store, who, counter, wire.TransferIn(counter="W03"), "")
    assert moved.zone == "approval"
    return ticket


def sign_in(store: Store, clock: SetClock, counter: str, staff_id: str) -> tuple[object, str]:
    token, _ = enrol_terminal(store, "counter", f"pad-{counter}-{staff_id}", counter, HALL)
    pad = authenticate(store, token, clock.now)
    session, _, _ = login(store, pad, staff_id, "1234", counter)
    return authenticate(store, session, clock.now), session


def test_a_case_transferred_to_an_approval_post_keeps_who_accepted_it(
        env: tuple[Store, SetClock]) -> None:
    store, clock = env
    assert cases.approval_cases(store, SUPERVISOR, HALL) == []  # none yet: an empty list
    ticket = transfer_to_approval(store)
    row = next(r for r in cases.approval_cases(store, SUPERVISOR, HALL) if r.ticket == ticket)
    assert (row.intake_staff, row.intake_staff_name) == ("s001", "王丽")
    mine = cases.my_cases(store, staff(HALL, "W01", "s001"))
    assert [(m.ticket, m.zone) for m in mine] == [(ticket, "approval")]
    assert mine[0].taken_at == clock.now and mine[0].state == "on_track"


def test_a_transfer_within_intake_accepts_nothing(env: tuple[Store, SetClock]) -> None:
    store, _ = env
    ticket = take(store, HALL)
    first = staff(HALL, "W01", "s001")
    counters.call_next(store, first, "W01", "")
    counters.transfer(store, first, "W01", wire.TransferIn(counter="W02"), "")
    second = staff(HALL, "W02", "s002")
    assert counters.call_next(store, second, "W02", "").id == ticket
    counters.start(store, second, "W02", "")
    counters.finish(store, second, "W02", wire.FinishIn(outcome="next"), "")
    row = next(r for r in cases.approval_cases(store, SUPERVISOR, HALL) if r.ticket == ticket)
    assert row.intake_staff == "s002"
    assert cases.my_cases(store, first) == []
    assert [m.ticket for m in cases.my_cases(store, second)] == [ticket]


def test_a_case_at_a_post_nobody_is_signed_in_at_is_flagged(env: tuple[Store, SetClock]
                                                            ) -> None:
    store, clock = env
    sent = transfer_to_approval(store)
    queued = to_approval(store, HALL, "s001")  # in the approval queue, for any post
    rows = {r.ticket: r for r in cases.approval_cases(store, SUPERVISOR, HALL)}
    assert (rows[sent].waiting_at, rows[sent].unstaffed, rows[sent].status) == (
        "W03", True, "waiting")
    # in the queue, with nobody signed in at any post of its service: nobody calls it either
    # (it waited all week flagged by nothing; an approval officer's week, an outside check)
    assert (rows[queued].waiting_at, rows[queued].unstaffed) == (None, True)
    w03 = next(c for c in live.live(store, SUPERVISOR, HALL).counters if c.code == "W03")
    assert (w03.state, w03.held) == ("closed", 1)

    approver, session = sign_in(store, clock, "W03", "s002")
    rows = {r.ticket: r for r in cases.approval_cases(store, SUPERVISOR, HALL)}
    assert (rows[sent].waiting_at, rows[sent].unstaffed) == ("W03", False)
    assert (rows[queued].waiting_at, rows[queued].unstaffed) == (None, False)
    assert counters.call_next(store, approver, "W03", "").id == sent  # type: ignore[arg-type]
    logout(store, approver, session)  # type: ignore[arg-type]
    rows = {r.ticket: r for r in cases.approval_cases(store, SUPERVISOR, HALL)}
    assert (rows[sent].counter, rows[sent].staff, rows[sent].unstaffed) == ("W03", "s002", True)


def test_the_live_waits_are_the_people_in_the_hall_today(env: tuple[Store, SetClock]) -> None:
    """A case in approval for a week and a number left waiting since yesterday are not the
    hall's waits: 最长等候 showed "7天5小时"."""
    store, clock = env
    clock.now = local("2026-02-23T10:00:00")  # the Monday before
    to_approval(store, HALL, "s001")  # in the approval queue for a week
    clock.now = local("2026-02-27T16:00:00")  # last Friday
    take(store, HALL, "general")  # never called
    clock.now = local("2026-03-02T09:00:00")
    take(store, HALL, "consult")
    clock.advance(minutes=12)
    take(store, HALL, "general")
    clock.advance(minutes=3)
    hall = live.live(store, SUPERVISOR, HALL)
    shown = {(q.zone, q.service): (q.waiting, q.longest_wait_s) for q in hall.queues}
    assert shown == {("consult", "consult"): (1, 15 * 60), ("intake", "general"): (1, 3 * 60)}
    # what a counter could call is every waiting ticket still: its call-next takes them
    can_call = {c.code: c.waiting for c in hall.counters}
    assert can_call["W03"] == 1 and can_call["W01"] == 2


def test_a_number_taken_the_evening_before_waits_from_the_opening(tmp_path: Path) -> None:
    """In a hall open 08:30–12:00 on working days, a number taken at 18:00 is numbered for the
    next day: at 09:00 it has waited 30 minutes, not 15 hours; a number of the day before left
    waiting is not in the hall's waits."""
    from tests.queue_server.inproc import journey_db

    clock = SetClock(local("2026-03-02T10:00:00"))  # Monday
    store = Store(journey_db(tmp_path), clock=clock)
    try:
        take(store, "j1", "general")  # never called
        clock.now = local("2026-03-02T18:00:00")
        take(store, "j1", "general")  # after closing: Tuesday's number
        clock.now = local("2026-03-03T09:00:00")
        who = Principal("staff", "j1", staff_id="s003", staff_role="supervisor")
        [queue] = live.live(store, who, "j1").queues
        assert (queue.zone, queue.waiting, queue.longest_wait_s) == ("intake", 1, 30 * 60)
        clock.now = local("2026-03-03T08:00:00")  # before the opening: nobody waits yet
        [queue] = live.live(store, who, "j1").queues
        assert (queue.waiting, queue.longest_wait_s) == (1, 0)
    finally:
        store.close()


def test_a_case_collected_on_a_later_day_waits_from_its_holder_s_arrival(
        env: tuple[Store, SetClock]) -> None:
    """Approved on Wednesday, a case taken in on Monday waits (held) for its holder; they come
    on Thursday at 15:00: at 15:10 the pickup queue's wait is 10 minutes, not three days."""
    from queue_server.usecases.arrival import arrive_in
    from tests.queue_server.supervision_seed import kiosk

    store, clock = env
    ticket = to_approval(store, HALL, "s001")
    clock.now = local("2026-03-04T14:00:00")
    approver = staff(HALL, "W03", "s002")
    assert counters.call_next(store, approver, "W03", "").id == ticket
    counters.start(store, approver, "W03", "")
    counters.finish(store, approver, "W03", wire.FinishIn(outcome="next"), "")
    assert live.live(store, SUPERVISOR, HALL).queues == []  # held: nobody waits in the hall
    clock.now = local("2026-03-05T15:00:00")
    with store.write() as tx:
        arrive_in(tx, kiosk(HALL), ticket, "")
    clock.advance(minutes=10)
    [queue] = live.live(store, SUPERVISOR, HALL).queues
    assert (queue.zone, queue.waiting, queue.longest_wait_s) == ("pickup", 1, 10 * 60)
