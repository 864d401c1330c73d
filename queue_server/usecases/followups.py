"""The follow-up of a bad rating (国办发〔2019〕51号): 核实 verify (valid, or not valid with a
reason) → 整改 rectify (only when valid) → 回复 reply (the answer given to the citizen,
recorded) → closed. Each step is a `followup_steps` row made when it becomes current, with its
own deadline in working days from the hall's settings (`followup_days` for verify from the
rating, `followup_rectify_days` from the verification, `followup_reply_days` from the previous
step); a step done after its deadline, or open past it, is late. The old one-shot close
(`POST /followups/{id}/close {note}`) still works: it completes every open step at once with
its note (an unverified rating counts as valid) and closes the item. Every step writes an
event. Only supervisors and administrators act; a rating itself is never changed here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server import wire
from queue_server.db.models import Evaluation, Followup, FollowupStep, Stage, Ticket
from queue_server.db.store import Store
from queue_server.db.unit import Tx
from queue_server.domain.deadlines import is_late
from queue_server.domain.errors import Conflict, NotFound
from queue_server.domain.hall import HallInfo
from queue_server.domain.workdays import deadline
from queue_server.usecases.auth import Principal, require_supervisor
from queue_server.usecases.halls import load_hall

VERIFY, RECTIFY, REPLY, CLOSED = "verify", "rectify", "reply", "closed"
STEP_NAMES = {VERIFY: ("核实", "verify"), RECTIFY: ("整改", "rectify"), REPLY: ("回复", "reply"),
              CLOSED: ("已办结", "closed")}


def open_in(tx: Tx, hall: HallInfo, evaluation: Evaluation) -> Followup:
    """In the rating's transaction: a follow-up at its verify step."""
    due = deadline(hall.day_of(tx.now), hall.followup_days, hall.timezone,
                   hall.calendar).at
    item = Followup(hall=evaluation.hall, evaluation_id=evaluation.id,
                    ticket_id=evaluation.ticket_id, due_at=due, step=VERIFY)
    tx.session.add(item)
    tx.session.flush()
    tx.session.add(FollowupStep(followup_id=item.id, hall=item.hall, step=VERIFY, due_at=due))
    return item


def _steps(s: Session, ids: Iterable[int]) -> dict[int, list[FollowupStep]]:
    out: dict[int, list[FollowupStep]] = {}
    ids = list(ids)
    if ids:
        for row in s.scalars(select(FollowupStep).where(FollowupStep.followup_id.in_(ids))
                             .order_by(FollowupStep.id)):
            out.setdefault(row.followup_id, []).append(row)
    return out


def out(s: Session, item: Followup, steps: list[FollowupStep], now: datetime
        ) -> wire.FollowupOut:
    ev = s.get(Evaluation, item.evaluation_id)
    ticket = s.get(Ticket, item.ticket_id)
    stage = s.get(Stage, ev.stage_id) if ev is not None else None
    assert ev is not None and ticket is not None
    shown = [wire.FollowupStepOut(step=st.step, due_at=st.due_at, done_at=st.done_at,  # type: ignore[arg-type]
                                  done_by=st.done_by, valid=st.valid, note=st.note,
                                  late=is_late(st.due_at, st.done_at, now)) for st in steps]
    return wire.FollowupOut(
        id=item.id, evaluation=ev.id, ticket=item.ticket_id,
        number=(stage.number if stage is not None else None) or ticket.number,  # the rated stage's
        level=ev.level, reasons=list(ev.reasons), counter=ev.counter, staff=ev.staff_id,
        due_at=item.due_at, closed_at=item.closed_at, note=item.note, step=item.step,
        steps=shown, late=any(st.late for st in shown), rated_at=ev.created_at,
        service=ticket.service, zone=stage.zone if stage is not None else None,
        comment=ev.comment)


def followups(store: Store, who: Principal, open_only: bool, hall: str | None = None,
              late_only: bool = False) -> list[wire.FollowupOut]:
    require_supervisor(who)
    hall = who.hall or hall
    with store.read() as s:
        query = select(Followup).order_by(Followup.due_at, Followup.id).limit(2000)
        if hall is not None:
            query = query.where(Followup.hall == hall)
        if open_only:
            query = query.where(Followup.closed_at.is_(None))
        items = list(s.scalars(query))
        steps = _steps(s, (i.id for i in items))
        now = store.clock()
        rows = [out(s, i, steps.get(i.id, []), now) for i in items]
    return [r for r in rows if r.late] if late_only else rows


def _current(tx: Tx, who: Principal, item_id: int, step: str | None
             ) -> tuple[Followup, FollowupStep | None, HallInfo]:
    require_supervisor(who)
    item = tx.session.get(Followup, item_id, with_for_update=True)
    if item is None or (who.hall is not None and item.hall != who.hall):
        raise NotFound("unknown_followup", "没有此回访事项 / no such follow-up")
    if item.closed_at is not None or item.step == CLOSED:
        raise Conflict("already_closed", "此回访已办结 / this follow-up is already closed")
    if step is not None and item.step != step:
        zh, en = STEP_NAMES.get(item.step, (item.step, item.step))
        raise Conflict("wrong_step", f"当前步骤是{zh} / the current step is {en}")
    current = tx.session.scalars(select(FollowupStep).where(
        FollowupStep.followup_id == item.id, FollowupStep.done_at.is_(None))
        .order_by(FollowupStep.id.desc())).first()
    hall = load_hall(tx.session, item.hall)
    assert hall is not None
    return item, current, hall


def _finish_step(tx: Tx, who: Principal, item: Followup, current: FollowupStep | None,
                 step: str, note: str, valid: bool | None = None) -> FollowupStep:
    if current is None:  # an item from before the steps existed: its step starts now
        current = FollowupStep(followup_id=item.id, hall=item.hall, step=step,
                               due_at=item.due_at)
        tx.session.add(current)
    current.done_at, current.done_by, current.note = tx.now, who.staff_id or "admin", note
    if valid is not None:
        current.valid = valid
    return current


def _advance(tx: Tx, item: Followup, hall: HallInfo, step: str) -> None:
    days = hall.followup_rectify_days if step == RECTIFY else hall.followup_reply_days
    due = deadline(hall.day_of(tx.now), days, hall.timezone, hall.calendar).at
    tx.session.add(FollowupStep(followup_id=item.id, hall=item.hall, step=step, due_at=due))
    item.step, item.due_at = step, due


def _answer(tx: Tx, item: Followup) -> wire.FollowupOut:
    tx.session.flush()
    return out(tx.session, item, _steps(tx.session, [item.id]).get(item.id, []), tx.now)


def verify_in(tx: Tx, who: Principal, item_id: int, valid: bool, note: str) -> wire.FollowupOut:
    item, current, hall = _current(tx, who, item_id, VERIFY)
    done = _finish_step(tx, who, item, current, VERIFY, note, valid)
    _advance(tx, item, hall, RECTIFY if valid else REPLY)
    tx.emit(item.hall, "followup.verified", followup=item.id, ticket=item.ticket_id,
            valid=valid, late=is_late(done.due_at, done.done_at, tx.now), next=item.step)
    return _answer(tx, item)


def rectify_in(tx: Tx, who: Principal, item_id: int, note: str) -> wire.FollowupOut:
    item, current, hall = _current(tx, who, item_id, RECTIFY)
    done = _finish_step(tx, who, item, current, RECTIFY, note)
    _advance(tx, item, hall, REPLY)
    tx.emit(item.hall, "followup.rectified", followup=item.id, ticket=item.ticket_id,
            late=is_late(done.due_at, done.done_at, tx.now), next=REPLY)
    return _answer(tx, item)


def reply_in(tx: Tx, who: Principal, item_id: int, note: str) -> wire.FollowupOut:
    item, current, _ = _current(tx, who, item_id, REPLY)
    done = _finish_step(tx, who, item, current, REPLY, note)
    tx.emit(item.hall, "followup.replied", followup=item.id, ticket=item.ticket_id,
            late=is_late(done.due_at, done.done_at, tx.now))
    _close(tx, who, item, note)
    return _answer(tx, item)


def _close(tx: Tx, who: Principal, item: Followup, note: str) -> None:
    item.closed_at, item.note, item.closed_by = tx.now, note, who.staff_id or "admin"
    item.step = CLOSED
    tx.emit(item.hall, "followup.closed", followup=item.id, ticket=item.ticket_id)


def close_in(tx: Tx, who: Principal, item_id: int, note: str) -> wire.FollowupOut:
    """The old one-shot close: every remaining step done now with `note`."""
    item, current, hall = _current(tx, who, item_id, None)
    step = item.step
    while step != CLOSED:
        _finish_step(tx, who, item, current, step, note, True if step == VERIFY else None)
        current = None
        if step == REPLY:
            break
        step = RECTIFY if step == VERIFY else REPLY
        _advance(tx, item, hall, step)
        current = tx.session.scalars(select(FollowupStep).where(
            FollowupStep.followup_id == item.id, FollowupStep.step == step)).first()
    _close(tx, who, item, note)
    return _answer(tx, item)


def act(store: Store, work: Callable[..., wire.FollowupOut], *args: Any) -> wire.FollowupOut:
    """Run one of the `*_in` steps in its own unit of work."""
    with store.write() as tx:
        return work(tx, *args)
