"""The wire models of the supervisor's console (`/console/` and the `/api/v1` endpoints it
reads): login, the live hall, approval cases (限时办结), the ratings ledger (好差评), follow-up
steps and staff appeals. Part of the wire (`queue_server.wire`), kept in its own module for
size; like it, plain pydantic, no FastAPI or SQLAlchemy. Privacy: no ID number and no
citizen's full name in any of them (a ticket's masked name at most)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import ConfigDict, Field

from queue_server.wire import Inbound, Text, Wire

# (v1.2) "supplement": sent back for papers (补正), its time limit stopped until they come
CaseState = Literal["overdue", "due_today", "soon", "on_track", "supplement"]
AppealStatus = Literal["open", "upheld", "rejected"]


class ConsoleLoginIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    staff: str = Field(min_length=1, max_length=32)
    pin: str = Field(min_length=1, max_length=64)
    hall: str | None = Field(default=None, max_length=40)


class ConsoleMe(Wire):
    """Who is logged in to the console; `csrf` goes back in the `X-CSRF-Token` header of
    every change (null for a Bearer principal, which needs none)."""

    staff: str | None = None
    staff_name: str | None = None
    role: str
    hall: str
    hall_name: str
    csrf: str | None = None
    expires_at: datetime | None = None
    timezone: str = "Asia/Shanghai"  # the hall's (IANA): times and default periods use it


class ConsoleSessionOut(Wire):
    """`GET /console/session` (ext): whether a console session is open, and who, without a
    401 when none is (the page asks before its login form)."""

    signed_in: bool
    me: ConsoleMe | None = None


class QueueRow(Wire):
    """Waiting tickets of one service in one hall zone (consult, intake, pickup: the people
    waiting in the hall today); `longest_wait_s` of the one waiting longest (since its issue,
    its previous stage's end or its arrival, and at most since the hall opened today)."""

    zone: str
    service: str
    service_name: str
    waiting: int
    longest_wait_s: int | None = None
    counters_open: int = 0


class CounterRow(Wire):
    code: str
    name: str
    zone: str
    state: Literal["serving", "called", "open", "idle", "paused", "closed"]
    staff: str | None = None
    staff_name: str | None = None
    number: str | None = None  # the ticket at the counter now
    since: datetime | None = None  # when that ticket was called
    waiting: int = 0  # tickets it could call now
    pause_reason: str | None = None
    # (ext) tickets waiting for this counter alone: transferred to it, or put aside (挂起)
    # there; with `closed`, cases nobody works on
    held: int = 0


class TerminalRow(Wire):
    name: str
    kind: str
    hall: str
    counter: str | None = None
    state: Literal["ok", "problem", "offline", "never"]
    problems: list[str] = []  # "printer: paper_out"
    last_seen: datetime | None = None


class FaultRow(Wire):
    """(v1.2) A device fault of a terminal in the last hours (`GET /console/faults`)."""

    hall: str  # the hall's or its bank outpost's
    terminal: str
    kind: str
    device: str  # printer, idcard, camera...
    state: str  # paper_out, cover_open, offline...
    began_at: datetime | None = None  # None: before the hours asked about
    ended_at: datetime | None = None  # None: not over
    hall_name: str = ""
    times: int = 1  # came back within minutes this many times (a loose cable): one row


class LiveHall(Wire):
    hall: str
    hall_name: str
    at: datetime
    queues: list[QueueRow]
    counters: list[CounterRow]
    terminals: list[TerminalRow]
    alerts: int = 0  # approval cases overdue or due today


class CaseRow(Wire):
    """One ticket in approval (限时办结): its deadline and who holds it."""

    ticket: str
    number: str
    service: str
    service_name: str
    masked_name: str | None = None
    entered_at: datetime | None = None  # when it entered approval
    deadline: datetime | None = None
    deadline_provisional: bool = False
    state: CaseState
    status: str  # waiting | called | serving (the approval stage); supplement (补正)
    counter: str | None = None  # who holds it now (called or serving)
    staff: str | None = None
    staff_name: str | None = None
    intake_staff: str | None = None  # who took it in (全程盯办)
    intake_staff_name: str | None = None
    # (ext) the post it was transferred to and waits at (null: any post of its service may
    # take it, or it is held: `counter`)
    waiting_at: str | None = None
    # (ext) the post holding it (`counter`) or that it waits at (`waiting_at`) has nobody
    # signed in: nobody works on it until someone signs in there or it is sent elsewhere
    unstaffed: bool = False
    # (v1.3) 补正 (state `supplement`): when the post sent it back, which post, the papers
    # asked for, the date its holder was asked to bring them by (the hall's
    # `supplement_workdays`; null: no period) and whether that passed without them
    # (逾期未补正: the post calls it back by its number to decide on what it has)
    asked_at: datetime | None = None
    asked_by: str | None = None
    papers: list[str] | None = None
    bring_by: datetime | None = None
    lapsed: bool = False


class MyCaseRow(Wire):
    """`GET /cases/mine`: a case the signed-in staff member took in, and where it is now."""

    ticket: str
    number: str
    service: str
    service_name: str
    taken_at: datetime | None = None
    status: str  # the ticket's status
    zone: str
    counter: str | None = None
    deadline: datetime | None = None
    state: CaseState | None = None  # while in approval
    ended_at: datetime | None = None


class CaseAlert(Wire):
    """The payload of a `case.alert` event (also a row of `GET /cases/alerts`)."""

    ticket: str
    number: str
    service: str
    kind: Literal["soon", "due_today", "overdue"]
    deadline: datetime
    counter: str | None = None
    staff: str | None = None


class RatingRow(Wire):
    id: int
    rated_at: datetime
    ticket: str
    number: str
    service: str
    service_name: str
    zone: str | None = None
    counter: str | None = None
    staff: str | None = None
    staff_name: str | None = None
    channel: str | None = None  # kiosk | pad | bank | web (v1.2: the holder's phone)
    level: int
    reasons: list[str] = []
    comment: str | None = None
    followup: int | None = None
    followup_step: str | None = None
    followup_late: bool = False
    appeal: AppealStatus | None = None


class StepIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    note: Text = Field(min_length=1, max_length=1000)


class VerifyIn(StepIn):
    """核实: `valid` false needs the reason in `note`."""

    valid: bool


class AppealIn(Inbound):
    model_config = ConfigDict(extra="forbid")
    reason: Text = Field(min_length=2, max_length=1000)


class AppealDecision(Inbound):
    model_config = ConfigDict(extra="forbid")
    upheld: bool
    note: Text = Field(min_length=1, max_length=1000)


class AppealOut(Wire):
    id: int
    evaluation: int
    ticket: str
    number: str
    level: int
    rated_at: datetime
    counter: str | None = None
    staff: str
    staff_name: str | None = None
    reason: str
    filed_at: datetime
    status: AppealStatus
    decided_at: datetime | None = None
    decided_by: str | None = None
    decision_note: str | None = None


class Period(Wire):
    """Common filters of the console's tables (business days, both ends included)."""

    model_config = ConfigDict(extra="forbid")
    date_from: date | None = None
    date_to: date | None = None
    level: list[int] = []
    zone: str | None = None
    service: str | None = None
    counter: str | None = None
    staff: str | None = None
