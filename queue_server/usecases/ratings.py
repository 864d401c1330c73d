"""Use cases of 好差评: a rating (1–5) of the latest served stage of a ticket, bound to that
stage's counter and staff member, one per stage, submitted only from a citizen-facing terminal
(kiosk, pad, bank; never a counter or a staff session: staff do not rate themselves): a pad
only its own counter's stages, a kiosk only a ticket its holder proved to hold. A rating of
1 or 2 needs a reason and opens a follow-up (usecases/followups.py: 核实 → 整改 → 回复)."""

from __future__ import annotations

import hmac
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from queue_server import wire
from queue_server.db.models import Evaluation, Stage, Ticket
from queue_server.db.store import Store
from queue_server.domain import stages
from queue_server.domain.errors import Conflict, Forbidden, Invalid, NotFound
from queue_server.domain.hall import HallInfo
from queue_server.domain.security import id_hash, rating_code_ok
from queue_server.usecases.auth import Principal
from queue_server.usecases.followups import open_in
from queue_server.usecases.halls import load_hall

RATERS = ("kiosk", "pad", "bank", "web")  # web: the holder's phone, with the QR code's proof


def rating_channel(terminal_kind: str | None) -> str:
    """Where a rating was given, for the ledger and the export: its terminal's kind, or "web"
    for one without a terminal (the holder's phone; the export called it "pad")."""
    return terminal_kind or "web"


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
        if ticket is None or hall is None or (
                who.kind != "web" and who.hall not in (ticket.hall, hall.parent)):
            raise NotFound("unknown_ticket", "没有此号 / no such ticket")
        stage = _stage_to_rate(s, who, ticket, hall, body, tx.now)
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
        tx.emit(ticket.hall, "evaluation.created", ticket=ticket.id,
                number=stage.number or ticket.number,
                level=body.level, zone=stage.zone, counter=stage.counter, followup=followup)
        return wire.EvaluationOut(id=row.id, ticket=ticket.id, level=row.level, zone=stage.zone,
                                  counter=stage.counter, followup=followup,
                                  followup_days=hall.followup_days if followup else None)


def _stage_to_rate(s: Session, who: Principal, ticket: Ticket, hall: HallInfo,
                   body: wire.EvaluationIn, now: datetime) -> Stage:
    """What this terminal may rate of `ticket`. A pad enrolled for a counter: the latest stage
    served at that counter, and nothing else (403 `not_your_counter`), on the business day it
    was called (409 `rating_closed`: a pad rates the visit in front of it; ticket ids are in
    every event, so any visit ever served there could be rated at any later time). A kiosk (or a pad of no
    counter): the latest stage that was called, once the citizen proved to hold the ticket
    with its rating code (from the QR code's link, or a card lookup's answer) or with the ID
    card it was issued to (403 `proof_required`). The holder's phone ("web"): the latest such
    stage the citizen attended in person (`latest_met`)."""
    called = latest_called(ticket.id)
    if who.kind == "pad" and who.counter:
        stage = s.scalars(called.where(Stage.counter == who.counter)).first()
        if stage is None:
            raise Forbidden("not_your_counter", f"此评价器只评价 {who.counter} 窗口的服务 / this "
                            f"pad rates only services of counter {who.counter}")
        assert stage.called_at is not None
        if hall.day_of(stage.called_at) != hall.day_of(now):
            raise Conflict("rating_closed", "此次服务已不能在窗口评价,请扫描号票二维码评价 / "
                           "this visit can no longer be rated at the counter: scan the "
                           "ticket's QR code")
        return stage
    if not _proved(ticket, hall, body if who.kind != "web" else body.model_copy(
            update={"id_card": None})):  # a phone proves it with the QR code alone
        raise Forbidden("proof_required", "请扫描号票二维码或刷身份证后评价 / scan the ticket's "
                        "QR code or read the ID card it was issued to, then rate")
    # the holder's phone rates the counters met, never back office
    stage = latest_met(s, ticket) if who.kind == "web" else s.scalars(called).first()
    if stage is None:
        raise Conflict("nothing_to_rate", "此号尚未办理 / this ticket has not been served yet")
    return stage


def latest_called(ticket_id: str) -> Select[tuple[Stage]]:
    """The ticket's latest stage that was called: the one a rating rates."""
    return (select(Stage).where(Stage.ticket_id == ticket_id, Stage.called_at.is_not(None))
            .order_by(Stage.id.desc()).limit(1))


def latest_met(s: Session, ticket: Ticket) -> Stage | None:
    """The ticket's latest called stage whose counter its holder met in person
    (`stages.met_in_person`): not a back-office approval post, nor the hall's intake of an
    application a bank branch forwarded (its holder was at the branch or at home)."""
    forwarded = ticket.forwarded_from is not None
    called = select(Stage).where(Stage.ticket_id == ticket.id, Stage.called_at.is_not(None))
    return next((stage for stage in s.scalars(called.order_by(Stage.id.desc()))
                 if stages.met_in_person(forwarded, stage.zone, stages.returned(stage))),
                None)


def rating_state(s: Session, ticket: Ticket, hall: HallInfo, code: str | None) -> str | None:
    """For the holder of the QR code's `code`: "open" (the latest stage called in person may
    be rated, as the phone's rating rates it), "rated", or None (nothing called yet, or no
    proof)."""
    if not code or not rating_code_ok(hall.secret, ticket.id, code):
        return None
    stage = latest_met(s, ticket)
    return None if stage is None else "rated" if stage.rated else "open"


def _proved(ticket: Ticket, hall: HallInfo, body: wire.EvaluationIn) -> bool:
    if body.rating_code and rating_code_ok(hall.secret, ticket.id, body.rating_code):
        return True
    return (body.id_card is not None and ticket.id_hash is not None
            and hmac.compare_digest(id_hash(hall.secret, body.id_card.number), ticket.id_hash))
