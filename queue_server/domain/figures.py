"""The supervision figures (CONTRACT.md §5) as pure functions: what one ticket's journey
contributes (`TicketFacts`, from its rows), the rows of the aggregates that contribution adds to
(`Delta`), and the answer assembled from summed rows (`kpi`). Percentiles are by nearest rank
over whole seconds (rounded down).

Keys: a ticket counts under every (zone, service, counter, staff) key that one of its stages
matches, each part a value or `ANY`; a filter reads exactly one key, so "tickets that had a stage
matching the filter" is one row a day. Stage-level rows and durations keep full keys only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import product
from typing import Any
from zoneinfo import ZoneInfo

from queue_server.domain.stages import FORWARDED, SERVED

ANY = "*"
WAIT, SERVICE = "wait", "service"
HOURS = tuple(f"h{h:02d}" for h in range(24))
# `forwarded` (migration 0009): the bank-branch tickets whose papers went on to the parent hall
# (转大厅, ticket status `forwarded`): the branch's part ended there, not done; the application is
# the parent hall's own ticket, counted there.
TICKET_COUNTS = ("tickets", "done", "rejected", "no_show", "lv1", "lv2", "lv3", "lv4", "lv5",
                 "appr_due", "appr_on_time", *HOURS, "forwarded")
_FORWARDED = TICKET_COUNTS.index("forwarded")
STAGE_COUNTS = ("called", "served", "done", "next", "rejected", "no_show", "transferred",
                "lv1", "lv2", "lv3", "lv4", "lv5")
ENDINGS = ("done", "rejected", "no_show")  # how a journey ended; anything else is open
Key = tuple[str, str, str, str]  # zone, service, counter, staff


def whole_seconds(start: datetime, end: datetime) -> int:
    """`end - start` in seconds, rounded down."""
    delta = end - start
    return delta.days * 86400 + delta.seconds


@dataclass(frozen=True)
class StageFact:
    id: int
    zone: str
    service: str
    counter: str  # "" when never called
    staff: str  # "" when none
    outcome: str | None  # None while open
    wait_s: int | None  # once called
    service_s: int | None  # once ended served (done, next, rejected)
    level: int | None  # its rating

    @property
    def key(self) -> Key:
        return (self.zone, self.service, self.counter, self.staff)


@dataclass(frozen=True)
class TicketFacts:
    """One ticket as the figures see it; `status` is done, rejected, no_show, forwarded or
    open."""

    hall: str
    day: date
    hour: int  # local hour of issue
    status: str
    stages: tuple[StageFact, ...]
    appr_due: int = 0  # approval stages with a deadline that ended
    appr_on_time: int = 0  # ... by it

    def to_json(self) -> dict[str, Any]:
        return {"h": self.hour, "s": self.status, "ad": self.appr_due, "ao": self.appr_on_time,
                "st": [[f.id, f.zone, f.service, f.counter, f.staff, f.outcome, f.wait_s,
                        f.service_s, f.level] for f in self.stages]}

    @classmethod
    def from_json(cls, hall: str, day: date, data: dict[str, Any]) -> TicketFacts:
        return cls(hall, day, int(data["h"]), str(data["s"]),
                   tuple(StageFact(*row) for row in data["st"]), int(data["ad"]),
                   int(data["ao"]))


def _stage_fact(st: Any, start: datetime, level: int | None) -> StageFact:
    wait = whole_seconds(start, st.called_at) if st.called_at is not None else None
    served = None
    if st.outcome in SERVED and st.ended_at is not None:
        served = whole_seconds(st.started_at or st.called_at or st.ended_at, st.ended_at)
    return StageFact(int(st.id), st.zone, st.service, st.counter or "", st.staff_id or "",
                     st.outcome if st.status == "ended" else None, wait, served, level)


def facts_of(ticket: Any, stages: Sequence[Any], levels: dict[int, int], tz: str
             ) -> TicketFacts:
    """A ticket's facts from its row, its stages (oldest first) and its ratings by stage id.
    A stage waits from the ticket's issue (the first) or the previous stage's end, or from
    its holder's arrival when it waited for them (`sort_at`: a pickup on a later day, a case
    back from 补正: the days at home were counted as a wait at the counter)."""
    facts, start = [], ticket.issued_at
    due = on_time = 0
    for st in stages:
        start = max(start, st.sort_at)
        facts.append(_stage_fact(st, start, levels.get(int(st.id))))
        start = st.ended_at or start
        if st.zone == "approval" and st.deadline is not None and st.outcome in SERVED:
            # the approval's decision (done, next, rejected); a stage handed on to another
            # post (transferred, which keeps the deadline) or ended otherwise counted each
            # hand-over as one more case on time (an outside check: 72.7 % for 4 of 7 cases)
            due += 1
            on_time += st.ended_at <= st.deadline
    status = ticket.status if ticket.status in (*ENDINGS, FORWARDED) else "open"
    hour = ticket.issued_at.astimezone(ZoneInfo(tz)).hour
    return TicketFacts(ticket.hall, ticket.day, hour, status, tuple(facts), due, on_time)


def ticket_keys(facts: TicketFacts) -> set[Key]:
    keys: set[Key] = set()
    for st in facts.stages:
        counters = (st.counter, ANY) if st.counter else (ANY,)
        staff = (st.staff, ANY) if st.staff else (ANY,)
        keys.update(product((st.zone, ANY), (st.service, ANY), counters, staff))
    if not keys:  # a ticket always has a stage; be safe
        keys.add((ANY, ANY, ANY, ANY))
    return keys


def ticket_vector(facts: TicketFacts) -> list[int]:
    v = [0] * len(TICKET_COUNTS)
    v[0] = 1
    if facts.status in ENDINGS:
        v[1 + ENDINGS.index(facts.status)] = 1
    for st in facts.stages:
        if st.level is not None:
            v[3 + st.level] += 1
    v[9], v[10] = facts.appr_due, facts.appr_on_time
    v[11 + facts.hour] = 1
    v[_FORWARDED] = int(facts.status == FORWARDED)
    return v


def stage_vector(st: StageFact) -> list[int]:
    v = [0] * len(STAGE_COUNTS)
    v[0] = int(st.wait_s is not None)
    v[1] = int(st.service_s is not None)
    if st.outcome in STAGE_COUNTS[2:7]:
        v[STAGE_COUNTS.index(st.outcome)] = 1
    if st.level is not None:
        v[6 + st.level] = 1
    return v


@dataclass
class Delta:
    """Changes to the aggregate rows: keyed (hall, day, key) for tickets and stages, and
    (hall, day, kind, key) -> {seconds: +-n} for durations."""

    tickets: dict[tuple[str, date, Key], list[int]] = field(default_factory=dict)
    stages: dict[tuple[str, date, Key], list[int]] = field(default_factory=dict)
    durations: dict[tuple[str, date, str, Key], Counter[int]] = field(default_factory=dict)

    def add(self, facts: TicketFacts, sign: int) -> None:
        vector = ticket_vector(facts)
        for key in ticket_keys(facts):
            _bump(self.tickets, (facts.hall, facts.day, key), vector, sign)
        for st in facts.stages:
            if st.counter:  # a stage-level row once called
                _bump(self.stages, (facts.hall, facts.day, st.key), stage_vector(st), sign)
            for kind, value in ((WAIT, st.wait_s), (SERVICE, st.service_s)):
                if value is not None:
                    got = self.durations.setdefault((facts.hall, facts.day, kind, st.key),
                                                    Counter())
                    got[value] += sign

    def change(self, old: TicketFacts | None, new: TicketFacts) -> None:
        if old == new:
            return
        if old is not None:
            self.add(old, -1)
        self.add(new, 1)

    def compact(self) -> None:
        """Drop what cancelled out."""
        for table in (self.tickets, self.stages):
            for k in [k for k, v in table.items() if not any(v)]:
                del table[k]
        for k in list(self.durations):
            counts = Counter({v: n for v, n in self.durations[k].items() if n})
            if counts:
                self.durations[k] = counts
            else:
                del self.durations[k]


def _bump(table: dict[Any, list[int]], key: Any, vector: list[int], sign: int) -> None:
    got = table.get(key)
    if got is None:
        table[key] = [sign * x for x in vector]
    else:
        for i, x in enumerate(vector):
            got[i] += sign * x


def nearest_rank(sorted_values: Sequence[int], pct: int) -> int | None:
    """The `pct`-th percentile by nearest rank: the value at rank ceil(pct/100 * n)."""
    n = len(sorted_values)
    if n == 0:
        return None
    rank = max(1, -(-pct * n // 100))
    return int(sorted_values[rank - 1])


def rate(num: int, den: int) -> float | None:
    return num / den if den else None


def kpi(sums: dict[str, int], overdue_open: int, waits: dict[str, int | None],
        services: dict[str, int | None]) -> dict[str, Any]:
    """§5's answer from the summed ticket row of the period and filter, the open approval
    stages past their deadline, and the percentiles of the kept stages."""
    done, rejected, no_show = sums["done"], sums["rejected"], sums["no_show"]
    levels = {str(n): sums[f"lv{n}"] for n in range(1, 6)}
    ratings = sum(levels.values())
    return {
        "tickets": sums["tickets"], "done": done, "rejected": rejected, "no_show": no_show,
        "open": sums["tickets"] - done - rejected - no_show - sums["forwarded"],
        "forwarded": sums["forwarded"],
        "completion_rate": rate(done, done + rejected),
        "on_time_rate": rate(sums["appr_on_time"], sums["appr_due"] + overdue_open),
        "overdue_open": overdue_open,
        "ratings": ratings, "levels": levels,
        "satisfaction_rate": rate(levels["3"] + levels["4"] + levels["5"], ratings),
        "wait_s": waits, "service_s": services,
    }


def empty_sums() -> dict[str, int]:
    return dict.fromkeys(TICKET_COUNTS, 0)


def add_sums(into: dict[str, int], row: Iterable[tuple[str, int]]) -> dict[str, int]:
    for name, value in row:
        into[name] += int(value or 0)
    return into


DIMENSIONS = ("zone", "service", "counter", "staff")


@dataclass(frozen=True)
class Filter:
    """What a reading keeps: tickets that had a stage matching every given part, and of those
    tickets' stages, the ones that match (for the percentiles)."""

    zone: str | None = None
    service: str | None = None
    counter: str | None = None
    staff: str | None = None

    def key(self) -> Key:
        return (self.zone or ANY, self.service or ANY, self.counter or ANY, self.staff or ANY)

    def given(self) -> dict[str, str]:
        return {d: v for d, v in zip(DIMENSIONS, self.key(), strict=True) if v != ANY}

    def matches(self, key: Key) -> bool:
        return all(want in (ANY, got) for want, got in zip(self.key(), key, strict=True))

    def narrowed(self, dimension: str, value: str) -> Filter:
        return Filter(**{**dict(zip(DIMENSIONS, (self.zone, self.service, self.counter,
                                                 self.staff), strict=True)), dimension: value})
