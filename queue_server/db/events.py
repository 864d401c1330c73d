"""The one event writer: gives a transaction's events their ids and inserts the rows, for both
the group commit (SQLite) and a PostgreSQL unit of work; and reads them back for the hub.

Ids come from the `event_seq` row, locked by the UPDATE until the commit, so they become
visible in strictly increasing commit order: a subscriber that resumes with `after=` its last
id misses nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, text, update
from sqlalchemy.engine import Connection

from queue_server.db.models import EventRow, EventSeq
from queue_server.domain.clock import iso

NOTIFY_CHANNEL = "kuaiban_events"
_SEQ = cast(Table, EventSeq.__table__)
_EVENTS = cast(Table, EventRow.__table__)
_TAKE_IDS = (update(_SEQ).where(_SEQ.c.id == 1).values(last=_SEQ.c.last + bindparam("n"))
             .returning(_SEQ.c.last))
_INSERT = insert(_EVENTS)
_AFTER = (select(_EVENTS).where(_EVENTS.c.id > bindparam("after")).order_by(_EVENTS.c.id)
          .limit(bindparam("limit")))
_AFTER_IN_HALL = _AFTER.where(_EVENTS.c.hall == bindparam("hall"))
_LAST_ID = select(func.max(_EVENTS.c.id))
_FIRST_FROM = (select(_EVENTS.c.id, _EVENTS.c.at).where(_EVENTS.c.id >= bindparam("x"))
               .order_by(_EVENTS.c.id).limit(1))


def pending(events: list[tuple[str, str, dict[str, Any]]], at: datetime
            ) -> list[dict[str, Any]]:
    """A unit's events as rows still without ids."""
    return [{"hall": hall, "type": type_, "at": at, "payload": payload}
            for hall, type_, payload in events]


def write(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Just before the commit: number `rows` from `event_seq` in one statement, insert them
    in one more, and answer them as the event hub hands them out. On PostgreSQL the commit
    also wakes the other server processes (NOTIFY is sent at commit)."""
    last = int(conn.execute(_TAKE_IDS, {"n": len(rows)}).scalar_one())
    first = last - len(rows) + 1
    for i, row in enumerate(rows):
        row["id"] = first + i
    conn.execute(_INSERT, rows[0] if len(rows) == 1 else rows)
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_notify(:c, '')"), {"c": NOTIFY_CHANNEL})
    return [as_event(row) for row in rows]


def as_event(row: Any) -> dict[str, Any]:
    """An event row (a dict of its columns or a Core row) as subscribers receive it."""
    m = row if isinstance(row, dict) else row._mapping
    return {**m["payload"], "id": m["id"], "type": m["type"], "at": iso(m["at"]),
            "hall": m["hall"]}


def read_after(conn: Connection, hall: str | None, after: int, limit: int
               ) -> list[dict[str, Any]]:
    query = _AFTER if hall is None else _AFTER_IN_HALL
    return [as_event(row) for row in conn.execute(
        query, {"after": after, "limit": limit, "hall": hall})]


def last_before(conn: Connection, when: datetime) -> int:
    """The id of the last event written before `when` (0 if none). Event times grow with
    their ids, so this is a binary search over ids: a few dozen primary-key reads."""
    low, high = 0, int(conn.execute(_LAST_ID).scalar() or 0)
    while low < high:  # invariant: the answer is in [low, high]
        mid = (low + high + 1) // 2
        row = conn.execute(_FIRST_FROM, {"x": mid}).first()
        if row is not None and row.at < when:
            low = row.id  # an event before `when` at or after mid
        else:
            high = mid - 1
    return low
