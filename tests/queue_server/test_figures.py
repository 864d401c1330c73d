"""The supervision figures (CONTRACT.md §5) over real HTTP with a clock the test sets, on SQLite
and PostgreSQL: a seeded day whose answers were worked out by hand, and random days whose
figures must equal a recomputation from the journeys and the event stream (recompute.py) for
every filter and period."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from queue_server.db.models import FigTickets
from queue_server.usecases import fold
from tests.queue_server.live_hall import LiveHall, live_hall
from tests.queue_server.recompute import of, recompute

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
DAY = "2026-03-02"


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'figures.db'}"
    else:
        yield request.getfixturevalue("pg_url")


def at(hall: LiveHall, seconds: float) -> None:
    hall.clock.now = T0 + timedelta(seconds=seconds)


def seeded_day(hall: LiveHall) -> dict[str, str]:
    """The day of the hand-worked figures below (times in seconds after 09:00)."""
    ids = {}
    for name, svc, t in (("A", "general", 0), ("B", "general", 10), ("C", "case", 20),
                         ("D", "consult", 30), ("E", "general", 40)):
        at(hall, t)
        ids[name] = hall.issue(svc)["id"]
    for counter, staff in (("W01", "s001"), ("W02", "s002"), ("W03", "s002"), ("W04", "s001"),
                           ("C01", "s002")):
        hall.login(counter, staff)
    steps: list[tuple[float, str, str, dict[str, str] | None]] = [
        (60, "W01", "call-next", None), (90, "W01", "start", None),
        (100, "W02", "call-next", None),  # C: finished without a start
        (150, "W01", "finish", {"outcome": "done"}),
        (160, "W01", "call-next", None), (170, "W01", "recall", None),
        (200, "W01", "no-show", None),
        (210, "W01", "call-next", None), (215, "W01", "start", None),
        (400.7, "W02", "finish", {"outcome": "next"}),
        (500, "C01", "call-next", None), (505, "C01", "start", None),
        (515, "W01", "finish", {"outcome": "rejected"}),
        (625, "C01", "finish", {"outcome": "done"}),
        (700, "W03", "call-next", None), (710, "W03", "start", None),
        (1000, "W03", "finish", {"outcome": "next"}),
        (1100, "W04", "call-next", None), (1130, "W04", "finish", {"outcome": "done"})]
    for t, counter, action, body in steps:
        at(hall, t)
        hall.act(counter, action, body)
        if (counter, action) == ("W01", "finish") and body == {"outcome": "done"}:
            at(hall, 155)
            hall.rate(ids["A"], 5)
    for name, t, level in (("E", 520, 2), ("D", 630, 3), ("C", 1135, 4)):
        at(hall, t)
        hall.rate(ids[name], level)
    at(hall, 1200)
    ids["F"] = hall.issue("case")["id"]
    for t, action, body in ((1300, "call-next", None), (1400, "finish", {"outcome": "next"})):
        at(hall, t)
        hall.act("W02", action, body)
    at(hall, 1500)
    ids["G"] = hall.issue("case")["id"]
    hall.clock.now = datetime(2026, 3, 4, 18, 0, tzinfo=UTC)  # Thu 02:00: F is late
    return ids


def _levels(*given: int) -> dict[str, int]:
    return {str(n): given.count(n) for n in range(1, 6)}


EXPECTED = {
    (): dict(tickets=7, done=3, rejected=1, no_show=1, open=2, completion_rate=0.75,
             on_time_rate=0.5, overdue_open=1, ratings=4, levels=_levels(5, 2, 3, 4),
             satisfaction_rate=0.75, wait_s={"p50": 100, "p90": 470},
             service_s={"p50": 120, "p90": 300}),
    (("zone", "approval"),): dict(
        tickets=2, done=1, rejected=0, no_show=0, open=1, completion_rate=1.0,
        on_time_rate=0.5, overdue_open=1, ratings=1, levels=_levels(4), satisfaction_rate=1.0,
        wait_s={"p50": 299, "p90": 299}, service_s={"p50": 290, "p90": 290}),
    (("counter", "W01"),): dict(
        tickets=3, done=1, rejected=1, no_show=1, open=0, completion_rate=0.5,
        on_time_rate=None, overdue_open=0, ratings=2, levels=_levels(5, 2),
        satisfaction_rate=0.5, wait_s={"p50": 150, "p90": 170},
        service_s={"p50": 60, "p90": 300}),
    (("service", "case"),): dict(
        tickets=3, done=1, rejected=0, no_show=0, open=2, completion_rate=1.0,
        on_time_rate=0.5, overdue_open=1, ratings=1, levels=_levels(4), satisfaction_rate=1.0,
        wait_s={"p50": 100, "p90": 299}, service_s={"p50": 100, "p90": 300}),
    (("zone", "intake"), ("counter", "W02")): dict(
        tickets=2, done=1, rejected=0, no_show=0, open=1, completion_rate=1.0,
        on_time_rate=0.5, overdue_open=1, ratings=1, levels=_levels(4), satisfaction_rate=1.0,
        wait_s={"p50": 80, "p90": 100}, service_s={"p50": 100, "p90": 300}),
    (("staff", "s002"),): dict(  # an extension: C, D and F had a stage with s002
        tickets=3, done=2, rejected=0, no_show=0, open=1, completion_rate=1.0,
        on_time_rate=0.5, overdue_open=1, ratings=2, levels=_levels(3, 4),
        satisfaction_rate=1.0, wait_s={"p50": 100, "p90": 470},  # 80 100 299 470
        service_s={"p50": 120, "p90": 300}),  # 100 120 290 300
}


def test_a_seeded_day_gives_the_figures_worked_out_by_hand(db_url: str) -> None:
    with live_hall(db_url, T0) as hall:
        seeded_day(hall)
        for flt, want in EXPECTED.items():
            got = hall.kpi(**{"from": DAY, "to": DAY}, **dict(flt))
            assert of(got) == want, flt
        other = hall.kpi(**{"from": "2026-03-03", "to": "2026-03-31"})
        assert other["tickets"] == 0 and other["completion_rate"] is None
        assert other["wait_s"] == {"p50": None, "p90": None}


def _filters() -> list[dict[str, str]]:
    out: list[dict[str, str]] = [{}]
    out += [{"zone": z} for z in ("consult", "intake", "approval", "pickup")]
    out += [{"service": s} for s in ("general", "case", "consult")]
    out += [{"counter": c} for c in ("W01", "W02", "W03", "W04", "C01")]
    out += [{"zone": "intake", "service": "case"}, {"service": "case", "counter": "W01"},
            {"zone": "approval", "counter": "W01"}]
    return out


COUNTERS = ("W01", "W02", "W03", "W04", "C01")


def random_days(hall: LiveHall, rng: random.Random, steps: int) -> None:
    """Two business days of random arrivals and counter actions with random gaps."""
    current: dict[str, dict[str, str]] = {}
    for step in range(steps):
        if step == steps // 2:  # the next business day (staff sign in again: 12 h sessions)
            hall.clock.now = datetime(2026, 3, 3, 0, 30, tzinfo=UTC)
        if step in (0, steps // 2):
            for i, counter in enumerate(COUNTERS):
                hall.login(counter, ("s001", "s002")[(i + step) % 2])
            current.clear()
        hall.clock.tick(rng.uniform(0.2, 400))
        roll = rng.random()
        if roll < 0.35:
            body = {"service": rng.choice(("general", "general", "consult", "case"))}
            if rng.random() < 0.1:  # a kiosk asks for priority only with a reason
                body.update(priority="priority", priority_reason="disabled")
            with hall.client(hall.kiosk) as c:
                resp = c.post("/tickets", json=body)
            assert resp.status_code in (201, 409), resp.text  # 409: the day's cap of "case"
            continue
        counter = rng.choices(COUNTERS, [4, 4, 0.4, 2, 2])[0]
        _act(hall, rng, counter, current)


def _act(hall: LiveHall, rng: random.Random, counter: str, current: dict[str, dict[str, str]]
         ) -> None:
    """One plausible step at `counter`: call when free; start, finish, or recall and mark a
    no-show when a ticket is called; finish when serving, then maybe a rating."""
    now = current.get(counter)
    if now is None:
        got = hall.act(counter, "call-next", ok=(200, 204))
        if got is not None:
            current[counter] = got
        return
    roll = rng.random()
    if now["status"] == "called" and roll < 0.15:
        hall.act(counter, "recall")
        hall.act(counter, "no-show")
    elif now["status"] == "called" and roll < 0.6:
        current[counter] = hall.act(counter, "start") or now
        return
    else:
        outcome = rng.choices(["done", "next", "rejected"], [5, 4, 1])[0]
        hall.act(counter, "finish", {"outcome": outcome})
        if rng.random() < 0.5:
            hall.rate(now["id"], rng.choices([1, 2, 3, 4, 5], [1, 1, 2, 3, 6])[0])
    del current[counter]


def test_figures_equal_a_recomputation_from_the_public_api(db_url: str) -> None:
    rng = random.Random(13)
    with live_hall(db_url, T0) as hall:
        random_days(hall, rng, 220)
        hall.clock.now = datetime(2026, 3, 9, 3, 0, tzinfo=UTC)  # a week later: some cases late
        events = hall.events()
        tickets = [hall.ticket(ev["ticket"]) for ev in events if ev["type"] == "ticket.issued"]
        assert len(tickets) > 40 and {t["status"] for t in tickets} >= {"done", "waiting"}
        now = hall.clock.now
        for first, last in (("2026-03-02", "2026-03-02"), ("2026-03-03", "2026-03-03"),
                            ("2026-03-01", "2026-03-31")):
            for flt in _filters():
                got = hall.kpi(**{"from": first, "to": last}, **flt)
                want = recompute(tickets, events, date.fromisoformat(first),
                                 date.fromisoformat(last), flt, now)
                assert of(got) == want, (first, last, flt)
        whole = hall.kpi(**{"from": "2026-03-01", "to": "2026-03-31"})
        assert whole["ratings"] and whole["done"] and whole["rejected"] and whole["no_show"]
        assert whole["overdue_open"] and whole["on_time_rate"] not in (None, 0.0, 1.0)


def test_who_may_read_the_figures_and_bad_queries(tmp_path: Path) -> None:
    with live_hall(f"sqlite:///{tmp_path / 'h.db'}", T0) as hall:
        hall.login("W01", "s001")
        hall.login("C01", "s003")  # a supervisor signed in at a counter
        day = {"from": DAY, "to": DAY}
        staff = hall.staff["W01"].get("/reports/kpi", params=day)
        assert staff.status_code == 403
        assert staff.json()["error"]["code"] == "supervisor_required"
        assert hall.staff["C01"].get("/reports/kpi", params=day).json()["tickets"] == 0
        with hall.client(hall.kiosk) as c:
            assert c.get("/reports/series", params=day).status_code == 403
        with hall.client(hall.admin) as c:
            for query, code in (({"from": DAY}, "bad_period"),
                                ({"from": "2026-03-05", "to": DAY}, "bad_period"),
                                ({"from": "2025-01-01", "to": "2026-12-31"}, "period_too_long"),
                                ({**day, "zone": "lobby"}, "unknown_zone"),
                                ({**day, "counter": "X99"}, "unknown_counter"),
                                ({**day, "service": "nope"}, "unknown_service"),
                                ({**day, "staff": "s999"}, "unknown_staff"),
                                ({"from": "20260305", "to": "20260305"}, "bad_period"),
                                ({**day, "hall": "zzz"}, "unknown_hall")):
                resp = c.get("/reports/kpi", params=query)
                assert resp.status_code == 400 and resp.json()["error"]["code"] == code, query
        with httpx.Client() as c:
            assert c.get(f"{hall.url}/api/v1/reports/kpi", params=day).status_code == 401


def test_the_figures_are_folded_in_quiet_moments(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    with live_hall(url, T0, fold_every_s=0.05, fold_quiet_s=0.05) as hall:
        hall.issue("general")
        deadline = time.monotonic() + 20
        while fold.needs_fold(hall.store):  # nobody reads the figures: the server folds
            assert time.monotonic() < deadline, "the background fold never ran"
            time.sleep(0.05)
        with hall.store.read() as s:
            row = s.execute(select(FigTickets.tickets).where(
                FigTickets.hall == "t1", FigTickets.zone == "*", FigTickets.service == "*",
                FigTickets.counter == "*", FigTickets.staff == "*")).scalar()
        assert row == 1
