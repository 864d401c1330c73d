"""Call-next's candidates from the database, built from the policy's own tiers
(`domain.policy.TIERS`): for each tier the first waiting stage by the tier's order, each
`FOR UPDATE SKIP LOCKED` on PostgreSQL, then `policy.choose` decides. Nothing here orders or
filters by a rule of its own; tests/queue_server/test_call_order.py checks the pick equals
`policy.pick_next` over all waiting stages.

Index use (migration 0002): the targeted tier is one seek in ix_stage_target; the priority tier
one short range of ix_stage_call (priority stages are few); the normal tier one seek per service
in the counter's order until one answers (the same order as a ranked ORDER BY, without sorting
the zone's whole queue). On SQLite all of these go to the database as one statement
(`_all_tiers`), each still its own seek; a statement costs far more in SQLAlchemy than a seek
in SQLite."""

from __future__ import annotations

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
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql.selectable import TextualSelect

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


def _first(conn: Connection, tier: Tier, caller: Caller, hall: str) -> Row[Any] | None:
    where = {"hall": hall}
    if tier.ranked and not tier.priority:
        # Normal stages are many: one index seek per service, in the counter's order.
        for service in caller.services:
            row = conn.execute(_query(tier, caller, (service,)), where).first()
            if row is not None:
                return row
        return None
    return conn.execute(_query(tier, caller, caller.services), where).first()


_ALL_TIERS: dict[tuple[str, str, str, tuple[str, ...]], TextualSelect] = {}


def _all_tiers(conn: Connection, hall: str, caller: Caller) -> TextualSelect:
    """SQLite: the queries `_first` runs, every tier's and every service's, as one statement
    of UNION ALL, each member labelled with its tier (and the normal tier's members with their
    rank in the counter's order of services, of which only the first that answers is kept):
    one statement instead of up to two plus one per service, each member still one index
    seek. Its values are those of one counter, so it is rendered once with them in place
    (SQLAlchemy quotes them) and kept as text with typed columns: no parameters to process at
    each call. PostgreSQL keeps one query at a time (FOR UPDATE SKIP LOCKED is not allowed in
    a UNION)."""
    key = (hall, caller.code, caller.zone, caller.services)
    built = _ALL_TIERS.get(key)
    if built is None:
        members: list[Select[Any]] = []
        for tier in policy.TIERS:
            label = literal_column(f"'{tier.name}'").label("tier_")
            if tier.ranked and not tier.priority:
                ranked = [select(literal_column(str(rank)).label("rank_"),
                                 *_query(tier, caller, (service,)).subquery().c)
                          for rank, service in enumerate(caller.services)]
                if not ranked:
                    continue
                first = union_all(*ranked).subquery()
                first = select(first).order_by(first.c.rank_).limit(1).subquery()
                members.append(select(label, *(first.c[c.name] for c in _STAGES.c)))
            else:
                sub = _query(tier, caller, caller.services).subquery()
                members.append(select(label, *sub.c))
        sql = str(union_all(*members).params(hall=hall).compile(
            dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        built = _ALL_TIERS[key] = text(sql.replace(":", "\\:")).columns(
            literal_column("tier_", String), *_STAGES.c)
    return built


def _firsts(conn: Connection, caller: Caller, hall: str) -> dict[str, Any]:
    """The first stage of each tier (by tier name; None where the tier has none)."""
    if conn.dialect.name != "sqlite":
        return {tier.name: _first(conn, tier, caller, hall) for tier in policy.TIERS}
    firsts: dict[str, Any] = {tier.name: None for tier in policy.TIERS}
    for row in conn.execute(_all_tiers(conn, hall, caller)):
        firsts[row.tier_] = row
    return firsts


def candidate(row: Any) -> Candidate:
    return Candidate(row.id, row.zone, row.service, row.priority, row.target_counter,
                     row.sort_at)


def pick(conn: Connection, hall: str, caller: Caller) -> Record | None:
    """The stage `caller` calls next, as a record to update (locked on PostgreSQL)."""
    rows = _firsts(conn, caller, hall)
    first = {name: candidate(row) if row is not None else None for name, row in rows.items()}
    picked = policy.choose(first, caller)
    if picked is None:
        return None
    row = next(r for r in rows.values() if r is not None and r.id == picked.stage_id)
    return Record(_STAGES, {column.name: row._mapping[column.name] for column in _STAGES.c})
