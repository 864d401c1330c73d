"""Sessions of the supervisor's console: a supervisor or administrator logs in with staff id and
PIN (through `login.pin_login`, so the lockout is the counters' own), gets a random token kept
only as sha256 (the browser holds it in an HttpOnly cookie), and acts as a staff principal of
their hall with their role, read again on every request (a demoted supervisor is out at once).
Every change also needs the session's CSRF token, derived from the session token with HMAC,
so nothing more is stored."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.engine import Connection

from queue_server.db.models import ConsoleSession, Staff, StaffSession
from queue_server.db.store import Store
from queue_server.db.unit import Tx
from queue_server.domain.errors import Forbidden, Invalid, Unauthorized
from queue_server.domain.security import new_token, token_hash
from queue_server.usecases.auth import Principal, require_supervisor
from queue_server.usecases.halls import load_hall
from queue_server.usecases.login import pin_login
from queue_server.usecases.terminals import main_hall

CONSOLE_TTL = timedelta(hours=10)
CONSOLE_ROLES = ("supervisor", "admin")
PREFIX = "kbc"

_SESSIONS, _STAFF = cast(Table, ConsoleSession.__table__), cast(Table, Staff.__table__)
_SESSION = (select(_SESSIONS.c.token_hash, _SESSIONS.c.expires_at, _SESSIONS.c.hall,
                   _STAFF.c.id, _STAFF.c.role)
            .join(_STAFF, (_STAFF.c.hall == _SESSIONS.c.hall)
                  & (_STAFF.c.id == _SESSIONS.c.staff_id))
            .where(_SESSIONS.c.token_hash == bindparam("digest"), _STAFF.c.active))


@dataclass(frozen=True)
class ConsoleLogin:
    token: str
    staff: str
    staff_name: str
    role: str
    hall: str
    hall_name: str
    expires_at: datetime
    timezone: str = "Asia/Shanghai"  # the hall's: the console shows times in it


def csrf_of(token: str) -> str:
    """The CSRF token of a console session: HMAC of a fixed label under the session token
    (a page of another origin can neither read the cookie nor compute this)."""
    return hmac.new(token.encode(), b"kuaiban-console-csrf", hashlib.sha256).hexdigest()[:40]


def csrf_ok(token: str, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(csrf_of(token), str(sent))


def login(store: Store, hall: str | None, staff_id: str, pin: str, client: str
          ) -> ConsoleLogin:
    """Check the PIN (and the lockout) like a counter login, then refuse the `staff` role."""
    hall_id = hall or main_hall(store)
    if hall_id is None:
        raise Invalid("hall_needed", "请选择大厅 / give the hall")
    with store.read() as s:
        info = load_hall(s, hall_id)
    if info is None:
        # The same answer as a wrong PIN: a login form does not reveal which halls exist.
        raise Unauthorized("bad_credentials", "工号或密码错误 / wrong staff id or PIN")

    def open_session(tx: Tx, staff: Staff) -> ConsoleLogin:
        if staff.role not in CONSOLE_ROLES:
            raise Forbidden("supervisor_required", "只有值班长和管理员可以登录管理台 / only "
                            "supervisors and administrators may use the console")
        token, expires = new_token(PREFIX), tx.now + CONSOLE_TTL
        tx.session.add(ConsoleSession(token_hash=token_hash(token), hall=hall_id,
                                      staff_id=staff.id, created_at=tx.now, expires_at=expires))
        tx.session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < tx.now))
        tx.emit(hall_id, "console.login", staff=staff.id)
        return ConsoleLogin(token, staff.id, staff.name, staff.role, hall_id, info.name, expires,
                            info.timezone)

    return pin_login(store, hall_id, staff_id, pin, client, open_session)


def principal_of(conn: Connection, token: str, now: datetime) -> Principal:
    """The staff principal of a console session token (401 when unknown or expired)."""
    digest = token_hash(token)
    row = conn.execute(_SESSION, {"digest": digest}).first() if token else None
    if row is not None:
        stored, expires, hall, staff_id, role = row
        if hmac.compare_digest(stored, digest) and expires > now and role in CONSOLE_ROLES:
            return Principal("staff", hall, staff_id=staff_id, staff_role=role)
    raise Unauthorized("unauthorized", "请重新登录 / please log in again")


def authenticate(store: Store, token: str) -> Principal:
    with store.read() as s:
        return principal_of(s.connection(), token, store.clock())


def logout(store: Store, token: str) -> None:
    with store.write() as tx:
        row = tx.session.scalars(select(ConsoleSession).where(
            ConsoleSession.token_hash == token_hash(token))).first()
        if row is not None:
            tx.session.delete(row)
            tx.emit(row.hall, "console.logout", staff=row.staff_id)


@dataclass(frozen=True)
class Me:
    staff_name: str | None
    role: str
    hall_name: str
    timezone: str
    expires_at: datetime | None  # the session's end (None for an administrator's token)


def me(store: Store, who: Principal, hall: str, token: str = "", bearer: str = "") -> Me:
    """Who a principal that may use the console is, and when its session ends: the console
    session's (`token`, the cookie's) or the staff session's whose `bearer` token it holds."""
    require_supervisor(who)
    with store.read() as s:
        info = load_hall(s, hall)
        staff = s.get(Staff, (hall, who.staff_id)) if who.staff_id else None
        expires = None
        if token:
            expires = s.scalar(select(ConsoleSession.expires_at).where(
                ConsoleSession.token_hash == token_hash(token)))
        elif bearer and who.kind == "staff":
            expires = s.scalar(select(StaffSession.expires_at).where(
                StaffSession.token_hash == token_hash(bearer)))
    if info is None:
        raise Invalid("unknown_hall", f"没有大厅 {hall} / no hall {hall}")
    return Me(staff.name if staff else None, who.staff_role or who.kind, info.name,
              info.timezone, expires)
