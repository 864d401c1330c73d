"""A busy hall's business day as rows, made up by a seeded random model (bench/gen_year.py writes
a year of them): arrivals by hour, each ticket walking its service's route at counters of the
right zone, approval stages with their deadlines (most met), outcomes, no-shows, ratings, and
the events the server would have written for all of it. The rows are what the server's own
tables hold, so the figures computed from them follow CONTRACT.md §5 exactly."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from queue_server.domain.workdays import WorkCalendar, deadline

TZ = "Asia/Shanghai"
HOURS = {8: 4, 9: 14, 10: 16, 11: 12, 12: 5, 13: 8, 14: 14, 15: 15, 16: 10, 17: 2}  # weights
LEVELS = ([5, 4, 3, 2, 1], [80, 12, 5, 2, 1])


@dataclass
class StageRow:
    id: int
    ticket_id: str
    zone: str
    service: str
    counter: str | None
    staff_id: str | None
    status: str
    called_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    outcome: str | None
    deadline: datetime | None
    sort_at: datetime
    rated: bool = False


@dataclass
class TicketRow:
    id: str
    hall: str
    service: str
    number: str
    prefix: str
    seq: int
    day: date
    issued_at: datetime
    status: str
    zone: str
    deadline: datetime | None
    stages: list[StageRow] = field(default_factory=list)
    level: int | None = None
    rated_at: datetime | None = None


@dataclass(frozen=True)
class Hall:
    id: str
    services: dict[str, dict[str, Any]]  # code -> {"prefix", "route", "limit"}
    counters: dict[tuple[str, str], list[str]]  # (zone, service) -> counter codes
    counter_names: dict[str, str]
    staff: list[str]
    calendar: WorkCalendar
    mix: list[tuple[str, int]]  # service and weight


def local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(TZ)).astimezone(UTC)


class DayMaker:
    def __init__(self, hall: Hall, seed: int) -> None:
        self.hall, self.rng = hall, random.Random(seed)
        self.stage_id = 0

    def staff_of(self, day: date, counter: str) -> str:
        staff = self.hall.staff
        return staff[(sum(map(ord, counter)) + day.toordinal() % 3) % len(staff)]

    def arrival(self, day: date) -> datetime:
        hour = self.rng.choices(list(HOURS), list(HOURS.values()))[0]
        start = local(day, time(hour, 0)) + timedelta(seconds=self.rng.uniform(0, 3600))
        return start.replace(microsecond=self.rng.randrange(1_000_000))

    def day(self, day: date, count: int, open_end: datetime | None) -> list[TicketRow]:
        """`count` tickets of business day `day`; with `open_end`, what has not happened by
        then stays open (the last days of the year)."""
        rng, out = self.rng, []
        numbers: dict[str, int] = {}
        services, weights = zip(*self.hall.mix, strict=True)
        for issued in sorted(self.arrival(day) for _ in range(count)):
            code = rng.choices(services, weights)[0]
            svc = self.hall.services[code]
            numbers[svc["prefix"]] = seq = numbers.get(svc["prefix"], 0) + 1
            t = TicketRow(f"y{day:%y%m%d}{len(out):05d}", self.hall.id, code,
                          f"{svc['prefix']}{seq:03d}", svc["prefix"], seq, day, issued,
                          "waiting", svc["route"][0], None)
            self.walk(t, svc, open_end)
            out.append(t)
        return out

    def walk(self, t: TicketRow, svc: dict[str, Any], open_end: datetime | None) -> None:
        rng, start = self.rng, t.issued_at
        for k, zone in enumerate(svc["route"]):
            self.stage_id += 1
            st = StageRow(self.stage_id, t.id, zone, t.service, None, None, "waiting", None,
                          None, None, None, None, t.issued_at)
            t.stages.append(st)
            t.zone = zone
            if zone == "approval" and svc["limit"] is not None:
                entered = start.astimezone(ZoneInfo(TZ)).date()
                st.deadline = deadline(entered, svc["limit"], TZ, self.hall.calendar).at
                t.deadline = st.deadline
            called = start + self.wait(zone)
            if open_end is not None and called > open_end:
                t.status = "waiting"
                return
            counter = rng.choice(self.hall.counters[(zone, t.service)])
            st.counter, st.staff_id = counter, self.staff_of(t.day, counter)
            st.status, st.called_at = "called", called
            if k == 0 and rng.random() < 0.03:
                st.status, st.ended_at, st.outcome = "ended", called + timedelta(
                    seconds=rng.uniform(60, 240)), "no_show"
                t.status = "no_show"
                return
            st.started_at = called + timedelta(seconds=rng.uniform(5, 40))
            ended = st.started_at + self.service(zone, st.deadline, st.started_at)
            if open_end is not None and ended > open_end:
                st.status = t.status = "serving"
                return
            last = k == len(svc["route"]) - 1
            outcome = "done" if last else "next"
            if zone == "intake" and rng.random() < 0.02:
                outcome = "rejected"
            st.status, st.ended_at, st.outcome = "ended", ended, outcome
            start = ended
            if outcome != "next":
                t.status = outcome
                break
        self.rate(t)

    def wait(self, zone: str) -> timedelta:
        mean = {"consult": 240, "intake": 600, "approval": 5400, "pickup": 900}[zone]
        return timedelta(seconds=self.rng.lognormvariate(0, 0.6) * mean * 0.8)

    def service(self, zone: str, due: datetime | None, began: datetime) -> timedelta:
        if zone == "approval" and due is not None:
            if self.rng.random() < 0.03:  # late: up to two days past the deadline
                return due - began + timedelta(seconds=self.rng.uniform(60, 2 * 86400))
            room = max((due - began).total_seconds(), 120)
            return timedelta(seconds=self.rng.uniform(60, min(room, 8 * 3600)))
        mean = {"consult": 180, "intake": 420, "approval": 3600, "pickup": 120}[zone]
        return timedelta(seconds=self.rng.lognormvariate(0, 0.5) * mean * 0.85)

    def rate(self, t: TicketRow) -> None:
        served = [s for s in t.stages if s.called_at is not None]
        if served and t.status in ("done", "rejected") and self.rng.random() < 0.6:
            st = served[-1]
            st.rated = True
            t.level = self.rng.choices(*LEVELS)[0]
            t.rated_at = (st.ended_at or st.called_at) + timedelta(  # type: ignore[operator]
                seconds=self.rng.uniform(3, 30))
