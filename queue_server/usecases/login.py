"""A staff member's PIN login: the one place a PIN is checked and the lockout applied, for a
counter terminal (a session bound to that counter) and the supervisor's console. Failures count
per (client, staff id), unknown ids too, with growing delays after a few, so one terminal or
browser cannot lock a staff member out elsewhere (the limit on how often a client may try at
all is the API's)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from queue_server.db.models import Counter, LoginFailure, Staff, StaffSession
from queue_server.db.store import Store
from queue_server.db.unit import Tx
from queue_server.domain.errors import Forbidden, Locked, NotFound, Unauthorized
from queue_server.domain.security import check_pin, new_token, token_hash
from queue_server.usecases.auth import Principal

log = logging.getLogger(__name__)
FREE_FAILURES = 3  # wrong PINs in a row at one terminal before any wait
FIRST_DELAY = timedelta(seconds=5)
MAX_DELAY = timedelta(minutes=15)
SESSION_TTL = timedelta(hours=12)
_FAILURES = cast(Table, LoginFailure.__table__)
T = TypeVar("T")


def login(store: Store, who: Principal, staff_id: str, pin: str, counter: str
          ) -> tuple[str, Staff, datetime]:
    """A staff PIN login at a counter terminal; answers (session token, staff, expiry)."""
    if who.kind != "counter" or who.hall is None or who.terminal_id is None:
        raise Forbidden("forbidden", "只有窗口终端可以登录 / only a counter terminal may log in")
    if who.counter and who.counter != counter:
        raise Forbidden("wrong_counter", f"本终端属于窗口 {who.counter} / this terminal belongs "
                        f"to counter {who.counter}")
    return pin_login(store, who.hall, staff_id, pin, f"terminal:{who.terminal_id}",
                     lambda tx, staff: _open_session(tx, who, staff, counter))


def pin_login(store: Store, hall: str, staff_id: str, pin: str, client: str,
              open_session: Callable[[Tx, Staff], T]) -> T:
    """Check `staff_id`'s PIN in `hall` for `client`; once it is right, `open_session(tx,
    staff)` runs in the same write transaction. After `FREE_FAILURES` wrong ones in a row
    the (client, staff id) pair waits longer each time (`delay_after`)."""
    key = {"hall": hall, "client": client[:80], "staff_id": staff_id}
    with store.read() as s:
        staff = s.get(Staff, (hall, staff_id))
        stored = staff.pin_hash if staff is not None and staff.active else None
        _refuse_if_waiting(s.get(LoginFailure, (hall, key["client"], staff_id)), store.clock())
    ok = check_pin(pin, stored)  # slow on purpose: outside the write lock
    failed: Exception | None = None
    with store.write() as tx:
        staff = tx.session.get(Staff, (hall, staff_id))
        row = _failures_row(tx, key)
        _refuse_if_waiting(row, tx.now)
        if staff is None or not ok or staff.pin_hash != stored:
            # The failure must be committed, so this transaction ends normally.
            row.failures += 1
            row.last_at = tx.now
            wait = delay_after(row.failures)
            row.locked_until = tx.now + wait if wait else None
            log.info("failed sign-in at %s from %s", hall, client)
            failed = Unauthorized("bad_credentials", "工号或密码错误 / wrong staff id or PIN")
        else:
            tx.session.delete(row)
            result = open_session(tx, staff)
    if failed is not None:
        raise failed
    return result


def delay_after(failures: int) -> timedelta:
    """How long a (terminal, staff id) pair waits after its n-th failure in a row: nothing for
    the first `FREE_FAILURES`, then 5 s, doubling, at most `MAX_DELAY`."""
    if failures <= FREE_FAILURES:
        return timedelta(0)
    return min(FIRST_DELAY * 2 ** (failures - FREE_FAILURES - 1), MAX_DELAY)


def _refuse_if_waiting(row: LoginFailure | None, now: datetime) -> None:
    if row is not None and row.locked_until is not None and row.locked_until > now:
        wait = max(1, int((row.locked_until - now).total_seconds() + 0.999))
        raise Locked("staff_locked", f"密码错误次数过多,请 {wait} 秒后再试 / too many failed "
                     f"attempts, try again in {wait} s", retry_after=wait)


def _failures_row(tx: Tx, key: dict[str, object]) -> LoginFailure:
    """The pair's row, made if missing and locked for this transaction (two terminals' logins
    on PostgreSQL never race on it)."""
    conn = tx.conn
    dialect_insert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(dialect_insert(_FAILURES).values(**key, failures=0, last_at=tx.now)
                 .on_conflict_do_nothing())
    row = tx.session.get(LoginFailure, (key["hall"], key["client"], key["staff_id"]),
                         with_for_update=True, populate_existing=True)
    assert row is not None
    return row


def _open_session(tx: Tx, who: Principal, staff: Staff, counter: str
                  ) -> tuple[str, Staff, datetime]:
    s, now = tx.session, tx.now
    row = s.get(Counter, (who.hall, counter))
    if row is None or not row.active:
        raise NotFound("unknown_counter", f"没有窗口 {counter} / no counter {counter}")
    row.staff_id = staff.id
    token, expires = new_token("kbs"), now + SESSION_TTL
    s.add(StaffSession(token_hash=token_hash(token), hall=str(who.hall), staff_id=staff.id,
                       counter=counter, terminal_id=int(who.terminal_id or 0), created_at=now,
                       expires_at=expires))
    tx.emit(str(who.hall), "staff.login", counter=counter, staff=staff.id)
    log.info("staff %s signed in at %s/%s", staff.id, who.hall, counter)
    return token, staff, expires


def logout(store: Store, who: Principal, token: str) -> None:
    """End the staff session `token` (the pad's 退出): the session goes, and the counter is
    no longer shown as staffed by its holder once none of their sessions there is left; where
    another staff member's session at that counter lives on, the counter is shown as theirs
    (it showed "closed" while they still called). A ticket still at the counter stays there,
    for whoever logs in next."""
    if who.kind != "staff" or who.hall is None:
        raise Forbidden("staff_session_required", "请先登录 / a staff session is required")
    with store.write() as tx:
        s = tx.session
        row = s.scalars(select(StaffSession).where(
            StaffSession.token_hash == token_hash(token))).first()
        if row is None:
            return
        s.delete(row)
        s.flush()
        # the latest live session left at the counter (its holder's own first)
        left = s.scalars(select(StaffSession).where(
            StaffSession.hall == row.hall, StaffSession.counter == row.counter,
            StaffSession.expires_at > tx.now)
            .order_by((StaffSession.staff_id == row.staff_id).desc(),
                      StaffSession.created_at.desc(), StaffSession.id.desc()).limit(1)).first()
        counter = s.get(Counter, (row.hall, row.counter))
        if counter is not None and counter.staff_id == row.staff_id:
            counter.staff_id = left.staff_id if left is not None else None
        tx.emit(row.hall, "staff.logout", counter=row.counter, staff=row.staff_id)
        log.info("staff %s signed out at %s/%s", row.staff_id, row.hall, row.counter)
