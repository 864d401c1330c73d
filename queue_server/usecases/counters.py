"""Use cases of a counter: call-next (atomic: one writer transaction on SQLite, `FOR UPDATE SKIP
LOCKED` on PostgreSQL), recall, no-show, start, finish (done / next zone / rejected), transfer,
pause and resume. A staff session acts only for its own counter.

With SKIP LOCKED a claim that rolls back can let a later number be called before an earlier one
(the earlier row was locked at the moment another counter looked); it is then called next.

These are the busiest writes of a hall, so they read and write with Core statements
(`records.Record`), not the ORM: its flush cost more than the statements themselves."""

from __future__ import annotations

import logging
from typing import cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.engine import Connection

from queue_server import wire
from queue_server import wire_journey as wj
from queue_server.db import lean
from queue_server.db.models import Counter, Stage, Ticket
from queue_server.db.records import Record
from queue_server.db.store import Store
from queue_server.db.unit import Tx
from queue_server.domain import stages
from queue_server.domain.errors import Conflict, Forbidden, Invalid, NotFound, NoTicketWaiting
from queue_server.domain.hall import HallInfo
from queue_server.domain.policy import Caller, streak_after
from queue_server.domain.priority import declared
from queue_server.usecases import call_order, outposts, pickup
from queue_server.usecases.auth import Principal
from queue_server.usecases.halls import load_hall, service_record
from queue_server.usecases.views import QueueCounts, counter_state, held_at, ticket_out
from queue_server.usecases.walk import COUNTER, STAGE, carried_due, end_stage, one, queue_stage
from queue_server.wire import ZONE_NAMES

log = logging.getLogger(__name__)
_COUNTERS, _STAGES = cast(Table, Counter.__table__), cast(Table, Stage.__table__)
_TICKETS = cast(Table, Ticket.__table__)
_TICKET = lean.hot(select(_TICKETS).where(_TICKETS.c.id == bindparam("id")).with_for_update())


def _own_counter(tx: Tx, who: Principal, code: str) -> tuple[Record, HallInfo]:
    if who.kind != "staff" or who.hall is None:
        raise Forbidden("staff_session_required", "请先登录 / a staff session is required")
    if who.counter != code:
        raise Forbidden("not_your_counter", f"只能操作本窗口 {who.counter} / you may act only "
                        f"for counter {who.counter}")
    row = one(tx.conn, _COUNTERS, COUNTER, hall=who.hall, code=code)
    hall = load_hall(tx.conn, who.hall)
    if row is None or not row.active or hall is None:
        raise NotFound("unknown_counter", f"没有窗口 {code} / no counter {code}")
    return row, hall


# Counters that will call soon: active and with somebody logged in.
_STAFFED = select(_COUNTERS).where(_COUNTERS.c.active, _COUNTERS.c.staff_id.is_not(None))


def prepare_call_orders(store: Store, hall: str | None = None, code: str | None = None
                        ) -> int:
    """Build the call order's SQL of the staffed counters (or of counter `code` of `hall`)
    before they call: at start-up, in a thread, for the counters whose staff stayed logged in
    across a restart, and at each login for its counter. Built on a counter's first call it
    costs some 17 ms in the writer (the example hall's services). Answers how many."""
    query = _STAFFED if code is None else select(_COUNTERS).where(
        _COUNTERS.c.hall == hall, _COUNTERS.c.code == code, _COUNTERS.c.active)
    with store.read() as session:
        conn = session.connection()
        halls: dict[str, HallInfo | None] = {}
        by_hall: dict[str, list[Caller]] = {}
        for row in conn.execute(query.order_by(_COUNTERS.c.hall, _COUNTERS.c.code)):
            counter = Record(_COUNTERS, row)
            if counter.hall not in halls:
                halls[counter.hall] = load_hall(conn, counter.hall)
            info = halls[counter.hall]
            if info is not None:
                by_hall.setdefault(info.id, []).append(caller_of(counter, info))
        for hall_id, callers in by_hall.items():
            call_order.prepare(conn, hall_id, callers)
    return sum(len(callers) for callers in by_hall.values())


def caller_of(counter: Record, hall: HallInfo) -> Caller:
    return Caller(counter.code, counter.zone, tuple(counter.services), counter.priority_streak,
                  hall.priority_cap)


def _announce(hall: HallInfo, number: str, counter: Record) -> dict[str, str]:
    """The call sentence in each of the hall's languages: `text` (Chinese, as in v1) and
    `text_en` / `text_mn` with the counter's name in that language."""
    out = {}
    for lang in hall.languages:
        name = (counter.texts or {}).get(lang, {}).get("name") or counter.name
        zone = ZONE_NAMES[counter.zone][1 if lang == "en" else 0]
        sentence = hall.text("announce", lang).format(
            number=number, counter=name, counter_code=counter.code, zone=zone)
        out["text" if lang == "zh" else f"text_{lang}"] = sentence
    return out


def in_person(ticket: Record, stage: Record) -> bool:
    """Whether a call of `stage` calls someone in the hall (`stages.holder_away`)."""
    return not stages.holder_away(ticket.forwarded_from is not None, stage.zone,
                                  stages.returned(stage))


def call_words(hall: HallInfo, ticket: Record, stage: Record, counter: Record
               ) -> dict[str, object]:
    """What a `ticket.called` or `ticket.recalled` event says beside the ticket: the
    announcement, or `in_person: false` and none (boards neither show nor say it)."""
    if not in_person(ticket, stage):
        return {"in_person": False}
    return dict(_announce(hall, ticket.number, counter))


BACK_OFFICE = ("not_in_person", "后台审批件的办事人不在审批岗,无需重呼或过号,请直接办理 / a case in "
               "the back office has nobody to recall or pass: its holder is not at the "
               "approval post; work on it")
NOT_IN_PERSON = ("not_in_person", "转办件的办事人不在大厅,无需重呼或过号,请直接办理 / a forwarded "
                 "application's holder is not in the hall: there is no one to recall or pass; "
                 "take it up")


def _event(tx: Tx, type_: str, ticket: Record, counter: Record, **extra: object) -> None:
    tx.emit(ticket.hall, type_, ticket=ticket.id, number=ticket.number, service=ticket.service,
            counter=counter.code, counter_name=counter.name, zone=counter.zone, **extra)


def _save(conn: Connection, *records: Record) -> None:
    for record in records:
        record.save(conn)


def call_next(store: Store, who: Principal, code: str, base: str,
              expect: str | None = None) -> wire.TicketOut:
    with store.write() as tx:
        return call_next_in(tx, who, code, base, expect)


def call_next_in(tx: Tx, who: Principal, code: str, base: str,
                 expect: str | None = None) -> wire.TicketOut:
    """Call the next ticket for counter `code`; its answer is read in the same transaction.
    `expect` (when given): the ticket the caller believes is current ("" for none); another
    one there is 409 `counter_changed`, so a call sent again after a timeout, which the
    server may yet run, never ends the ticket the first one called."""
    conn = tx.conn
    counter, hall = _own_counter(tx, who, code)
    if counter.paused:
        raise Conflict("counter_paused", "窗口已暂停 / the counter is paused")
    current = _current(conn, counter, stages.AT_COUNTER, required=False)
    if expect is not None and expect != (current.ticket_id if current is not None else ""):
        raise Conflict("counter_changed", "窗口的当前号已变化,请看清后再叫号 / the counter's "
                       "current ticket changed meanwhile: look again before calling")
    if current is not None:
        # Pressing "next" with a ticket still at the counter ends it as served (叫下一位即办结
        # 当前号), so a client draining the queue never gets stuck.
        prev = one(conn, _TICKETS, _TICKET, id=current.ticket_id)
        assert prev is not None
        _finish(tx, hall, counter, current, prev, wire.FinishIn(outcome=_moved_on(
            tx.conn, prev, current)), base)
        _save(conn, current, prev)
    stage = call_order.pick(conn, hall.id, caller_of(counter, hall))
    if stage is None:
        raise NoTicketWaiting()
    ticket = one(conn, _TICKETS, _TICKET, id=stage.ticket_id)
    assert ticket is not None
    stages.call(stage, code, who.staff_id, tx.now)
    ticket.status, ticket.zone = stages.CALLED, stage.zone
    counter.current_stage = stage.id
    counter.priority_streak = streak_after(counter.priority_streak,
                                           call_order.candidate(stage))
    _save(conn, stage, ticket, counter)
    _event(tx, "ticket.called", ticket, counter,
           priority=stage.priority, **call_words(hall, ticket, stage, counter))
    return ticket_out(conn, ticket, base)


def _moved_on(conn: Connection, ticket: Record, stage: Record) -> str:
    """How call-next ends the ticket still at the counter: `done` (served), but a case in the
    back office goes on along its route (`next`, to pickup) when there is more of it: `done`
    there closed an approved case that was never handed out. A case back from 补正 (its
    papers taken in at intake: the stage carries its approval deadline) goes back to approval."""
    if stage.zone != "approval":
        return "next" if stages.returned(stage) else "done"
    svc = service_record(conn, ticket.hall, stage.service)
    return "next" if svc is not None and stages.zones_left(svc.route, stage.zone) else "done"


def _current(conn: Connection, counter: Record, states: tuple[str, ...], required: bool = True
             ) -> Record | None:
    stage = (one(conn, _STAGES, STAGE, id=counter.current_stage)
             if counter.current_stage else None)
    if stage is None or stage.status not in states:
        if required and stage is not None and stage.status == stages.SERVING:
            # it said "no current ticket here" beside the ticket being served (an outside check)
            raise Conflict("no_current_ticket", "本窗口的号正在办理中,不能重呼、过号或再次开始 / "
                           "the ticket here is being served: it cannot be recalled, passed or "
                           "started again")
        if required:
            raise Conflict("no_current_ticket", "本窗口当前没有号 / no current ticket here")
        return None
    return stage


Body = wire.FinishIn | wire.TransferIn | wj.ConfirmPriorityIn | None


def _act(store: Store, who: Principal, code: str, base: str, action: str,
         body: Body = None) -> wire.TicketOut:
    with store.write() as tx:
        return act_in(tx, who, code, base, action, body)


def act_in(tx: Tx, who: Principal, code: str, base: str, action: str,
           body: Body = None) -> wire.TicketOut:
    """recall, no-show, start, finish or transfer the counter's current ticket; the answer is
    read in the same transaction."""
    conn = tx.conn
    counter, hall = _own_counter(tx, who, code)
    states = (stages.CALLED,) if action in ("recall", "no-show", "start") else stages.AT_COUNTER
    stage = _current(conn, counter, states)
    assert stage is not None
    ticket = one(conn, _TICKETS, _TICKET, id=stage.ticket_id)
    assert ticket is not None
    if action in ("recall", "no-show") and not stages.met_in_person(
            ticket.forwarded_from is not None, stage.zone, stages.returned(stage)):
        raise Conflict(*(BACK_OFFICE if stage.zone == "approval" else NOT_IN_PERSON))
    if action == "recall":
        _event(tx, "ticket.recalled", ticket, counter, recalls=stages.recall(stage),
               **_announce(hall, ticket.number, counter))
    elif action == "no-show":
        if stage.recalls < hall.no_show_after_recalls:
            raise Conflict("recall_first", f"请先重呼 {hall.no_show_after_recalls} 次 / "
                           f"recall {hall.no_show_after_recalls} times first")
        end_stage(stage, counter, tx.now, "no_show")
        if stage.zone == "pickup":
            # An approved case is not lost for a missed call: it waits, held, for its holder
            # to check in at a kiosk again (status `ready`), as a case ready on a later day.
            svc = service_record(tx.conn, ticket.hall, stage.service)
            assert svc is not None
            queue_stage(tx, ticket, svc, "pickup", hall, held=True)
        elif stages.returned(stage):
            # Nor is a case accepted days ago whose holder came back with the papers (补正)
            # and missed the call: it waits for them to check in again, its clock stopped.
            svc = service_record(tx.conn, ticket.hall, stage.service)
            assert svc is not None
            queue_stage(tx, ticket, svc, stage.zone, hall, held=True,
                        due=carried_due(tx.conn, stage, stage.zone, hall, tx.now))
            ticket.status = stages.SUPPLEMENT
        else:
            ticket.status = stages.ticket_status_after("no_show", None)
        _event(tx, "ticket.no_show", ticket, counter)
    elif action == "start":
        stages.start(stage, tx.now)
        ticket.status = stages.SERVING
        _event(tx, "ticket.started", ticket, counter)
    elif action == "finish":
        assert isinstance(body, wire.FinishIn)
        _finish(tx, hall, counter, stage, ticket, body, base)
    elif action == "confirm-priority":
        assert isinstance(body, wj.ConfirmPriorityIn)
        _confirm(tx, counter, ticket, body.confirmed)
    else:
        assert isinstance(body, wire.TransferIn)
        _transfer(tx, counter, stage, ticket, body)
    _save(conn, stage, ticket, counter)
    return ticket_out(conn, ticket, base)


def _finish(tx: Tx, hall: HallInfo, counter: Record, stage: Record, ticket: Record,
            body: wire.FinishIn, base: str) -> None:
    svc = service_record(tx.conn, ticket.hall, stage.service)
    assert svc is not None
    next_zone = stages.next_zone(svc.route, stage.zone, body.outcome)
    parent = load_hall(tx.conn, hall.parent) if hall.parent and next_zone else None
    if parent is not None and next_zone is not None and not _serves(tx.conn, hall.id, next_zone):
        # A bank branch's part ends where its counters end: the papers go on to the parent
        # hall (转大厅), where the application is a ticket of its own; never into a queue of
        # the branch that nobody calls.
        # (the stage's end first, then where it went: `ticket.finished`, `ticket.forwarded`)
        end_stage(stage, counter, tx.now, "forwarded")
        ticket.status = stages.FORWARDED
        _event(tx, "ticket.finished", ticket, counter, outcome=body.outcome, next_zone=None)
        outposts.hand_on(tx, ticket, parent)
        return
    if body.outcome in ("done", "rejected") and stages.returned(stage) and stages.zones_left(
            svc.route, stage.zone):
        # back from 补正 (the stage carries its approval deadline): `done` (or `rejected`)
        # here closed an application accepted days ago that approval never decided
        raise Conflict("back_to_approval", "补正材料收齐后请转下一环节,由审批岗办结 / the papers "
                       "sent for go back to approval: finish it next")
    end_stage(stage, counter, tx.now, body.outcome)
    if body.outcome == "rejected" and body.reason and body.reason.strip():
        stage.reason = body.reason.strip()  # the citizen's view shows it; no event carries it
    if stage.zone == "approval" and next_zone == "pickup":
        pickup.ready(tx, hall, ticket, svc, base)  # case.ready, and its holder is told
    elif next_zone is not None:
        queue_stage(tx, ticket, svc, next_zone, hall,
                    due=carried_due(tx.conn, stage, next_zone, hall, tx.now))
    else:
        ticket.status = stages.ticket_status_after(body.outcome, None)
        if stage.zone == "pickup" and body.outcome == "done":
            pickup.handed_over(tx, ticket.id)
    _event(tx, "ticket.finished", ticket, counter, outcome=body.outcome, next_zone=next_zone)


_SERVES = select(_COUNTERS.c.code).where(_COUNTERS.c.hall == bindparam("hall"),
                                         _COUNTERS.c.zone == bindparam("zone"),
                                         _COUNTERS.c.active.is_(True)).limit(1)


def _serves(conn: Connection, hall: str, zone: str) -> bool:
    """Has the hall an active counter in `zone`?"""
    return conn.execute(_SERVES, {"hall": hall, "zone": zone}).first() is not None


def _confirm(tx: Tx, counter: Record, ticket: Record, confirmed: bool) -> None:
    """The counter judged a priority reason the citizen declared (green channel)."""
    if not declared(ticket.priority_reason, ticket.channel):
        raise Conflict("nothing_to_confirm", "此号没有自报的优先原因 / this ticket has no "
                       "declared priority reason")
    ticket.priority_confirmed = confirmed
    # the reason (disabled, pregnant...) stays with the counter: every subscriber of the hall,
    # its call boards too, reads the event
    _event(tx, "ticket.priority_confirmed", ticket, counter, confirmed=confirmed)


def _transfer(tx: Tx, counter: Record, stage: Record, ticket: Record, body: wire.TransferIn
              ) -> None:
    conn = tx.conn
    if body.service is None and body.counter is None:
        raise Invalid("transfer_target_needed", "请指定事项或窗口 / give a service or a counter")
    svc = service_record(conn, ticket.hall, body.service or stage.service)
    if svc is None or not svc.active:
        raise Invalid("unknown_service", f"没有此事项 / no service {body.service!r}")
    target = None
    zone = stage.zone if stage.zone in svc.route else svc.route[0]
    if body.counter is not None:
        target = one(conn, _COUNTERS, COUNTER, hall=ticket.hall, code=body.counter)
        if target is None or not target.active:
            raise Invalid("unknown_counter", f"没有窗口 {body.counter} / no counter {body.counter}")
        if target.zone not in svc.route or (target.services and svc.code not in target.services):
            # it would wait there in a zone outside its route, or where no call reaches it
            raise Invalid("counter_does_not_serve", f"{target.name} 不办理此事项 / counter "
                          f"{body.counter} does not serve {svc.code}")
        if target.zone not in stages.transfer_zones(svc.route, zone):
            raise Invalid("transfer_skips_zone", f"{target.name} 不在本环节或下一环节;出件须经"
                          f"审批办结,请用“转下一环节” / counter {body.counter} is neither in "
                          f"this zone nor the next (a case reaches pickup only when approved: "
                          f"finish it `next`)")
        zone = target.zone
    hall = load_hall(conn, ticket.hall)
    assert hall is not None
    # Handed on within approval, the same case keeps the deadline it got on entering approval
    # (CONTRACT §5): a transfer is not a new start of its time limit, nor is a change of its
    # service there (an overdue case moved to another service came out with a fresh limit);
    # a case back from 补正 keeps its own, moved on by the days it waited for its papers.
    kept = carried_due(conn, stage, zone, hall, tx.now)
    end_stage(stage, counter, tx.now, "transferred")
    ticket.service = svc.code
    queue_stage(tx, ticket, svc, zone, hall, target.code if target else None, due=kept)
    _event(tx, "ticket.transferred", ticket, counter, to_service=svc.code,
           to_counter=target.code if target else None, to_zone=zone)


def recall(store: Store, who: Principal, code: str, base: str) -> wire.TicketOut:
    return _act(store, who, code, base, "recall")


def no_show(store: Store, who: Principal, code: str, base: str) -> wire.TicketOut:
    return _act(store, who, code, base, "no-show")


def start(store: Store, who: Principal, code: str, base: str) -> wire.TicketOut:
    return _act(store, who, code, base, "start")


def finish(store: Store, who: Principal, code: str, body: wire.FinishIn, base: str
           ) -> wire.TicketOut:
    return _act(store, who, code, base, "finish", body)


def transfer(store: Store, who: Principal, code: str, body: wire.TransferIn, base: str
             ) -> wire.TicketOut:
    return _act(store, who, code, base, "transfer", body)


def set_paused(store: Store, who: Principal, code: str, paused: bool, reason: str | None,
               base: str) -> wire.CounterState:
    with store.write() as tx:
        return set_paused_in(tx, who, code, paused, reason, base)


def set_paused_in(tx: Tx, who: Principal, code: str, paused: bool, reason: str | None,
                  base: str) -> wire.CounterState:
    counter, _hall = _own_counter(tx, who, code)
    if counter.paused != paused:
        counter.paused, counter.pause_reason = paused, reason if paused else None
        log.info("counter %s/%s %s", counter.hall, counter.code,
                 "paused" if paused else "resumed")
        tx.emit(counter.hall, "counter.paused" if paused else "counter.resumed",
                counter=counter.code, counter_name=counter.name, zone=counter.zone,
                reason=reason if paused else None)
    counter.save(tx.conn)
    out = counter_state(tx.session, counter, base, now=tx.now)
    out.held = held_at(tx.conn, counter.hall, counter.zone, counter.code)  # as GET's (it said [])
    return out


def list_counters(store: Store, who: Principal, base: str) -> list[wire.CounterState]:
    with store.read() as s:
        rows = s.scalars(select(Counter).where(Counter.hall == who.hall, Counter.active)
                         .order_by(Counter.position))
        counts = QueueCounts.read(s, str(who.hall))
        now = store.clock()
        return [counter_state(s, row, base, counts, now) for row in rows]


def get_counter(store: Store, who: Principal, code: str, base: str) -> wire.CounterState:
    with store.read() as s:
        row = s.get(Counter, (who.hall, code))
        if row is None or not row.active:
            raise NotFound("unknown_counter", f"没有窗口 {code} / no counter {code}")
        out = counter_state(s, row, base, now=store.clock())
        out.held = held_at(s.connection(), row.hall, row.zone, row.code)
        return out
