"""The one event writer: gives a transaction's events their ids and inserts the rows, for both
the group commit (SQLite) and a PostgreSQL unit of work (and, on PostgreSQL, the CTEs with
which the issue's one statement writes its event beside its ticket: `pg_event_ctes`); and reads
them back for the hub.

Ids are per hall (a subscriber follows one hall): each hall's row in `hall_event_seq` is locked
by the statement that takes its ids (an upsert: a hall's first event makes it) until the
commit, so a hall's ids become visible in strictly increasing commit
order and a subscriber that resumes with `after=` its last id misses nothing. Halls never wait
on each other, and within a hall the lock is taken last, just before the commit: what must be
serialised is serialised per hall and as briefly as the commit allows.

On PostgreSQL the other server processes learn which halls wrote from a NOTIFY on
`NOTIFY_CHANNEL` (payload: the halls, comma-separated), sent by `Announcer` after the commit
and not inside the transaction: PostgreSQL serialises the commits of all transactions that
notify, of every database, under one lock held through their WAL flush, so a NOTIFY in every
unit made all halls and servers take turns to commit (without any NOTIFY one server gave
7-22 % more issues a second here)."""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Integer, String, Table, bindparam, func, insert, literal, select, text
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.sql.selectable import CTE, FromClause, TextualSelect

from queue_server.db import lean
from queue_server.db.busy import first_line
from queue_server.db.models import EventRow, HallEventSeq
from queue_server.domain.clock import iso

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "kuaiban_events"
_SEQ = cast(Table, HallEventSeq.__table__)
_EVENTS = cast(Table, EventRow.__table__)
# SQLite: a hall's next `n` ids, its row made by its first event (as `_pg_write` does).
_UPSERT = sqlite_insert(_SEQ).values(hall=bindparam("h"), last=bindparam("n"))
_TAKE_IDS = lean.hot(_UPSERT.on_conflict_do_update(
    index_elements=[_SEQ.c.hall], set_={"last": _SEQ.c.last + _UPSERT.excluded.last})
    .returning(_SEQ.c.last))
_INSERT = lean.insert_of(_EVENTS, ("hall", "id", "type", "at", "payload"))
_IN_HALL = _EVENTS.c.hall == bindparam("hall")
_AFTER = (select(_EVENTS).where(_IN_HALL, _EVENTS.c.id > bindparam("after"))
          .order_by(_EVENTS.c.id).limit(bindparam("limit")))
_ALL_AFTER = (select(_EVENTS).where(_EVENTS.c.id > bindparam("after"))
              .order_by(_EVENTS.c.hall, _EVENTS.c.id).limit(bindparam("limit")))
_LAST_ID = select(func.max(_EVENTS.c.id)).where(_IN_HALL)
_FIRST_FROM = (select(_EVENTS.c.id, _EVENTS.c.at).where(_IN_HALL, _EVENTS.c.id >= bindparam("x"))
               .order_by(_EVENTS.c.id).limit(1))


def pending(events: list[tuple[str, str, dict[str, Any]]], at: datetime
            ) -> list[dict[str, Any]]:
    """A unit's events as rows still without ids."""
    return [{"hall": hall, "type": type_, "at": at, "payload": payload}
            for hall, type_, payload in events]


def _take(conn: Connection, hall: str, n: int) -> int:
    """SQLite: reserve `n` ids of `hall` (the group commit holds the write lock); answers the
    last."""
    return int(lean.scalar(conn, _TAKE_IDS, {"h": hall, "n": n}))


def write(conn: Connection, rows: list[dict[str, Any]], *, commit: bool = False
          ) -> list[dict[str, Any]]:
    """Just before the commit: number `rows` per hall (one statement a hall, halls in a fixed
    order so two transactions never wait on each other in a circle), insert them in one more,
    and answer them as the event hub hands them out."""
    halls = sorted({row["hall"] for row in rows})
    if conn.dialect.name == "postgresql":
        for hall in halls:
            _write_pg(conn, hall, [row for row in rows if row["hall"] == hall],
                      commit=commit and hall == halls[-1])
        return [as_event(row) for row in rows]
    for hall in halls:
        mine = [row for row in rows if row["hall"] == hall]
        first = _take(conn, hall, len(mine)) - len(mine) + 1
        for i, row in enumerate(mine):
            row["id"] = first + i
    lean.many(conn, _INSERT, rows)
    return [as_event(row) for row in rows]


_PG_WRITES: dict[int, TextualSelect] = {}


def _pg_write(n: int) -> TextualSelect:
    """One hall's `n` events in one statement: take the ids (locking the hall's row until the
    commit; a hall's first event makes its row, racing makers meeting in ON CONFLICT) and
    insert the rows numbered from them."""
    statement = _PG_WRITES.get(n)
    if statement is None:
        values = ", ".join(f"({i}, :t{i}, :a{i}, :p{i})" for i in range(n))
        statement = lean.hot(text(
            "WITH s AS (INSERT INTO hall_event_seq AS q (hall, last) VALUES (:h, :n)"
            " ON CONFLICT (hall) DO UPDATE SET last = q.last + EXCLUDED.last"
            " RETURNING q.last) "
            "INSERT INTO events (hall, id, type, at, payload) "
            "SELECT :h, s.last - :n + 1 + v.i, v.t, v.a, v.p "
            f"FROM s, (VALUES {values}) AS v(i, t, a, p) RETURNING id"
        ).bindparams(*(bindparam(f"a{i}", type_=_EVENTS.c.at.type) for i in range(n)),
                     *(bindparam(f"p{i}", type_=_EVENTS.c.payload.type) for i in range(n)),
                     *(bindparam(f"t{i}", type_=_EVENTS.c.type.type) for i in range(n)))
            .columns(_EVENTS.c.id))
        _PG_WRITES[n] = statement
    return statement


def _write_pg(conn: Connection, hall: str, mine: list[dict[str, Any]], commit: bool = False
              ) -> None:
    """PostgreSQL: a hall's events in one round trip; with `commit`, the transaction's COMMIT
    in the same round trip (`lean.rows_and_commit`): the hall's row stays locked while
    PostgreSQL commits, not also while the answer travels back and this side sends COMMIT."""
    params: dict[str, Any] = {"n": len(mine), "h": hall}
    for i, row in enumerate(mine):
        params.update({f"t{i}": row["type"], f"a{i}": row["at"], f"p{i}": row["payload"]})
    statement = _pg_write(len(mine))
    found = lean.rows_and_commit(conn, statement, params) if commit else None
    ids = [row.id for row in (found if found is not None else lean.rows(conn, statement, params))]
    first = min(ids)
    for i, row in enumerate(mine):
        row["id"] = first + i


def pg_event_ctes(after: FromClause, hall: Any, type_: str, at: Any, payload: Any
                  ) -> tuple[CTE, CTE]:
    """PostgreSQL, for a statement that writes one event of `hall` beside rows of its own (the
    issue's, tickets.py): the CTEs that take the hall's next id, as `_pg_write` takes it, and
    insert the event row (`at`, `payload`: SQL expressions); the second answers its `id`.
    The id is taken from `after`'s row, so the hall's row is locked after whatever `after`
    locks, in the order every unit takes them (its events last)."""
    taken = postgresql_insert(_SEQ).from_select(
        ["hall", "last"], select(hall, literal(1, Integer)).select_from(after))
    seq = (taken.on_conflict_do_update(index_elements=[_SEQ.c.hall],
                                       set_={"last": _SEQ.c.last + 1})
           .returning(_SEQ.c.last).cte("s"))
    row = (insert(_EVENTS).from_select(
        ["hall", "id", "type", "at", "payload"],
        select(hall, seq.c.last, literal(type_, String), at,
               sql_cast(payload, _EVENTS.c.payload.type)).select_from(seq))
        .returning(_EVENTS.c.id).cte("e"))
    return seq, row


def as_event(row: Any) -> dict[str, Any]:
    """An event row (a dict of its columns or a Core row) as subscribers receive it."""
    m = row if isinstance(row, dict) else row._mapping
    return {**m["payload"], "id": m["id"], "type": m["type"], "at": iso(m["at"]),
            "hall": m["hall"]}


def read_after(conn: Connection, hall: str | None, after: int, limit: int
               ) -> list[dict[str, Any]]:
    """The hall's events after id `after`, in id order (`hall` None: every hall's, hall by
    hall, for tools; a subscriber always follows one hall)."""
    query = _AFTER if hall is not None else _ALL_AFTER
    return [as_event(row) for row in conn.execute(
        query, {"after": after, "limit": limit, "hall": hall})]


def last_id(conn: Connection, hall: str) -> int:
    """The hall's last event id now visible (0 if none)."""
    return int(conn.execute(_LAST_ID, {"hall": hall}).scalar() or 0)


def last_before(conn: Connection, hall: str, when: datetime) -> int:
    """The id of the hall's last event written before `when` (0 if none). Event times grow
    with their ids, so this is a binary search over ids: a few dozen primary-key reads."""
    low, high = 0, last_id(conn, hall)
    while low < high:  # invariant: the answer is in [low, high]
        mid = (low + high + 1) // 2
        row = conn.execute(_FIRST_FROM, {"x": mid, "hall": hall}).first()
        if row is not None and row.at < when:
            low = row.id  # an event before `when` at or after mid
        else:
            high = mid - 1
    return low


def conninfo(url: str | URL) -> str:
    """The driver's connection string for a PostgreSQL SQLAlchemy URL (its password kept): the
    connections of NOTIFY's own, the `Announcer`'s and the event hubs' LISTEN."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def halls_of(rows: Iterable[dict[str, Any]]) -> set[str]:
    return {str(row["hall"]) for row in rows}


class Announcer:
    """PostgreSQL: NOTIFY the halls that committed events (`announce`, from any thread), from
    a thread of its own on a connection of its own, after the commit and off the unit's path.
    Halls announced while a NOTIFY is under way go together in the next one. A NOTIFY that
    fails is tried once more on a new connection (after a restart the old one is dead), then
    logged and dropped: the hubs' safety poll and their LISTEN's resync after a reconnect read
    what it would have woken them for. `close` sends what is queued first.

    The connection is the driver's, in autocommit: a NOTIFY is then one statement, 50 µs of
    CPU here, against 190 µs through the engine's pool (a checkout, and the isolation level
    set and reset). `backend_pid` names it, so this process's event hub can tell its own
    NOTIFYs (of events it has already handed out) from other servers'."""

    PAYLOAD = 7000  # characters a NOTIFY carries at most (PostgreSQL: under 8000 bytes)
    interval = 0.005  # seconds between two NOTIFYs at most

    def __init__(self, engine: Engine) -> None:
        self.conninfo = conninfo(engine.url)
        self._queue: queue.SimpleQueue[set[str] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._failing = False
        self._conn: Any = None  # psycopg.Connection, made on the first NOTIFY
        self.backend_pid: int | None = None  # the connection's server process, once made

    def announce(self, halls: set[str]) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._serve, daemon=True,
                                                    name="event-notify")
                    self._thread.start()
        self._queue.put(halls)

    def close(self, timeout: float = 5.0) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout)
            if not thread.is_alive():
                self._disconnect()

    def _serve(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            halls, last = set(first), False
            while not self._queue.empty():
                more = self._queue.get()
                if more is None:
                    last = True
                    break
                halls |= more
            self._send(sorted(halls))
            if last:
                return
            time.sleep(self.interval)  # what commits meanwhile goes in the next NOTIFY

    def _send(self, halls: list[str]) -> None:
        payloads, part = [], ""
        for hall in halls:
            if part and len(part) + 1 + len(hall) > self.PAYLOAD:
                payloads.append(part)
                part = ""
            part = f"{part},{hall}" if part else hall
        payloads.append(part)
        try:
            try:
                self._notify(payloads)
            except Exception:  # noqa: BLE001 - a connection lost since the last: once more
                self._disconnect()
                self._notify(payloads)
        except Exception as exc:  # noqa: BLE001 - a lost wake-up is made good by the hubs
            self._disconnect()
            if not self._failing:
                log.warning("events: NOTIFY failed (%s); other servers read the events on "
                            "their next poll", first_line(exc))
            self._failing = True
        else:
            if self._failing:
                log.warning("events: NOTIFY works again")
            self._failing = False

    def _notify(self, payloads: list[str]) -> None:
        if self._conn is None:
            import psycopg  # PostgreSQL's driver: only a PostgreSQL store has an Announcer

            self._conn = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5)
            self.backend_pid = self._conn.info.backend_pid
        for payload in payloads:
            self._conn.execute(_NOTIFY, (NOTIFY_CHANNEL, payload))

    def _disconnect(self) -> None:
        conn, self._conn, self.backend_pid = self._conn, None, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()


_NOTIFY = "SELECT pg_notify(%s, %s)"
