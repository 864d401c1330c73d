"""A Hypothesis state machine over the real use cases on an SQLite file: any sequence of
issue, call-next, start, finish (done / next / rejected), transfer and recall/no-show across
the test hall's counters keeps the invariants: a stage is called once, a ticket has at most
one open stage, a counter holds only its own called ticket, numbers are unique and gapless
per prefix, event ids strictly increase."""

from __future__ import annotations

import tempfile
from collections import Counter as Tally
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import select

from queue_server import wire
from queue_server.db.models import Counter, Stage, Ticket
from queue_server.db.store import Store
from queue_server.domain.errors import DomainError
from queue_server.usecases import counters
from queue_server.usecases.auth import Principal
from queue_server.usecases.tickets import issue
from tests.conftest import load_test_hall

COUNTERS = ("W01", "W02", "W03", "W04", "C01")
SERVICES = ("general", "case", "consult")
KIOSK = Principal("kiosk", "t1", 1, "k")


def staff(code: str) -> Principal:
    return Principal("staff", "t1", 1, "pad", code, "s001", "staff")


class Hall(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.TemporaryDirectory()
        url = f"sqlite:///{Path(self.dir.name) / 'm.db'}"
        load_test_hall(url)
        self.store = Store(url)
        self.calls: list[int] = []

    def teardown(self) -> None:
        self.store.close()
        self.dir.cleanup()

    @rule(service=st.sampled_from(SERVICES), old=st.booleans())
    def take(self, service: str, old: bool) -> None:
        card = wire.IdCardIn(number="150102194001011234") if old else None
        try:
            issue(self.store, KIOSK, wire.TicketCreate(service=service, id_card=card), None, "")
        except DomainError as exc:
            assert exc.code == "daily_cap_reached" and service == "case"

    @rule(code=st.sampled_from(COUNTERS))
    def call(self, code: str) -> None:
        try:
            out = counters.call_next(self.store, staff(code), code, "")
        except DomainError as exc:
            assert exc.code in ("no_ticket_waiting", "ticket_in_progress")
            return
        assert out.status == "called" and out.counter == code
        with self.store.read() as s:
            self.calls.append(s.get(Ticket, out.id).stage)  # type: ignore[union-attr]

    @rule(code=st.sampled_from(COUNTERS),
          action=st.sampled_from(["start", "recall", "no-show", "done", "next", "rejected",
                                  "to-W02", "to-case"]))
    def act(self, code: str, action: str) -> None:
        who = staff(code)
        try:
            if action in ("done", "next", "rejected"):
                counters.finish(self.store, who, code, wire.FinishIn(outcome=action), "")  # type: ignore[arg-type]
            elif action.startswith("to-"):
                target = action[3:]
                body = (wire.TransferIn(counter=target) if target.startswith("W")
                        else wire.TransferIn(service=target))
                counters.transfer(self.store, who, code, body, "")
            else:
                getattr(counters, action.replace("-", "_"))(self.store, who, code, "")
        except DomainError as exc:
            assert exc.code in ("no_current_ticket", "recall_first")

    @invariant()
    def stages_are_called_once(self) -> None:
        assert len(self.calls) == len(set(self.calls))

    @invariant()
    def books_balance(self) -> None:
        with self.store.read() as s:
            stages = list(s.scalars(select(Stage)))
            open_per_ticket = Tally(st.ticket_id for st in stages if st.status != "ended")
            assert all(n == 1 for n in open_per_ticket.values())
            for counter in s.scalars(select(Counter).where(Counter.hall == "t1")):
                if counter.current_stage is not None:
                    held = s.get(Stage, counter.current_stage)
                    assert held is not None and held.counter == counter.code
                    assert held.status in ("called", "serving")
            seqs: dict[str, list[int]] = {}
            for t in s.scalars(select(Ticket)):
                seqs.setdefault(t.prefix, []).append(t.seq)
            for values in seqs.values():
                assert sorted(values) == list(range(1, len(values) + 1))
        ids = [e["id"] for e in self.store.fetch_events(None, 0, 100_000)]
        assert ids == sorted(set(ids))


Hall.TestCase.settings = settings(max_examples=12, stateful_step_count=30, deadline=None)
TestHall = Hall.TestCase
