"""Supervision through the use cases (no HTTP), on a real SQLite file and on PostgreSQL (when
KUAIBAN_TEST_PG is set), with a clock the test moves: approval deadlines (who holds a case,
who took it in, overdue / due today / soon, alerts once each), 全程盯办, the follow-up steps of
a bad rating with their deadlines and late flags, the old one-shot close, staff appeals, the
ratings ledger's filters and the live hall."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from queue_server import wire
from queue_server.db.models import Evaluation
from queue_server.db.store import Store
from queue_server.domain.errors import Conflict, Forbidden
from queue_server.domain.figures import Filter
from queue_server.usecases import (
    appeals,
    cases,
    counter_desk,
    counters,
    figures,
    followups,
    ledger,
    live,
)
from queue_server.usecases.auth import Principal, enrol_terminal
from queue_server.usecases.login import login
from queue_server.usecases.terminals import heartbeat
from queue_server.wire_console import Period
from tests.conftest import either_database
from tests.queue_server.conftest import set_all_pins
from tests.queue_server.supervision_seed import (
    SetClock,
    local,
    rate,
    serve,
    staff,
    take,
    to_approval,
)

HALL = "t1"
SUPERVISOR = Principal("staff", HALL, staff_id="s003", staff_role="supervisor")
ADMIN = Principal("admin", None)


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, SetClock]]:
    for url in either_database(request.param, tmp_path / "s.db"):
        clock = SetClock(local("2026-03-02T09:00:00"))  # a Monday
        store = Store(url, clock=clock)
        yield store, clock
        store.close()


def events(store: Store, type_: str) -> list[dict]:
    return [e for e in store.fetch_events(HALL, 0, 10_000) if e["type"] == type_]


def test_approval_cases_where_they_stand_and_who_holds_them(env: tuple[Store, SetClock]
                                                           ) -> None:
    store, clock = env
    ticket = to_approval(store, HALL, "s001")
    other = to_approval(store, HALL, "s002")
    rows = {r.ticket: r for r in cases.approval_cases(store, SUPERVISOR, HALL)}
    # entered Monday, 2 working days: due Wednesday 23:59:59 local
    assert rows[ticket].deadline == local("2026-03-04T23:59:59")
    assert rows[ticket].state == "on_track" and rows[ticket].staff is None
    assert rows[ticket].intake_staff == "s001" and rows[ticket].intake_staff_name == "王丽"
    assert rows[ticket].masked_name == "王**"
    counters.call_next(store, staff(HALL, "W03", "s002"), "W03", "")  # the first one
    held = {r.ticket: r for r in cases.approval_cases(store, SUPERVISOR, HALL)}
    assert (held[ticket].counter, held[ticket].staff) == ("W03", "s002")
    assert held[other].staff is None
    states = []
    for day in ("2026-03-03T10:00:00", "2026-03-04T10:00:00", "2026-03-05T10:00:00"):
        clock.now = local(day)
        states.append(cases.approval_cases(store, SUPERVISOR, HALL)[0].state)
    assert states == ["soon", "due_today", "overdue"]
    with pytest.raises(Forbidden):
        cases.approval_cases(store, staff(HALL, "W01", "s001"), HALL)


def test_a_case_put_aside_or_handed_on_in_approval_stays_overdue(env: tuple[Store, SetClock]
                                                                 ) -> None:
    """CONTRACT §5: `overdue_open` counts approval stages open now past their deadline. A case
    its counter put on hold (挂起) is still open; handed on within approval it keeps the
    deadline it got on entering approval (a transfer does not restart its time limit)."""
    store, clock = env
    ticket = to_approval(store, HALL, "s001")
    approver = staff(HALL, "W03", "s002")
    counters.call_next(store, approver, "W03", "")
    clock.now = local("2026-03-05T10:00:00")  # past Wednesday's 23:59:59
    period = figures.period_of(HALL, "2026-03-02", "2026-03-05")

    def overdue() -> tuple[int, list[str]]:
        kpi = figures.kpi_report(store, SUPERVISOR, period, Filter())
        listed = [r.ticket for r in cases.approval_cases(store, SUPERVISOR, HALL)
                  if r.state == "overdue"]
        return kpi["overdue_open"], listed

    assert overdue() == (1, [ticket])
    with store.write() as tx:
        assert counter_desk.hold_in(tx, approver, "W03", "").status == "on_hold"
    assert overdue() == (1, [ticket])  # put aside, not done
    with store.write() as tx:
        counter_desk.take_back_in(tx, approver, "W03", "", wire.TakeBackIn(ticket=ticket))
    handed = counters.transfer(store, approver, "W03", wire.TransferIn(service="case"), "")
    assert handed.zone == "approval" and handed.deadline == local("2026-03-04T23:59:59")
    assert overdue() == (1, [ticket])


def test_alerts_go_once_per_state_to_the_holder(env: tuple[Store, SetClock]) -> None:
    store, clock = env
    ticket = to_approval(store, HALL)
    counters.call_next(store, staff(HALL, "W03", "s002"), "W03", "")
    assert cases.scan_alerts(store) == 0  # on track
    clock.now = local("2026-03-04T09:00:00")
    assert cases.scan_alerts(store) == 1
    assert cases.scan_alerts(store) == 0  # once
    clock.now = local("2026-03-05T09:00:00")
    assert cases.scan_alerts(store) == 1
    sent = events(store, "case.alert")
    assert [(e["kind"], e["ticket"], e["counter"], e["staff"]) for e in sent] == [
        ("due_today", ticket, "W03", "s002"), ("overdue", ticket, "W03", "s002")]
    assert sent[0]["deadline"].startswith("2026-03-04T15:59:59")
    assert "name" not in str(sent) and "150102" not in str(sent)


def test_the_intake_staff_member_follows_their_cases(env: tuple[Store, SetClock]) -> None:
    store, clock = env
    mine = to_approval(store, HALL, "s001")
    to_approval(store, HALL, "s002")
    general = take(store, HALL, "general")
    serve(store, HALL, "W01", "s001", "done")  # served, not taken in for approval
    clock.now = local("2026-03-05T09:00:00")
    rows = cases.my_cases(store, staff(HALL, "W01", "s001"))
    assert [r.ticket for r in rows] == [mine] and general not in [r.ticket for r in rows]
    assert rows[0].zone == "approval" and rows[0].state == "overdue"
    counters.call_next(store, staff(HALL, "W03", "s002"), "W03", "")
    counters.finish(store, staff(HALL, "W03", "s002"), "W03", wire.FinishIn(outcome="next"), "")
    now = cases.my_cases(store, staff(HALL, "W01", "s001"))[0]
    # approved two days after intake: the case is ready and waits for its holder (issue 14)
    assert now.zone == "pickup" and now.state is None and now.status == "ready"
    with pytest.raises(Forbidden):
        cases.my_cases(store, ADMIN)  # an administrator token is nobody's intake


def _bad_rating(store: Store, level: int = 1) -> wire.EvaluationOut:
    ticket = take(store, HALL, "general")
    serve(store, HALL, "W01", "s001", "done")
    return rate(store, HALL, ticket, level, "=HYPERLINK(\"x\")")


def test_follow_up_steps_each_with_its_deadline(env: tuple[Store, SetClock]) -> None:
    store, clock = env
    out = _bad_rating(store)
    item = followups.followups(store, SUPERVISOR, True)[0]
    assert item.id == out.followup and item.step == "verify"
    assert item.due_at == local("2026-03-05T23:59:59")  # followup_days = 3
    with pytest.raises(Conflict) as wrong:
        followups.act(store, followups.rectify_in, SUPERVISOR, item.id, "x")
    assert wrong.value.code == "wrong_step"
    clock.now = local("2026-03-06T10:00:00")  # a day late
    assert followups.followups(store, SUPERVISOR, True, late_only=True)[0].id == item.id
    step = followups.act(store, followups.verify_in, SUPERVISOR, item.id, True, "属实")
    assert step.step == "rectify" and step.steps[0].late and step.steps[0].valid is True
    assert step.due_at == local("2026-03-20T23:59:59")  # 10 working days
    step = followups.act(store, followups.rectify_in, SUPERVISOR, item.id, "已培训")
    assert step.step == "reply" and not step.steps[1].late
    assert step.due_at == local("2026-03-10T23:59:59")  # 2 working days
    done = followups.act(store, followups.reply_in, SUPERVISOR, item.id, "已电话回复")
    assert done.step == "closed" and done.closed_at == clock.now and done.note == "已电话回复"
    assert [s.step for s in done.steps] == ["verify", "rectify", "reply"] and done.late
    assert [e["type"] for e in store.fetch_events(HALL, 0, 10_000)
            if e["type"].startswith("followup.")] == [
        "followup.verified", "followup.rectified", "followup.replied", "followup.closed"]
    with pytest.raises(Conflict):
        followups.act(store, followups.reply_in, SUPERVISOR, item.id, "again")


def test_not_valid_skips_rectification_and_old_close_still_works(
        env: tuple[Store, SetClock]) -> None:
    store, _ = env
    first, second = _bad_rating(store, 1), _bad_rating(store, 2)
    step = followups.act(store, followups.verify_in, SUPERVISOR, first.followup, False,
                         "群众误评")
    assert step.step == "reply" and step.steps[0].valid is False
    closed = followups.act(store, followups.close_in, ADMIN, second.followup, "已处理")
    assert closed.step == "closed" and closed.note == "已处理"
    assert [(s.step, s.done_by) for s in closed.steps] == [
        ("verify", "admin"), ("rectify", "admin"), ("reply", "admin")]
    assert [f.id for f in followups.followups(store, SUPERVISOR, True)] == [first.followup]
    with pytest.raises(Forbidden):
        followups.act(store, followups.close_in, staff(HALL, "W01", "s001"), first.followup, "x")


def test_appeal_by_the_rated_staff_member_decided_by_a_supervisor(
        env: tuple[Store, SetClock]) -> None:
    store, _ = env
    out = _bad_rating(store)
    with pytest.raises(Forbidden) as other:
        appeals.file(store, staff(HALL, "W02", "s002"), out.id, "不是我")
    assert other.value.code == "not_your_rating"
    filed = appeals.file(store, staff(HALL, "W01", "s001"), out.id, "群众误按")
    assert filed.status == "open" and filed.staff_name == "王丽"
    with pytest.raises(Conflict):
        appeals.file(store, staff(HALL, "W01", "s001"), out.id, "again")
    with pytest.raises(Forbidden):
        appeals.decide(store, staff(HALL, "W01", "s001"), filed.id, True, "x")
    decided = appeals.decide(store, SUPERVISOR, filed.id, True, "监控显示误按")
    assert decided.status == "upheld" and decided.decided_by == "s003"
    item = followups.followups(store, SUPERVISOR, True)[0]
    assert item.step == "reply" and item.steps[0].valid is False
    assert "申诉成立" in (item.steps[0].note or "")
    with store.read() as s:  # the rating itself is never changed
        assert s.scalars(select(Evaluation.level).where(Evaluation.id == out.id)).one() == 1
    assert [e["type"] for e in store.fetch_events(HALL, 0, 10_000)
            if e["type"].startswith("appeal.")] == ["appeal.filed", "appeal.decided"]
    own = appeals.file(store, staff(HALL, "W01", "s001"), _bad_rating(store).id, "x" * 3)
    with pytest.raises(Forbidden):
        appeals.decide(store, staff(HALL, "W01", "s001", "supervisor"), own.id, False, "x")


def test_the_ledger_filters(env: tuple[Store, SetClock]) -> None:
    store, clock = env
    bad = _bad_rating(store)
    ticket = take(store, HALL, "general")
    serve(store, HALL, "W02", "s002", "done")
    rate(store, HALL, ticket, 5)
    clock.now = local("2026-03-03T09:00:00")
    later = take(store, HALL, "general")
    serve(store, HALL, "W02", "s002", "done")
    rate(store, HALL, later, 4)

    def ids(**kw: object) -> list[int]:
        return [r.id for r in ledger.ratings(store, SUPERVISOR, HALL, Period(**kw))]  # type: ignore[arg-type]

    every = ids()
    assert len(every) == 3 and every[-1] == bad.id  # newest first
    assert ids(level=[1, 2]) == [bad.id]
    assert ids(staff="s001") == [bad.id] and ids(counter="W02") == every[:2]
    day = local("2026-03-02T12:00:00").date()
    assert len(ids(date_from=day, date_to=day)) == 2
    assert ids(zone="approval") == [] and len(ids(service="general")) == 3
    row = ledger.ratings(store, SUPERVISOR, HALL, Period(level=[1]))[0]
    assert row.followup_step == "verify" and row.staff_name == "王丽" and row.zone == "intake"
    mine = ledger.my_ratings(store, staff(HALL, "W01", "s001"))
    assert [r.id for r in mine] == [bad.id]


def test_the_live_hall(env: tuple[Store, SetClock]) -> None:
    store, clock = env
    set_all_pins(store.url)
    pad_token, _ = enrol_terminal(store, "counter", "pad-w01", "W01", HALL)
    kiosk_token, _ = enrol_terminal(store, "kiosk", "kiosk-3", None, HALL)
    enrol_terminal(store, "display", "board", None, HALL)
    from queue_server.usecases.auth import authenticate

    counter_pad = authenticate(store, pad_token, clock.now)
    login(store, counter_pad, "s001", "1234", "W01")
    take(store, HALL, "general")
    clock.advance(minutes=5)
    take(store, HALL, "general")
    clock.advance(minutes=2)
    heartbeat(store, authenticate(store, kiosk_token, clock.now),
              wire.HeartbeatIn(devices={"printer": "paper_out", "idcard": "online"}))
    hall = live.live(store, SUPERVISOR, HALL)
    queue = next(q for q in hall.queues if q.service == "general")
    assert (queue.zone, queue.waiting, queue.longest_wait_s, queue.counters_open) == (
        "intake", 2, 7 * 60, 1)
    states = {c.code: c.state for c in hall.counters}
    assert states["W01"] == "idle" and states["W02"] == "closed"
    terms = {t.name: t for t in hall.terminals}
    assert terms["kiosk-3"].state == "problem" and terms["kiosk-3"].problems == [
        "printer: paper_out"]
    assert terms["board"].state == "never"
    counters.call_next(store, staff(HALL, "W01", "s001"), "W01", "")
    clock.advance(minutes=5)
    hall = live.live(store, SUPERVISOR, HALL)
    w01 = next(c for c in hall.counters if c.code == "W01")
    assert (w01.state, w01.number, w01.staff_name) == ("called", "A001", "王丽")
    assert next(t for t in hall.terminals if t.name == "kiosk-3").state == "offline"
    assert next(q for q in hall.queues if q.service == "general").longest_wait_s == 7 * 60  # the second
