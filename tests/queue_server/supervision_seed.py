"""Seeding the supervisor's views through the use cases, with a clock the test sets: a case
walked through intake into approval (its deadline then counted from that day), a rating from
the pad. Used by the use-case tests and by the console's browser tests (which seed a database
in the past, then run the server on today's clock, so the case and the follow-up are late)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from queue_server import wire
from queue_server.db.store import Store
from queue_server.domain.security import rating_code
from queue_server.usecases import counters, ratings
from queue_server.usecases.auth import Principal
from queue_server.usecases.halls import load_hall
from queue_server.usecases.tickets import issue

CARD = {"number": "150102198001011234", "name": "王小明"}


class SetClock:
    """A clock that stands still until moved: `clock.now = ...` or `clock.advance(...)`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def local(text: str) -> datetime:
    """A Beijing wall-clock time as an aware datetime (UTC)."""
    return datetime.fromisoformat(text + "+08:00").astimezone(UTC)


def kiosk(hall: str) -> Principal:
    return Principal("kiosk", hall, None, "kiosk-1")


def pad(hall: str) -> Principal:
    return Principal("pad", hall, None, "pad-1")


def staff(hall: str, counter: str, staff_id: str, role: str = "staff") -> Principal:
    return Principal("staff", hall, 1, f"pad-{counter}", counter, staff_id, role)


def take(store: Store, hall: str, service: str = "case") -> str:
    req = wire.TicketCreate(service=service,
                            id_card=wire.IdCardIn(**CARD) if service == "case" else None)
    return issue(store, kiosk(hall), req, None, "")[0].id


def serve(store: Store, hall: str, counter: str, staff_id: str, outcome: str = "next") -> str:
    """Call the next ticket at `counter`, start and finish it; answers the ticket id."""
    who = staff(hall, counter, staff_id)
    ticket = counters.call_next(store, who, counter, "").id
    counters.start(store, who, counter, "")
    counters.finish(store, who, counter, wire.FinishIn(outcome=outcome), "")  # type: ignore[arg-type]
    return ticket


def to_approval(store: Store, hall: str, intake_staff: str = "s001") -> str:
    """A `case` ticket taken in at W01 and moved on to approval; answers its id."""
    ticket = take(store, hall)
    assert serve(store, hall, "W01", intake_staff) == ticket
    return ticket


def rate(store: Store, hall: str, ticket: str, level: int, comment: str | None = None
         ) -> wire.EvaluationOut:
    reasons = ["attitude"] if level <= 2 else []
    with store.read() as s:  # the citizen's proof: the code of the ticket's QR link
        info = load_hall(s, hall)
    assert info is not None
    return ratings.evaluate(store, pad(hall), wire.EvaluationIn(
        ticket=ticket, level=level, reasons=reasons, comment=comment,
        rating_code=rating_code(info.secret, ticket)))
