"""The live hall for the supervisor's console: the people waiting in the hall today and the
longest wait per zone and service (consult, intake, pickup: the approval backlog is 限时办结's),
each counter's state (serving, called, open, idle while people wait, paused, closed: nobody
signed in) with the tickets waiting for it alone, and the terminals' health from their
heartbeats ("kiosk 3: printer paper_out", "display offline" once a heartbeat is later than the
hall's `terminal_offline_s`).
Read only; the console re-reads it when the event stream says something moved."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session

from queue_server.db.models import (
    TS,
    Counter,
    Hall,
    Service,
    Staff,
    StaffSession,
    Stage,
    Terminal,
    Ticket,
)
from queue_server.db.store import Store
from queue_server.domain.clock import day_start
from queue_server.domain.deadlines import DUE_TODAY, OVERDUE, case_state
from queue_server.domain.errors import NotFound
from queue_server.domain.hall import HallInfo
from queue_server.domain.opening import next_opening
from queue_server.domain.stages import ON_HOLD
from queue_server.usecases.auth import Principal, require_supervisor
from queue_server.usecases.halls import load_hall
from queue_server.wire import ZONES
from queue_server.wire_console import CounterRow, LiveHall, QueueRow, TerminalRow

HEALTHY = ("online", "ok", "busy")


HALL_ZONES = ("consult", "intake", "pickup")  # where citizens wait in the hall in person


def _day_floor(info: HallInfo, now: datetime) -> datetime:
    """When today's waiting in the hall began: the hall's opening today (its business day's
    start when it is open then; now, before it opens). A number taken the evening before
    (numbered for today) waits from then, not from the evening."""
    start = day_start(info.day_of(now), info.timezone, info.day_starts)
    opening = next_opening(info, start, days=1)
    return start if opening is None else min(opening, now)


def _queued_since(s: Session, info: HallInfo, now: datetime
                  ) -> list[tuple[str, str, datetime]]:
    """(zone, service, waiting since) of every stage waiting in the hall today: in consult,
    intake or pickup (never the back office's approval queue: its backlog is 限时办结's),
    waiting since today's start (its ticket's issue, the end of its previous stage, or its
    holder's arrival for a pickup), or of a ticket numbered for today (then since the hall
    opened). A ticket left waiting from an earlier day is not someone in the hall now."""
    prev = (select(type_coerce(func.max(Stage.ended_at), TS)).where(
        Stage.ticket_id == Ticket.id, Stage.ended_at.is_not(None)).correlate(Ticket)
        .scalar_subquery())
    waiting = s.execute(select(Stage.zone, Stage.service, Ticket.issued_at, Stage.sort_at,
                               Ticket.day, prev)
                        .join(Ticket, Ticket.id == Stage.ticket_id)
                        # every zone named, so the (hall, zone, status) index is used
                        .where(Stage.hall == info.id, Stage.zone.in_(HALL_ZONES),
                               Stage.status == "waiting"))
    floor, today = _day_floor(info, now), info.day_of(now)
    out = []
    for zone, service, issued, sort_at, day, ended in waiting:
        # a pickup's place is its holder's arrival (a case collected on a later day)
        since = max(issued, sort_at) if zone == "pickup" and sort_at is not None else issued
        if ended is not None:  # a raw aggregate: SQLite answers text, PostgreSQL a datetime
            ended = ended if isinstance(ended, datetime) else datetime.fromisoformat(str(ended))
            ended = ended if ended.tzinfo else ended.replace(tzinfo=issued.tzinfo)
            since = max(since, ended)
        if since < floor and day != today:
            continue
        out.append((zone, service, max(since, floor)))
    return out


def staffed_counters(s: Session, hall: str, now: datetime) -> set[str]:
    """The counters of `hall` whose staff member is signed in there now."""
    staffed = _staffed(s, hall, now)
    return {str(code) for code, staff in s.execute(
        select(Counter.code, Counter.staff_id).where(Counter.hall == hall))
        if (str(code), str(staff)) in staffed}


def _staffed(s: Session, hall: str, now: datetime) -> set[tuple[str, str]]:
    """(counter, staff id) of every live staff session."""
    return {(str(c), str(st)) for c, st in s.execute(select(
        StaffSession.counter, StaffSession.staff_id).where(
        StaffSession.hall == hall, StaffSession.expires_at > now))}


def _can_call(s: Session, hall: str) -> dict[tuple[str, str], int]:
    """Waiting stages per (zone, service), every zone and day: what call-next may take."""
    return {(str(z), str(v)): int(n) for z, v, n in s.execute(
        select(Stage.zone, Stage.service, func.count()).where(
            Stage.hall == hall, Stage.zone.in_(ZONES), Stage.status == "waiting")
        .group_by(Stage.zone, Stage.service))}


def _held(s: Session, hall: str) -> dict[str, int]:
    """Per counter, the stages waiting for it alone: transferred to it, or put aside there."""
    out: dict[str, int] = {}
    for target, counter, status in s.execute(
            select(Stage.target_counter, Stage.counter, Stage.status).where(
                Stage.hall == hall, Stage.status.in_(("waiting", ON_HOLD)),
                Stage.target_counter.is_not(None) | (Stage.status == ON_HOLD))):
        code = target if status == "waiting" else counter
        if code is not None:
            out[str(code)] = out.get(str(code), 0) + 1
    return out


def _queues(s: Session, info: HallInfo, now: datetime, open_counters: list[Counter]
            ) -> list[QueueRow]:
    names = dict(s.execute(select(Service.code, Service.name).where(Service.hall == info.id))
                 .all())
    groups: dict[tuple[str, str], list[datetime]] = {}
    for zone, service, since in _queued_since(s, info, now):
        groups.setdefault((zone, service), []).append(since)
    rows = []
    order = {z: i for i, z in enumerate(ZONES)}
    for (zone, service), starts in sorted(groups.items(),
                                          key=lambda g: (order.get(g[0][0], 9), g[0][1])):
        rows.append(QueueRow(
            zone=zone, service=service, service_name=names.get(service, service),
            waiting=len(starts), longest_wait_s=int((now - min(starts)).total_seconds()),
            counters_open=sum(1 for c in open_counters
                              if c.zone == zone and service in c.services)))
    return rows


def _counter_rows(s: Session, counters: list[Counter], staffed: set[tuple[str, str]],
                  waiting: dict[tuple[str, str], int], held: dict[str, int]
                  ) -> list[CounterRow]:
    names = dict(s.execute(select(Staff.id, Staff.name).where(
        Staff.hall.in_({c.hall for c in counters} or {""}))).all())
    rows = []
    for c in counters:
        staff = c.staff_id if (c.code, c.staff_id) in staffed else None
        stage = s.get(Stage, c.current_stage) if c.current_stage is not None else None
        ticket = s.get(Ticket, stage.ticket_id) if stage is not None else None
        can_call = sum(waiting.get((c.zone, svc), 0) for svc in c.services)
        if staff is None:
            state = "closed"
        elif c.paused:
            state = "paused"
        elif stage is not None and stage.status in ("called", "serving"):
            state = stage.status
        else:
            state = "idle" if can_call else "open"
        rows.append(CounterRow(code=c.code, name=c.name, zone=c.zone, state=state,  # type: ignore[arg-type]
                               staff=staff, staff_name=names.get(staff or ""),
                               number=ticket.number if ticket and state in ("called", "serving")
                               else None, since=stage.called_at if stage else None,
                               waiting=can_call, pause_reason=c.pause_reason if c.paused else None,
                               held=held.get(c.code, 0)))
    return rows


def _terminal_rows(s: Session, info: HallInfo, now: datetime) -> list[TerminalRow]:
    halls = list(s.scalars(select(Hall.id).where((Hall.id == info.id) | (Hall.parent == info.id))))
    rows = []
    for t in s.scalars(select(Terminal).where(Terminal.hall.in_(halls), Terminal.active)
                       .order_by(Terminal.hall, Terminal.kind, Terminal.name)):
        problems = [f"{k}: {v}" for k, v in sorted((t.devices or {}).items()) if v not in HEALTHY]
        if t.last_seen is None:
            state = "never"
        elif (now - t.last_seen).total_seconds() > info.terminal_offline_s:
            state = "offline"
        else:
            state = "problem" if problems else "ok"
        rows.append(TerminalRow(name=t.name, kind=t.kind, hall=t.hall, counter=t.counter,
                                state=state, problems=problems, last_seen=t.last_seen))  # type: ignore[arg-type]
    return rows


def live(store: Store, who: Principal, hall: str) -> LiveHall:
    require_supervisor(who)
    with store.read() as s:
        info = load_hall(s, hall)
        if info is None:
            raise NotFound("unknown_hall", f"没有大厅 {hall} / no hall {hall}")
        now = store.clock()
        counters = list(s.scalars(select(Counter).where(Counter.hall == hall, Counter.active)
                                  .order_by(Counter.position)))
        staffed = _staffed(s, hall, now)
        open_ = [c for c in counters if (c.code, c.staff_id) in staffed and not c.paused]
        queues = _queues(s, info, now, open_)
        deadlines = s.scalars(select(Stage.deadline).where(
            Stage.hall == hall, Stage.zone == "approval",
            Stage.status.in_(("waiting", "called", "serving")), Stage.deadline.is_not(None)))
        alerts = len([d for d in deadlines if d is not None
                      and case_state(d, now, info.timezone, 0) in (OVERDUE, DUE_TODAY)])
        return LiveHall(hall=hall, hall_name=info.name, at=now, queues=queues,
                        counters=_counter_rows(s, counters, staffed, _can_call(s, hall),
                                               _held(s, hall)),
                        terminals=_terminal_rows(s, info, now), alerts=alerts)
