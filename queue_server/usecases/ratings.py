"""Use cases of 好差评: a rating (1–5) of the latest served stage of a ticket, bound to that
stage's counter and staff member, one per stage, submitted only from a citizen-facing terminal
(kiosk, pad, bank; never a counter or a staff session: staff do not rate themselves). A rating of
1 or 2 needs a reason and opens a follow-up (usecases/followups.py: 核实 → 整改 → 回复)."""

from __future__ import annotations

from sqlalchemy import select

from queue_server import wire
from queue_server.db.models import Evaluation, Stage, Ticket
from queue_server.db.store import Store
from queue_server.domain.errors import Conflict, Forbidden, Invalid, NotFound
from queue_server.usecases.auth import Principal
from queue_server.usecases.followups import open_in
from queue_server.usecases.halls import load_hall

RATERS = ("kiosk", "pad", "bank")


def evaluate(store: Store, who: Principal, body: wire.EvaluationIn) -> wire.EvaluationOut:
    if who.kind not in RATERS:
        raise Forbidden("forbidden", "评价只能由群众在评价器或自助终端提交 / ratings come only "
                        "from a kiosk, a rating pad or a bank kiosk")
    unknown = [r for r in body.reasons if r not in wire.BAD_REASONS]
    if unknown or len(body.reasons) > len(wire.BAD_REASONS):
        raise Invalid("unknown_reason", f"未知原因 / unknown reason {unknown[:1]}")
    if body.level <= 2 and not body.reasons:
        raise Invalid("reason_required", "不满意评价请选择原因 / a rating of 1 or 2 needs a reason")
    with store.write() as tx:
        s = tx.session
        ticket = s.get(Ticket, body.ticket)
        hall = load_hall(s, ticket.hall) if ticket is not None else None
        if ticket is None or hall is None or who.hall not in (ticket.hall, hall.parent):
            raise NotFound("unknown_ticket", "没有此号 / no such ticket")
        stage = s.scalars(select(Stage).where(Stage.ticket_id == ticket.id,
                                              Stage.called_at.is_not(None))
                          .order_by(Stage.id.desc()).limit(1)).first()
        if stage is None:
            raise Conflict("nothing_to_rate", "此号尚未办理 / this ticket has not been served yet")
        if stage.rated:
            raise Conflict("already_rated", "此环节已评价 / this stage is already rated")
        stage.rated = True
        row = Evaluation(hall=ticket.hall, ticket_id=ticket.id, stage_id=stage.id,
                         level=body.level, reasons=list(body.reasons), comment=body.comment,
                         counter=stage.counter, staff_id=stage.staff_id,
                         terminal_id=who.terminal_id, created_at=tx.now)
        s.add(row)
        s.flush()
        followup = open_in(tx, hall, row).id if body.level <= 2 else None
        tx.emit(ticket.hall, "evaluation.created", ticket=ticket.id, number=ticket.number,
                level=body.level, zone=stage.zone, counter=stage.counter, followup=followup)
        return wire.EvaluationOut(id=row.id, ticket=ticket.id, level=row.level, zone=stage.zone,
                                  counter=stage.counter, followup=followup)
