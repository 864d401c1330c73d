"""Use cases of the supervision figures (CONTRACT.md §5 and docs/api.md): the KPI of a period
with filters, and the series the console plots (by day, by hour of issue, broken down by zone,
service, counter and staff member). Each first folds what is pending (usecases/fold.py), so it
includes every commit before it, then reads the aggregates in one read transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from queue_server.db.models import Counter, Hall, Service, Staff
from queue_server.db.store import Store
from queue_server.domain.clock import iso, parse_day
from queue_server.domain.errors import Invalid
from queue_server.domain.figures import DIMENSIONS, HOURS, Filter, empty_sums, kpi
from queue_server.usecases import fold
from queue_server.usecases.auth import Principal, require_supervisor
from queue_server.usecases.calendars import unconfirmed_open
from queue_server.usecases.figures_read import (
    Overdue,
    Period,
    both,
    durations,
    kept,
    overdue_open,
    own_levels,
    ticket_sums,
)
from queue_server.wire import ZONE_NAMES, ZONES

MAX_DAYS = 400
TARGETS = {"satisfaction_rate": 0.92, "completion_rate": 0.97}  # the plan's lines


def period_of(hall: str, start: str | None, end: str | None) -> Period:
    try:
        first, last = parse_day(start or ""), parse_day(end or "")
    except ValueError:
        raise Invalid("bad_period", "请用 from=YYYY-MM-DD&to=YYYY-MM-DD / give from and to as "
                      "YYYY-MM-DD") from None
    if first > last:
        raise Invalid("bad_period", "起始日期晚于结束日期 / from is after to")
    if (last - first).days >= MAX_DAYS:
        raise Invalid("period_too_long", f"最长 {MAX_DAYS} 天 / at most {MAX_DAYS} days")
    return Period(hall, first, last)


def _check_filter(conn: Connection, hall: str, flt: Filter) -> None:
    if conn.execute(select(Hall.id).where(Hall.id == hall)).first() is None:
        raise Invalid("unknown_hall", f"没有此大厅 / no hall {hall!r}")
    if flt.zone is not None and flt.zone not in ZONES:
        raise Invalid("unknown_zone", f"没有此区域 / no zone {flt.zone!r}")
    for table, column, value, code in (
            (Service, Service.code, flt.service, "unknown_service"),
            (Counter, Counter.code, flt.counter, "unknown_counter"),
            (Staff, Staff.id, flt.staff, "unknown_staff")):
        if value is not None and conn.execute(select(column).where(
                table.hall == hall, column == value)).first() is None:  # type: ignore[attr-defined]
            raise Invalid(code, f"本大厅没有 {value!r} / no {code[8:]} {value!r} in this hall")


def _prepare(store: Store, who: Principal, period: Period, flt: Filter) -> None:
    require_supervisor(who)
    if who.kind != "admin" and who.hall != period.hall:
        raise Invalid("unknown_hall", "只能查看本大厅 / only your own hall")
    with store.read() as s:
        _check_filter(s.connection(), period.hall, flt)
    fold.catch_up(store)


def figures(conn: Connection, period: Period, flt: Filter, now: datetime) -> dict[str, Any]:
    """§5's answer for `period` and `flt`, read in `conn` (the figures folded)."""
    sums = ticket_sums(conn, period, flt).get(None) or empty_sums()
    late = overdue_open(conn, period, flt, now)
    waits, services = both(durations(conn, period, flt))
    return kpi(sums, len(late), waits, services)


def kpi_report(store: Store, who: Principal, period: Period, flt: Filter) -> dict[str, Any]:
    _prepare(store, who, period, flt)
    now = store.clock()
    with store.read() as s:
        answer = figures(s.connection(), period, flt, now)
    return {"hall": period.hall, "from": period.start.isoformat(), "to": period.end.isoformat(),
            "filters": flt.given(), **answer, "as_of": iso(now)}


def series_report(store: Store, who: Principal, period: Period, flt: Filter
                  ) -> dict[str, Any]:
    _prepare(store, who, period, flt)
    now = store.clock()
    with store.read() as s:
        conn = s.connection()
        late = overdue_open(conn, period, flt, now)
        answer = {"hall": period.hall, "from": period.start.isoformat(),
                  "to": period.end.isoformat(), "filters": flt.given(), "targets": TARGETS,
                  "days": _days(conn, period, flt, late), "hours": _hours(conn, period, flt),
                  "by": {dim: breakdown(conn, period, flt, dim, late) for dim in DIMENSIONS},
                  "provisional_open": unconfirmed_open(conn).cases, "as_of": iso(now)}
    return answer


def figures_table(store: Store, who: Principal, period: Period, flt: Filter, dim: str
                  ) -> list[dict[str, Any]]:
    """数据指标 as one table (its export): the period's §5 figures under `flt` (`key` null),
    then one row for each value of `dim`, as the console's breakdown shows them."""
    if dim not in DIMENSIONS:
        raise Invalid("bad_filter", f"分组只能是 {'、'.join(DIMENSIONS)} / by is one of "
                      f"{', '.join(DIMENSIONS)}")
    _prepare(store, who, period, flt)
    now = store.clock()
    with store.read() as s:
        conn = s.connection()
        total = {"key": None, "name": None, **figures(conn, period, flt, now)}
        return [total, *breakdown(conn, period, flt, dim, overdue_open(conn, period, flt, now))]


def _days(conn: Connection, period: Period, flt: Filter, late: list[Overdue]
          ) -> list[dict[str, Any]]:
    sums = ticket_sums(conn, period, flt, by="day")
    groups = durations(conn, period, flt, by="day")
    out = []
    for day in sorted(sums):
        waits, services = both(groups, day)
        overdue = sum(1 for item in late if item.day == day)
        out.append({"day": day.isoformat(), **kpi(sums[day], overdue, waits, services)})
    return out


def _hours(conn: Connection, period: Period, flt: Filter) -> list[dict[str, int]]:
    sums = ticket_sums(conn, period, flt).get(None) or empty_sums()
    return [{"hour": h, "tickets": sums[name]} for h, name in enumerate(HOURS)]


def breakdown(conn: Connection, period: Period, flt: Filter, dim: str, late: list[Overdue]
              ) -> list[dict[str, Any]]:
    """§5's figures for each value of `dim` under `flt` (that value as one more filter)."""
    sums = ticket_sums(conn, period, flt, by=dim)
    groups = durations(conn, period, flt, by=dim)
    names = names_of(conn, period.hall, dim)
    own = own_levels(conn, period, flt, dim) if dim in OWN_DIMENSIONS else None
    out = []
    for value in sorted(sums, key=str):
        narrowed = flt.narrowed(dim, value)
        waits, services = both(groups, value)
        overdue = sum(1 for item in late if kept(item, narrowed))
        row = {"key": value, "name": names.get(value, value),
               **kpi(sums[value], overdue, waits, services)}
        if own is not None:
            row.update(own_ratings(own.get(str(value), [0] * 5)))
        out.append(row)
    return out


OWN_DIMENSIONS = ("counter", "staff")


def own_ratings(counts: list[int]) -> dict[str, Any]:
    """(v1.2) The ratings of the stages a window or person handled, beside §5's `ratings` (of
    every stage of the tickets they touched): `own_ratings`, `own_levels`,
    `own_satisfaction_rate` (levels 3-5 over all; null with none)."""
    total = sum(counts)
    return {"own_ratings": total,
            "own_levels": {str(n): counts[n - 1] for n in range(1, 6)},
            "own_satisfaction_rate": sum(counts[2:]) / total if total else None}


def names_of(conn: Connection, hall: str, dim: str) -> dict[str, str]:
    if dim == "zone":
        return {z: f"{zh} / {en}" for z, (zh, en) in ZONE_NAMES.items()}
    table, column = {"service": (Service, Service.code), "counter": (Counter, Counter.code),
                     "staff": (Staff, Staff.id)}[dim]
    return {str(code): str(name) for code, name in conn.execute(
        select(column, table.name).where(table.hall == hall))}  # type: ignore[attr-defined]
