"""Notifications to citizens through the hall's gateway (an SMS or WeChat template service), by
way of an outbox: a use case adds a row in its own transaction (so a message exists exactly when
the change is durable), and `deliver_due` sends what is due, at least once, surviving restarts.

Sending is leased: due rows are claimed (their `next_at` moved a lease ahead; `SKIP LOCKED` on
PostgreSQL, so several server processes share the work), sent outside any transaction, then
marked sent or scheduled again with exponential backoff until the hall's `max_attempts`. A
process that dies mid-send leaves the lease to expire and the row is sent again.

What is sent: a JSON body signed with the hall's webhook secret (HMAC-SHA256 over the exact body
bytes, `X-Kuaiban-Signature: sha256=<hex>`; the body carries `timestamp`, equal to the
`X-Kuaiban-Timestamp` header, so the signature covers it). The phone number is read from the
sealed delivery row at send time; the outbox holds no personal datum. Without a webhook the
message is only logged (number and kind, no phone)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, delete, func, or_, select, update

from queue_server.db.models import Delivery, OutboxRow
from queue_server.db.store import Store
from queue_server.db.unit import Tx, observe_commits
from queue_server.domain.clock import iso
from queue_server.domain.hall import HallInfo
from queue_server.domain.sealing import SealBroken, sign, unseal, webhook_secret
from queue_server.usecases.halls import load_hall

log = logging.getLogger(__name__)
_OUTBOX = cast(Table, OutboxRow.__table__)
LEASE = timedelta(seconds=60)
WAKE_ON = frozenset({"case.ready", "case.supplement"})


@dataclass(frozen=True)
class Outgoing:
    """One signed request to the hall's gateway."""

    url: str
    body: bytes
    headers: dict[str, str]


Send = Callable[[Outgoing], None]  # raises on any failure (refused, timed out, 5xx)


def enqueue(tx: Tx, hall: HallInfo, kind: str, ticket_id: str, payload: dict[str, Any],
            delay_s: float = 0.0) -> None:
    """A message to send once this unit commits (its `kind` event wakes the sender), or
    `delay_s` seconds later (while what it tells may still be taken back)."""
    tx.conn.execute(_OUTBOX.insert(), {
        "hall": hall.id, "kind": kind, "ticket_id": ticket_id, "payload": payload,
        "created_at": tx.now, "attempts": 0, "next_at": tx.now + timedelta(seconds=delay_s),
        "sent_at": None, "failed_at": None, "last_error": None})


def withdraw(tx: Tx, kind: str, ticket_id: str) -> None:
    """Messages of `kind` about a ticket not sent yet are not sent (what they told was taken
    back within the undo window)."""
    tx.conn.execute(delete(_OUTBOX).where(_OUTBOX.c.kind == kind,
                                          _OUTBOX.c.ticket_id == ticket_id,
                                          _OUTBOX.c.sent_at.is_(None)))


def _due(now: datetime) -> Any:
    return select(_OUTBOX).where(_OUTBOX.c.sent_at.is_(None), _OUTBOX.c.failed_at.is_(None),
                                 _OUTBOX.c.next_at <= now)


def _claim(store: Store, limit: int) -> list[Any]:
    with store.write() as tx:
        rows = list(tx.conn.execute(_due(tx.now).order_by(_OUTBOX.c.next_at, _OUTBOX.c.id)
                                    .limit(limit).with_for_update(skip_locked=True)))
        for row in rows:
            tx.conn.execute(update(_OUTBOX).where(_OUTBOX.c.id == row.id).values(
                next_at=tx.now + LEASE, attempts=row.attempts + 1))
        return rows


def _phone(store: Store, hall: HallInfo, ticket_id: str) -> str | None:
    with store.read() as s:
        row = s.get(Delivery, ticket_id)
        if row is None or row.contact is None:
            return None
        try:
            return unseal(hall.secret, hall.id, row.contact).get("phone")
        except SealBroken:
            log.warning("notify %s: the contact of a ticket does not open", hall.id)
            return None


def outgoing(hall: HallInfo, row: Any, phone: str | None, now: datetime) -> Outgoing:
    """The signed request for one outbox row."""
    stamp = str(int(now.timestamp()))
    body = json.dumps({"event": row.kind, "id": row.id, "hall": hall.id,
                       "hall_name": hall.name, "ticket": row.ticket_id, **row.payload,
                       "phone": phone, "timestamp": int(stamp), "sent_at": iso(now)},
                      ensure_ascii=False, sort_keys=True).encode()
    return Outgoing(str(hall.webhook), body, {
        "Content-Type": "application/json", "X-Kuaiban-Event": row.kind,
        "X-Kuaiban-Delivery": str(row.id), "X-Kuaiban-Timestamp": stamp,
        "X-Kuaiban-Signature": sign(webhook_secret(hall.secret, hall.id), body)})


def _settle(store: Store, row: Any, hall: HallInfo | None, error: str | None,
            backoff_s: float) -> None:
    with store.write() as tx:
        if error is None:
            values: dict[str, Any] = {"sent_at": tx.now, "last_error": None}
        elif hall is None or row.attempts + 1 >= hall.notify_attempts:
            values = {"failed_at": tx.now, "last_error": error[:200]}
            log.warning("notify %s: gave up on message %s after %s attempts: %s",
                        row.hall, row.id, row.attempts + 1, error)
        else:
            delay = min(backoff_s * 2 ** row.attempts, 3600.0)
            values = {"next_at": tx.now + timedelta(seconds=delay), "last_error": error[:200]}
        tx.conn.execute(update(_OUTBOX).where(_OUTBOX.c.id == row.id).values(**values))


def deliver_due(store: Store, send: Send, backoff_s: float = 10.0, limit: int = 50) -> int:
    """Send every message due now; answers how many went out."""
    sent = 0
    for row in _claim(store, limit):
        with store.read() as s:
            hall = load_hall(s, row.hall)
        error: str | None = "unknown hall" if hall is None else None
        if hall is not None and hall.webhook is None:
            log.info("notify %s: %s of ticket %s (no webhook configured: logged only)",
                     hall.id, row.kind, row.payload.get("number"))
        elif hall is not None:
            try:
                send(outgoing(hall, row, _phone(store, hall, row.ticket_id), store.clock()))
            except Exception as exc:  # noqa: BLE001 - any failure of the receiver: retry later
                error = f"{type(exc).__name__}: {exc}"
                log.info("notify %s: message %s failed (%s); will retry", hall.id, row.id, error)
        _settle(store, row, hall, error, backoff_s)
        sent += error is None
    return sent


def next_due(store: Store) -> datetime | None:
    """When the next message falls due (None: nothing waits)."""
    with store.read() as s:
        return cast(datetime | None, s.execute(select(func.min(_OUTBOX.c.next_at)).where(
            _OUTBOX.c.sent_at.is_(None), _OUTBOX.c.failed_at.is_(None))).scalar())


def pending(store: Store, hall: str | None = None) -> list[dict[str, Any]]:
    """The outbox as plain rows (for tests and an administrator's look)."""
    with store.read() as s:
        query = select(_OUTBOX).order_by(_OUTBOX.c.id)
        if hall is not None:
            query = query.where(or_(_OUTBOX.c.hall == hall))
        return [dict(r._mapping) for r in s.execute(query)]


_WAKERS: list[Callable[[], None]] = []


def on_new_messages(wake: Callable[[], None]) -> None:
    """Call `wake` (from the committing thread) after a commit that added a message."""
    _WAKERS.append(wake)


def forget_waker(wake: Callable[[], None]) -> None:
    if wake in _WAKERS:
        _WAKERS.remove(wake)


def _wake_on_events(rows: list[dict[str, Any]]) -> None:
    if any(row["type"] in WAKE_ON for row in rows):
        for wake in list(_WAKERS):
            wake()


observe_commits(_wake_on_events)


def gateway_settings(store: Store, hall_id: str) -> tuple[str, str | None] | None:
    """(webhook signing secret, webhook URL) of a hall, for its gateway's operator; None
    when there is no such hall."""
    with store.read() as s:
        hall = load_hall(s, hall_id)
        return (webhook_secret(hall.secret, hall.id), hall.webhook) if hall else None
