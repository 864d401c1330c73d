"""CONTRACT.md §5 computed again, independently of the server's figures, from what the public
API shows: the tickets' journeys (`GET /tickets/{id}`) and the event stream (ticket ids from
`ticket.issued`, ratings from `evaluation.created`). Written from the contract's text alone."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo


def _t(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _secs(start: datetime, end: datetime) -> int:
    return math.floor((end - start).total_seconds())  # whole seconds, rounded down


def _pct(values: list[int], p: int) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(p / 100 * len(ordered)) - 1]


def business_day(at: datetime, tz: str, starts: time) -> date:
    local = at.astimezone(ZoneInfo(tz))
    return (local - timedelta(hours=starts.hour, minutes=starts.minute)).date()


def _matches(stage: dict[str, Any], flt: dict[str, str]) -> bool:
    return all(stage.get(k) == v for k, v in flt.items())


def recompute(tickets: list[dict[str, Any]], events: list[dict[str, Any]], first: date,
              last: date, flt: dict[str, str], now: datetime, tz: str = "Asia/Shanghai",
              starts: time = time(0, 0)) -> dict[str, Any]:
    levels: dict[str, list[int]] = {}
    for ev in events:
        if ev["type"] == "evaluation.created":
            levels.setdefault(ev["ticket"], []).append(int(ev["level"]))
    kept = [t for t in tickets
            if first <= business_day(_t(t["issued_at"]), tz, starts) <= last  # type: ignore[arg-type]
            and (not flt or any(_matches(st, flt) for st in t["journey"]))]
    ends = {k: sum(1 for t in kept if t["status"] == k) for k in ("done", "rejected", "no_show")}
    ended_due = on_time = late = 0
    waits: list[int] = []
    services: list[int] = []
    for t in kept:
        start = _t(t["issued_at"])
        for st in t["journey"]:
            start = max(start, _t(st["queued_at"]))  # a stage that waited for its holder
            called, ended = _t(st["called_at"]), _t(st["ended_at"])
            due = _t(st["deadline"])
            if st["zone"] == "approval" and due is not None:
                if ended is not None and st["outcome"] in ("done", "next", "rejected"):
                    ended_due += 1  # the approval's decision; a hand-over is not one
                    on_time += ended <= due
                elif ended is None and now > due:
                    late += 1
            if _matches(st, flt) and called is not None:
                waits.append(_secs(start, called))  # type: ignore[arg-type]
            if _matches(st, flt) and st["outcome"] in ("done", "next", "rejected"):
                began = _t(st["started_at"]) or called
                services.append(_secs(began, ended))  # type: ignore[arg-type]
            start = ended or start
    given = [lv for t in kept for lv in levels.get(t["id"], [])]
    done, rejected = ends["done"], ends["rejected"]

    def rate(a: int, b: int) -> float | None:
        return a / b if b else None

    return {
        "tickets": len(kept), **ends, "open": len(kept) - sum(ends.values()),
        "completion_rate": rate(done, done + rejected),
        "on_time_rate": rate(on_time, ended_due + late), "overdue_open": late,
        "ratings": len(given), "levels": {str(n): given.count(n) for n in range(1, 6)},
        "satisfaction_rate": rate(sum(1 for lv in given if lv >= 3), len(given)),
        "wait_s": {"p50": _pct(waits, 50), "p90": _pct(waits, 90)},
        "service_s": {"p50": _pct(services, 50), "p90": _pct(services, 90)},
    }


FIELDS = ("tickets", "done", "rejected", "no_show", "open", "completion_rate", "on_time_rate",
          "overdue_open", "ratings", "levels", "satisfaction_rate", "wait_s", "service_s")


def of(answer: dict[str, Any]) -> dict[str, Any]:
    """The §5 fields of an answer."""
    return {k: answer[k] for k in FIELDS}
