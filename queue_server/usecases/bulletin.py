"""The monthly bulletin (月通报, CONTRACT.md §1): §5's figures for the month in all and per zone,
service, counter and staff member, and the candidates for 红星岗 (counters) and 微笑之星 (staff)
by the rule below, from the stages each window and person served and the ratings of those
stages. Read from the figures (folded first); files: usecases/bulletin_files.py."""

from __future__ import annotations

import calendar as months
from dataclasses import dataclass
from datetime import date
from statistics import median
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Connection

from queue_server.db.models import FigStages, Hall
from queue_server.db.store import Store
from queue_server.domain.clock import iso, parse_month
from queue_server.domain.errors import Invalid, NotFound
from queue_server.domain.figures import STAGE_COUNTS, Filter
from queue_server.usecases import fold
from queue_server.usecases.auth import Principal, require_supervisor
from queue_server.usecases.calendars import unconfirmed_open
from queue_server.usecases.figures import TARGETS, breakdown, figures, names_of
from queue_server.usecases.figures_read import Period, overdue_open

_FS = cast(Table, FigStages.__table__)
SECTIONS = (("zone", "区域 / Zone"), ("service", "事项 / Service"),
            ("counter", "窗口 / Counter"), ("staff", "工作人员 / Staff"))
MIN_RATINGS, MIN_SERVED, TOP = 10, 20, 3
RULE = (f"候选条件:本月本人(本窗口)办理环节数不少于 {MIN_SERVED} 且不少于同类中位数的一半,"
        f"收到评价不少于 {MIN_RATINGS} 条,好评率(3–5 级)不低于 {TARGETS['satisfaction_rate']:.0%};"
        f"按“非常满意”占比、再按办理量排序,取前 {TOP} 名。"
        f" / Eligible: at least {MIN_SERVED} stages served this month and at least half the "
        f"median of its peers, at least {MIN_RATINGS} ratings of its own stages, satisfaction "
        f"(levels 3–5) of at least {TARGETS['satisfaction_rate']:.0%}; ranked by the share of "
        f"level 5 (非常满意), then by stages served; the first {TOP}.")


@dataclass(frozen=True)
class Bulletin:
    hall: str
    hall_name: str
    month: str
    first: date
    last: date
    overall: dict[str, Any]
    sections: dict[str, list[dict[str, Any]]]
    red_star: list[dict[str, Any]]  # 红星岗: counters
    smile_star: list[dict[str, Any]]  # 微笑之星: staff members
    rule: str
    warning: str | None
    as_of: str
    as_of_local: str = ""  # "2026-12-07 15:21": `as_of` in the hall's time, for the files


def month_period(hall: str, month: str) -> Period:
    try:
        year, number = parse_month(month)
        first = date(year, number, 1)
    except ValueError:
        raise Invalid("bad_month", "请用 YYYY-MM / give the month as YYYY-MM") from None
    return Period(hall, first, date(year, number, months.monthrange(year, number)[1]))


def own_work(conn: Connection, p: Period, dim: str) -> list[dict[str, Any]]:
    """Per counter or staff member: the stages they served and the ratings of those stages."""
    cols = [func.sum(_FS.c[c]).label(c) for c in STAGE_COUNTS]
    rows = conn.execute(select(_FS.c[dim], *cols).where(
        _FS.c.hall == p.hall, _FS.c.day >= p.start, _FS.c.day <= p.end, _FS.c[dim] != "")
        .group_by(_FS.c[dim]))
    out = []
    for row in rows:
        m = {c: int(row._mapping[c] or 0) for c in STAGE_COUNTS}
        ratings = sum(m[f"lv{n}"] for n in range(1, 6))
        good = m["lv3"] + m["lv4"] + m["lv5"]
        out.append({"key": row._mapping[dim], "served": m["served"], "ratings": ratings,
                    "satisfaction_rate": good / ratings if ratings else None,
                    "very_satisfied_rate": m["lv5"] / ratings if ratings else None,
                    "bad": m["lv1"] + m["lv2"]})
    return out


def candidates(work: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    """The rule of `RULE`, applied."""
    if not work:
        return []
    floor = max(MIN_SERVED, median(w["served"] for w in work) / 2)
    eligible = [w for w in work if w["served"] >= floor and w["ratings"] >= MIN_RATINGS
                and (w["satisfaction_rate"] or 0) >= TARGETS["satisfaction_rate"]]
    eligible.sort(key=lambda w: (-w["very_satisfied_rate"], -w["served"], str(w["key"])))
    return [{**w, "name": names.get(w["key"], w["key"])} for w in eligible[:TOP]]


def bulletin(store: Store, who: Principal, hall: str, month: str) -> Bulletin:
    require_supervisor(who)
    if who.kind != "admin" and who.hall != hall:
        raise Invalid("unknown_hall", "只能查看本大厅 / only your own hall")
    period = month_period(hall, month)
    fold.catch_up(store)
    now = store.clock()
    with store.read() as s:
        conn = s.connection()
        row = conn.execute(select(Hall.__table__.c.name, Hall.__table__.c.timezone).where(
            Hall.__table__.c.id == hall)).first()
        if row is None:
            raise NotFound("unknown_hall", f"没有大厅 {hall} / no hall {hall}")
        flt = Filter()
        late = overdue_open(conn, period, flt, now)
        sections = {dim: breakdown(conn, period, flt, dim, late) for dim, _ in SECTIONS}
        red = candidates(own_work(conn, period, "counter"), names_of(conn, hall, "counter"))
        smile = candidates(own_work(conn, period, "staff"), names_of(conn, hall, "staff"))
        unconfirmed = unconfirmed_open(conn)
        return Bulletin(hall, row.name, month, period.start, period.end,
                        figures(conn, period, flt, now), sections, red, smile, RULE,
                        _warning(unconfirmed.cases, unconfirmed.years), iso(now),
                        now.astimezone(ZoneInfo(row.timezone)).strftime("%Y-%m-%d %H:%M"))


def _warning(cases: int, years: tuple[int, ...]) -> str | None:
    if not cases:
        return None
    listed = ", ".join(str(y) for y in years)
    return (f"{cases} 件在办案件的办结时限按未确认的 {listed} 年日历临时推算 / {cases} open "
            f"case(s) have provisional deadlines ({listed} not confirmed)")
