"""Keeping the figures up to date from committed events: a fold reads the events after its
watermark (`fig_state`), re-derives every ticket they name from its rows (domain.figures), and
applies the difference from what that ticket contributed before (`fig_facts`) to the aggregate
rows, in one unit of work. Nothing on the hot paths changes: issue and the counter actions only
write their events, as before.

Exact, not eventual, where it matters: a reading of the figures first folds whatever is pending
(`catch_up`), so it includes every commit before it. A hall's event ids become visible in commit
order, so nothing is ever left behind its watermark (one per hall). On PostgreSQL the fold locks
the hall's watermark row: several server processes fold a hall one at a time. Any change to a ticket, its stages or its ratings
must write an event that names the ticket (`ticket` or `to_ticket` in its payload)."""

from __future__ import annotations

import time
from array import array
from collections import Counter
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from queue_server.db.models import (
    Evaluation,
    EventRow,
    FigDurations,
    FigFacts,
    FigStages,
    FigState,
    FigTickets,
    HallEventSeq,
    Stage,
    Ticket,
)
from queue_server.db.store import Store
from queue_server.db.unit import EventRows, Tx, observe_commits
from queue_server.domain.figures import (
    STAGE_COUNTS,
    TICKET_COUNTS,
    Delta,
    Key,
    TicketFacts,
    facts_of,
)
from queue_server.usecases.halls import load_hall

BATCH = 2000  # events a unit folds at most: keeps the write lock short
STEP = 250  # events a background unit folds (about 15 ms) before it looks for requests again
_EVENTS, _STATE = cast(Table, EventRow.__table__), cast(Table, FigState.__table__)
_TICKETS, _STAGES = cast(Table, Ticket.__table__), cast(Table, Stage.__table__)
_EVALS, _FACTS = cast(Table, Evaluation.__table__), cast(Table, FigFacts.__table__)
_FT, _FS = cast(Table, FigTickets.__table__), cast(Table, FigStages.__table__)
_FD = cast(Table, FigDurations.__table__)
_KEY = ("zone", "service", "counter", "staff")
_SEQ = cast(Table, HallEventSeq.__table__)
_WATERMARK = select(_STATE.c.last_event).where(_STATE.c.hall == bindparam("hall"))
# Halls whose last event id is past their watermark (a hall never folded has none).
_BEHIND = (select(_SEQ.c.hall).select_from(_SEQ.outerjoin(_STATE, _STATE.c.hall == _SEQ.c.hall))
           .where(_SEQ.c.last > func.coalesce(_STATE.c.last_event, 0)).order_by(_SEQ.c.hall))
_LATER = (select(_EVENTS.c.id, _EVENTS.c.payload)
          .where(_EVENTS.c.hall == bindparam("hall"), _EVENTS.c.id > bindparam("after"))
          .order_by(_EVENTS.c.id).limit(bindparam("limit")))
_HALL_LAST = select(_SEQ.c.last).where(_SEQ.c.hall == bindparam("hall"))
_IDS = bindparam("ids", expanding=True)


def pending(conn: Connection) -> bool:
    return conn.execute(_BEHIND.limit(1)).first() is not None


def set_watermark(conn: Connection, hall: str, last_event: int) -> None:
    """The hall's events up to `last_event` are folded (its row made on first use)."""
    maker = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(maker(_STATE).values(hall=hall, last_event=last_event)
                 .on_conflict_do_update(index_elements=["hall"],
                                        set_={"last_event": last_event}))


def fold_once(tx: Tx, limit: int = BATCH) -> int:
    """Fold up to `limit` events after the watermarks, the halls behind in turn; answers how
    many were folded."""
    conn, folded = tx.conn, 0
    for (hall,) in conn.execute(_BEHIND).all():
        if folded >= limit:
            break
        folded += _fold_hall(conn, hall, limit - folded)
    return folded


def _fold_hall(conn: Connection, hall: str, limit: int) -> int:
    lock = _WATERMARK.with_for_update() if conn.dialect.name == "postgresql" else _WATERMARK
    after = int(conn.execute(lock, {"hall": hall}).scalar() or 0)
    # Read first: every id up to the hall's committed last id belongs to a committed event.
    last = int(conn.execute(_HALL_LAST, {"hall": hall}).scalar() or 0)
    rows = conn.execute(_LATER, {"hall": hall, "after": after, "limit": limit}).all()
    if not rows:
        if last > after:  # ids no event of the hall has (the sequences of migration 0008)
            set_watermark(conn, hall, last)
        return 0
    named: set[str] = set()
    for row in rows:
        payload = row.payload or {}
        named.update(str(payload[k]) for k in ("ticket", "to_ticket") if payload.get(k))
    if named:
        _refold(conn, sorted(named))
    set_watermark(conn, hall, int(rows[-1].id))
    return len(rows)


def _refold(conn: Connection, ids: list[str]) -> None:
    tickets = {r.id: r for r in conn.execute(select(_TICKETS).where(_TICKETS.c.id.in_(_IDS)),
                                             {"ids": ids})}
    journeys: dict[str, list[Any]] = {}
    for st in conn.execute(select(_STAGES).where(_STAGES.c.ticket_id.in_(_IDS))
                           .order_by(_STAGES.c.id), {"ids": ids}):
        journeys.setdefault(st.ticket_id, []).append(st)
    levels = {int(r.stage_id): int(r.level) for r in conn.execute(
        select(_EVALS.c.stage_id, _EVALS.c.level).where(_EVALS.c.ticket_id.in_(_IDS)),
        {"ids": ids})}
    old = {r.ticket_id: TicketFacts.from_json(r.hall, r.day, r.facts) for r in conn.execute(
        select(_FACTS).where(_FACTS.c.ticket_id.in_(_IDS)), {"ids": ids})}
    delta, changed = Delta(), []
    for tid, ticket in tickets.items():
        hall = load_hall(conn, ticket.hall)
        tz = hall.timezone if hall is not None else "Asia/Shanghai"
        new = facts_of(ticket, journeys.get(tid, []), levels, tz)
        if old.get(tid) != new:
            delta.change(old.get(tid), new)
            changed.append((tid, new, tid in old))
    delta.compact()
    apply(conn, delta)
    _save_facts(conn, changed)


def _save_facts(conn: Connection, changed: list[tuple[str, TicketFacts, bool]]) -> None:
    fresh = [{"ticket_id": t, "hall": f.hall, "day": f.day, "facts": f.to_json()}
             for t, f, known in changed if not known]
    known = [{"t": t, "f": f.to_json()} for t, f, was in changed if was]
    if fresh:
        conn.execute(_FACTS.insert(), fresh)
    if known:
        conn.execute(update(_FACTS).where(_FACTS.c.ticket_id == bindparam("t"))
                     .values(facts=bindparam("f", type_=_FACTS.c.facts.type)), known)


def _upsert(conn: Connection, table: Table, counts: tuple[str, ...]) -> Any:
    dialect_insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = dialect_insert(table)
    pk = [c.name for c in table.primary_key.columns]
    return stmt.on_conflict_do_update(
        index_elements=pk, set_={c: table.c[c] + stmt.excluded[c] for c in counts})


def _count_rows(table: dict[tuple[str, date, Key], list[int]], counts: tuple[str, ...]
                ) -> list[dict[str, Any]]:
    return [{"hall": hall, "day": day, **dict(zip(_KEY, key, strict=True)),
             **dict(zip(counts, vector, strict=True))}
            for (hall, day, key), vector in sorted(table.items())]


def apply(conn: Connection, delta: Delta) -> None:
    """Add `delta` to the aggregate rows (counts by upsert, durations by rewriting arrays)."""
    if delta.tickets:
        conn.execute(_upsert(conn, _FT, TICKET_COUNTS), _count_rows(delta.tickets, TICKET_COUNTS))
    if delta.stages:
        conn.execute(_upsert(conn, _FS, STAGE_COUNTS), _count_rows(delta.stages, STAGE_COUNTS))
    if delta.durations:
        _apply_durations(conn, delta.durations)


_DAY_ARRAYS = select(_FD).where(_FD.c.hall == bindparam("hall"), _FD.c.day == bindparam("day"))
_SET_ARRAY = update(_FD).where(*[_FD.c[k] == bindparam(f"k_{k}") for k in (
    "hall", "day", "kind", *_KEY)]).values(n=bindparam("n"), data=bindparam("data"))


def _apply_durations(conn: Connection, changes: dict[tuple[str, date, str, Key], Counter[int]]
                     ) -> None:
    """Rewrite the arrays that change: each (hall, day) read in one query, written in two."""
    fresh, known = [], []
    by_day: dict[tuple[str, date], list[tuple[str, Key, Counter[int]]]] = {}
    for (h, d, kind, key), change in changes.items():
        by_day.setdefault((h, d), []).append((kind, key, change))
    for (hall, day), todo in sorted(by_day.items()):
        stored = {(r.kind, (r.zone, r.service, r.counter, r.staff)): r.data
                  for r in conn.execute(_DAY_ARRAYS, {"hall": hall, "day": day})}
        for kind, key, change in todo:
            data = stored.get((kind, key))
            values = decode(data) if data is not None else array("i")
            for value, n in sorted(change.items()):
                if n > 0:
                    values.extend([value] * n)
                for _ in range(-n):
                    values.remove(value)
            where = {"hall": hall, "day": day, "kind": kind, **dict(zip(_KEY, key, strict=True))}
            if data is None:
                fresh.append({**where, "n": len(values), "data": encode(values)})
            else:
                known.append({**{f"k_{k}": v for k, v in where.items()}, "n": len(values),
                              "data": encode(values)})
    if fresh:
        conn.execute(_FD.insert(), fresh)
    if known:
        conn.execute(_SET_ARRAY, known)


def encode(values: array[int]) -> bytes:
    out = array("i", values)
    if out.itemsize != 4:
        raise RuntimeError("int32 arrays expected")
    return out.tobytes() if _LITTLE else _swapped(out)


def decode(data: bytes) -> array[int]:
    out = array("i")
    out.frombytes(data)
    if not _LITTLE:
        out.byteswap()
    return out


def _swapped(values: array[int]) -> bytes:
    values.byteswap()
    return values.tobytes()


_LITTLE = array("i", [1]).tobytes()[0] == 1


def catch_up(store: Store, limit: int = BATCH) -> int:
    """Fold everything committed so far, one unit per `limit` events; answers how many.
    Nothing pending (the usual case when the background fold keeps up) takes no write lock."""
    total = 0
    if not needs_fold(store):
        return 0
    while True:
        with store.write() as tx:
            done = fold_once(tx, limit)
        total += done
        if done < limit:
            return total


def fold_step(store: Store, limit: int = STEP) -> int:
    """One unit of at most `limit` events, if any are pending; answers how many."""
    if not needs_fold(store):
        return 0
    with store.write() as tx:
        return fold_once(tx, limit)


def needs_fold(store: Store) -> bool:
    with store.read() as s:
        return pending(s.connection())


# When the last commit with events happened in this process: the background fold waits for a
# quiet moment (usecases never fold on the hot path; see api/app.py).
_LAST_WRITE = [0.0]


def _note(rows: EventRows) -> None:
    _LAST_WRITE[0] = time.monotonic()


observe_commits(_note)


def quiet_for() -> float:
    return time.monotonic() - _LAST_WRITE[0]
