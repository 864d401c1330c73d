"""Use cases of the work calendar an administrator manages (`provisioning calendar`):
importing a year's official schedule (authoritative from then on; every provisional deadline
is computed again in the same transaction, with a `ticket.deadline_changed` event) and showing
a year's working days with whether it is confirmed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.engine import Connection

from queue_server.db.models import CalendarYear, Hall, Stage, Ticket
from queue_server.db.store import Store
from queue_server.db.unit import Tx
from queue_server.domain.clock import iso
from queue_server.domain.errors import Invalid
from queue_server.domain.workdays import WorkCalendar, deadline
from queue_server.usecases.calendars import official_years
from queue_server.usecases.halls import forget_halls, load_hall, service_record

_STAGES, _TICKETS = cast(Table, Stage.__table__), cast(Table, Ticket.__table__)


@dataclass(frozen=True)
class Imported:
    year: int
    replaced: bool  # the year had been imported before
    deadlines: int  # provisional deadlines recomputed with it


def _check_year(year: int, holidays: list[date], workdays: list[date]) -> None:
    if not 1900 < year < 2200:
        raise Invalid("bad_year", f"year {year} is out of range")
    stray = [d for d in (*holidays, *workdays) if d.year != year]
    if stray:
        raise Invalid("date_outside_year", f"{stray[0]} 不在 {year} 年 / is not in {year}")
    both = sorted(set(holidays) & set(workdays))
    if both:
        raise Invalid("holiday_and_workday", f"{both[0]} 既是假日又是工作日 / is both a holiday "
                      "and a workday")
    weekdays = [d for d in workdays if d.weekday() < 5]
    if weekdays:
        raise Invalid("workday_not_weekend", f"{weekdays[0]} 是平日,调休上班日应为周末 / is a "
                      "weekday: adjusted working days are weekend days")
    if not holidays:
        raise Invalid("no_holidays", "假日表为空 / the holidays list is empty")


def import_year(store: Store, year: int, holidays: list[date], workdays: list[date],
                source: str) -> Imported:
    """Load a year's official calendar (authoritative from now on) and recompute, in the same
    transaction, every deadline that was provisional."""
    _check_year(year, holidays, workdays)
    with store.write() as tx:
        row = tx.session.get(CalendarYear, year)
        replaced = row is not None
        if row is None:
            row = CalendarYear(year=year)
            tx.session.add(row)
        row.holidays = sorted(d.isoformat() for d in set(holidays))
        row.workdays = sorted(d.isoformat() for d in set(workdays))
        row.source, row.imported_at = source[:200], tx.now
        tx.session.flush()
        forget_halls()
        changed = redo_provisional(tx)
    forget_halls()
    return Imported(year, replaced, changed)


def redo_provisional(tx: Tx) -> int:
    """Deadlines marked provisional, computed again with the calendar as it is now."""
    conn = tx.conn
    halls = [h for (h,) in conn.execute(select(Hall.__table__.c.id))]
    stages = conn.execute(select(_STAGES).where(
        _STAGES.c.hall.in_(halls), _STAGES.c.zone == "approval",
        _STAGES.c.deadline_provisional.is_(True))).all() if halls else []
    changed = 0
    for st in stages:
        hall = load_hall(conn, st.hall)
        svc = service_record(conn, st.hall, st.service)
        if hall is None or svc is None or svc.time_limit_workdays is None:
            continue
        due = deadline(hall.day_of(_entered(conn, st)), svc.time_limit_workdays,
                       hall.timezone, hall.calendar)
        if (due.at, due.provisional) == (st.deadline, True):
            continue
        conn.execute(update(_STAGES).where(_STAGES.c.id == st.id).values(
            deadline=due.at, deadline_provisional=due.provisional))
        ticket = conn.execute(select(_TICKETS).where(_TICKETS.c.id == st.ticket_id)).one()
        if ticket.deadline == st.deadline:
            conn.execute(update(_TICKETS).where(_TICKETS.c.id == ticket.id).values(
                deadline=due.at, deadline_provisional=due.provisional))
        tx.emit(ticket.hall, "ticket.deadline_changed", ticket=ticket.id, number=ticket.number,
                deadline=iso(due.at), deadline_provisional=due.provisional)
        changed += 1
    return changed


def _entered(conn: Connection, stage: Any) -> datetime:
    """When a stage entered its zone: the previous stage's end, or the ticket's issue."""
    before = conn.execute(select(_STAGES.c.ended_at).where(
        _STAGES.c.ticket_id == stage.ticket_id, _STAGES.c.id < stage.id)
        .order_by(_STAGES.c.id.desc()).limit(1)).scalar()
    if before is not None:
        return before  # type: ignore[no-any-return]
    return conn.execute(select(_TICKETS.c.issued_at).where(  # type: ignore[no-any-return]
        _TICKETS.c.id == stage.ticket_id)).scalar_one()


@dataclass(frozen=True)
class YearView:
    year: int
    status: str  # imported | packaged | provisional
    workdays: tuple[date, ...]
    days_off: tuple[date, ...]


def year_view(store: Store, year: int) -> YearView:
    if not 1900 < year < 2200:
        raise Invalid("bad_year", f"year {year} is out of range")
    with store.read() as s:
        calendar = WorkCalendar(official_years(s))
    days = [date(year, 1, 1) + timedelta(days=i)
            for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)]
    return YearView(year, calendar.status(year),
                    tuple(d for d in days if calendar.is_workday(d)),
                    tuple(d for d in days if not calendar.is_workday(d)))
