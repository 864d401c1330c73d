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
    """Failed PIN logins of one staff id at one terminal, and until when that pair must wait
    (growing delays): one terminal cannot lock a staff member out everywhere."""

    __tablename__ = "login_failures"
    hall: Mapped[str] = mapped_column(String(40), ForeignKey("halls.id"), primary_key=True)
    terminal_id: Mapped[int] = mapped_column(Integer, primary_key=True)
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
    forwarded_from: Mapped[str | None] = mapped_column(String(32))
    forwarded_to: Mapped[str | None] = mapped_column(String(32))
    print_failed: Mapped[bool] = mapped_column(Boolean, default=False)
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
    rated: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (
        # The wait estimate: people ahead in one service, recent service times.
        Index("ix_stage_queue", "hall", "zone", "status", "service", "sort_at"),
        # Call-next: the priority candidates as one short range, then each service's first
        # normal ticket as one seek (migration 0002).
        Index("ix_stage_call", "hall", "zone", "status", "priority", "service", "sort_at"),
        Index("ix_stage_target", "hall", "target_counter", "status", "sort_at"),
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


class EventSeq(Base):
    """One row: the last event id. Writers lock it, so ids become visible in commit order."""

    __tablename__ = "event_seq"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class EventRow(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hall: Mapped[str] = mapped_column(String(40), index=True)
    type: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(TS)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
