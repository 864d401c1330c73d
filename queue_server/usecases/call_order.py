"""Call-next's candidates from the database, built from the policy's own tiers
(`domain.policy.TIERS`): for each tier the first waiting stage by the tier's order, each
`FOR UPDATE SKIP LOCKED` on PostgreSQL, then `policy.choose` decides. Nothing here orders or
filters by a rule of its own; tests/queue_server/test_call_order.py checks the pick equals
`policy.pick_next` over all waiting stages.

Index use (migration 0002): the targeted tier is one seek in ix_stage_target; the priority tier
one short range of ix_stage_call (priority stages are few); the normal tier one seek per service
in the counter's order until one answers (the same order as a ranked ORDER BY, without sorting
the zone's whole queue). On PostgreSQL all of these go to the database as one statement
(`_union`), each still its own seek, and the normal tier's members after the first that
answers are not run, so lock nothing (test_call_order checks a concurrent caller still gets the
next service's first stage). On SQLite one statement asks every tier with the normal tier's
first service, and the later services follow one statement each only while none answers
(`_SqliteOrder`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    Select,
    String,
    Table,
    bindparam,
    case,
    literal,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.engine import Connection
from sqlalchemy.sql.selectable import TextualSelect

from queue_server.db import lean
from queue_server.db.models import Stage
from queue_server.db.records import Record
from queue_server.domain import policy
from queue_server.domain.policy import Caller, Candidate, Tier

_STAGES = cast(Table, Stage.__table__)
_WAITING = select(_STAGES).where(_STAGES.c.hall == bindparam("hall"),
                                 _STAGES.c.status == "waiting")
_BY_TIME = (_STAGES.c.sort_at, _STAGES.c.id)  # policy.order_key: issue time, then stage id
_BUILT: dict[tuple[str, str, str, tuple[str, ...]], Select[Any]] = {}


def _members(tier: Tier, caller: Caller, services: tuple[str, ...]) -> Select[Any]:
    """`policy.belongs` as a WHERE clause."""
    if tier.targeted:
        return _WAITING.where(_STAGES.c.target_counter == caller.code)
    # The services as plain parameters (`=` for one): an expanding IN is rendered again at
    # every execution, and call-next runs these on every call.
    service = (_STAGES.c.service == services[0] if len(services) == 1
               else _STAGES.c.service.in_([literal(code) for code in services]))
    return _WAITING.where(_STAGES.c.target_counter.is_(None), _STAGES.c.zone == caller.zone,
                          _STAGES.c.priority == tier.priority, service)


def _query(tier: Tier, caller: Caller, services: tuple[str, ...]) -> Select[Any]:
    """The first stage of `tier` among `services` by `policy.order_key` (built once per
    counter set-up)."""
    key = (tier.name, caller.code, caller.zone, services)
    built = _BUILT.get(key)
    if built is None:
        order = _BY_TIME
        if tier.ranked and len(services) > 1:
            rank = case({code: i for i, code in enumerate(services)},
                        value=_STAGES.c.service, else_=len(services))
            order = (rank, *_BY_TIME)
        built = (_members(tier, caller, services).order_by(*order).limit(1)
                 .with_for_update(skip_locked=True))
        _BUILT[key] = built
    return built


_ALL_TIERS: dict[tuple[str, str, str, tuple[str, ...]], TextualSelect] = {}


def _union(caller: Caller, ranked: tuple[str, ...] | None = None) -> Select[Any]:
    """Every tier's `_query` (the normal tier's one per service, in the counter's order) as one
    statement of UNION ALL, each member labelled with its tier (and the normal tier's members with their rank in
    the counter's order of services, of which only the first that answers is kept): one
    statement instead of up to two plus one per service, each member still one index seek.

    PostgreSQL: each member is its own subquery `LIMIT 1 FOR UPDATE SKIP LOCKED` (the locking
    clause is not allowed on a UNION itself, it is in a subquery of FROM), and the normal
    tier's members have no ORDER BY rank: a sort would run every member, locking the first
    stage of every service. Without it the members run in the counter's order (a plain,
    never parallel, Append: a query that locks rows is never parallel) and the LIMIT stops at
    the first that answers, so a service after it is not read and nothing of it locked: the
    same stages locked as running the queries one after the other until one answers.

    `ranked`: the services whose members the normal tier has (default: all the counter's).
    SQLite's has only the first (`_SqliteOrder`): its order needs no ORDER BY."""
    members: list[Select[Any]] = []
    for tier in policy.TIERS:
        label = literal_column(f"'{tier.name}'").label("tier_")
        if tier.ranked and not tier.priority:
            per_service = [select(literal_column(str(rank)).label("rank_"),
                                  *_query(tier, caller, (service,)).subquery().c)
                           for rank, service in enumerate(
                               caller.services if ranked is None else ranked)]
            if not per_service:
                continue
            first = select(union_all(*per_service).subquery()).limit(1).subquery()
            members.append(select(label, *(first.c[c.name] for c in _STAGES.c)))
        else:
            sub = _query(tier, caller, caller.services).subquery()
            members.append(select(label, *sub.c))
    return cast(Select[Any], union_all(*members))


@dataclass(frozen=True)
class _SqliteOrder:
    """SQLite: one counter's candidates. `head` answers every tier's first stage, the normal
    tier's among the counter's first service only; when that has nobody, the later services
    (`rest`) are asked one by one, in the counter's order, until one answers. A UNION of them
    all would need ORDER BY rank (SQLite does not define the order of a UNION's rows without
    one), and that runs every member and sorts: 0.36 ms a pick with ten services, against
    0.05 ms for the head alone."""

    head: TextualSelect
    rest: tuple[str, ...]


def _ranked_first(tier: Tier) -> Select[Any]:
    """A ranked tier's first stage of one service (parameters: hall, zone, service)."""
    return lean.hot(_WAITING.where(
        _STAGES.c.target_counter.is_(None), _STAGES.c.zone == bindparam("zone"),
        _STAGES.c.priority == tier.priority, _STAGES.c.service == bindparam("service"))
        .order_by(*_BY_TIME).limit(1))


_NORMAL = next(tier for tier in policy.TIERS if tier.ranked and not tier.priority)
_NORMAL_FIRST = _ranked_first(_NORMAL)


def _all_tiers(conn: Connection, hall: str, caller: Caller) -> _SqliteOrder:
    """SQLite: the head of `_SqliteOrder` for one counter. Its values are those of one counter,
    so it is rendered once with them in place (SQLAlchemy quotes them) and kept as text with
    typed columns: no parameters to process at each call."""
    head = _union(caller, ranked=caller.services[:1])
    sql = str(head.params(hall=hall).compile(dialect=conn.dialect,
                                             compile_kwargs={"literal_binds": True}))
    return _SqliteOrder(lean.hot(text(sql.replace(":", "\\:")).columns(
        literal_column("tier_", String), *_STAGES.c)), caller.services[1:])


def _all_tiers_pg(conn: Connection, hall: str, caller: Caller) -> tuple[str, dict[str, Any]]:
    """PostgreSQL: `_union` compiled into the driver's SQL and its parameters. The text is the
    same for every counter with as many services (values are parameters), so psycopg prepares
    it once per connection and PostgreSQL keeps one generic plan (values in place would make
    one statement per counter: beyond psycopg's 100 prepared statements a connection with
    twenty halls' counters, planned again at each call). Run as driver SQL: no cache key of
    this long statement for SQLAlchemy to walk at each call (~40 µs of a pick's ~300)."""
    compiled = _union(caller).compile(dialect=conn.dialect)
    return compiled.string, {**compiled.params, "hall": hall}


# Each counter's statement, built once (by dialect, hall, counter, zone and services).
_STATEMENTS: dict[tuple[str, str, str, str, tuple[str, ...]],
             _SqliteOrder | tuple[str, dict[str, Any]]] = {}


def _statement(conn: Connection, hall: str, caller: Caller
               ) -> _SqliteOrder | tuple[str, dict[str, Any]]:
    key = (conn.dialect.name, hall, caller.code, caller.zone, caller.services)
    built = _STATEMENTS.get(key)
    if built is None:
        build = _all_tiers if conn.dialect.name == "sqlite" else _all_tiers_pg
        built = _STATEMENTS[key] = build(conn, hall, caller)
    return built


def prepare(conn: Connection, hall: str, callers: list[Caller]) -> None:
    """Build these counters' candidate SQL ahead of their first call. Built on the first
    call instead, it costs some 17 ms a counter with the example hall's services, in the
    writer: after a restart, 16 counters calling at once held every request 280 ms."""
    for caller in callers:
        _statement(conn, hall, caller)


def _firsts(conn: Connection, caller: Caller, hall: str) -> dict[str, Any]:
    """The first stage of each tier (by tier name; None where the tier has none)."""
    firsts: dict[str, Any] = {tier.name: None for tier in policy.TIERS}
    built = _statement(conn, hall, caller)
    if isinstance(built, tuple):
        for row in lean.driver_rows(conn, *built):
            firsts[row.tier_] = row
        return firsts
    for row in lean.rows(conn, built.head):
        firsts[row.tier_] = row
    if firsts[_NORMAL.name] is None:
        for service in built.rest:
            row = lean.first(conn, _NORMAL_FIRST, {"hall": hall, "zone": caller.zone,
                                                    "service": service})
            if row is not None:
                firsts[_NORMAL.name] = row
                break
    return firsts


def candidate(row: Any) -> Candidate:
    return Candidate(row.id, row.zone, row.service, row.priority, row.target_counter,
                     row.sort_at, row.deadline)


_BY_DEADLINE = (_STAGES.c.deadline.is_(None), _STAGES.c.deadline, *_BY_TIME)


def _approval_firsts(conn: Connection, caller: Caller, hall: str) -> dict[str, Any]:
    """An approval post's first stage of each tier, its ranked tiers by deadline
    (`policy.order_key`): one query a tier, over a back office's queue of cases (tens or
    hundreds, not a hall's morning), so no per-service seeks."""
    firsts: dict[str, Any] = {}
    for tier in policy.TIERS:
        query = (_members(tier, caller, caller.services)
                 .order_by(*(_BY_DEADLINE if tier.ranked else _BY_TIME)).limit(1)
                 .with_for_update(skip_locked=True))
        firsts[tier.name] = conn.execute(query, {"hall": hall}).first()
    return firsts


def pick(conn: Connection, hall: str, caller: Caller) -> Record | None:
    """The stage `caller` calls next, as a record to update (locked on PostgreSQL)."""
    rows = (_approval_firsts if caller.zone == "approval" else _firsts)(conn, caller, hall)
    first = {name: candidate(row) if row is not None else None for name, row in rows.items()}
    picked = policy.choose(first, caller)
    if picked is None:
        return None
    row = next(r for r in rows.values() if r is not None and r.id == picked.stage_id)
    return Record(_STAGES, {column.name: getattr(row, column.name) for column in _STAGES.c})
