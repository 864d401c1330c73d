"""Use cases of tickets: issue (numbered per hall, prefix and business day from a counter row in
the same transaction; daily caps; idempotency keys), read, and look up by ID card.

Each use case opens one transaction, calls the pure policy, writes its events, commits. The ID
number arrives in the request and leaves this module only as an HMAC, a masked form and a
priority flag."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from queue_server import wire
from queue_server.db.models import IdempotencyKey, NumberCounter, Service, Stage, Ticket
from queue_server.db.records import Record
from queue_server.db.store import Store
from queue_server.db.unit import Db, Tx
from queue_server.domain.errors import Conflict, Forbidden, Invalid, NotFound
from queue_server.domain.hall import HallInfo
from queue_server.domain.policy import format_number
from queue_server.domain.security import (
    age_on,
    birth_date,
    id_hash,
    mask_id,
    mask_name,
    rating_code,
)
from queue_server.domain.stages import WAITING, deadline_of
from queue_server.usecases.auth import Principal, principal_of
from queue_server.usecases.estimate import estimate, waiting_ahead
from queue_server.usecases.halls import load_hall, service_row, service_row_any
from queue_server.usecases.views import ticket_out
from queue_server.usecases.walk import insert_stage

log = logging.getLogger(__name__)
ISSUERS = ("kiosk", "bank", "counter", "staff", "admin")


@dataclass(frozen=True)
class Issue:
    """An issue request after validation, with the ID card already reduced."""

    service: str
    channel: str
    priority: bool
    priority_reason: str | None
    id_hash: str | None
    masked_id: str | None
    masked_name: str | None
    appointment: str | None


def _reduce(req: wire.TicketCreate, hall: HallInfo, who: Principal, now: datetime) -> Issue:
    priority = req.priority == "priority"
    reason = req.priority_reason if priority or req.priority_reason else None
    if reason == "elderly":  # elderly only from a card's birth date, never self-declared
        reason, priority = None, who.kind in ("staff", "counter")
    digest = masked = name = None
    if req.id_card is not None:
        digest = id_hash(hall.secret, req.id_card.number)
        masked, name = mask_id(req.id_card.number), mask_name(req.id_card.name)
        born = birth_date(req.id_card.number)
        if born is not None and age_on(born, hall.day_of(now)) >= hall.priority_age:
            priority, reason = True, reason or "elderly"
    if reason and not priority:
        priority = True
    if priority and reason is None:
        reason = "staff" if who.kind in ("staff", "counter") else None
    return Issue(req.service, req.channel, priority, reason, digest, masked, name,
                 req.appointment)


# Core statements, built once: the issue path is the hottest write, and ORM flushes of these
# rows cost more than the statements themselves. UPDATE ... RETURNING locks the counter row
# (PostgreSQL) like SELECT ... FOR UPDATE did, and a refused issue rolls the bump back.
_NUMBERS = cast(Table, NumberCounter.__table__)
_BUMP = (update(_NUMBERS).where(_NUMBERS.c.hall == bindparam("h"),
                                _NUMBERS.c.prefix == bindparam("p"),
                                _NUMBERS.c.day == bindparam("d", type_=_NUMBERS.c.day.type))
         .values(last=_NUMBERS.c.last + 1).returning(_NUMBERS.c.last))
_FIRST_NUMBER = insert(_NUMBERS).values(last=1)
_TICKETS, _STAGES = cast(Table, Ticket.__table__), cast(Table, Stage.__table__)
_INSERT_TICKET = insert(_TICKETS)
_TICKET_BY_ID = select(_TICKETS).where(_TICKETS.c.id == bindparam("id"))
_SET_STAGE = (update(_TICKETS).where(_TICKETS.c.id == bindparam("tid"))
              .values(stage=bindparam("sid")))
_CLAIM_KEYS: dict[str, Insert] = {}


def _claim_key(conn: Connection) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING for an idempotency key (both databases have it; the
    construct is per dialect in SQLAlchemy)."""
    name = conn.dialect.name
    stmt = _CLAIM_KEYS.get(name)
    if stmt is None:
        dialect_insert = postgresql_insert if name == "postgresql" else sqlite_insert
        keys = cast(Table, IdempotencyKey.__table__)
        stmt = dialect_insert(keys).on_conflict_do_nothing().returning(keys.c.key)
        _CLAIM_KEYS[name] = stmt
    return stmt


_KEYS = cast(Table, IdempotencyKey.__table__)
_KNOWN = select(_KEYS.c.ticket_id, _KEYS.c.body_hash).where(
    _KEYS.c.hall == bindparam("hall"), _KEYS.c.key == bindparam("key"))


def _next_number(conn: Connection, hall: str, prefix: str, day: object, cap: int | None
                 ) -> int:
    key = {"h": hall, "p": prefix, "d": day}
    last = conn.execute(_BUMP, key).scalar_one_or_none()
    if last is None:
        try:
            with conn.begin_nested():
                conn.execute(_FIRST_NUMBER, {"hall": hall, "prefix": prefix, "day": day})
            last = 1
        except IntegrityError:  # another server process made it first (PostgreSQL)
            last = conn.execute(_BUMP, key).scalar_one()
    if cap is not None and last > cap:
        raise Conflict("daily_cap_reached", "今日号已发完 / today's numbers are all taken")
    return int(last)


def _body_hash(req: wire.TicketCreate, secret_hex: str) -> str:
    """Keyed with the hall's secret: the body holds an ID number, and a plain hash of a number
    with so few possible values could be reversed by trying them all."""
    data = json.dumps(req.model_dump(mode="json"), sort_keys=True).encode()
    return hmac.new(bytes.fromhex(secret_hex), data, hashlib.sha256).hexdigest()


def create_ticket(tx: Tx, hall: HallInfo, svc: Service | Record, issue: Issue,
                  zone: str | None = None, forwarded_from: str | None = None,
                  ticket_id: str | None = None) -> Record:
    """Number and queue a new ticket in `zone` (default: the first of its route). Written with
    Core statements; answers the ticket as a record (read-only for the caller)."""
    conn, now = tx.conn, tx.now
    day = hall.day_of(now)
    seq = _next_number(conn, hall.id, svc.prefix, day, svc.daily_cap)
    zone = zone or svc.route[0]
    due = deadline_of(hall, svc, zone, now)
    row = dict(id=ticket_id or secrets.token_urlsafe(12), hall=hall.id, service=svc.code,
               number=format_number(svc.prefix, seq), prefix=svc.prefix, seq=seq, day=day,
               channel=issue.channel, priority=issue.priority,
               priority_reason=issue.priority_reason, id_hash=issue.id_hash,
               masked_id=issue.masked_id, masked_name=issue.masked_name,
               appointment=issue.appointment, issued_at=now, status=WAITING, zone=zone,
               stage=None, deadline=due,
               forwarded_from=forwarded_from, forwarded_to=None, print_failed=False)
    conn.execute(_INSERT_TICKET, row)
    stage_id = insert_stage(conn, hall.id, str(row["id"]), zone, svc.code, issue.priority, now,
                            due)
    conn.execute(_SET_STAGE, {"tid": row["id"], "sid": stage_id})
    ticket = Record(_TICKETS, {**row, "stage": stage_id})
    tx.emit(hall.id, "ticket.issued", ticket=ticket.id, number=ticket.number, service=svc.code,
            zone=ticket.zone, priority=ticket.priority, channel=ticket.channel)
    return ticket


def issued_out(s: Db, ticket: Ticket | Record, hall: HallInfo, svc: Service | Record,
               base: str) -> wire.TicketIssued:
    ahead = waiting_ahead(s, ticket.hall, ticket.zone, ticket.service, ticket.issued_at)
    return wire.TicketIssued(
        id=ticket.id, number=ticket.number, service=ticket.service, zone=ticket.zone,
        ahead=ahead, estimated_wait_s=estimate(s, ticket.hall, ticket.zone, ticket.service, ahead),
        issued_at=ticket.issued_at, hall=hall.id,
        track_url=f"{base}/t/{ticket.id}?c={rating_code(hall.secret, ticket.id)}",
        hall_name=hall.name, service_name=svc.name, priority=ticket.priority,
        priority_reason=ticket.priority_reason, masked_name=ticket.masked_name,
        masked_id=ticket.masked_id)


def issue_in(tx: Tx, who: Principal, req: wire.TicketCreate, key: str | None, base: str
             ) -> tuple[wire.TicketIssued, bool]:
    """Answers (ticket, created) from inside a unit of work. A known idempotency key answers
    its ticket again; a new ticket's answer (people ahead, estimate) is read in the same
    transaction, so it is exactly what was committed."""
    if who.kind not in ISSUERS or who.hall is None:
        raise Forbidden("forbidden", "此终端不能取号 / this terminal cannot issue tickets")
    if key is not None and not (1 <= len(key) <= 200):
        raise Invalid("bad_idempotency_key", "Idempotency-Key must be 1–200 characters")
    conn = tx.conn
    hall = load_hall(conn, who.hall)
    assert hall is not None
    ticket_id = secrets.token_urlsafe(12)
    if key is not None:
        # Claim the key for the new ticket in one statement; a key already there answers
        # its ticket again (on PostgreSQL a concurrent claim waits for the other commit).
        body = _body_hash(req, hall.secret)
        claimed = conn.execute(_claim_key(conn), {
            "hall": hall.id, "key": key, "ticket_id": ticket_id, "body_hash": body,
            "created_at": tx.now}).first()  # RETURNING: rowcount is -1 with psycopg here
        if claimed is None:
            known = conn.execute(_KNOWN, {"hall": who.hall, "key": key}).first()
            assert known is not None
            return _issued_again(tx.session, _replayed(known, body), base), False
    svc = service_row(conn, hall.id, req.service)
    ticket = create_ticket(tx, hall, svc, _reduce(req, hall, who, tx.now), ticket_id=ticket_id)
    log.debug("issued %s %s (%s, priority=%s)", hall.id, ticket.number, svc.code,
              ticket.priority_reason or ticket.priority)
    return issued_out(conn, ticket, hall, svc, base), True


def _issued_again(s: Session, ticket_id: str, base: str) -> wire.TicketIssued:
    row = s.get(Ticket, ticket_id)
    assert row is not None
    info = load_hall(s, row.hall)
    assert info is not None
    return issued_out(s, row, info, service_row_any(s, row.hall, row.service), base)


def issue(store: Store, who: Principal, req: wire.TicketCreate, key: str | None, base: str
          ) -> tuple[wire.TicketIssued, bool]:
    """`issue_in` as its own unit of work, for callers in a thread (tools, tests). A key
    claimed concurrently needs no retry: the claim (ON CONFLICT) waits for it and replays."""
    with store.write() as tx:
        return issue_in(tx, who, req, key, base)


async def issue_for(store: Store, token: str, req: wire.TicketCreate, key: str | None,
                    base: str) -> tuple[wire.TicketIssued, bool]:
    """The endpoint's issue: authentication and issue in one unit of work (`Store.run`)."""

    def work(tx: Tx) -> tuple[wire.TicketIssued, bool]:
        return issue_in(tx, principal_of(tx.conn, token, tx.now), req, key, base)

    return await store.run(work)


def _replayed(known: Any, body: str) -> str:
    if known.body_hash != body:
        raise Conflict("idempotency_key_reused",
                       "此 Idempotency-Key 已用于另一请求 / key already used for another request")
    return known.ticket_id


def visible(who: Principal, ticket_hall: str, parent: str | None) -> bool:
    return who.kind == "admin" or who.hall in (ticket_hall, parent)


def get_ticket(store: Store, who: Principal, ticket_id: str, base: str) -> wire.TicketOut:
    with store.read() as s:
        ticket = s.get(Ticket, ticket_id)
        hall = load_hall(s, ticket.hall) if ticket is not None else None
        if ticket is None or hall is None or not visible(who, ticket.hall, hall.parent):
            raise NotFound("unknown_ticket", "没有此号 / no such ticket")
        return ticket_out(s, ticket, base)


def public_view(store: Store, ticket_id: str) -> tuple[Record, HallInfo] | None:
    """What the public tracking page shows of a ticket (no token: the id is the secret),
    with its hall; None when there is no such ticket."""
    if len(ticket_id) > 32:
        return None
    with store.read() as s:
        row = s.connection().execute(_TICKET_BY_ID, {"id": ticket_id}).first()
        hall = load_hall(s, row.hall) if row is not None else None
        return (Record(_TICKETS, row), hall) if row is not None and hall is not None else None


def lookup(store: Store, who: Principal, card: wire.IdCardIn, base: str) -> list[wire.TicketOut]:
    """Today's tickets and still-open cases of the card holder, in this hall and its family."""
    if who.kind not in ("kiosk", "bank", "counter", "staff") or who.hall is None:
        raise Forbidden("forbidden", "此终端不能查询 / this terminal cannot look up tickets")
    with store.read() as s:
        hall = load_hall(s, who.hall)
        assert hall is not None
        digest = id_hash(hall.secret, card.number)
        rows = s.scalars(select(Ticket).where(Ticket.id_hash == digest)
                         .order_by(Ticket.issued_at.desc()).limit(50))
        family = {hall.id, hall.parent}
        today = hall.day_of(store.clock())
        found = [ticket_out(s, t, base) for t in rows
                 if (t.hall in family or _parent_of(s, t.hall) == hall.id)
                 and (t.day == today or t.status in ("waiting", "called", "serving"))]
        for out in found:  # the card proved the holder: these may be rated from the kiosk
            owner = load_hall(s, out.hall or hall.id)
            out.rating_code = rating_code((owner or hall).secret, out.id)
        return found


def _parent_of(s: Session, hall_id: str) -> str | None:
    hall = load_hall(s, hall_id)
    return hall.parent if hall else None
