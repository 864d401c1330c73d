"""Use cases of tickets: issue (numbered per hall, prefix and business day from a counter row in
the same transaction; daily caps; idempotency keys; a booking checked in on the way,
usecases/checkin.py; priority only for a permitted reason, domain/priority.py). Reading
tickets is usecases/lookups.py.

Each use case opens one transaction, calls the pure policy, writes its events, commits. The ID
number arrives in the request and leaves this module only as an HMAC, a masked form and a
priority flag."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Integer,
    String,
    Table,
    Text,
    bindparam,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Insert

from queue_server import wire
from queue_server.db import events, lean
from queue_server.db.models import (
    IdempotencyKey,
    NumberCounter,
    Service,
    Stage,
    Ticket,
)
from queue_server.db.records import Record
from queue_server.db.store import Store
from queue_server.db.unit import Db, Tx, connection_of
from queue_server.domain import priority
from queue_server.domain.errors import Conflict, DomainError, Forbidden, Invalid
from queue_server.domain.hall import HallInfo
from queue_server.domain.opening import next_opening, numbering_day
from queue_server.domain.policy import format_number
from queue_server.domain.security import (
    age_on,
    birth_date,
    id_hash,
    mask_id,
    mask_name,
    rating_code,
)
from queue_server.domain.stages import HELD, SUPPLEMENT, WAITING, deadline_of
from queue_server.domain.workdays import Due
from queue_server.usecases import checkin
from queue_server.usecases.auth import (
    Principal,
    known_terminal,
    principal_of,
    terminal_still_holds,
)
from queue_server.usecases.estimate import (
    estimate,
    one_more_waiting,
    prefetch,
    waiting_ahead,
    waiting_now,
)
from queue_server.usecases.halls import load_hall, service_row, service_row_any
from queue_server.usecases.walk import insert_stage, stage_row

log = logging.getLogger(__name__)
ISSUERS = ("kiosk", "bank", "counter", "staff", "admin")
Known = tuple[Principal, str]  # a terminal `known_terminal` remembers, and its token's digest


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
    appointment_late: bool = False
    held: bool = False  # waits for its holder's arrival at a kiosk before it can be called


@dataclass(frozen=True)
class Card:
    """An ID card reduced: its HMAC, masked forms, and whether its holder is elderly today."""

    digest: str | None = None
    masked_id: str | None = None
    masked_name: str | None = None
    elderly: bool = False


def reduce_card(card: wire.IdCardIn | None, hall: HallInfo, now: datetime) -> Card:
    if card is None:
        return Card()
    born = birth_date(card.number)
    return Card(id_hash(hall.secret, card.number), mask_id(card.number), mask_name(card.name),
                born is not None and age_on(born, hall.day_of(now)) >= hall.priority_age)


def _reduce(req: wire.TicketCreate, card: Card, who: Principal, service: str,
            booked: checkin.CheckIn | None) -> Issue:
    if (req.priority == "normal" and "priority" in req.model_fields_set
            and req.priority_reason is not None):
        raise Invalid("priority_conflict", "普通号不能带优先原因 / a ticket asked for as "
                      "\"normal\" takes no priority_reason (ask for \"priority\")")
    decision = priority.decide(who.kind, req.priority == "priority", req.priority_reason,
                               card.elderly)
    prio, reason = decision.priority, decision.reason
    if booked is not None and not booked.late:
        prio, reason = True, "appointment"
    return Issue(service, req.channel, prio, reason, card.digest, card.masked_id,
                 card.masked_name, str(booked.booking.id) if booked else None,
                 appointment_late=booked is not None and booked.late)


# Core statements, built once: the issue path is the hottest write, and ORM flushes of these
# rows cost more than the statements themselves. UPDATE ... RETURNING locks the counter row
# (PostgreSQL) like SELECT ... FOR UPDATE did, and a refused issue rolls the bump back.
_NUMBERS = cast(Table, NumberCounter.__table__)
_BUMP = lean.hot(update(_NUMBERS).where(_NUMBERS.c.hall == bindparam("h"),
                                         _NUMBERS.c.prefix == bindparam("p"),
                                         _NUMBERS.c.day == bindparam("d",
                                                                     type_=_NUMBERS.c.day.type))
                 .values(last=_NUMBERS.c.last + 1).returning(_NUMBERS.c.last))
_FIRST_NUMBER = insert(_NUMBERS).values(last=1)
_TICKETS, _STAGES = cast(Table, Ticket.__table__), cast(Table, Stage.__table__)
_SET_STAGE = lean.hot(update(_TICKETS).where(_TICKETS.c.id == bindparam("tid"))
                      .values(stage=bindparam("sid")))
_KEYS = cast(Table, IdempotencyKey.__table__)


def _pg_issue(with_event: bool = False, guarded: bool = False) -> Insert:
    """PostgreSQL: the next number, a new ticket with it and the ticket's first stage in one
    statement, so the hall's counter row is locked one round trip less (it stays locked until
    the commit, and with one busy hall every issue waits for it). The counter is bumped (or
    the day's first made) unless the daily cap `cap` is reached: then nothing is written and
    no row answers. The stage's id is drawn first, so the ticket is inserted with it; the
    stage's foreign key to the ticket is checked at the end of the statement, when both rows
    exist. The number is formatted as `policy.format_number` formats it. Answers the stage's
    id and the number's sequence.

    `with_event`: the statement also writes the ticket's `ticket.issued` event
    (`events.pg_event_ctes`: the hall's next id from `hall_event_seq`, taken after the number,
    so the two rows are always locked in the order every unit locks them), its payload the
    JSON text `e_payload` with the number put in for `ISSUED_MARK`; it answers the event's id
    too. Sent with the COMMIT (`lean.rows_then_commit`), the number's row is then locked only
    while PostgreSQL runs this statement and commits: one service's issues on one database
    take turns for that long, not also for a round trip and this side's turn on its
    interpreter between the number and the commit.

    `guarded` (with the event): the statement is the whole issue (`issue_at_once`). It first
    checks that terminal `a_terminal` still holds the token of digest `a_digest` and is active,
    then claims the idempotency key `k_key` (when not null) for the ticket, with the keyed
    hash `k_body` of the request, as `_claim_key` claims it (a concurrent claim of the same
    key waits for the other's commit). The number is taken only when both hold: otherwise
    nothing is written and no row answers."""
    number = {"hall": bindparam("t_hall"), "prefix": bindparam("t_prefix"),
              "day": bindparam("t_day", type_=_NUMBERS.c.day.type)}
    if guarded:
        auth = terminal_still_holds().cte("auth")
        key = sql_cast(bindparam("k_key", type_=String), String)
        claim = (postgresql_insert(_KEYS).from_select(
            ["hall", "key", "ticket_id", "body_hash", "created_at"],
            select(sql_cast(bindparam("t_hall", type_=String), String), key,
                   sql_cast(bindparam("t_id", type_=String), String),
                   sql_cast(bindparam("k_body", type_=String), String),
                   bindparam("t_issued_at", type_=_TICKETS.c.issued_at.type))
            .where(exists(auth.select()), key.is_not(None)))
            .on_conflict_do_nothing().returning(_KEYS.c.key).cte("k"))
        taken = postgresql_insert(_NUMBERS).from_select(
            ["hall", "prefix", "day", "last"],
            select(*number.values(), literal(1, Integer)).where(
                exists(auth.select()), or_(key.is_(None), exists(claim.select()))))
    else:
        taken = postgresql_insert(_NUMBERS).values(**number, last=1)
    bump = (taken
            .on_conflict_do_update(
                index_elements=[_NUMBERS.c.hall, _NUMBERS.c.prefix, _NUMBERS.c.day],
                set_={"last": _NUMBERS.c.last + 1},
                where=_NUMBERS.c.last < func.coalesce(bindparam("cap", type_=Integer), _NO_CAP))
            .returning(_NUMBERS.c.last).cte("n"))
    seq = bump.c.last
    stage_id = select(func.nextval(func.pg_get_serial_sequence("stages", "id")).label("id")
                      ).cte("sid")
    computed = {"seq": seq, "number": bindparam("t_prefix", type_=String) + case(
        (seq < 1000, func.lpad(sql_cast(seq, String), 3, "0")), else_=sql_cast(seq, String))}
    ticket_cols = [c for c in _TICKETS.c if c.name != "stage"]
    written = stage_row("", "", "", "", False, datetime.min, None)
    stage_cols = [c for c in _STAGES.c if c.name in written]
    ticket = (insert(_TICKETS).from_select(
        [*(c.name for c in ticket_cols), "stage"],
        select(*(computed.get(c.name, bindparam(f"t_{c.name}", type_=c.type))
                 for c in ticket_cols), stage_id.c.id).select_from(bump).select_from(stage_id))
        .returning(_TICKETS.c.id).cte("t"))
    answer = [_STAGES.c.id, select(seq).scalar_subquery().label("seq")]
    ctes = [ticket]
    if with_event:
        payload = func.replace(bindparam("e_payload", type_=Text), _MARK_JSON,
                               sql_cast(func.to_json(computed["number"]), Text))
        event_id, event = events.pg_event_ctes(
            bump, bindparam("t_hall", type_=String), "ticket.issued",
            bindparam("t_issued_at", type_=_TICKETS.c.issued_at.type), payload)
        answer.append(select(event.c.id).scalar_subquery().label("event"))
        ctes += [event_id, event]
    return lean.hot(insert(_STAGES).from_select(
        ["id", *(c.name for c in stage_cols)],
        select(stage_id.c.id, *(bindparam(f"s_{c.name}", type_=c.type) for c in stage_cols))
        .select_from(bump).select_from(stage_id))
        .returning(*answer).add_cte(*ctes))


_NO_CAP = 2**31 - 1
# Stands for the number in a `ticket.issued` payload written with the issue (`_pg_issue`):
# a control character, which JSON always escapes, so no other value's text can match it.
ISSUED_MARK = "\x01"
_MARK_JSON = json.dumps(ISSUED_MARK)
_PG_ISSUE = _pg_issue()
_PG_ISSUE_AND_EVENT = _pg_issue(with_event=True)
_PG_ISSUE_AT_ONCE = _pg_issue(with_event=True, guarded=True)


def _claim_key(dialect_insert: Any) -> Insert:
    """INSERT ... ON CONFLICT DO NOTHING for an idempotency key (both databases have it; the
    construct is per dialect in SQLAlchemy)."""
    return lean.hot(dialect_insert(_KEYS).values(lean.typed_params(
        _KEYS, ("hall", "key", "ticket_id", "body_hash", "created_at")))
        .on_conflict_do_nothing().returning(_KEYS.c.key))


# The statements of the usual issue made at import, not on a first request, so that a fresh
# server's warm-up builds their plans (`lean.build_plans`; each took 0.5-0.6 ms on a fresh
# SQLite server's first issue).
_CLAIM_KEYS = {"sqlite": _claim_key(sqlite_insert), "postgresql": _claim_key(postgresql_insert)}
_INSERT_TICKET = lean.insert_of(_TICKETS, [c.name for c in _TICKETS.c])


_KNOWN = select(_KEYS.c.ticket_id, _KEYS.c.body_hash).where(
    _KEYS.c.hall == bindparam("hall"), _KEYS.c.key == bindparam("key"))


def next_number(conn: Connection, hall: str, prefix: str, day: object, cap: int | None
                 ) -> int:
    key = {"h": hall, "p": prefix, "d": day}
    last = lean.scalar(conn, _BUMP, key)
    if last is None:
        try:
            with conn.begin_nested():
                conn.execute(_FIRST_NUMBER, {"hall": hall, "prefix": prefix, "day": day})
            last = 1
        except IntegrityError:  # another server process made it first (PostgreSQL)
            last = conn.execute(_BUMP, key).scalar_one()
    if cap is not None and last > cap:
        raise _cap_reached()
    return int(last)


def _cap_reached() -> Conflict:
    return Conflict("daily_cap_reached", "今日号已发完 / today's numbers are all taken")


def _body_hash(req: wire.TicketCreate, secret_hex: str, terminal: int | None) -> str:
    """Keyed with the hall's secret: the body holds an ID number, and a plain hash of a number
    with so few possible values could be reversed by trying them all. The asking terminal is
    part of it: a key sent again by another terminal is 409 `idempotency_key_reused`, not the
    first terminal's ticket with its rating code."""
    data = json.dumps({"terminal": terminal, **req.model_dump(mode="json")},
                      sort_keys=True).encode()
    return hmac.new(bytes.fromhex(secret_hex), data, hashlib.sha256).hexdigest()


def _ticket_row(hall: HallInfo, svc: Service | Record, issue: Issue, zone: str, now: datetime,
                forwarded_from: str | None = None, ticket_id: str | None = None
                ) -> tuple[dict[str, Any], Due | None]:
    """A new ticket's columns but its number, and its first stage's deadline."""
    due = deadline_of(hall, svc, zone, now)
    day = numbering_day(hall, now)  # the day it is called on, the day it opens if closed
    row = dict(id=ticket_id or secrets.token_urlsafe(12), hall=hall.id, service=svc.code,
               prefix=svc.prefix, day=day, channel=issue.channel,
               priority=issue.priority, priority_reason=issue.priority_reason,
               id_hash=issue.id_hash, masked_id=issue.masked_id, masked_name=issue.masked_name,
               appointment=issue.appointment, issued_at=now, status=WAITING, zone=zone,
               deadline=due.at if due else None,
               deadline_provisional=bool(due and due.provisional),
               forwarded_from=forwarded_from, forwarded_to=None, print_failed=False,
               priority_confirmed=None, appointment_late=issue.appointment_late or None)
    return row, due


def _pg_params(row: dict[str, Any], due: Due | None, svc: Service | Record, issue: Issue
               ) -> dict[str, Any]:
    """`_pg_issue`'s parameters for the ticket `row` (`_ticket_row`)."""
    stage = stage_row(row["hall"], str(row["id"]), row["zone"], svc.code, issue.priority,
                      row["issued_at"], due, held=issue.held)
    return {**{f"t_{k}": v for k, v in row.items()},
            **{f"s_{k}": v for k, v in stage.items()}, "cap": svc.daily_cap}


def _committed_issue(tx: Tx, made: Any, row: dict[str, Any], issue: Issue) -> Record:
    """The ticket a statement with its event and the COMMIT wrote (`made`: its answer)."""
    row.update(seq=int(made.seq), number=format_number(row["prefix"], int(made.seq)))
    tx.committed_with_last([{"hall": row["hall"], "id": int(made.event),
                             "type": "ticket.issued", "at": row["issued_at"],
                             "payload": _issued_payload(row, row["number"], issue)}])
    return Record(_TICKETS, {**row, "stage": int(made.id)})


def create_ticket(tx: Tx, hall: HallInfo, svc: Service | Record, issue: Issue,
                  zone: str | None = None, forwarded_from: str | None = None,
                  ticket_id: str | None = None, last: bool = False) -> Record:
    """Number and queue a new ticket in `zone` (default: the first of its route). Written with
    Core statements; answers the ticket as a record (read-only for the caller).

    `last`: the caller sends nothing more in this unit. On PostgreSQL, for a service without
    a daily cap and a unit with nothing else to write at its commit, the ticket's statement
    then writes its event too and carries the COMMIT (`_pg_issue`): the unit is durable
    when this returns."""
    conn, now = tx.conn, tx.now
    row, due = _ticket_row(hall, svc, issue, zone or svc.route[0], now, forwarded_from,
                           ticket_id)
    if conn.dialect.name == "postgresql":  # number, ticket and stage in one round trip
        params = _pg_params(row, due, svc, issue)
        if last and svc.daily_cap is None and tx.may_commit_with_last:
            params["e_payload"] = json.dumps(_issued_payload(row, ISSUED_MARK, issue))
            found = lean.rows_then_commit(conn, _PG_ISSUE_AND_EVENT, params)
            if found is not None:  # (no row only past 2**31 numbers: there is no cap)
                if not found:
                    raise _cap_reached()
                return _committed_issue(tx, found[0], row, issue)
        made = lean.first(conn, _PG_ISSUE, params)
        if made is None:
            raise _cap_reached()
        stage_id, seq = int(made.id), int(made.seq)
        row.update(seq=seq, number=format_number(svc.prefix, seq))
    else:
        seq = next_number(conn, hall.id, svc.prefix, row["day"], svc.daily_cap)
        row.update(seq=seq, number=format_number(svc.prefix, seq), stage=None)
        lean.rows(conn, _INSERT_TICKET, row)
        stage_id = insert_stage(conn, hall.id, str(row["id"]), row["zone"], svc.code,
                                issue.priority, now, due, held=issue.held)
        lean.rows(conn, _SET_STAGE, {"tid": row["id"], "sid": stage_id})
    ticket = Record(_TICKETS, {**row, "stage": stage_id})
    tx.emit(hall.id, "ticket.issued", **_issued_payload(row, ticket.number, issue))
    return ticket


def _issued_payload(row: dict[str, Any], number: str, issue: Issue) -> dict[str, Any]:
    """A new ticket's `ticket.issued` payload (`row`: its columns)."""
    return dict(ticket=row["id"], number=number, service=row["service"], zone=row["zone"],
                priority=row["priority"], channel=row["channel"],
                **({"held": True} if issue.held else {}))


_STAGE_STATUS = lean.hot(select(_STAGES.c.status).where(_STAGES.c.id == bindparam("id")))


def issued_out(s: Db | None, ticket: Ticket | Record, hall: HallInfo, svc: Service | Record,
               base: str, ahead: int | None = None, wait_s: int | None = None,
               held: bool | None = None, now: datetime | None = None) -> wire.TicketIssued:
    """The answer to an issue: `ahead`, the people ahead, `wait_s`, the estimated wait, and
    `held`, whether it waits for its holder's arrival, each read through `s` unless given
    (with all three given `s` is not used: the unit may have committed). `now`: the moment it
    is printed (its issue unless given), for when calling starts if the hall is closed."""
    if held is None:
        held = False
        if ticket.channel == "web" and ticket.stage is not None:  # only phone numbers wait so
            assert s is not None
            held = lean.scalar(connection_of(s), _STAGE_STATUS, {"id": ticket.stage}) == HELD
    if ahead is None:
        assert s is not None
        ahead = waiting_ahead(s, ticket.hall, ticket.zone, ticket.service, ticket.issued_at)
    if wait_s is None:
        assert s is not None
        wait_s = estimate(s, ticket.hall, ticket.zone, ticket.service, ahead)
    return wire.TicketIssued(
        id=ticket.id, number=ticket.number, service=ticket.service, zone=ticket.zone,
        ahead=ahead, estimated_wait_s=wait_s,
        issued_at=ticket.issued_at, hall=hall.id,
        track_url=f"{base}/t/{ticket.id}?c={rating_code(hall.secret, ticket.id)}",
        hall_name=hall.name, service_name=svc.name, priority=ticket.priority,
        priority_reason=ticket.priority_reason, masked_name=ticket.masked_name,
        masked_id=ticket.masked_id, appointment_late=bool(ticket.appointment_late),
        arrival_required=held, calls_from=_utc(next_opening(hall, now or ticket.issued_at)))


def _utc(moment: datetime | None) -> datetime | None:
    """An instant of an answer in UTC, as every other (`calls_from` came in the hall's +08:00)."""
    return moment.astimezone(UTC) if moment is not None else None


@dataclass(frozen=True)
class _Asked:
    """An issue request judged: its service, booking (if it checks one in) and the issue."""

    svc: Service | Record
    booked: checkin.CheckIn | None
    issue: Issue


def _judge(tx: Tx, who: Principal, hall: HallInfo, req: wire.TicketCreate) -> _Asked:
    """What the request asks for (raises its refusals)."""
    card = reduce_card(req.id_card, hall, tx.now)
    booked = checkin.resolve(tx, hall, req, card.digest)
    if booked is None and not req.service:
        raise Invalid("service_required", "请选择事项 / choose a service (or check in with an "
                      "appointment)")
    svc = service_row(tx.conn, hall.id,
                      booked.booking.service if booked else str(req.service))
    if card.digest is not None:
        _papers_due(tx, hall, card.digest, svc.code)
    return _Asked(svc, booked, _reduce(req, card, who, svc.code, booked))


_SENT_BACK = select(_TICKETS.c.number).where(  # by the card's digest: its index
    _TICKETS.c.id_hash == bindparam("digest"), _TICKETS.c.hall == bindparam("hall"),
    _TICKETS.c.service == bindparam("service"), _TICKETS.c.status == SUPPLEMENT).limit(1)


def _papers_due(tx: Tx, hall: HallInfo, digest: str, service: str) -> None:
    """A card whose holder's application of `service` waits for the papers it was sent back
    for (补正) takes no second number for it: a new application beside the one accepted,
    and that one left waiting (an outside check)."""
    number = tx.conn.execute(_SENT_BACK, {"digest": digest, "hall": hall.id,
                                          "service": service}).scalar()
    if number is not None:
        raise Conflict("papers_due", f"您的此项申请({number})正在等待补正材料,无需重新取号:请在"
                       "自助机点“签到”刷身份证,递交材料 / your application "
                       f"{number} waits for the papers it was sent back for: check in with "
                       "your ID card instead of taking a new number", {"number": str(number)})


def issue_in(tx: Tx, who: Principal, req: wire.TicketCreate, key: str | None, base: str
             ) -> tuple[wire.TicketIssued, bool]:
    """Answers (ticket, created) from inside a unit of work. A known idempotency key answers
    its ticket again. A new ticket's people ahead are counted before its number is taken: on
    PostgreSQL the day's number row stays locked from then until the commit, and counting a
    long queue under that lock held every issue of the hall up (one hall, 32 clients,
    thousands waiting: 979-1,049 issues/s counting after the number, 1,185-1,190 not counting
    at all). The count is kept a moment per service (`estimate.waiting_now`), so a ticket
    issued by another kiosk in the same instant, or by another server process within a
    second, may be missing from it."""
    if who.kind not in ISSUERS or who.hall is None:
        raise Forbidden("forbidden", "此终端不能取号 / this terminal cannot issue tickets")
    if key is not None and not (1 <= len(key) <= 200):
        raise Invalid("bad_idempotency_key", "Idempotency-Key 须为 1–200 个字符 / "
                      "Idempotency-Key must be 1–200 characters")
    conn = tx.conn
    hall = load_hall(conn, who.hall)
    assert hall is not None
    ticket_id = secrets.token_urlsafe(12)
    if key is not None:
        # Claim the key for the new ticket in one statement; a key already there answers
        # its ticket again (on PostgreSQL a concurrent claim waits for the other commit).
        body = _body_hash(req, hall.secret, who.terminal_id)
        claimed = lean.first(conn, _CLAIM_KEYS[conn.dialect.name], {
            "hall": hall.id, "key": key, "ticket_id": ticket_id, "body_hash": body,
            "created_at": tx.now})  # RETURNING: rowcount is -1 with psycopg here
        if claimed is None:
            known = conn.execute(_KNOWN, {"hall": who.hall, "key": key}).first()
            assert known is not None
            return _issued_again(tx.session, _replayed(known, body), base), False
    asked = _judge(tx, who, hall, req)
    svc, booked, issue = asked.svc, asked.booked, asked.issue
    zone = svc.route[0]
    ahead = waiting_now(conn, hall.id, zone, svc.code, tx.now)
    wait_s = estimate(conn, hall.id, zone, svc.code, ahead)
    # Without a booking the ticket is the unit's last write: on PostgreSQL it may commit it.
    ticket = create_ticket(tx, hall, svc, issue, ticket_id=ticket_id, last=booked is None)
    if booked is not None:
        checkin.mark_used(tx, hall, booked, ticket)
    return _issued(conn, ticket, hall, svc, base, ahead, wait_s, issue), True


def _issued(conn: Connection, ticket: Record, hall: HallInfo, svc: Service | Record, base: str,
            ahead: int, wait_s: int, issue: Issue) -> wire.TicketIssued:
    one_more_waiting(conn, hall.id, ticket.zone, svc.code)
    log.debug("issued %s %s (%s, priority=%s)", hall.id, ticket.number, svc.code,
              ticket.priority_reason or ticket.priority)
    return issued_out(None, ticket, hall, svc, base, ahead, wait_s, held=issue.held)


@dataclass(frozen=True)
class _AtOnce:
    """A plain issue judged and ready for its one statement (`_PG_ISSUE_AT_ONCE`): `tx` is
    its own (its clock, the events its statement wrote)."""

    tx: Tx
    hall: HallInfo
    svc: Service | Record
    issue: Issue
    row: dict[str, Any]
    params: dict[str, Any]
    ahead: int
    wait_s: int
    base: str


def _plain(tx: Tx, known: Known, req: wire.TicketCreate, key: str | None
           ) -> tuple[HallInfo, _Asked] | None:
    """A plain issue's request judged, nothing counted yet (None: it is not a plain issue).
    `known`: its terminal as `known_terminal` remembers it (the statement checks it again)."""
    if key is not None and not 1 <= len(key) <= 200:
        return None
    who = known[0]
    hall = load_hall(tx.conn, who.hall) if who.kind in ISSUERS and who.hall else None
    if hall is None:
        return None
    try:
        asked = _judge(tx, who, hall, req)
    except DomainError:
        return None
    if asked.booked is not None or asked.svc.daily_cap is not None:
        return None
    return hall, asked


def _at_once(tx: Tx, known: Known, req: wire.TicketCreate, key: str | None, base: str,
             hall: HallInfo, asked: _Asked) -> _AtOnce:
    """A plain issue (`_plain`) counted and its statement's parameters made."""
    conn = tx.conn
    who, digest = known
    svc, issue = asked.svc, asked.issue
    zone = svc.route[0]
    ahead = waiting_now(conn, hall.id, zone, svc.code, tx.now)
    wait_s = estimate(conn, hall.id, zone, svc.code, ahead)
    row, due = _ticket_row(hall, svc, issue, zone, tx.now)
    params = _pg_params(row, due, svc, issue)
    params.update(e_payload=json.dumps(_issued_payload(row, ISSUED_MARK, issue)),
                  a_terminal=who.terminal_id, a_digest=digest, k_key=key,
                  k_body=None if key is None else _body_hash(req, hall.secret,
                                                             who.terminal_id))
    return _AtOnce(tx, hall, svc, issue, row, params, ahead, wait_s, base)


def issue_at_once(tx: Tx, token: str, req: wire.TicketCreate, key: str | None, base: str
                  ) -> tuple[wire.TicketIssued, bool] | None:
    """PostgreSQL: the plain issue (no booking, a service without a daily cap) by a terminal
    this process has seen authenticate (`auth.known_terminal`), as one statement sent with the
    unit's BEGIN and COMMIT in one round trip (`_pg_issue(guarded=True)`): the terminal is
    checked again, the key claimed, the number taken and the ticket, its stage and its event
    written. Before it the unit reads only what this process does not keep a moment (the
    hall's settings, the service, the people ahead, a card's booking).

    One ask of `issue_together` (the endpoint's way, through its hall's lane). Answers None,
    having written nothing, when the request is anything else or the statement took no number
    (the terminal revoked or its token changed, the key already known): `issue_in` may then
    run in the same unit, and answers, replays or refuses as always. Refusals are left to it,
    so a known key is still replayed before its request is judged. If the statement ran, the
    unit's transaction has ended (committed with nothing written); `issue_in` runs in the next
    one."""
    known = known_terminal(tx.conn, token)
    return None if known is None else issue_together(tx, [(known, req, key, base)])[0]


def warm_connection(conn: Connection, now: datetime) -> None:
    """PostgreSQL, a fresh server's warm-up (`db.warm`): the plain issue's statement run once
    on `conn`, in the warm-up's transaction, for terminal 0 with an empty token digest, which
    no terminal has: no number is taken and nothing written, but the database's process
    behind `conn` reads the tables, indexes and functions the statement uses into its caches
    now, not while a request waits (a connection's first issue took 3-4 ms more than its
    later ones here)."""
    def typed(column: Any) -> Any:
        kind = column.type.python_type  # `object`: a time (UTCDateTime)
        return {bool: False, int: 0, str: "", date: now.date()}.get(kind, now)

    params = {f"t_{c.name}": typed(c) for c in _TICKETS.c if c.name not in ("stage", "seq",
                                                                           "number")}
    params.update({f"s_{c.name}": typed(c) for c in _STAGES.c if c.name != "id"})
    params.update(a_terminal=0, a_digest="", k_key="", k_body="", e_payload="{}", cap=None)
    if lean.rows(conn, _PG_ISSUE_AT_ONCE, params):  # never: the caller rolls it back
        raise RuntimeError("the warm-up's issue took a number")


def _claim_numbers() -> Insert:
    """The day's number rows of hall `h`'s prefixes `ps`, taken in the prefixes' order
    (`issue_together`): a row not there yet is made (its `last` 0: the next number is 1), a row
    there is locked by a no-op update, as `_pg_issue` locks it."""
    prefix = func.unnest(bindparam("ps", type_=ARRAY(String))).table_valued("p").render_derived()
    day = bindparam("d", type_=_NUMBERS.c.day.type)
    return lean.hot(postgresql_insert(_NUMBERS).from_select(
        ["hall", "prefix", "day", "last"],
        select(sql_cast(bindparam("h", type_=String), String), prefix.c.p, day,
               literal(0, Integer)).order_by(prefix.c.p))
        .on_conflict_do_update(
            index_elements=[_NUMBERS.c.hall, _NUMBERS.c.prefix, _NUMBERS.c.day],
            set_={"last": _NUMBERS.c.last})
        .returning(_NUMBERS.c.prefix))


_CLAIM_NUMBERS = _claim_numbers()
IssueAsk = tuple[Known, wire.TicketCreate, str | None, str]  # terminal, request, key, base


def issue_together(tx: Tx, asks: Sequence[IssueAsk]
                   ) -> list[tuple[wire.TicketIssued, bool] | None]:
    """PostgreSQL: plain issues of one hall by terminals this process knows
    (`known_terminal`) that arrived together (`Store.together`), all in one transaction: their statements and the COMMIT in one
    round trip, so the hall's event row is taken and its commit waited for once for them all
    instead of once each (one hall's writes take turns on that row, to the end of the commit).

    What the asks' counts and estimates need and this process does not keep is read first, in
    one round trip with no BEGIN (`estimate.prefetch`). Each ask's clock is the unit's plus
    its place in microseconds, so the tickets keep the order they arrived in. With more than
    one prefix the day's number rows are taken first, in the prefixes' order
    (`_claim_numbers`), as every other unit takes its number row before the hall's event row.
    The statements would otherwise hold the event row while waiting for a number row (or
    another's first number of the day), while another server's issue held that number row and
    waited for the event row: a deadlock, which PostgreSQL breaks after a second by failing
    one.

    Answers, in the asks' order, each answer or None for an ask to go the usual way (in a unit
    of its own, `issue_in`): not a plain issue by a known terminal, another hall or day than the
    first ask's, or its statement took no number (revoked terminal, known key)."""
    out: list[tuple[wire.TicketIssued, bool] | None] = [None] * len(asks)
    conn = tx.conn
    if conn.dialect.name != "postgresql" or not tx.may_commit_with_last:
        return out
    plain = []
    for i, (known, req, key, _) in enumerate(asks):
        own = Tx(None, tx.now + timedelta(microseconds=i), conn=conn)
        judged = _plain(own, known, req, key)
        if judged is not None:
            plain.append((i, own, judged))
    # What the counts and estimates need, in one round trip before the statements' own
    prefetch(conn, [(hall.id, asked.svc.route[0], asked.svc.code, own.now)
                    for _, own, (hall, asked) in plain])
    ready: list[tuple[int, _AtOnce]] = []
    for i, own, (hall, asked) in plain:
        known, req, key, base = asks[i]
        one = _at_once(own, known, req, key, base, hall, asked)
        if not ready or (one.hall.id, one.row["day"]) == (ready[0][1].hall.id,
                                                          ready[0][1].row["day"]):
            ready.append((i, one))
    if not ready:
        return out
    first = ready[0][1]
    prefixes = sorted({one.row["prefix"] for _, one in ready})
    steps: list[tuple[Any, dict[str, Any]]] = [
        (_CLAIM_NUMBERS, {"h": first.hall.id, "d": first.row["day"], "ps": prefixes})
    ] if len(prefixes) > 1 else []
    steps += [(_PG_ISSUE_AT_ONCE, one.params) for _, one in ready]
    found = lean.each_then_commit(conn, steps)
    assert found is not None  # psycopg, hot statements
    for (i, one), made in zip(ready, found[len(found) - len(ready):], strict=True):
        if made:
            ticket = _committed_issue(one.tx, made[0], one.row, one.issue)
            tx.committed_with_last(one.tx.written)
            out[i] = _issued(conn, ticket, one.hall, one.svc, one.base, one.ahead, one.wait_s,
                             one.issue), True
    return out


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
    """The endpoint's issue: authentication and issue in one unit of work (`Store.run`). On
    PostgreSQL a kiosk this process has seen before issues together with its hall's other
    issues of the moment (`issue_together` in `Store.together`); whatever that leaves goes
    the usual way, in a unit of its own."""

    def usual(tx: Tx) -> tuple[wire.TicketIssued, bool]:
        return issue_in(tx, principal_of(tx.conn, token, tx.now), req, key, base)

    known = None if store.is_sqlite else known_terminal(store.writer, token)
    if known is None or known[0].hall is None:
        return await store.run(usual)
    together = await store.together(("issue", known[0].hall), (known, req, key, base),
                                    issue_together)
    return together or await store.run(usual)


def _replayed(known: Any, body: str) -> str:
    if known.body_hash != body:
        raise Conflict("idempotency_key_reused",
                       "此 Idempotency-Key 已用于另一请求 / key already used for another request")
    return known.ticket_id


