"""Read models: database rows as the wire models of the API (tickets with their journey,
counter states). Queries only; no writes, no policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.orm import Session

from queue_server import wire
from queue_server.config import SERVICE_TEXTS, forms_of
from queue_server.db import lean
from queue_server.db.models import (
    Counter,
    Delivery,
    Document,
    NumberCounter,
    Service,
    Stage,
    Ticket,
)
from queue_server.db.records import Record
from queue_server.db.unit import Db, connection_of
from queue_server.domain.deadlines import workdays_left
from queue_server.domain.policy import estimate_wait_s, mean_service_s
from queue_server.domain.priority import declared
from queue_server.domain.stages import HELD, ON_HOLD
from queue_server.usecases.estimate import estimate, waiting_ahead
from queue_server.usecases.halls import load_hall, service_record

STATUS_OF_STAGE = {"waiting": "waiting", "called": "called", "serving": "serving"}


_STAGES, _TICKETS = cast(Table, Stage.__table__), cast(Table, Ticket.__table__)
_JOURNEY = (select(_STAGES).where(_STAGES.c.ticket_id == bindparam("ticket"))
            .order_by(_STAGES.c.id))
_DOCUMENTS, _DELIVERIES = cast(Table, Document.__table__), cast(Table, Delivery.__table__)
# A forwarded ticket's pages count too (`forwarded` is NULL otherwise: it matches nothing).
# Two plain parameters, not an expanding IN: that one is rendered again at every execution.
_PAGES = select(func.count()).select_from(_DOCUMENTS).where(
    _DOCUMENTS.c.ticket_id.in_([bindparam("ticket"), bindparam("forwarded")]))
_DELIVERY = select(_DELIVERIES.c.method).where(_DELIVERIES.c.ticket_id == bindparam("ticket"))
# The answer's rows in one statement: the journey, each stage row carrying the page count and
# the delivery method (the busiest answers, a counter's actions, are read inside the writer's
# unit: three statements were three times SQLAlchemy's cost of a statement).
_ANSWER = lean.hot(select(_STAGES, _PAGES.scalar_subquery().label("pages_of_ticket"),
                  _DELIVERY.scalar_subquery().label("delivery_of_ticket"))
           .where(_STAGES.c.ticket_id == bindparam("ticket")).order_by(_STAGES.c.id))


def journey(s: Db, ticket_id: str) -> list[Any]:
    """The ticket's stages as Core rows (read-only), oldest first."""
    if isinstance(s, Session):
        s.flush()  # what the caller changed through the ORM is part of the answer
    return list(connection_of(s).execute(_JOURNEY, {"ticket": ticket_id}))


def stage_out(stage: Any) -> wire.StageOut:
    return wire.StageOut(zone=stage.zone, service=stage.service, counter=stage.counter,
                         called_at=stage.called_at, started_at=stage.started_at,
                         ended_at=stage.ended_at, outcome=stage.outcome,
                         deadline=stage.deadline,
                         deadline_provisional=bool(stage.deadline_provisional),
                         rated=stage.rated, number=stage.number, reason=stage.reason,
                         papers=stage.papers, papers_by=stage.papers_by,
                         queued_at=stage.sort_at)


def document_count(s: Db, ticket: Ticket | Record) -> int:
    return int(connection_of(s).execute(_PAGES, {"ticket": ticket.id,
                                                 "forwarded": ticket.forwarded_from}
                                        ).scalar() or 0)


def _answer_rows(s: Db, ticket: Ticket | Record) -> tuple[list[Any], int, str | None]:
    """The ticket's stages (oldest first), its page count and its delivery method."""
    if isinstance(s, Session):
        s.flush()  # what the caller changed through the ORM is part of the answer
    conn = connection_of(s)
    rows = lean.rows(conn, _ANSWER, {"ticket": ticket.id, "forwarded": ticket.forwarded_from})
    if rows:
        return rows, int(rows[0].pages_of_ticket or 0), rows[0].delivery_of_ticket
    return [], document_count(s, ticket), conn.execute(_DELIVERY, {"ticket": ticket.id}).scalar()


_REMOTE = select(_TICKETS.c.number, _TICKETS.c.hall).where(_TICKETS.c.id == bindparam("id"))


def forwarded_to(s: Db, ticket: Ticket | Record, base: str) -> wire.ForwardedTo | None:
    """Where a bank branch's forwarded ticket went: the parent hall's ticket."""
    if not ticket.forwarded_to:
        return None
    row = connection_of(s).execute(_REMOTE, {"id": ticket.forwarded_to}).first()
    if row is None:
        return None
    hall = load_hall(s, row.hall)
    return wire.ForwardedTo(ticket=ticket.forwarded_to, number=row.number, hall=row.hall,
                            hall_name=hall.name if hall else None,
                            track_url=f"{base}/t/{ticket.forwarded_to}",
                            **(hall.other_names() if hall else {}))


def ticket_out(s: Db, ticket: Ticket | Record, base: str) -> wire.TicketOut:
    stages, pages, delivery = _answer_rows(s, ticket)
    current = next((st for st in stages if st.id == ticket.stage), None)
    svc = service_record(s, ticket.hall, ticket.service)
    ahead = wait = None
    held = current is not None and current.status == HELD
    if ticket.status == "waiting" and current is not None:
        ahead = waiting_ahead(s, ticket.hall, current.zone, current.service, current.sort_at)
        wait = estimate(s, ticket.hall, current.zone, current.service, ahead)
    return wire.TicketOut(
        id=ticket.id, number=ticket.number, service=ticket.service,
        service_name=svc.name if svc else None, status=ticket.status, zone=ticket.zone,
        counter=current.counter if current is not None and ticket.status in ("called", "serving")
        else (current.target_counter if current is not None else None),
        issued_at=ticket.issued_at, priority=ticket.priority,
        priority_reason=ticket.priority_reason, masked_name=ticket.masked_name,
        masked_id=ticket.masked_id, deadline=ticket.deadline,
        deadline_provisional=bool(ticket.deadline_provisional),
        journey=[stage_out(st) for st in stages], documents=pages,
        ahead=ahead, estimated_wait_s=wait, track_url=f"{base}/t/{ticket.id}", hall=ticket.hall,
        priority_declared=declared(ticket.priority_reason, ticket.channel),
        priority_confirmed=ticket.priority_confirmed, arrival_required=held,
        appointment_late=bool(ticket.appointment_late),
        delivery=delivery, channel=ticket.channel, forwarded_from=ticket.forwarded_from,
        forwarded_to=forwarded_to(s, ticket, base))


@dataclass
class QueueCounts:
    """Waiting tickets of one hall by (zone, service) and by target counter, read once for
    a list of counters."""

    by_zone: dict[tuple[str, str], int]
    targeted: dict[str, int]
    # of `by_zone`, the applications a bank branch forwarded whose holders are not in the hall
    # (taken up from the papers before pickup): work for the counter, nobody waiting on a seat
    away: dict[tuple[str, str], int] = field(default_factory=dict)

    @classmethod
    def read(cls, s: Session, hall: str) -> QueueCounts:
        waiting = select(Stage.zone, Stage.service, func.count()).where(
            Stage.hall == hall, Stage.status == "waiting", Stage.target_counter.is_(None))
        targeted = select(Stage.target_counter, func.count()).where(
            Stage.hall == hall, Stage.status == "waiting", Stage.target_counter.is_not(None))
        away = waiting.join(Ticket, Ticket.id == Stage.ticket_id).where(
            Ticket.forwarded_from.is_not(None), Stage.zone != "pickup")
        return cls({(z, svc): int(n) for z, svc, n in s.execute(
                        waiting.group_by(Stage.zone, Stage.service))},
                   {str(c): int(n) for c, n in s.execute(
                       targeted.group_by(Stage.target_counter))},
                   {(z, svc): int(n) for z, svc, n in s.execute(
                       away.group_by(Stage.zone, Stage.service))})


def counter_state(s: Session, row: Counter | Record, base: str, counts: QueueCounts | None = None,
                  now: datetime | None = None) -> wire.CounterState:
    """A counter as its pad and the boards see it; with `now`, its current ticket's deadline
    also says how many working days are left (`workdays_left`)."""
    from queue_server.db.models import Staff

    counts = counts or QueueCounts.read(s, row.hall)
    current = None
    if row.current_stage is not None:
        stage = s.get(Stage, row.current_stage)
        ticket = s.get(Ticket, stage.ticket_id) if stage is not None else None
        if ticket is not None:
            current = ticket_out(s, ticket, base)
            hall = load_hall(s, row.hall) if now is not None and current.deadline else None
            if hall is not None and now is not None and current.deadline is not None:
                current.workdays_left = workdays_left(current.deadline, now, hall.timezone,
                                                      hall.calendar)
    staff = s.get(Staff, (row.hall, row.staff_id)) if row.staff_id else None
    waiting = {svc: counts.by_zone.get((row.zone, svc), 0) for svc in row.services}
    if counts.targeted.get(row.code):
        waiting["_transferred"] = counts.targeted[row.code]
    away = {svc: n for svc in row.services if (n := counts.away.get((row.zone, svc), 0))}
    return wire.CounterState(code=row.code, name=row.name, zone=row.zone,
                             services=list(row.services), paused=row.paused,
                             pause_reason=row.pause_reason, staff=row.staff_id,
                             staff_name=staff.name if staff else None, current=current,
                             waiting=waiting, waiting_away=away, **forms_of(row.texts))


def service_infos(s: Session, hall: str, day: date) -> list[wire.ServiceInfo]:
    """The kiosk's list of services with waits, in four queries however many services."""
    used = {r.prefix: r.last for r in s.scalars(
        select(NumberCounter).where(NumberCounter.hall == hall, NumberCounter.day == day))}
    waiting = {(zone, svc): int(n) for zone, svc, n in s.execute(
        select(Stage.zone, Stage.service, func.count()).where(
            Stage.hall == hall, Stage.status == "waiting").group_by(Stage.zone, Stage.service))}
    staffed = [(c.zone, c.services) for c in s.scalars(select(Counter).where(
        Counter.hall == hall, Counter.active, Counter.paused.is_(False),
        Counter.staff_id.is_not(None)))]
    durations: dict[tuple[str, str], list[float]] = {}
    for code, zone, began, ended in s.execute(
            select(Stage.service, Stage.zone, Stage.started_at, Stage.ended_at).where(
                Stage.hall == hall, Stage.ended_at.is_not(None), Stage.started_at.is_not(None))
            .order_by(Stage.id.desc()).limit(500)):
        got = durations.setdefault((zone, code), [])
        if len(got) < 20 and began and ended:
            got.append((ended - began).total_seconds())
    out = []
    for svc in s.scalars(select(Service).where(Service.hall == hall, Service.active)
                         .order_by(Service.position)):
        first = svc.route[0]
        ahead = waiting.get((first, svc.code), 0)
        open_n = sum(1 for zone, codes in staffed if zone == first and svc.code in codes)
        remaining = (max(svc.daily_cap - used.get(svc.prefix, 0), 0)
                     if svc.daily_cap is not None else None)
        out.append(wire.ServiceInfo(
            code=svc.code, name=svc.name, prefix=svc.prefix, route=list(svc.route),
            materials=list(svc.materials), waiting=ahead,
            waiting_by_zone={zone: n for (zone, code), n in waiting.items() if code == svc.code},
            estimated_wait_s=estimate_wait_s(ahead, open_n,
                                             mean_service_s(durations.get((first, svc.code), []))),
            open=remaining != 0, requires_id_card=svc.requires_id_card,
            time_limit_workdays=svc.time_limit_workdays, daily_cap=svc.daily_cap,
            remaining_today=remaining, category=svc.category,
            mail_delivery=bool((svc.options or {}).get("mail_delivery")),
            **forms_of(svc.texts, SERVICE_TEXTS)))
    return out


def held_at(conn: Any, hall: str, zone: str, code: str) -> list[wire.HeldTicket]:
    """The tickets counter `code` holds, oldest call first."""
    rows = conn.execute(select(_STAGES.c.ticket_id, _TICKETS.c.number, _TICKETS.c.service)
                        .join(_TICKETS, _TICKETS.c.id == _STAGES.c.ticket_id)
                        .where(_STAGES.c.hall == hall, _STAGES.c.zone == zone,
                               _STAGES.c.status == ON_HOLD, _STAGES.c.counter == code)
                        .order_by(_STAGES.c.called_at)).all()
    return [wire.HeldTicket(id=r.ticket_id, number=r.number, service=r.service) for r in rows]
