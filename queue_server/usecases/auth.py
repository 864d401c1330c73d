"""Who is asking: terminal tokens (from enrolment), staff sessions (opened by a PIN login at a
counter terminal, `login.py`) and administrator tokens; enrolment and revocation of terminals,
PINs. Tokens are random and stored as sha256, PINs with scrypt; compares in constant time."""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Integer, Select, String, Table, bindparam, delete, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from queue_server.db import lean
from queue_server.db.models import (
    AdminToken,
    Counter,
    Hall,
    LoginFailure,
    Staff,
    StaffSession,
    Terminal,
)
from queue_server.db.store import Store
from queue_server.db.ttl import TtlCache
from queue_server.db.unit import Db, Tx, connection_of, db_key
from queue_server.domain.errors import Conflict, Forbidden, Invalid, Unauthorized
from queue_server.domain.security import hash_pin, new_token, token_hash
from queue_server.usecases import admin_words as words

log = logging.getLogger(__name__)
KINDS = ("kiosk", "counter", "display", "pad", "bank")


# Built once: one of them runs on every request. Core selects of the columns needed, not
# ORM entities: this is the first statement of every unit of work.
_SESSIONS, _STAFF = cast(Table, StaffSession.__table__), cast(Table, Staff.__table__)
_TERMINALS = cast(Table, Terminal.__table__)
_SESSION = lean.hot(
    select(_SESSIONS.c.token_hash, _SESSIONS.c.expires_at, _SESSIONS.c.hall,
           _SESSIONS.c.counter, _TERMINALS.c.id, _TERMINALS.c.name, _STAFF.c.id, _STAFF.c.role)
    .join(_STAFF, (_STAFF.c.hall == _SESSIONS.c.hall) & (_STAFF.c.id == _SESSIONS.c.staff_id))
    .join(_TERMINALS, _TERMINALS.c.id == _SESSIONS.c.terminal_id)
    .where(_SESSIONS.c.token_hash == bindparam("digest"), _STAFF.c.active,
           _TERMINALS.c.active))
_ADMIN = lean.hot(select(AdminToken.__table__.c.token_hash).where(
    AdminToken.__table__.c.token_hash == bindparam("digest")))
_TERMINAL = lean.hot(select(_TERMINALS.c.token_hash, _TERMINALS.c.active, _TERMINALS.c.kind,
                            _TERMINALS.c.hall, _TERMINALS.c.id, _TERMINALS.c.name,
                            _TERMINALS.c.counter)
                     .where(_TERMINALS.c.token_hash == bindparam("digest")))


@dataclass(frozen=True)
class Principal:
    """`kind` is a terminal kind, "staff" (a session) or "admin"."""

    kind: str
    hall: str | None
    terminal_id: int | None = None
    terminal_name: str | None = None
    counter: str | None = None
    staff_id: str | None = None
    staff_role: str | None = None

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"


def require_supervisor(who: Principal) -> None:
    if not (who.kind == "admin" or (who.is_staff and who.staff_role in ("supervisor", "admin"))):
        raise Forbidden("supervisor_required", "需要值班长或管理员 / a supervisor or an "
                        "administrator is required")


def _matches(stored: str, digest: str) -> bool:
    return hmac.compare_digest(stored, digest)


def authenticate(store: Store, token: str, now: datetime) -> Principal:
    if not token:
        raise Unauthorized("unauthorized", "需要令牌 / a bearer token is required")
    with store.read() as s:
        return principal_of(s, token, now)


def principal_of(s: Session | Connection, token: str, now: datetime) -> Principal:
    """Who holds `token`, read in the caller's session (a unit of work authenticates in its
    own transaction: one thread hop per request, and a revoked token is refused at once)."""
    if not token:
        raise Unauthorized("unauthorized", "需要令牌 / a bearer token is required")
    digest = token_hash(token)
    conn = s if isinstance(s, Connection) else s.connection()
    if token.startswith("kbs_"):
        row = lean.first(conn, _SESSION, {"digest": digest})
        if row is not None:
            stored, expires, hall, counter, term_id, term_name, staff_id, role = row
            if _matches(stored, digest) and expires > now:
                return Principal("staff", hall, term_id, term_name, counter, staff_id, role)
    elif token.startswith("kba_"):
        stored = lean.scalar(conn, _ADMIN, {"digest": digest})
        if stored and _matches(stored, digest):
            return Principal("admin", None)
    else:
        found = lean.first(conn, _TERMINAL, {"digest": digest})
        if found is not None and found.active and _matches(found.token_hash, digest):
            return _SEEN.put((db_key(conn), digest), _terminal(found))
        _SEEN.drop((db_key(conn), digest))
    raise Unauthorized("unauthorized", "令牌无效或已过期 / unknown or expired token")


# Terminals this process has seen authenticate, by their token's digest. Not a grant: what
# reads it (the one statement, `tickets.issue_at_once`) checks the terminal again in
# that statement, so a token revoked meanwhile takes nothing. A terminal's kind and hall never
# change (a new enrolment is a new token).
_SEEN: TtlCache[tuple[str, str], Principal] = TtlCache(300.0)


def _terminal(row: Any) -> Principal:
    """A terminal's principal from its row (kind, hall, id, name, counter)."""
    return Principal(row.kind, row.hall, row.id, row.name, row.counter)


def remember_terminals(db: Db) -> list[str]:
    """Put every active terminal in `_SEEN` as `principal_of` would on its first request (a
    fresh server's warm-up): on PostgreSQL a kiosk's first issue after a restart then goes
    the hot way too (`tickets.issue_for`). Safe for the reason `_SEEN` is: what reads it
    checks the terminal again. Answers their tokens' digests."""
    conn = connection_of(db)
    key = db_key(conn)
    rows = conn.execute(select(_TERMINALS.c.token_hash, _TERMINALS.c.kind, _TERMINALS.c.hall,
                               _TERMINALS.c.id, _TERMINALS.c.name, _TERMINALS.c.counter)
                        .where(_TERMINALS.c.active)).all()
    for row in rows:
        _SEEN.put((key, row.token_hash), _terminal(row))
    return [row.token_hash for row in rows]


def terminal_still_holds() -> Select[tuple[int]]:
    """`principal_of`'s rule for a terminal token as a select, for a statement that checks a
    remembered terminal (`known_terminal`) itself: the id of terminal `a_terminal` when it
    is active and still holds the token of digest `a_digest`, else no row."""
    return select(_TERMINALS.c.id).where(
        _TERMINALS.c.id == bindparam("a_terminal", type_=Integer),
        _TERMINALS.c.token_hash == bindparam("a_digest", type_=String), _TERMINALS.c.active)


def known_terminal(conn: Connection | Engine, token: str) -> tuple[Principal, str] | None:
    """(principal, token digest) of a terminal token `principal_of` has accepted in this
    process lately, read from memory; None for any other token."""
    if not token or token.startswith(("kbs_", "kba_")):
        return None
    digest = token_hash(token)
    fresh, who = _SEEN.get((db_key(conn), digest))
    return (who, digest) if fresh and who is not None else None


def _pick_hall(s: Session, hall: str | None, kind: str, counter: str | None) -> str:
    halls = list(s.scalars(select(Hall).where(Hall.active).order_by(Hall.id)))
    ids = [h.id for h in halls]
    if hall is not None:
        if hall not in ids:
            raise Invalid("unknown_hall", words.unknown_hall(hall, ids))
        return hall
    if counter is not None:
        owners = [c.hall for c in s.scalars(
            select(Counter).where(Counter.code == counter, Counter.active))]
        if len(owners) == 1:
            return owners[0]
        if not owners:
            raise Invalid("unknown_counter", f"--counter {counter}: "
                          f"{words.no_counter(s, counter, None)}")
    wanted = [h for h in halls if (h.parent is not None) == (kind == "bank")]
    if len(wanted) == 1:
        return wanted[0].id
    if not halls:
        raise Invalid("no_hall", words.NO_HALL)
    raise Invalid("hall_needed", words.hall_needed(ids))


def enrol_terminal(store: Store, kind: str, name: str, counter: str | None = None,
                   hall: str | None = None) -> tuple[str, str]:
    """Enrol a terminal; answers (token, hall). The token is returned once, stored hashed."""
    done = enrol(store, kind, name, counter, hall)
    return done.token, done.hall


@dataclass(frozen=True)
class Enrolled:
    token: str
    hall: str
    replaced: list[Terminal]  # the terminals of that name it revoked (`same_name="replace"`)


def enrol(store: Store, kind: str, name: str, counter: str | None = None,
          hall: str | None = None, same_name: str = "allow") -> Enrolled:
    """Enrol a terminal in one transaction. An active terminal of that name in the hall is
    allowed (`"allow"`), refused with 409 `terminal_name_taken` (`"refuse"`), or revoked in the
    same transaction (`"replace"`: its token and staff sessions end at once)."""
    if kind not in KINDS:
        raise Invalid("bad_kind", f"--kind {kind!r}: 应为 {'、'.join(KINDS)} 之一 / kind must be "
                      f"one of {', '.join(KINDS)}")
    if not name.strip() or len(name) > 100:
        raise Invalid("bad_name", "--name: 终端名须为 1–100 个字符 / --name: a terminal's name "
                      "must be 1–100 characters")
    with store.write() as tx:
        s = tx.session
        hall_id = _pick_hall(s, hall, kind, counter)
        if counter is not None:
            row = s.get(Counter, (hall_id, counter))
            if row is None or not row.active:
                raise Invalid("unknown_counter", f"--counter {counter}: "
                              f"{words.no_counter(s, counter, hall_id)}")
        old: list[Terminal] = []
        if same_name != "allow":
            # Serialises enrolments in one hall on PostgreSQL (SQLite writes one at a time);
            # FOR NO KEY UPDATE does not block inserts that refer to the hall.
            s.get(Hall, hall_id, with_for_update={"key_share": True})
            old = list(s.scalars(select(Terminal).where(
                Terminal.hall == hall_id, Terminal.name == name, Terminal.active)
                .order_by(Terminal.id)))
        if old and same_name == "refuse":
            raise Conflict("terminal_name_taken",
                           f"终端名 {name} 在 {hall_id} 已被使用;要换新令牌请加 --replace / "
                           f"terminal name {name!r} is already enrolled in hall {hall_id} "
                           f"(id {', '.join(str(t.id) for t in old)}); add --replace to issue "
                           "a new token")
        for term in old:
            revoke_in(tx, term)
        token = new_token("kbt")
        s.add(Terminal(hall=hall_id, name=name, kind=kind, counter=counter,
                       token_hash=token_hash(token), created_at=tx.now, devices={}))
        tx.emit(hall_id, "terminal.enrolled", terminal=name, kind=kind, counter=counter)
    return Enrolled(token, hall_id, old)


def revoke_in(tx: Tx, term: Terminal) -> None:
    """In `tx`: the terminal's token stops working and the staff sessions opened on it end."""
    term.active = False
    for sess in tx.session.scalars(select(StaffSession)
                                   .where(StaffSession.terminal_id == term.id)):
        tx.session.delete(sess)
    tx.emit(term.hall, "terminal.revoked", terminal=term.name, kind=term.kind,
            counter=term.counter, terminal_id=term.id)  # its open streams end (api.stream)


def set_pin(store: Store, staff_id: str, pin: str, hall: str | None = None) -> int:
    """Set a staff member's PIN in every hall they belong to; answers how many rows."""
    if not (4 <= len(pin) <= 64) or not pin.isprintable():
        raise Invalid("bad_pin", "the PIN must be 4–64 printable characters")
    digest = hash_pin(pin)
    with store.write() as tx:
        query = select(Staff).where(Staff.id == staff_id, Staff.active)
        if hall is not None:
            query = query.where(Staff.hall == hall)
        rows = list(tx.session.scalars(query))
        if not rows:
            raise Invalid("unknown_staff", f"no staff member {staff_id!r}")
        for row in rows:
            row.pin_hash, row.failures, row.locked_until = digest, 0, None
            tx.session.execute(delete(LoginFailure).where(LoginFailure.hall == row.hall,
                                                          LoginFailure.staff_id == row.id))
    return len(rows)


def make_admin_token(store: Store) -> str:
    token = new_token("kba")
    with store.write() as tx:
        tx.session.add(AdminToken(token_hash=token_hash(token), created_at=tx.now))
    return token
