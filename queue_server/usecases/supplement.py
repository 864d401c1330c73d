"""补正: an approval post finds papers missing and sends the case back for them, telling its
holder all of them at once (一次性告知, the county plan's 一次性告知制). The approval stage ends
`supplement` with the papers and a note; the case waits, held, in the zone before approval
(intake, 一窗受理) for its holder, its time limit stopped (补正时间不计入办结时限); its holder is
told (the pages, and an SMS or WeChat message where the hall has a gateway).

The holder brings the papers: at a kiosk their card or the ticket's QR code checks them in under
a number of today (usecases/arrival.py), an intake counter calls them and takes the papers in,
and the case goes back into approval with its promised date moved on by the working days it
waited (`walk.carried_due`). A case is sent back once: a second request for papers would not be
telling them at once (the post decides on what it has: approves, or rejects with a reason)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, select

from queue_server import wire
from queue_server.db.models import Stage, Ticket
from queue_server.db.unit import Tx
from queue_server.domain import stages
from queue_server.domain.clock import iso
from queue_server.domain.deadlines import papers_by
from queue_server.domain.errors import Conflict, Invalid
from queue_server.domain.workdays import Due
from queue_server.usecases import notify
from queue_server.usecases.auth import Principal
from queue_server.usecases.counter_desk import UNDO_WINDOW_S
from queue_server.usecases.counters import _TICKET, _current, _event, _own_counter, _save
from queue_server.usecases.halls import service_record
from queue_server.usecases.views import ticket_out
from queue_server.usecases.walk import end_stage, one, queue_stage

_STAGES, _TICKETS = cast(Table, Stage.__table__), cast(Table, Ticket.__table__)
_ONCE = select(_STAGES.c.id).where(_STAGES.c.ticket_id == bindparam("ticket"),
                                   _STAGES.c.outcome == stages.SUPPLEMENT).limit(1)


def request_in(tx: Tx, who: Principal, code: str, base: str, body: wire.SupplementIn
               ) -> wire.TicketOut:
    """The approval post `code` sends its current case back for `body.papers`."""
    conn = tx.conn
    counter, hall = _own_counter(tx, who, code)
    stage = _current(conn, counter, stages.AT_COUNTER)
    assert stage is not None
    if stage.zone != "approval":
        raise Conflict("not_in_approval", "补正只在后台审批环节发起;窗口受理时请当面一次性告知 / "
                       "papers are asked for from an approval post; at a front counter tell "
                       "the holder in person")
    if stage.deadline is not None and stage.deadline < tx.now:
        # the clock stops within the time limit only: sent back once late, an overdue case
        # left the overdue list and the figures (an outside check)
        raise Conflict("past_deadline", "已超过承诺办结时间,不能再退回补正,请依现有材料办结或不予"
                       "受理 / the promised date has passed: the case can no longer be sent back "
                       "for papers; decide on what it has")
    papers = list(dict.fromkeys(p.strip() for p in body.papers if p.strip()))
    note = (body.note or "").strip() or None
    if not papers and note is None:
        raise Invalid("papers_needed", "请选择或写明需补正的材料 / name the papers missing")
    ticket = one(conn, _TICKETS, _TICKET, id=stage.ticket_id)
    assert ticket is not None
    svc = service_record(conn, ticket.hall, stage.service)
    assert svc is not None
    back_to = stages.supplement_zone(svc.route)
    if back_to is None:
        raise Conflict("no_front_counter", "此事项没有受理环节可收补正材料 / this service has no "
                       "zone before approval to take the papers in")
    if conn.execute(_ONCE, {"ticket": ticket.id}).first() is not None:
        raise Conflict("supplement_once", "此件已一次性告知过补正材料,请依现有材料办结或不予受理 / "
                       "the papers missing were told once already: decide on what the case has")
    end_stage(stage, counter, tx.now, stages.SUPPLEMENT)
    stage.papers, stage.reason = papers, note
    # 补正期限: fixed now, as the holder is told it (a later change of the hall's period does
    # not move it); none where the hall sets no period
    by = papers_by(hall.day_of(tx.now), hall.supplement_workdays, hall.timezone, hall.calendar)
    stage.papers_by = by.at if by is not None else None
    due = (Due(stage.deadline, bool(stage.deadline_provisional))
           if stage.deadline is not None else None)
    queue_stage(tx, ticket, svc, back_to, hall, held=True, due=due)
    ticket.status = stages.SUPPLEMENT
    _save(conn, stage, ticket, counter)
    _event(tx, "case.supplement", ticket, counter, back_to=back_to)
    # told once the post can no longer take it back (`counter_desk.undo_finish_in`), with
    # the date to bring them by where the hall sets a period (补正期限)
    notify.enqueue(tx, hall, "case.supplement", ticket.id, {
        "number": ticket.number, "service": svc.code, "service_name": svc.name,
        "track_url": f"{base}/t/{ticket.id}", "papers": papers,
        **({"bring_by": iso(by.at)} if by is not None else {})}, delay_s=UNDO_WINDOW_S)
    return ticket_out(conn, ticket, base)
