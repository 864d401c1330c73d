"""The counter's second-line actions, the ones that keep a mistake from sticking: call a chosen
number (叫指定号), put a passed number back in its queue or call it (过号重排), put the current
ticket on hold (挂起) and take it back, undo the last finish within a few seconds while nobody
else touched the ticket, and find today's ticket by number.
Each is one unit of work with its event, like the actions of `counters`."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, delete, select
from sqlalchemy.engine import Connection

from queue_server import wire
from queue_server.db.models import Stage, Ticket
from queue_server.db.records import Record
from queue_server.db.store import Store
from queue_server.db.unit import Tx
from queue_server.domain import stages
from queue_server.domain.errors import Conflict, Forbidden, Invalid, NotFound
from queue_server.domain.hall import HallInfo
from queue_server.domain.opening import numbering_day
from queue_server.usecases import notify
from queue_server.usecases.auth import Principal
from queue_server.usecases.counters import _current, _event, _own_counter, _save, call_words
from queue_server.usecases.halls import load_hall, service_record
from queue_server.usecases.views import ticket_out
from queue_server.usecases.walk import STAGE, carried_due, one, queue_stage
from queue_server.wire import ZONE_NAMES

UNDO_WINDOW_S = 15  # how long after a finish its counter may take it back
NUMBER = re.compile(r"^([A-Z]{1,2})(\d{1,5})$")
_STAGES, _TICKETS = cast(Table, Stage.__table__), cast(Table, Ticket.__table__)


def parse_number(number: str) -> tuple[str, int]:
    match = NUMBER.match(number.strip().upper())
    if match is None:
        raise Invalid("bad_number", f"号码格式不对: {number[:12]!r} / not a ticket number "
                      "(e.g. A012)")
    return match.group(1), int(match.group(2))


def _today(conn: Connection, hall: HallInfo, number: str, now: datetime, lock: bool = True
           ) -> Record | None:
    """The ticket that holds `number` today: issued today under it, or a case of an earlier
    day that its holder collects today under a number of today (usecases/arrival.py: the
    ticket and its current stage take today's number; the stage queues from the arrival).
    While the hall is closed, a number taken since (numbered in the day it opens next, which a
    counter at work in the evening may call all the same) comes before today's."""
    prefix, seq = parse_number(number)
    today = hall.day_of(now)
    row = None
    for day in dict.fromkeys((numbering_day(hall, now), today)):
        query = select(_TICKETS).where(
            _TICKETS.c.hall == hall.id, _TICKETS.c.prefix == prefix,
            _TICKETS.c.day == day, _TICKETS.c.seq == seq)
        row = conn.execute(query.with_for_update() if lock else query).first()
        if row is not None:
            break
    if row is None:
        later = select(_TICKETS, _STAGES.c.sort_at.label("queued_at")).join(
            _STAGES, _STAGES.c.id == _TICKETS.c.stage).where(
            _TICKETS.c.hall == hall.id, _TICKETS.c.prefix == prefix,
            _TICKETS.c.number == number, _TICKETS.c.day < today, _STAGES.c.number == number)
        found = [r for r in conn.execute(later) if hall.day_of(r.queued_at) == today]
        if found:
            query = select(_TICKETS).where(_TICKETS.c.id == found[0].id)
            row = conn.execute(query.with_for_update() if lock else query).first()
    return Record(_TICKETS, row) if row is not None else None


def _free(conn: Connection, counter: Record) -> None:
    if _current(conn, counter, stages.AT_COUNTER, required=False) is not None:
        raise Conflict("counter_busy", "请先处理完当前号 / finish or hold the current ticket "
                       "first")


def call_number_in(tx: Tx, who: Principal, code: str, base: str,
                   body: wire.CallNumberIn) -> wire.TicketOut:
    """叫指定号: call today's ticket `body.number` at this counter, if it waits in its zone (and
    is not sent to another counter); (v1.4) with `body.ticket`, that very ticket of whatever
    day (a line of the approval post's list: numbers start again each day)."""
    conn = tx.conn
    counter, hall = _own_counter(tx, who, code)
    if counter.paused:
        raise Conflict("counter_paused", "窗口已暂停 / the counter is paused")
    _free(conn, counter)
    if body.ticket is not None:  # (v1.4) that very case, of whatever day
        ticket = _the_case(conn, hall, body.ticket, body.number)
        if ticket is None:
            raise NotFound("unknown_ticket", f"没有此号 {body.number} / no such ticket "
                           f"{body.number}")
        stage = one(conn, _STAGES, STAGE, id=ticket.stage) if ticket.stage else None
        if counter.zone == "approval" and ticket.status == stages.SUPPLEMENT:
            _may_call_back(conn, hall, ticket, counter, tx.now)
            stage = _recalled(tx, hall, ticket, counter)
    else:
        ticket = _today(conn, hall, body.number, tx.now)
        stage = one(conn, _STAGES, STAGE, id=ticket.stage) if ticket and ticket.stage else None
    if body.ticket is None and counter.zone == "approval" and (
            stage is None or stage.zone != "approval" or stage.status != stages.WAITING):
        # the back office works cases of earlier days: an overdue B001 of last week was
        # "今天没有 B001 号" (an approval officer's week, an outside check)
        ticket = _in_back_office(conn, hall, body.number) or ticket
        stage = one(conn, _STAGES, STAGE, id=ticket.stage) if ticket and ticket.stage else None
        sent_back = _sent_back(conn, hall, body.number) if (
            stage is None or stage.zone != "approval") else None
        if sent_back is not None:
            _may_call_back(conn, hall, sent_back, counter, tx.now)
            ticket = sent_back
            stage = _recalled(tx, hall, ticket, counter)
    if ticket is None:
        raise NotFound("unknown_number", f"今天没有 {body.number} 号 / no ticket "
                       f"{body.number} today")
    zone = ZONE_NAMES.get(counter.zone, (counter.zone, counter.zone))
    if stage is None or stage.status != stages.WAITING or stage.zone != counter.zone:
        raise Conflict("not_waiting_here", f"{ticket.number} 不在{zone[0]}等候 / "
                       f"{ticket.number} is not waiting in {zone[1]}")
    if stage.target_counter not in (None, code) and not _sent_from(conn, stage, code):
        raise Conflict("sent_elsewhere", f"{ticket.number} 已转给 {stage.target_counter} / "
                       f"{ticket.number} was sent to counter {stage.target_counter}")
    stages.call(stage, code, who.staff_id, tx.now)
    ticket.status, ticket.zone = stages.CALLED, stage.zone
    counter.current_stage = stage.id
    _save(conn, stage, ticket, counter)
    _event(tx, "ticket.called", ticket, counter, priority=stage.priority, chosen=True,
           **call_words(hall, ticket, stage, counter))
    return ticket_out(conn, ticket, base)


def _the_case(conn: Connection, hall: HallInfo, ticket_id: str, number: str) -> Record | None:
    """The hall's ticket `ticket_id` if it holds `number` (a list's line names both: the
    number the post reads must be the case it calls)."""
    parse_number(number)
    row = conn.execute(select(_TICKETS).where(
        _TICKETS.c.hall == hall.id, _TICKETS.c.id == ticket_id,
        _TICKETS.c.number == number.strip().upper()).with_for_update()).first()
    return Record(_TICKETS, row) if row is not None else None


def _sent_back(conn: Connection, hall: HallInfo, number: str) -> Record | None:
    """The case under `number` waiting for its holder's papers (补正), of any day."""
    row = conn.execute(select(_TICKETS).where(
        _TICKETS.c.hall == hall.id, _TICKETS.c.number == number.strip().upper(),
        _TICKETS.c.status == stages.SUPPLEMENT).order_by(_TICKETS.c.issued_at.desc()).limit(1)
        .with_for_update()).first()
    return Record(_TICKETS, row) if row is not None else None


def _may_call_back(conn: Connection, hall: HallInfo, ticket: Record, counter: Record,
                   now: datetime) -> None:
    """A case sent back for papers is called back by a post of its service (a property post
    took a company case into its queue: an outside check), and, where the hall gives its
    holder a date to bring them by (补正期限), not before that date has passed: the holder was
    promised it (the post took a case back the day after, its page no longer asking for the
    papers; an outside check)."""
    if counter.services and ticket.service not in counter.services:
        raise Conflict("counter_does_not_serve", f"{ticket.number} 不是本岗办理的事项 / "
                       f"{ticket.number} is not a service of this post")
    asked = conn.execute(select(_STAGES).where(
        _STAGES.c.ticket_id == ticket.id, _STAGES.c.outcome == stages.SUPPLEMENT)
        .order_by(_STAGES.c.id.desc()).limit(1)).first()
    by = asked.papers_by if asked is not None else None
    if by is not None and now <= by:
        day = by.astimezone(ZoneInfo(hall.timezone))
        raise Conflict("papers_not_due", f"{ticket.number} 的补正期限 {day:%Y-%m-%d} 未到,办事人仍可"
                       f"递交 / the holder of {ticket.number} may bring the papers until "
                       f"{day:%Y-%m-%d}")


def _recalled(tx: Tx, hall: HallInfo, ticket: Record, counter: Record) -> Record:
    """An approval post takes back a case whose papers never came (逾期未补正) to decide on
    what it has, approve or reject with its reason: it leaves intake (its held stage ends
    `transferred`) and waits in approval for this post, its clock running again from now
    (the days waited added to its promised date, as when papers come)."""
    conn = tx.conn
    held = one(conn, _STAGES, STAGE, id=ticket.stage)
    assert held is not None
    svc = service_record(conn, ticket.hall, held.service)
    assert svc is not None
    due = carried_due(conn, held, "approval", hall, tx.now)
    stages.end(held, tx.now, "transferred")
    held.save(conn)
    stage_id = queue_stage(tx, ticket, svc, "approval", hall, counter.code, due=due)
    _event(tx, "ticket.transferred", ticket, counter, to_service=svc.code,
           to_counter=counter.code, to_zone="approval")
    stage = one(conn, _STAGES, STAGE, id=stage_id)
    assert stage is not None
    return stage


def _in_back_office(conn: Connection, hall: HallInfo, number: str) -> Record | None:
    """The case waiting in approval under `number`, of any day; of several (a B001 of each
    of two days), the one due first."""
    parse_number(number)
    row = conn.execute(select(_TICKETS).join(_STAGES, _STAGES.c.id == _TICKETS.c.stage).where(
        _TICKETS.c.hall == hall.id, _TICKETS.c.number == number.strip().upper(),
        _STAGES.c.zone == "approval", _STAGES.c.status == stages.WAITING)
        .order_by(_STAGES.c.deadline, _TICKETS.c.issued_at).limit(1)
        .with_for_update(of=_TICKETS)).first()
    return Record(_TICKETS, row) if row is not None else None


def _sent_from(conn: Connection, stage: Record, code: str) -> bool:
    """Whether the counter `code` sent this waiting stage to another counter (its stage before
    ended `transferred` there): it may call the ticket back, as when nobody is signed in at the
    counter it went to (it waited there with nobody to call it)."""
    before = conn.execute(select(_STAGES.c.counter, _STAGES.c.outcome).where(
        _STAGES.c.ticket_id == stage.ticket_id, _STAGES.c.id < stage.id)
        .order_by(_STAGES.c.id.desc()).limit(1)).first()
    return before is not None and before.counter == code and before.outcome == "transferred"


def requeue_in(tx: Tx, who: Principal, code: str, base: str,
               body: wire.RequeueIn) -> wire.TicketOut:
    """过号重排: a citizen whose number was passed (no-show) today came back. Their ticket
    queues again in the zone it was passed in, in its place by issue time (顺延: ahead of
    everyone who took a number after it), or with `call` is called at this counter at once.
    Any counter of that zone that serves the ticket's service may do it. A number passed at
    pickup is not one of these: its case waits, held, for its holder to check in (到号)."""
    conn = tx.conn
    counter, hall = _own_counter(tx, who, code)
    ticket = _today(conn, hall, body.number, tx.now)
    if ticket is None:
        raise NotFound("unknown_number", f"今天没有 {body.number} 号 / no ticket "
                       f"{body.number} today")
    stage = one(conn, _STAGES, STAGE, id=ticket.stage) if ticket.stage else None
    passed = _passed(conn, ticket, stage)
    if passed is None:
        raise Conflict("not_passed", f"{ticket.number} 没有过号 / {ticket.number} was not "
                       "passed (no-show)")
    there = ZONE_NAMES.get(passed.zone, (passed.zone, passed.zone))
    if passed.zone == "pickup":
        raise Conflict("check_in_first", f"{ticket.number} 在{there[0]}过号，请先到号 / "
                       f"{ticket.number} was passed at pickup: check its holder in first")
    if passed.zone != counter.zone:
        raise Conflict("passed_elsewhere", f"{ticket.number} 在{there[0]}过号，请由该环节窗口办理"
                       f" / {ticket.number} was passed in {there[1]}: a counter there takes "
                       "it back")
    svc = service_record(conn, ticket.hall, passed.service)
    if counter.services and passed.service not in counter.services:
        raise Forbidden("not_your_service", f"本窗口不办理此号的事项 / counter {code} does "
                        f"not serve {passed.service}")
    if svc is None or not svc.active:
        raise Conflict("service_closed", f"此号的事项已停办 / {passed.service} is no longer "
                       "served")
    if body.call:
        if counter.paused:
            raise Conflict("counter_paused", "窗口已暂停 / the counter is paused")
        _free(conn, counter)
    # approval keeps the deadline it got on entering approval, as a transfer within it does
    # (and a case back from 补正 its own)
    kept = carried_due(conn, passed, passed.zone, hall, tx.now)
    stage_id = queue_stage(tx, ticket, svc, passed.zone, hall, due=kept)
    _event(tx, "ticket.requeued", ticket, counter, call=body.call)
    if body.call:
        stage = one(conn, _STAGES, STAGE, id=stage_id)
        assert stage is not None
        stages.call(stage, code, who.staff_id, tx.now)
        ticket.status, counter.current_stage = stages.CALLED, stage.id
        _save(conn, stage, counter)
        _event(tx, "ticket.called", ticket, counter, priority=stage.priority, chosen=True,
               requeued=True, **call_words(hall, ticket, stage, counter))
    _save(conn, ticket)
    return ticket_out(conn, ticket, base)


def _passed(conn: Connection, ticket: Record, stage: Record | None) -> Record | None:
    """The stage in which `ticket` was passed, if its walk ended there: called, then marked
    no-show (a phone number never checked in was not called: it was not passed). At pickup
    the case waits, held, after it (its last ended stage is the one answered)."""
    if stage is not None and ticket.status == stages.READY and stage.status == stages.HELD:
        row = conn.execute(select(_STAGES).where(
            _STAGES.c.ticket_id == ticket.id, _STAGES.c.id < stage.id)
            .order_by(_STAGES.c.id.desc()).limit(1)).first()
        stage = Record(_STAGES, row) if row is not None else None
    elif ticket.status != "no_show":
        return None
    if stage is None or stage.status != stages.ENDED or stage.outcome != "no_show" \
            or stage.called_at is None:
        return None
    return stage


def hold_in(tx: Tx, who: Principal, code: str, base: str) -> wire.TicketOut:
    """挂起: the current ticket leaves the counter (and the queue) until it is taken back."""
    conn = tx.conn
    counter, _hall = _own_counter(tx, who, code)
    stage = _current(conn, counter, stages.AT_COUNTER)
    assert stage is not None
    ticket = one(conn, _TICKETS, select(_TICKETS).where(_TICKETS.c.id == stage.ticket_id))
    assert ticket is not None
    stages.hold(stage)
    ticket.status, counter.current_stage = stages.ON_HOLD, None
    _save(conn, stage, ticket, counter)
    _event(tx, "ticket.held", ticket, counter)
    return ticket_out(conn, ticket, base)


def take_back_in(tx: Tx, who: Principal, code: str, base: str,
                 body: wire.TakeBackIn) -> wire.TicketOut:
    """A ticket this counter held becomes its current ticket again."""
    conn = tx.conn
    counter, _hall = _own_counter(tx, who, code)
    _free(conn, counter)
    ticket = one(conn, _TICKETS, select(_TICKETS).where(
        _TICKETS.c.id == body.ticket, _TICKETS.c.hall == counter.hall).with_for_update())
    stage = one(conn, _STAGES, STAGE, id=ticket.stage) if ticket and ticket.stage else None
    if ticket is None or stage is None or stage.status != stages.ON_HOLD \
            or stage.counter != code:
        raise Conflict("not_on_hold", "此号不在本窗口挂起 / this ticket is not on hold here")
    ticket.status = stages.take_back(stage)
    counter.current_stage = stage.id
    _save(conn, stage, ticket, counter)
    _event(tx, "ticket.taken_back", ticket, counter)
    return ticket_out(conn, ticket, base)


def undo_finish_in(tx: Tx, who: Principal, code: str, base: str) -> wire.TicketOut:
    """Take back this counter's last finish (done, next zone or rejected) within
    `UNDO_WINDOW_S` seconds, if nobody touched the ticket since: not rated, not called in its
    next zone, no pickup notice or hand-over. The ticket is served here again."""
    conn = tx.conn
    counter, _hall = _own_counter(tx, who, code)
    _free(conn, counter)
    row = conn.execute(select(_STAGES).where(
        _STAGES.c.hall == counter.hall, _STAGES.c.counter == code,
        _STAGES.c.status == stages.ENDED,
        _STAGES.c.ended_at >= tx.now - timedelta(seconds=UNDO_WINDOW_S))
        .order_by(_STAGES.c.ended_at.desc(), _STAGES.c.id.desc()).limit(1)).first()
    if row is None or row.outcome not in (*stages.SERVED, stages.SUPPLEMENT):
        raise Conflict("nothing_to_undo", f"没有 {UNDO_WINDOW_S} 秒内的办结可撤销 / no finish "
                       f"in the last {UNDO_WINDOW_S} s to undo")
    stage = Record(_STAGES, row)
    if stage.outcome == stages.SUPPLEMENT:
        return _take_back_papers(tx, counter, stage, base)
    ticket = one(conn, _TICKETS, select(_TICKETS).where(_TICKETS.c.id == stage.ticket_id)
                 .with_for_update())
    assert ticket is not None
    later = [Record(_STAGES, r) for r in conn.execute(select(_STAGES).where(
        _STAGES.c.ticket_id == ticket.id, _STAGES.c.id > stage.id))]
    untouched = not stage.rated and not (stage.zone == "pickup" and stage.outcome == "done") \
        and (not later if ticket.stage == stage.id else (
            len(later) == 1 and later[0].id == ticket.stage
            and later[0].status == stages.WAITING
            and not (stage.zone == "approval" and later[0].zone == "pickup")))
    if not untouched:
        raise Conflict("ticket_moved_on", f"{ticket.number} 已有后续处理,不能撤销 / "
                       f"{ticket.number} has been handled since: cannot undo")
    if later:
        conn.execute(delete(_STAGES).where(_STAGES.c.id == later[0].id))
        if later[0].deadline is not None:  # queued into approval: its deadline goes too
            ticket.deadline = stage.deadline
            ticket.deadline_provisional = stage.deadline_provisional
    stages.reopen(stage)
    stage.reason = None
    ticket.status, ticket.zone, ticket.stage = stages.SERVING, stage.zone, stage.id
    counter.current_stage = stage.id
    _save(conn, stage, ticket, counter)
    _event(tx, "ticket.finish_undone", ticket, counter)
    return ticket_out(conn, ticket, base)


def _take_back_papers(tx: Tx, counter: Record, stage: Record, base: str) -> wire.TicketOut:
    """Undo a 补正 pressed by mistake (within the undo window, its message not sent yet):
    while its holder has not checked in, the case is served at the post again."""
    conn = tx.conn
    ticket = one(conn, _TICKETS, select(_TICKETS).where(_TICKETS.c.id == stage.ticket_id)
                 .with_for_update())
    assert ticket is not None
    held = one(conn, _STAGES, STAGE, id=ticket.stage) if ticket.stage else None
    if held is None or held.status != stages.HELD or ticket.status != stages.SUPPLEMENT:
        raise Conflict("ticket_moved_on", f"{ticket.number} 已有后续处理,不能撤销 / "
                       f"{ticket.number} has been handled since: cannot undo")
    conn.execute(delete(_STAGES).where(_STAGES.c.id == held.id))
    notify.withdraw(tx, "case.supplement", ticket.id)
    stage.status, stage.ended_at, stage.outcome = stages.SERVING, None, None
    stage.papers = stage.reason = stage.papers_by = None
    stage.started_at = stage.started_at or stage.called_at or tx.now
    ticket.status, ticket.zone, ticket.stage = stages.SERVING, stage.zone, stage.id
    counter.current_stage = stage.id
    _save(conn, stage, ticket, counter)
    _event(tx, "ticket.finish_undone", ticket, counter)
    return ticket_out(conn, ticket, base)


def find(store: Store, who: Principal, number: str, base: str) -> list[wire.TicketOut]:
    """Today's ticket with `number` in the staff member's hall (staff and counters only)."""
    if who.kind not in ("staff", "counter") or who.hall is None:
        raise Forbidden("staff_only", "仅限窗口工作人员 / for counter staff only")
    with store.read() as s:
        hall = load_hall(s, who.hall)
        assert hall is not None
        ticket = _today(s.connection(), hall, number, store.clock(), lock=False)
        found = s.get(Ticket, ticket.id) if ticket is not None else None
        return [ticket_out(s, found, base)] if found is not None else []
