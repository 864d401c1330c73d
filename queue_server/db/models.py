"""The tables (SQLAlchemy 2). Every row carries its hall, so one server holds a hall and its
bank-branch outposts. The Alembic migrations in `queue_server/migrations` build exactly these;
a test checks that they agree.

Privacy: no column holds an ID card number or a full name: `id_hash` is an HMAC with the hall's
secret, `masked_id`/`masked_name` are display forms. Tokens and PINs are stored only as hashes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from queue_server.domain.figures import STAGE_COUNTS, TICKET_COUNTS


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in and out, stored as UTC (SQLite keeps no offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


TS = UTCDateTime()


class Base(DeclarativeBase):
    pass


class Hall(Base):
    __tablename__ = "halls"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    parent: Mapped[str | None] = mapped_column(String(40), ForeignKey("halls.id"))
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    day_starts: Mapped[str] = mapped_column(String(5))
    announce: Mapped[str] = mapped_column(String(200))
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    secret: Mapped[str] = mapped_column(String(64))  # hex key of the ID-number HMAC
    business_day: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Service(Base):
    __tablename__ = "services"
    hall: Mapped[str] = mapped_column(String(40), ForeignKey("halls.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(2))
    route: Mapped[list[str]] = mapped_column(JSON)
    time_limit_workdays: Mapped[int | None] = mapped_column(Integer)
    daily_cap: Mapped[int | None] = mapped_column(Integer)
    requires_id_card: Mapped[bool] = mapped_column(Boolean, default=False)
    materials: Mapped[list[str]] = mapped_column(JSON, default=list)
    category: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Names in the hall's other languages: {"en": {"name": ..., "materials": [...]}, "mn": ...}
    texts: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # booking slots, remote numbers, mail delivery (config_journey; migration 0006)
    options: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Counter(Base):
    __tablename__ = "counters"
    hall: Mapped[str] = mapped_column(String(40), ForeignKey("halls.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    zone: Mapped[str] = mapped_column(String(16))
    services: Mapped[list[str]] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    pause_reason: Mapped[str | None] = mapped_column(String(100))
    staff_id: Mapped[str | None] = mapped_column(String(32))
    current_stage: Mapped[int | None] = mapped_column(Integer)
    priority_streak: Mapped[int] = mapped_column(Integer, default=0)
    texts: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {"en": {"name": ...}, ...}


class Staff(Base):
    __tablename__ = "staff"
    hall: Mapped[str] = mapped_column(String(40), ForeignKey("halls.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(TS)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Terminal(Base):
    __tablename__ = "terminals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall: Mapped[str] = mapped_column(String(40), ForeignKey("halls.id"))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    counter: Mapped[str | None] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(TS)
    last_seen: Mapped[datetime | None] = mapped_column(TS)
    devices: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AdminToken(Base):
    __tablename__ = "admin_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(TS)


class LoginFailure(Base):
    """Failed PIN logins of one staff id from one client (`terminal:ID` of a counter pad,
    `console:ADDRESS` of a browser), and until when that pair must wait (growing delays): one
    terminal cannot lock a staff member out everywhere."""

    __tablename__ = "login_failures"
    hall: Mapped[str] = mapped_column(String(40), ForeignKey("halls.id"), primary_key=True)
    client: Mapped[str] = mapped_column(String(80), primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(TS)
    last_at: Mapped[datetime] = mapped_column(TS)


class StaffSession(Base):
    __tablename__ = "staff_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hall: Mapped[str] = mapped_column(String(40), ForeignKey("halls.id"))
    staff_id: Mapped[str] = mapped_column(String(32))
    counter: Mapped[str] = mapped_column(String(16))
    terminal_id: Mapped[int] = mapped_column(Integer, ForeignKey("terminals.id"))
    created_at: Mapped[datetime] = mapped_column(TS)
    expires_at: Mapped[datetime] = mapped_column(TS)


class NumberCounter(Base):
    """The last visible number handed out per hall, prefix and business day."""

    __tablename__ = "number_counters"
    hall: Mapped[str] = mapped_column(String(40), primary_key=True)
    prefix: Mapped[str] = mapped_column(String(2), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Ticket(Base):
    __tablename__ = "tickets"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    hall: Mapped[str] = mapped_column(String(40), ForeignKey("halls.id"))
    service: Mapped[str] = mapped_column(String(40))
    number: Mapped[str] = mapped_column(String(8))
    prefix: Mapped[str] = mapped_column(String(2))
    seq: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16))
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    priority_reason: Mapped[str | None] = mapped_column(String(16))
    id_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    masked_id: Mapped[str | None] = mapped_column(String(32))
    masked_name: Mapped[str | None] = mapped_column(String(64))
    appointment: Mapped[str | None] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(TS)
    status: Mapped[str] = mapped_column(String(16))
    zone: Mapped[str] = mapped_column(String(16))
    stage: Mapped[int | None] = mapped_column(Integer)  # current stage id
    deadline: Mapped[datetime | None] = mapped_column(TS)
    # The deadline rests on a calendar year neither packaged nor imported (migration 0005).
    deadline_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    forwarded_from: Mapped[str | None] = mapped_column(String(32))
    forwarded_to: Mapped[str | None] = mapped_column(String(32))
    print_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    # A self-declared priority reason as the counter judged it (None: not yet looked at).
    priority_confirmed: Mapped[bool | None] = mapped_column(Boolean)
    appointment_late: Mapped[bool | None] = mapped_column(Boolean)
    __table_args__ = (UniqueConstraint("hall", "prefix", "day", "seq", name="uq_ticket_number"),)


class Stage(Base):
    """One zone of a ticket's walk: waiting, then called, serving and ended with an outcome."""

    __tablename__ = "stages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall: Mapped[str] = mapped_column(String(40))
    ticket_id: Mapped[str] = mapped_column(String(32), ForeignKey("tickets.id"), index=True)
    zone: Mapped[str] = mapped_column(String(16))
    service: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))  # waiting | called | serving | ended
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    target_counter: Mapped[str | None] = mapped_column(String(16))
    sort_at: Mapped[datetime] = mapped_column(TS)  # the ticket's issue time: its place
    counter: Mapped[str | None] = mapped_column(String(16))
    staff_id: Mapped[str | None] = mapped_column(String(32))
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    called_at: Mapped[datetime | None] = mapped_column(TS)
    started_at: Mapped[datetime | None] = mapped_column(TS)
    ended_at: Mapped[datetime | None] = mapped_column(TS)
    outcome: Mapped[str | None] = mapped_column(String(16))
    deadline: Mapped[datetime | None] = mapped_column(TS)
    deadline_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    rated: Mapped[bool] = mapped_column(Boolean, default=False)
    # The number this stage is called by when it is not the ticket's first (a case collected
    # on a later day gets that day's number); None: the ticket's number.
    number: Mapped[str | None] = mapped_column(String(8))
    # Why the stage ended as it did, in the staff's words: a rejection's reason (不予受理的理由,
    # migration 0009), which the citizen's own view shows; never in an event.
    reason: Mapped[str | None] = mapped_column(String(200))
    # 补正 (outcome `supplement`): the papers the approval post found missing, by their names in
    # the service's list (一次性告知, migration 0010); the note beside them is `reason`.
    papers: Mapped[list[str] | None] = mapped_column(JSON)
    # 补正期限: the date its holder was told to bring them by, fixed then (migration 0011)
    papers_by: Mapped[datetime | None] = mapped_column(TS)
    __table_args__ = (
        # The wait estimate: people ahead in one service, recent service times.
        Index("ix_stage_queue", "hall", "zone", "status", "service", "sort_at"),
        # Call-next: the priority candidates as one short range, then each service's first
        # normal ticket as one seek (migration 0002).
        Index("ix_stage_call", "hall", "zone", "status", "priority", "service", "sort_at"),
        Index("ix_stage_target", "hall", "target_counter", "status", "sort_at"),
        # 全程盯办: the stages a staff member served, newest first (migration 0004).
        Index("ix_stage_staff", "hall", "staff_id", "ended_at"),
    )


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    hall: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(32))
    body_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(TS)


class Evaluation(Base):
    __tablename__ = "evaluations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall: Mapped[str] = mapped_column(String(40))
    ticket_id: Mapped[str] = mapped_column(String(32), ForeignKey("tickets.id"))
    stage_id: Mapped[int] = mapped_column(Integer, ForeignKey("stages.id"), unique=True)
    level: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    comment: Mapped[str | None] = mapped_column(Text)
    counter: Mapped[str | None] = mapped_column(String(16))
    staff_id: Mapped[str | None] = mapped_column(String(32))
    terminal_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(TS)
    # The console's ledger reads a hall's ratings by date (migration 0004).
    __table_args__ = (Index("ix_evaluation_hall_at", "hall", "created_at"),)


class Followup(Base):
    __tablename__ = "followups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall: Mapped[str] = mapped_column(String(40))
    evaluation_id: Mapped[int] = mapped_column(Integer, ForeignKey("evaluations.id"), unique=True)
    ticket_id: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(TS)
    closed_at: Mapped[datetime | None] = mapped_column(TS)
    closed_by: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    # The current step (verify | rectify | reply) or `closed`; `due_at` is its deadline.
    step: Mapped[str] = mapped_column(String(16), default="verify", server_default="verify")


class FollowupStep(Base):
    """One step of a bad rating's follow-up (核实 verify → 整改 rectify → 回复 reply), made when
    it becomes the current step, with its own deadline; `valid` only on a verify step."""

    __tablename__ = "followup_steps"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    followup_id: Mapped[int] = mapped_column(Integer, ForeignKey("followups.id"), index=True)
    hall: Mapped[str] = mapped_column(String(40))
    step: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(TS)
    done_at: Mapped[datetime | None] = mapped_column(TS)
    done_by: Mapped[str | None] = mapped_column(String(32))
    valid: Mapped[bool | None] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)


class Appeal(Base):
    """A rated staff member's appeal (申诉) against one rating, decided by a supervisor. The
    rating itself is never changed: an upheld appeal is recorded beside it."""

    __tablename__ = "appeals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall: Mapped[str] = mapped_column(String(40), index=True)
    evaluation_id: Mapped[int] = mapped_column(Integer, ForeignKey("evaluations.id"),
                                               unique=True)
    staff_id: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[datetime] = mapped_column(TS)
    status: Mapped[str] = mapped_column(String(16))  # open | upheld | rejected
    decided_at: Mapped[datetime | None] = mapped_column(TS)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    decision_note: Mapped[str | None] = mapped_column(Text)


class ConsoleSession(Base):
    """A supervisor's browser session at `/console/` (cookie; token stored as sha256)."""

    __tablename__ = "console_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hall: Mapped[str] = mapped_column(String(40), ForeignKey("halls.id"))
    staff_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(TS)
    expires_at: Mapped[datetime] = mapped_column(TS)


class CaseAlert(Base):
    """An alert already sent for an approval stage (`soon`, `due_today`, `overdue`): each is
    sent once."""

    __tablename__ = "case_alerts"
    stage_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    hall: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(TS)


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall: Mapped[str] = mapped_column(String(40))
    ticket_id: Mapped[str] = mapped_column(String(32), ForeignKey("tickets.id"), index=True)
    page: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(TS)


class HallEventSeq(Base):
    """The last event id of each hall. A transaction locks its halls' rows just before its
    commit, so a hall's ids become visible in commit order while halls never wait on each other
    (migration 0008; before it one `event_seq` row served every hall)."""

    __tablename__ = "hall_event_seq"
    hall: Mapped[str] = mapped_column(String(40), primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class EventRow(Base):
    """An event; `id` grows strictly within its hall (a subscriber follows one hall)."""

    __tablename__ = "events"
    hall: Mapped[str] = mapped_column(String(40), primary_key=True)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    type: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(TS)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class CalendarYear(Base):
    """A year's official working-day calendar imported by the administrator (`provisioning
    calendar import`): authoritative for that year, over the packaged one."""

    __tablename__ = "calendar_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holidays: Mapped[list[str]] = mapped_column(JSON)  # ISO dates, days off
    workdays: Mapped[list[str]] = mapped_column(JSON)  # ISO dates, adjusted working days
    source: Mapped[str] = mapped_column(String(200))  # the file it came from
    imported_at: Mapped[datetime] = mapped_column(TS)


# -- The figures (CONTRACT.md §5), kept up to date from committed events (usecases/fold.py). ---
# Every figure belongs to the business day its ticket was issued on. A key column holds a value
# or "*" (any); a stage-level row holds values only ("" for none).

class FigState(Base):
    """Per hall: the id of the last event of that hall folded into the figures."""

    __tablename__ = "fig_state"
    hall: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_event: Mapped[int] = mapped_column(Integer)


class FigFacts(Base):
    """What one ticket contributes to the figures as last folded (domain.figures.TicketFacts):
    the fold subtracts it before it adds the ticket's new contribution."""

    __tablename__ = "fig_facts"
    ticket_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    hall: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)



def _counts(names: tuple[str, ...]) -> dict[str, Any]:
    """The count columns of a figures table, named by domain.figures (36 of them, the hours
    included): generated so that the table and the fold's vectors cannot drift apart."""
    return {name: mapped_column(Integer, default=0, nullable=False) for name in names}


class FigTickets(Base):
    """Tickets of a business day that had a stage matching the key (zone, service, counter,
    staff; "*" = any): how their journeys ended, their ratings, their approval stages that
    ended (with a deadline, and by it), and when they were issued (hour of the day, local)."""

    __tablename__ = "fig_tickets"
    hall: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    zone: Mapped[str] = mapped_column(String(16), primary_key=True)
    service: Mapped[str] = mapped_column(String(40), primary_key=True)
    counter: Mapped[str] = mapped_column(String(16), primary_key=True)
    staff: Mapped[str] = mapped_column(String(32), primary_key=True)
    locals().update(_counts(TICKET_COUNTS))


class FigStages(Base):
    """Stages of the tickets of a business day, by zone, service, counter and staff member:
    calls, outcomes and the ratings of those stages (what one window or person did)."""

    __tablename__ = "fig_stages"
    hall: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    zone: Mapped[str] = mapped_column(String(16), primary_key=True)
    service: Mapped[str] = mapped_column(String(40), primary_key=True)
    counter: Mapped[str] = mapped_column(String(16), primary_key=True)
    staff: Mapped[str] = mapped_column(String(32), primary_key=True)
    locals().update(_counts(STAGE_COUNTS))


class FigDurations(Base):
    """Every wait (`kind` "wait") or service time ("service") in whole seconds of the stages of
    a business day with that zone, service, counter and staff member, as a little-endian int32
    array: exact percentiles by nearest rank come from merging these."""

    __tablename__ = "fig_durations"
    hall: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    zone: Mapped[str] = mapped_column(String(16), primary_key=True)
    service: Mapped[str] = mapped_column(String(40), primary_key=True)
    counter: Mapped[str] = mapped_column(String(16), primary_key=True)
    staff: Mapped[str] = mapped_column(String(32), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Appointment(Base):
    """A booked slot. The code is kept only as an HMAC (`code_hash`), the holder only as the
    ID-number HMAC and masked forms, a phone number only sealed (AES-GCM)."""

    __tablename__ = "appointments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall: Mapped[str] = mapped_column(String(40), ForeignKey("halls.id"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    service: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    start: Mapped[datetime] = mapped_column(TS)
    end: Mapped[datetime] = mapped_column(TS)
    id_hash: Mapped[str] = mapped_column(String(64))
    masked_id: Mapped[str] = mapped_column(String(32))
    masked_name: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16))  # booked|cancelled|checked_in|late|missed
    created_at: Mapped[datetime] = mapped_column(TS)
    ended_at: Mapped[datetime | None] = mapped_column(TS)
    ticket_id: Mapped[str | None] = mapped_column(String(32))
    __table_args__ = (
        Index("ix_appointment_slot", "hall", "service", "day", "status"),
        Index("ix_appointment_holder", "hall", "id_hash", "start"),
    )


class Delivery(Base):
    """How a case reaches its holder: `pickup` at the hall or `mail` (证照寄送). `contact` is
    the sealed phone, recipient and address; it is deleted once the item is handed over."""

    __tablename__ = "deliveries"
    ticket_id: Mapped[str] = mapped_column(String(32), ForeignKey("tickets.id"),
                                           primary_key=True)
    hall: Mapped[str] = mapped_column(String(40))
    method: Mapped[str] = mapped_column(String(8))
    contact: Mapped[bytes | None] = mapped_column(LargeBinary)
    carrier: Mapped[str | None] = mapped_column(String(40))
    tracking: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(TS)
    handed_at: Mapped[datetime | None] = mapped_column(TS)


class OutboxRow(Base):
    """A notification to send (at least once, in order of `next_at`), durable across restarts.
    The payload holds no personal datum; the phone is read from the sealed delivery row when
    it is sent."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(40))
    ticket_id: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(TS)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime] = mapped_column(TS)
    sent_at: Mapped[datetime | None] = mapped_column(TS)
    failed_at: Mapped[datetime | None] = mapped_column(TS)
    last_error: Mapped[str | None] = mapped_column(String(200))
    __table_args__ = (Index("ix_outbox_due", "sent_at", "failed_at", "next_at"),)
