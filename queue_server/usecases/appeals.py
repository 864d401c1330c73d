"""Staff appeals (申诉) against a rating they think mistaken or malicious: filed by the rated
staff member from their counter pad's session (one appeal a rating), decided by a supervisor
or administrator (never about themselves). The rating is never changed: an upheld appeal is
recorded beside it, and when its follow-up is still at 核实 the verification is recorded as
not valid with the decision as the reason (the follow-up goes on to 回复)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.db.models import Appeal, Evaluation, Followup, Staff, Stage, Ticket
from queue_server.db.store import Store
from queue_server.db.unit import Tx
from queue_server.domain.errors import Conflict, Forbidden, Invalid, NotFound
from queue_server.usecases import followups
from queue_server.usecases.auth import Principal, require_supervisor
from queue_server.wire_console import AppealOut

MINE_DAYS = 90


def _staff_names(s: Session, hall: str) -> dict[str, str]:
    return dict(s.execute(select(Staff.id, Staff.name).where(Staff.hall == hall)).all())


def _out(s: Session, row: Appeal, names: dict[str, str] | None = None) -> AppealOut:
    ev = s.get(Evaluation, row.evaluation_id)
    ticket = s.get(Ticket, ev.ticket_id) if ev is not None else None
    assert ev is not None and ticket is not None
    names = names if names is not None else _staff_names(s, row.hall)
    stage = s.get(Stage, ev.stage_id)  # the number the rated stage was served under
    number = (stage.number if stage is not None else None) or ticket.number
    return AppealOut(id=row.id, evaluation=ev.id, ticket=ticket.id, number=number,
                     level=ev.level, rated_at=ev.created_at, counter=ev.counter,
                     staff=row.staff_id, staff_name=names.get(row.staff_id),
                     reason=row.reason, filed_at=row.filed_at, status=row.status,  # type: ignore[arg-type]
                     decided_at=row.decided_at, decided_by=row.decided_by,
                     decision_note=row.decision_note)


def file(store: Store, who: Principal, evaluation_id: int, reason: str) -> AppealOut:
    """The rated staff member appeals against one of their ratings."""
    if not who.is_staff or who.staff_id is None:
        raise Forbidden("staff_session_required", "请在窗口终端登录后申诉 / appeal from your "
                        "counter pad's session")
    with store.write() as tx:
        ev = tx.session.get(Evaluation, evaluation_id)
        if ev is None or ev.hall != who.hall:
            raise NotFound("unknown_evaluation", "没有此评价 / no such rating")
        if ev.staff_id != who.staff_id:
            raise Forbidden("not_your_rating", "只能对自己的评价申诉 / you may appeal only "
                            "against a rating of your own service")
        if tx.session.scalars(select(Appeal.id).where(Appeal.evaluation_id == ev.id)).first():
            raise Conflict("already_appealed", "此评价已申诉 / this rating is already appealed")
        row = Appeal(hall=ev.hall, evaluation_id=ev.id, staff_id=who.staff_id, reason=reason,
                     filed_at=tx.now, status="open")
        tx.session.add(row)
        tx.session.flush()
        tx.emit(ev.hall, "appeal.filed", appeal=row.id, evaluation=ev.id, ticket=ev.ticket_id,
                staff=who.staff_id, level=ev.level)
        return _out(tx.session, row)


def decide(store: Store, who: Principal, appeal_id: int, upheld: bool, note: str) -> AppealOut:
    require_supervisor(who)
    with store.write() as tx:
        row = tx.session.get(Appeal, appeal_id, with_for_update=True)
        if row is None or (who.hall is not None and row.hall != who.hall):
            raise NotFound("unknown_appeal", "没有此申诉 / no such appeal")
        if row.staff_id == who.staff_id:
            raise Forbidden("own_appeal", "不能裁决自己的申诉 / you may not decide your own appeal")
        if row.status != "open":
            raise Conflict("already_decided", "此申诉已裁决 / this appeal is already decided")
        row.status = "upheld" if upheld else "rejected"
        row.decided_at, row.decided_by = tx.now, who.staff_id or "admin"
        row.decision_note = note
        tx.emit(row.hall, "appeal.decided", appeal=row.id, evaluation=row.evaluation_id,
                staff=row.staff_id, upheld=upheld)
        if upheld:
            _not_valid(tx, who, row.evaluation_id, note)
        return _out(tx.session, row)


def _not_valid(tx: Tx, who: Principal, evaluation_id: int, note: str) -> None:
    item = tx.session.scalars(select(Followup).where(
        Followup.evaluation_id == evaluation_id)).first()
    if item is not None and item.step == followups.VERIFY:
        followups.verify_in(tx, who, item.id, False, f"申诉成立 / appeal upheld: {note}")


STATUSES = ("open", "upheld", "rejected")


def appeals(store: Store, who: Principal, hall: str, status: str | None) -> list[AppealOut]:
    require_supervisor(who)
    if status and status not in STATUSES:  # (a typo listed nothing, as if none were filed)
        raise Invalid("bad_filter", f"申诉状态为 {'、'.join(STATUSES)} / an appeal's status is "
                      f"{', '.join(STATUSES)}")
    with store.read() as s:
        query = select(Appeal).where(Appeal.hall == hall).order_by(Appeal.filed_at.desc())
        if status:
            query = query.where(Appeal.status == status)
        names = _staff_names(s, hall)
        return [_out(s, row, names) for row in s.scalars(query.limit(2000))]


def mine_since(now: datetime) -> datetime:
    return now - timedelta(days=MINE_DAYS)
