"""A year of a busy hall, written in bulk (no HTTP): the example hall `examples/hjhq.toml`, every
working day of a packaged calendar year with `--per-day` tickets (4,500: about 1.1 million
tickets and 10 million events), their stages, ratings and events as the server writes them, and
the figures' aggregates computed from those rows with the server's own functions
(domain/figures.py), the fold's watermark at the last event.

    .venv/bin/python bench/gen_year.py --db sqlite:////tmp/year.db            # ~1 year
    .venv/bin/python bench/gen_year.py --db URL --days 5 --per-day 500         # a quick one

`--unfolded-days N` writes N more days of rows and events without folding them: what a reading
then has to fold first (bench/bench_kpi.py times that too).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from queue_server.config import load_config
from queue_server.db import models as m
from queue_server.db.store import Store, make_engine, migrate
from queue_server.domain.figures import (
    SERVICE,
    STAGE_COUNTS,
    TICKET_COUNTS,
    WAIT,
    facts_of,
    stage_vector,
    ticket_keys,
    ticket_vector,
)
from queue_server.domain.workdays import WorkCalendar
from queue_server.usecases.calendars import packaged_years
from queue_server.usecases.fold import encode, set_watermark
from queue_server.usecases.halls import apply_config

sys.path.insert(0, str(Path(__file__).resolve().parent))
from year_model import TZ, DayMaker, Hall, TicketRow, local  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
KEY = ("zone", "service", "counter", "staff")
MIX = {"consult": 14, "company-setup": 5, "company-deregister": 2, "tax-invoice": 16,
       "tax-refund": 6, "property-mortgage": 8, "property-general": 8, "property-transfer": 7,
       "power-low-voltage": 2, "water-connect": 2, "gas-connect": 1, "heating-connect": 2,
       "medical-claim": 8, "construction-permit": 2, "certificate-pickup": 17}


def hall_model(conn: Connection, hall: str) -> Hall:
    services = {r.code: {"prefix": r.prefix, "route": list(r.route),
                         "limit": r.time_limit_workdays}
                for r in conn.execute(select(m.Service.__table__).where(
                    m.Service.__table__.c.hall == hall))}
    counters: dict[tuple[str, str], list[str]] = defaultdict(list)
    names = {}
    for r in conn.execute(select(m.Counter.__table__).where(m.Counter.__table__.c.hall == hall)):
        names[r.code] = r.name
        for code in r.services:
            counters[(r.zone, code)].append(r.code)
    staff = [r.id for r in conn.execute(select(m.Staff.__table__.c.id).where(
        m.Staff.__table__.c.hall == hall))]
    mix = [(code, MIX.get(code, 1)) for code in services]
    return Hall(hall, services, dict(counters), names, staff, WorkCalendar(packaged_years()), mix)


class Writer:
    """Rows of a day, written in one transaction; events held until their time has come."""

    def __init__(self, engine: Engine, hall: Hall, first_event: int, first_eval: int) -> None:
        self.engine, self.hall = engine, hall
        self.event_id, self.eval_id = first_event, first_eval
        self.held: list[tuple[datetime, str, dict[str, Any]]] = []
        self.counts = defaultdict(int)

    def day(self, tickets: list[TicketRow], fold: bool, flush_before: datetime) -> None:
        rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        agg_t: dict[tuple[str, ...], list[int]] = {}
        agg_s: dict[tuple[str, ...], list[int]] = {}
        durations: dict[tuple[str, tuple[str, ...]], list[int]] = defaultdict(list)
        for t in tickets:
            self.rows_of(t, rows)
            if fold:
                self.figures_of(t, rows, agg_t, agg_s, durations)
        rows["events"] = self.release(flush_before)
        day = tickets[0].day if tickets else None
        with self.engine.begin() as conn:
            for table, name in ((m.Ticket, "tickets"), (m.Stage, "stages"),
                                (m.Evaluation, "evaluations"), (m.EventRow, "events"),
                                (m.FigFacts, "fig_facts")):
                if rows[name]:
                    conn.execute(insert(table.__table__), rows[name])
                    self.counts[name] += len(rows[name])
            if fold and day is not None:
                self.write_figures(conn, day, agg_t, agg_s, durations)

    def rows_of(self, t: TicketRow, rows: dict[str, list[dict[str, Any]]]) -> None:
        rows["tickets"].append(dict(
            id=t.id, hall=t.hall, service=t.service, number=t.number, prefix=t.prefix,
            seq=t.seq, day=t.day, channel="kiosk", priority=False, priority_reason=None,
            id_hash=None, masked_id=None, masked_name=None, appointment=None,
            issued_at=t.issued_at, status=t.status, zone=t.zone, stage=t.stages[-1].id,
            deadline=t.deadline, deadline_provisional=False, forwarded_from=None,
            forwarded_to=None, print_failed=False))
        base = {"ticket": t.id, "number": t.number, "service": t.service}
        self.held.append((t.issued_at, "ticket.issued", {**base, "zone": t.stages[0].zone,
                                                          "priority": False,
                                                          "channel": "kiosk"}))
        for st in t.stages:
            rows["stages"].append(dict(
                id=st.id, hall=t.hall, ticket_id=t.id, zone=st.zone, service=st.service,
                status=st.status, priority=False, target_counter=None, sort_at=st.sort_at,
                counter=st.counter, staff_id=st.staff_id, recalls=0, called_at=st.called_at,
                started_at=st.started_at, ended_at=st.ended_at, outcome=st.outcome,
                deadline=st.deadline, deadline_provisional=False, rated=st.rated))
            at = {**base, "counter": st.counter, "zone": st.zone,
                  "counter_name": self.hall.counter_names.get(st.counter or "", "")}
            if st.called_at:
                self.held.append((st.called_at, "ticket.called", {**at, "priority": False}))
            if st.started_at:
                self.held.append((st.started_at, "ticket.started", at))
            if st.ended_at:
                kind = "ticket.no_show" if st.outcome == "no_show" else "ticket.finished"
                self.held.append((st.ended_at, kind, {**at, "outcome": st.outcome}))
            if st.rated and t.level is not None and t.rated_at is not None:
                self.eval_id += 1
                rows["evaluations"].append(dict(
                    id=self.eval_id, hall=t.hall, ticket_id=t.id, stage_id=st.id,
                    level=t.level, reasons=["wait"] if t.level <= 2 else [], comment=None,
                    counter=st.counter, staff_id=st.staff_id, terminal_id=None,
                    created_at=t.rated_at))
                self.held.append((t.rated_at, "evaluation.created", {
                    "ticket": t.id, "number": t.number, "level": t.level, "zone": st.zone,
                    "counter": st.counter, "followup": None}))

    def figures_of(self, t: TicketRow, rows: dict[str, list[dict[str, Any]]],
                   agg_t: dict[tuple[str, ...], list[int]],
                   agg_s: dict[tuple[str, ...], list[int]],
                   durations: dict[tuple[str, tuple[str, ...]], list[int]]) -> None:
        levels = {st.id: t.level for st in t.stages if st.rated and t.level}
        facts = facts_of(t, t.stages, levels, TZ)  # type: ignore[arg-type]
        rows["fig_facts"].append({"ticket_id": t.id, "hall": t.hall, "day": t.day,
                                  "facts": facts.to_json()})
        sparse = [(i, v) for i, v in enumerate(ticket_vector(facts)) if v]
        for key in ticket_keys(facts):
            row = agg_t.get(key)
            if row is None:
                row = agg_t[key] = [0] * len(TICKET_COUNTS)
            for i, v in sparse:
                row[i] += v
        for st in facts.stages:
            if st.counter:
                row = agg_s.setdefault(st.key, [0] * len(STAGE_COUNTS))
                for i, v in enumerate(stage_vector(st)):
                    row[i] += v
            if st.wait_s is not None:
                durations[(WAIT, st.key)].append(st.wait_s)
            if st.service_s is not None:
                durations[(SERVICE, st.key)].append(st.service_s)

    def write_figures(self, conn: Connection, day: date, agg_t: dict[tuple[str, ...], list[int]],
                      agg_s: dict[tuple[str, ...], list[int]],
                      durations: dict[tuple[str, tuple[str, ...]], list[int]]) -> None:
        head = {"hall": self.hall.id, "day": day}
        conn.execute(insert(m.FigTickets.__table__), [
            {**head, **dict(zip(KEY, k, strict=True)), **dict(zip(TICKET_COUNTS, v, strict=True))}
            for k, v in agg_t.items()])
        conn.execute(insert(m.FigStages.__table__), [
            {**head, **dict(zip(KEY, k, strict=True)), **dict(zip(STAGE_COUNTS, v, strict=True))}
            for k, v in agg_s.items()])
        from array import array

        conn.execute(insert(m.FigDurations.__table__), [
            {**head, "kind": kind, **dict(zip(KEY, k, strict=True)), "n": len(v),
             "data": encode(array("i", v))} for (kind, k), v in durations.items()])
        self.counts["fig_tickets"] += len(agg_t)

    def release(self, before: datetime | None) -> list[dict[str, Any]]:
        """The held events earlier than `before` (all with None), numbered in time order."""
        self.held.sort(key=lambda e: e[0])
        cut = len(self.held) if before is None else next(
            (i for i, e in enumerate(self.held) if e[0] >= before), len(self.held))
        out = []
        for at, type_, payload in self.held[:cut]:
            self.event_id += 1
            out.append({"id": self.event_id, "hall": self.hall.id, "type": type_, "at": at,
                        "payload": payload})
        del self.held[:cut]
        return out


def working_days(year: int, limit: int | None) -> list[date]:
    cal = WorkCalendar(packaged_years())
    days = [date(year, 1, 1) + timedelta(days=i) for i in range(366)]
    out = [d for d in days if d.year == year and cal.is_workday(d)]
    return out[:limit] if limit else out


def generate(url: str, year: int, per_day: int, limit: int | None, unfolded: int,
             seed: int) -> dict[str, Any]:
    migrate(url)
    store = Store(url)
    try:
        apply_config(store, load_config(ROOT / "examples" / "hjhq.toml"))
    finally:
        store.close()
    engine = make_engine(url)
    with engine.connect() as conn:
        hall = hall_model(conn, "hjhq")
        first_event = int(conn.execute(select(func.max(m.HallEventSeq.last))
                                       .where(m.HallEventSeq.hall == "hjhq")).scalar() or 0)
        first_eval = int(conn.execute(select(func.max(m.Evaluation.id))).scalar() or 0)
        first_stage = int(conn.execute(select(func.max(m.Stage.id))).scalar() or 0)
    days = working_days(year, None if limit is None else limit + unfolded)
    maker = DayMaker(hall, seed)
    maker.stage_id = first_stage
    writer = Writer(engine, hall, first_event, first_eval)
    cut = local(days[-1], datetime.min.time().replace(hour=17))
    watermark, began = 0, time.monotonic()
    for i, day in enumerate(days):
        fold = i < len(days) - unfolded
        following = days[i + 1] if i + 1 < len(days) else day + timedelta(days=1)
        writer.day(maker.day(day, per_day, cut), fold,
                   local(following, datetime.min.time()))
        if fold:
            watermark = writer.event_id
        if i % 10 == 0:
            print(f"{day}: {writer.counts['tickets']} tickets, {writer.event_id} events, "
                  f"{time.monotonic() - began:.0f} s", file=sys.stderr)
    with engine.begin() as conn:
        rest = writer.release(None)
        if rest:
            conn.execute(insert(m.EventRow.__table__), rest)
        conn.execute(update(m.HallEventSeq.__table__).where(m.HallEventSeq.hall == "hjhq")
                     .values(last=writer.event_id))
        set_watermark(conn, "hjhq", watermark)
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("ANALYZE")
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return {"days": len(days), "unfolded_days": unfolded, "tickets": writer.counts["tickets"],
            "stages": writer.counts["stages"], "events": writer.event_id - first_event,
            "ratings": writer.counts["evaluations"], "fig_ticket_rows":
            writer.counts["fig_tickets"], "seconds": round(time.monotonic() - began, 1),
            "generated_at": datetime.now(UTC).isoformat()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="SQLAlchemy URL (a new database)")
    parser.add_argument("--year", type=int, default=2025, help="a year chinese_calendar knows")
    parser.add_argument("--per-day", type=int, default=4500)
    parser.add_argument("--days", type=int, help="only the first N working days")
    parser.add_argument("--unfolded-days", type=int, default=0)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    done = generate(args.db, args.year, args.per_day, args.days, args.unfolded_days, args.seed)
    print(json.dumps(done))
    return 0


if __name__ == "__main__":
    sys.exit(main())
