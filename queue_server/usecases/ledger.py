"""The 好差评 ledger: every rating of a hall with where it was given and whom it rated, its
follow-up step and its appeal, filtered by business days, level, zone, service, counter and
staff member (supervisors); and a staff member's own ratings, for their counter pad (the ones
they may appeal against). Read only: no rating is ever changed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from queue_server.db.models import (
    Appeal,
    Evaluation,
    Followup,
    FollowupStep,
    Service,
    Staff,
    Stage,
    Terminal,
    Ticket,
)
from queue_server.db.store import Store
from queue_server.domain.clock import day_start
from queue_server.domain.deadlines import is_late
from queue_server.domain.errors import Forbidden, Invalid
from queue_server.usecases.auth import Principal, require_supervisor
from queue_server.usecases.halls import load_hall
from queue_server.usecases.ratings import rating_channel
from queue_server.wire_console import Period, RatingRow

LIMIT = 5000


def _query(hall: str) -> Any:
    # the number the rated stage was served under (a stage before a renumbering keeps its own,
    # as the journey shows), not the ticket's number now
    return (select(Evaluation, func.coalesce(Stage.number, Ticket.number), Ticket.service, Stage.zone, Terminal.kind,
                   Followup.id, Followup.step, Appeal.status)
            .join(Ticket, Ticket.id == Evaluation.ticket_id)
            .join(Stage, Stage.id == Evaluation.stage_id)
            .outerjoin(Terminal, Terminal.id == Evaluation.terminal_id)
            .outerjoin(Followup, Followup.evaluation_id == Evaluation.id)
            .outerjoin(Appeal, Appeal.evaluation_id == Evaluation.id)
            .where(Evaluation.hall == hall)
            .order_by(Evaluation.created_at.desc(), Evaluation.id.desc()))


def _filtered(s: Session, hall: str, period: Period) -> Any:
    info = load_hall(s, hall)
    if info is None:
        raise Invalid("unknown_hall", f"没有大厅 {hall} / no hall {hall}")
    query = _query(hall)
    if period.date_from and period.date_to and period.date_from > period.date_to:
        raise Invalid("bad_period", "开始日期晚于结束日期 / from is after to")
    if period.date_from:
        query = query.where(Evaluation.created_at >= day_start(period.date_from, info.timezone,
                                                               info.day_starts))
    if period.date_to:
        query = query.where(Evaluation.created_at < day_start(
            period.date_to + timedelta(days=1), info.timezone, info.day_starts))
    if period.level:
        query = query.where(Evaluation.level.in_(period.level))
    for column, value in ((Stage.zone, period.zone), (Ticket.service, period.service),
                          (Evaluation.counter, period.counter),
                          (Evaluation.staff_id, period.staff)):
        if value:
            query = query.where(column == value)
    return query


def _late_followups(s: Session, ids: list[int], now: datetime) -> set[int]:
    if not ids:
        return set()
    return {row.followup_id for row in s.scalars(
        select(FollowupStep).where(FollowupStep.followup_id.in_(ids)))
        if is_late(row.due_at, row.done_at, now)}


def _rows(s: Session, hall: str, result: list[Any], now: datetime) -> list[RatingRow]:
    names = dict(s.execute(select(Service.code, Service.name).where(Service.hall == hall))
                 .all())
    staff = dict(s.execute(select(Staff.id, Staff.name).where(Staff.hall == hall)).all())
    late = _late_followups(s, [r[5] for r in result if r[5] is not None], now)
    out = []
    for ev, number, service, zone, kind, followup, step, appeal in result:
        out.append(RatingRow(
            id=ev.id, rated_at=ev.created_at, ticket=ev.ticket_id, number=number,
            service=service, service_name=names.get(service, service), zone=zone,
            counter=ev.counter, staff=ev.staff_id, staff_name=staff.get(ev.staff_id or ""),
            channel=rating_channel(kind), level=ev.level, reasons=list(ev.reasons or []), comment=ev.comment,
            followup=followup, followup_step=step, followup_late=followup in late,
            appeal=appeal))
    return out


def ratings(store: Store, who: Principal, hall: str, period: Period) -> list[RatingRow]:
    require_supervisor(who)
    with store.read() as s:
        result = list(s.execute(_filtered(s, hall, period).limit(LIMIT)).all())
        return _rows(s, hall, result, store.clock())


def my_ratings(store: Store, who: Principal, days: int = 90) -> list[RatingRow]:
    """A staff session's own ratings of the last `days` days (newest first)."""
    if not who.is_staff or who.staff_id is None or who.hall is None:
        raise Forbidden("staff_session_required", "需要窗口登录 / a staff session is required")
    with store.read() as s:
        now = store.clock()
        query = _query(who.hall).where(Evaluation.staff_id == who.staff_id,
                                       Evaluation.created_at >= now - timedelta(days=days))
        result = list(s.execute(query.limit(500)).all())
        return _rows(s, who.hall, result, now)
