"""A Hypothesis state machine of the whole queue: issue, call-next, recall, no-show, start,
finish with each outcome, transfer (to a counter, to a service), pause, resume and the day's
rollover, run on the real use cases over an SQLite file (with an injected clock) and, step by
step, on a small reference model written from the rules of docs/api.md. After every step the
two agree on the answer (the number called, the error code) and on the whole state: every
ticket's status and zone, every counter's current ticket and pause; and the books balance
(a stage called once, one open stage a ticket, numbers unique and gapless per prefix and day,
event ids strictly increasing)."""

from __future__ import annotations

import sys
import tempfile
from collections import Counter as Tally
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import select

from queue_server import wire
from queue_server.db.models import Counter, Stage, Ticket
from queue_server.db.models import Hall as HallRow
from queue_server.db.store import Store
from queue_server.domain.errors import DomainError
from queue_server.domain.stages import deadline_of
from queue_server.usecases import counters
from queue_server.usecases.auth import Principal
from queue_server.usecases.halls import hall_info, roll_days
from queue_server.usecases.tickets import issue
from tests.procs import load_test_hall

TZ = ZoneInfo("Asia/Shanghai")
KIOSK = Principal("kiosk", "t1", 1, "k")
ELDER = wire.IdCardIn(number="150102194001011234")  # 70 or older: priority "elderly"
PRIORITY_CAP, RECALLS_BEFORE_NO_SHOW, CASE_CAP, CASE_LIMIT = 2, 1, 5, 2
# The machine checks the rules, not the disk: its SQLite files (some 5,000 commits, each
# fsynced) go to memory where there is a tmpfs.
SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() else None


def staff(code: str) -> Principal:
    return Principal("staff", "t1", 1, "pad", code, "s001", "staff")


# -- the reference model (the test hall of tests/queue_server/data/hall.toml) ---------------
SERVICES = {"general": ("A", ("intake",)), "case": ("B", ("intake", "approval", "pickup")),
            "consult": ("Z", ("consult",))}
COUNTERS = {"W01": ("intake", ("general", "case")), "W02": ("intake", ("case", "general")),
            "W03": ("approval", ("case",)), "W04": ("pickup", ("case",)),
            "C01": ("consult", ("consult",))}


@dataclass
class MStage:
    ticket: str  # the ticket's number and day, e.g. "A001@2026-03-02"
    zone: str
    service: str
    priority: bool
    sort_at: datetime
    target: str | None = None
    status: str = "waiting"
    recalls: int = 0
    deadline: datetime | None = None  # in approval: the time limit, kept within approval


@dataclass
class MCounter:
    current: int | None = None  # index of its stage in Model.stages
    paused: bool = False
    streak: int = 0


def _every_day(_day: date) -> bool:
    return True


@dataclass
class Model:
    day: str = ""
    # The test hall opens around the clock on its working days: a number taken on a day it is
    # closed belongs to the next working day, the one it is called on (its numbering, its cap).
    works_on: Callable[[date], bool] = _every_day
    last: dict[tuple[str, str], int] = field(default_factory=dict)  # (prefix, day) -> seq
    tickets: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> status, zone
    stages: list[MStage] = field(default_factory=list)
    counters: dict[str, MCounter] = field(default_factory=lambda: {c: MCounter()
                                                                    for c in COUNTERS})
    # the time limit of a case entering approval now (the domain's working-day rule; it is
    # checked on its own in test_deadlines): approval posts call the case due first
    due: Callable[[], datetime | None] = lambda: None

    def issue(self, service: str, priority: bool, now: datetime) -> str:
        prefix, route = SERVICES[service]
        day = date.fromisoformat(self.day)
        while not self.works_on(day):
            day += timedelta(days=1)
        seq = self.last.get((prefix, day.isoformat()), 0) + 1
        if service == "case" and seq > CASE_CAP:
            raise Refused("daily_cap_reached")
        self.last[(prefix, day.isoformat())] = seq
        key = f"{prefix}{seq:03d}@{day.isoformat()}"
        self.tickets[key] = {"status": "waiting", "zone": route[0]}
        self.stages.append(MStage(key, route[0], service, priority, now))
        return key

    def _pick(self, code: str) -> int | None:
        zone, services = COUNTERS[code]
        waiting = [(i, s) for i, s in enumerate(self.stages) if s.status == "waiting"]
        targeted = [(s.sort_at, i) for i, s in waiting if s.target == code]
        if targeted:
            return min(targeted)[1]
        def rank(s: MStage) -> tuple[object, ...]:  # an approval post: the deadline first
            if zone == "approval":
                return (s.deadline is None, s.deadline or s.sort_at)
            return (services.index(s.service),)

        mine = [(*rank(s), s.sort_at, i, s.priority) for i, s in waiting
                if s.target is None and s.zone == zone and s.service in services]
        prio = sorted(m for m in mine if m[-1])
        normal = sorted(m for m in mine if not m[-1])
        if prio and (self.counters[code].streak < PRIORITY_CAP or not normal):
            return prio[0][-2]
        return normal[0][-2] if normal else None

    def call(self, code: str) -> str:
        counter = self.counters[code]
        if counter.paused:
            raise Refused("counter_paused")
        picked = self._pick(code)  # (ending the current one as done queues nothing new)
        if picked is None:  # nobody waits: 204, and the current ticket stays
            raise Refused("no_ticket_waiting")
        if counter.current is not None:  # served; a case in approval goes on to pickup
            current = self.stages[counter.current]
            route = SERVICES[current.service][1]
            onward = current.zone == "approval" and route.index(current.zone) + 1 < len(route)
            self._end(code, "next" if onward else "done")
        stage = self.stages[picked]
        stage.status, stage.target = "called", None
        counter.current = picked
        counter.streak = counter.streak + 1 if stage.priority else 0
        self.tickets[stage.ticket] = {"status": "called", "zone": stage.zone}
        return stage.ticket

    def _current(self, code: str, states: tuple[str, ...]) -> MStage:
        index = self.counters[code].current
        if index is None or self.stages[index].status not in states:
            raise Refused("no_current_ticket")
        return self.stages[index]

    def act(self, code: str, action: str) -> str:
        if action in ("recall", "no-show", "start"):
            stage = self._current(code, ("called",))
        else:
            stage = self._current(code, ("called", "serving"))
        if action in ("recall", "no-show") and stage.zone == "approval":
            raise Refused("not_in_person")  # the back office calls a case, not a person
        if action == "recall":
            stage.recalls += 1
        elif action == "no-show":
            if stage.recalls < RECALLS_BEFORE_NO_SHOW:
                raise Refused("recall_first")
            self._end(code, "no_show")
        elif action == "start":
            stage.status = "serving"
            self.tickets[stage.ticket]["status"] = "serving"
        elif action in ("done", "next", "rejected"):
            self._end(code, action)
        else:
            self._transfer(code, stage, action[3:])
        return stage.ticket

    def _end(self, code: str, outcome: str) -> None:
        counter = self.counters[code]
        assert counter.current is not None
        stage = self.stages[counter.current]
        stage.status, counter.current = "ended", None
        route = SERVICES[stage.service][1]
        later = route[route.index(stage.zone) + 1:] if stage.zone in route else ()
        if outcome == "next" and later:
            # A case approved on a later day than its number's waits held for its holder to
            # check in (pickup.ready): no counter calls it, and the ticket reads "ready".
            held = (stage.zone, later[0]) == ("approval", "pickup") and (
                stage.ticket.split("@")[1] != self.day)
            self.stages.append(MStage(stage.ticket, later[0], stage.service, stage.priority,
                                      stage.sort_at, status="held" if held else "waiting",
                                      deadline=self.due() if later[0] == "approval" else None))
            self.tickets[stage.ticket] = {"status": "ready" if held else "waiting",
                                          "zone": later[0]}
        elif outcome == "no_show" and stage.zone == "pickup":
            # an approved case missed at pickup waits, held, for its holder again
            self.stages.append(MStage(stage.ticket, "pickup", stage.service, stage.priority,
                                      stage.sort_at, status="held"))
            self.tickets[stage.ticket] = {"status": "ready", "zone": "pickup"}
        else:
            status = {"rejected": "rejected", "no_show": "no_show"}.get(outcome, "done")
            self.tickets[stage.ticket]["status"] = status

    def _transfer(self, code: str, stage: MStage, target: str) -> None:
        if target in COUNTERS:
            zone, serves = COUNTERS[target]
            route = SERVICES[stage.service][1]
            if zone not in route or stage.service not in serves:
                raise Refused("counter_does_not_serve")  # no call would reach it there
            onward = route[route.index(stage.zone) + 1:] if stage.zone in route else ()
            if zone != stage.zone and (not onward or zone != onward[0] or zone == "pickup"):
                raise Refused("transfer_skips_zone")  # this zone or the next, never to pickup
            service, to = stage.service, target
        else:
            route = SERVICES[target][1]
            service, zone, to = target, stage.zone if stage.zone in route else route[0], None
        self._end(code, "transferred")
        # entering approval sets the time limit; handed on within approval, it is kept
        due = (stage.deadline if stage.zone == zone == "approval"
               else self.due() if zone == "approval" else None)
        self.stages.append(MStage(stage.ticket, zone, service, stage.priority, stage.sort_at,
                                  to, deadline=due))
        self.tickets[stage.ticket] = {"status": "waiting", "zone": zone}


class Refused(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 6, 9, 0, tzinfo=TZ)  # a Friday: the weekend is a step away

    def __call__(self) -> datetime:
        return self.now


# -- the machine -----------------------------------------------------------------------------
class Hall(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.TemporaryDirectory(dir=SCRATCH)
        url = f"sqlite:///{Path(self.dir.name) / 'm.db'}"
        load_test_hall(url)
        self.clock = Clock()
        self.store = Store(url, clock=self.clock)
        roll_days(self.store)
        with self.store.read() as s:
            info = hall_info(s.get(HallRow, "t1"))
        case = SimpleNamespace(route=SERVICES["case"][1], time_limit_workdays=CASE_LIMIT)

        def due() -> datetime | None:
            found = deadline_of(info, case, "approval", self.clock.now)
            return found.at if found is not None else None

        self.model = Model(day=self.clock.now.date().isoformat(),
                           works_on=info.calendar.is_workday, due=due)
        self.ids: dict[str, str] = {}  # model key -> ticket id
        self.calls: list[int] = []

    def teardown(self) -> None:
        self.store.close()
        self.dir.cleanup()

    def _tick(self) -> None:
        self.clock.now += timedelta(seconds=7)

    def _both(self, real: object, model: object) -> None:
        """Run the real step and the model's; they must agree on the answer or the refusal."""
        try:
            got = real() if callable(real) else real
        except DomainError as exc:
            got = Refused(exc.code)
        try:
            want = model() if callable(model) else model
        except Refused as exc:
            want = exc
        if isinstance(want, Refused) or isinstance(got, Refused):
            assert isinstance(got, Refused) and isinstance(want, Refused), (got, want)
            assert got.code == want.code, (got.code, want.code)
            event(f"refused: {got.code}")
        else:
            event("done")
            assert got == self.ids.get(str(want), got), (got, want)

    @rule(service=st.sampled_from(sorted(SERVICES)), how=st.sampled_from(["plain", "elder",
                                                                        "disabled"]))
    def take(self, service: str, how: str) -> None:
        self._tick()
        req = wire.TicketCreate(
            service=service, id_card=ELDER if how == "elder" else None,
            priority="priority" if how == "disabled" else "normal",
            priority_reason="disabled" if how == "disabled" else None)
        try:
            out = issue(self.store, KIOSK, req, None, "")[0]
        except DomainError as exc:
            with_model = None
            try:
                self.model.issue(service, how != "plain", self.clock.now)
            except Refused as refused:
                with_model = refused.code
            assert exc.code == with_model, (exc.code, with_model)
            return
        key = self.model.issue(service, how != "plain", self.clock.now)
        with self.store.read() as s:
            day = s.get(Ticket, out.id).day  # type: ignore[union-attr]
        assert key == f"{out.number}@{day.isoformat()}", (out.number, day, key)
        assert out.priority == (how != "plain")
        self.ids[key] = out.id

    @rule(code=st.sampled_from(sorted(COUNTERS)))
    def call(self, code: str) -> None:
        self._tick()

        def real() -> str:
            out = counters.call_next(self.store, staff(code), code, "")
            with self.store.read() as s:
                self.calls.append(s.get(Ticket, out.id).stage)  # type: ignore[union-attr]
            return out.id

        self._both(real, lambda: self.model.call(code))

    @rule(service=st.sampled_from(sorted(SERVICES)))
    def take_another(self, service: str) -> None:
        self.take(service, "plain")  # arrivals twice as often as the other steps

    @rule(data=st.data(),
          action=st.sampled_from(["start", "recall", "no-show", "done", "next", "rejected",
                                  "to-W02", "to-W03", "to-case", "to-general"]))
    def act(self, data: st.DataObject, action: str) -> None:
        busy = sorted(c for c, m in self.model.counters.items() if m.current is not None)
        # Mostly a counter with a ticket (the actions that matter), sometimes any (refusals).
        code = data.draw(st.sampled_from(busy if busy and data.draw(st.integers(0, 4)) else
                                         sorted(COUNTERS)))
        self._tick()
        who = staff(code)

        def real() -> str:
            if action in ("done", "next", "rejected"):
                out = counters.finish(self.store, who, code,
                                      wire.FinishIn(outcome=action), "")  # type: ignore[arg-type]
            elif action.startswith("to-"):
                target = action[3:]
                body = (wire.TransferIn(counter=target) if target in COUNTERS
                        else wire.TransferIn(service=target))
                out = counters.transfer(self.store, who, code, body, "")
            else:
                out = getattr(counters, action.replace("-", "_"))(self.store, who, code, "")
            return out.id

        self._both(real, lambda: self.model.act(code, action))

    @rule(code=st.sampled_from(sorted(COUNTERS)), paused=st.booleans())
    def pause(self, code: str, paused: bool) -> None:
        self._tick()
        counters.set_paused(self.store, staff(code), code, paused, "午休" if paused else None, "")
        self.model.counters[code].paused = paused

    @precondition(lambda self: len(self.model.tickets) > 0)
    @rule()
    def next_day(self) -> None:
        local = self.clock.now.astimezone(TZ)
        self.clock.now = datetime.combine(local.date() + timedelta(days=1),
                                          datetime.min.time(), TZ) + timedelta(minutes=5)
        assert roll_days(self.store) == ["t1", "bank1"]
        self.model.day = self.clock.now.date().isoformat()

    @invariant()
    def the_model_and_the_hall_agree(self) -> None:
        by_id = {tid: key for key, tid in self.ids.items()}
        with self.store.read() as s:
            for t in s.scalars(select(Ticket).where(Ticket.hall == "t1")):
                want = self.model.tickets[by_id[t.id]]
                assert (t.status, t.zone) == (want["status"], want["zone"]), (t.number, want)
            for c in s.scalars(select(Counter).where(Counter.hall == "t1")):
                mine = self.model.counters[c.code]
                held = s.get(Stage, c.current_stage) if c.current_stage else None
                want_key = (self.model.stages[mine.current].ticket
                            if mine.current is not None else None)
                assert (by_id[held.ticket_id] if held else None) == want_key, c.code
                assert c.paused == mine.paused

    @invariant()
    def books_balance(self) -> None:
        assert len(self.calls) == len(set(self.calls)), "a stage was called twice"
        with self.store.read() as s:
            stages = list(s.scalars(select(Stage)))
            open_per_ticket = Tally(st.ticket_id for st in stages if st.status != "ended")
            assert all(n == 1 for n in open_per_ticket.values())
            seqs: dict[tuple[str, object], list[int]] = {}
            for t in s.scalars(select(Ticket)):
                seqs.setdefault((t.prefix, t.day), []).append(t.seq)
            for values in seqs.values():
                assert sorted(values) == list(range(1, len(values) + 1))
        ids = [e["id"] for e in self.store.fetch_events("t1", 0, 100_000)]
        assert ids == list(range(ids[0], ids[0] + len(ids)))  # the hall's ids: no gap, no repeat


Hall.TestCase.settings = settings(max_examples=40, stateful_step_count=50, deadline=None)
TestHall = pytest.mark.slow(Hall.TestCase)


class _Draws:
    """`st.data()` for a step run by hand: the busy counter `code` each time."""

    def __init__(self, code: str) -> None:
        self.code = code

    def draw(self, strategy: object) -> object:
        return 1 if repr(strategy).startswith("integers") else self.code


def test_a_case_approved_on_a_later_day_waits_ready_in_pickup(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The path the machine seldom walks (it once needed some 40 steps to): a case number
    taken one day and approved the next waits held in pickup, "ready", for its holder, and
    no pickup counter calls it."""
    monkeypatch.setattr(sys.modules[__name__], "event", lambda *_: None)
    hall = Hall()
    try:
        steps = [lambda: hall.take(service="case", how="plain"), lambda: hall.call(code="W02"),
                 lambda: hall.act(data=_Draws("W02"), action="next"), hall.next_day,
                 lambda: hall.call(code="W03"),
                 lambda: hall.act(data=_Draws("W03"), action="next"),
                 lambda: hall.call(code="W04")]
        for step in steps:
            step()
            hall.books_balance()
            hall.the_model_and_the_hall_agree()
        assert list(hall.model.tickets.values()) == [{"status": "ready", "zone": "pickup"}]
    finally:
        hall.teardown()
