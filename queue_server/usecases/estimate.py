"""The estimated wait (CONTRACT.md §3 `estimated_wait_s`): people ahead in the ticket's zone and
service, times the recent service time, shared by the staffed open counters of that service.

Its inputs are kept a moment per service (a busy kiosk issues many tickets a second) and
forgotten as soon as a committed event says they changed in that hall: a stage ended or a
counter's staffing changed (`observe_commits`; nobody has to call this module to tell it)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, false, func, select

from queue_server.db import lean
from queue_server.db.models import Counter, Stage
from queue_server.db.ttl import TtlCache
from queue_server.db.unit import Db, EventRows, connection_of, db_key, observe_commits
from queue_server.domain.policy import estimate_wait_s, mean_service_s
from queue_server.usecases.halls import CACHE_S

_STAGES = cast(Table, Stage.__table__)
# Built once: these run on every answer, and building a statement costs more than running it.
_COUNTERS = cast(Table, Counter.__table__)
_AHEAD = lean.hot(select(func.count()).select_from(_STAGES).where(
    _STAGES.c.hall == bindparam("hall"), _STAGES.c.zone == bindparam("zone"),
    _STAGES.c.service == bindparam("service"), _STAGES.c.status == "waiting",
    _STAGES.c.sort_at < bindparam("before", type_=_STAGES.c.sort_at.type)))
# Staffed open counters of a zone, as codes: their services come from `_counter_services`.
_STAFFED = lean.hot(select(_COUNTERS.c.code).where(
    _COUNTERS.c.hall == bindparam("hall"), _COUNTERS.c.zone == bindparam("zone"),
    _COUNTERS.c.active, _COUNTERS.c.paused == false(), _COUNTERS.c.staff_id.is_not(None)))
# The last 20 ended stages by place in the queue: status "ended" (set with ended_at) and the
# order by sort_at let ix_stage_queue answer it in 20 index steps; ordering by id scanned the
# whole table backwards whenever a service had no recent ended stage.
_RECENT = lean.hot(select(_STAGES.c.started_at, _STAGES.c.ended_at).where(
    _STAGES.c.hall == bindparam("hall"), _STAGES.c.zone == bindparam("zone"),
    _STAGES.c.status == "ended", _STAGES.c.service == bindparam("service"),
    _STAGES.c.ended_at.is_not(None), _STAGES.c.started_at.is_not(None)
).order_by(_STAGES.c.sort_at.desc(), _STAGES.c.id.desc()).limit(20))
# Which counter serves what changes only with `provisioning init`.
_SERVICES_CACHE: TtlCache[tuple[str, str], dict[str, frozenset[str]]] = TtlCache(CACHE_S)


def _counter_services(s: Db, hall: str) -> dict[str, frozenset[str]]:
    """Each counter's services, from a short per-process cache (only the estimate uses it;
    who is staffed and open is read live)."""
    key = (db_key(s), hall)
    fresh, hit = _SERVICES_CACHE.get(key)
    if fresh and hit is not None:
        return hit
    return remember_counter_services(s, [hall])[hall]


def remember_counter_services(s: Db, halls: list[str]
                              ) -> dict[str, dict[str, frozenset[str]]]:
    """Each hall's counters' services read into `_counter_services`'s cache, all halls in one
    read (for one hall on a miss; for all at a fresh server's warm-up, `api.app._warm`).
    Answers them by hall."""
    found: dict[str, dict[str, frozenset[str]]] = {hall: {} for hall in halls}
    for hall, code, services in connection_of(s).execute(
            select(_COUNTERS.c.hall, _COUNTERS.c.code, _COUNTERS.c.services)
            .where(_COUNTERS.c.hall.in_(halls))):
        found[hall][code] = frozenset(services or ())
    key = db_key(s)
    for hall, services in found.items():
        _SERVICES_CACHE.put((key, hall), services)
    return found


def waiting_ahead(s: Db, hall: str, zone: str, service: str, before: datetime) -> int:
    return int(lean.scalar(connection_of(s), _AHEAD, {
        "hall": hall, "zone": zone, "service": service, "before": before}) or 0)


# The people waiting in a zone and service when a ticket is issued (its `ahead`): counted
# anew at most once every WAITING_S per service, and at once after any event of its hall in
# this process but an issue (a call, a transfer, a finish...); this process's own issues are
# added meanwhile (`one_more_waiting`). Counting reads every waiting row of the service (on
# PostgreSQL with a heap visit each: the rows are too fresh to be all-visible), so a long
# queue made each issue dearer: one service with thousands waiting, on SQLite, 1,369 issues/s
# at 5,500 waiting and 576/s at 16,800. Issues and calls of another server process reach
# the count within WAITING_S.
WAITING_S = 1.0
_WAITING: TtlCache[tuple[str, str, str, str], list[int]] = TtlCache(WAITING_S)


def waiting_now(s: Db, hall: str, zone: str, service: str, now: datetime) -> int:
    """The people waiting in `zone` and `service` of `hall` now (see `_WAITING`)."""
    key = (db_key(s), hall, zone, service)
    fresh, hit = _WAITING.get(key)
    if not fresh or hit is None:
        hit = _WAITING.put(key, [waiting_ahead(s, hall, zone, service, now)])
    return hit[0]


def one_more_waiting(s: Db, hall: str, zone: str, service: str) -> None:
    """This process queued a ticket in `zone` and `service` of `hall` (`waiting_now`)."""
    fresh, hit = _WAITING.get((db_key(s), hall, zone, service))
    if fresh and hit is not None:
        hit[0] += 1


_ESTIMATES: TtlCache[tuple[str, str, str, str], tuple[int, float]] = TtlCache(2.0)


def forget_estimates(hall: str) -> None:
    """A stage ended or a counter's staffing changed in `hall`: its estimates are read anew."""
    _ESTIMATES.forget(lambda key: key[1] == hall)


def estimate(s: Db, hall: str, zone: str, service: str, ahead: int) -> int:
    """People ahead × recent service time ÷ staffed open counters of that zone and service.
    The last two are kept for a moment per service (a busy kiosk issues many a second) and
    forgotten as soon as a stage ends or staffing changes in this process."""
    key = (db_key(s), hall, zone, service)
    fresh, hit = _ESTIMATES.get(key)
    if fresh and hit is not None:
        return estimate_wait_s(ahead, *hit)
    where = {"hall": hall, "zone": zone, "service": service}
    conn = connection_of(s)
    serves = _counter_services(s, hall)
    inputs = _inputs(serves, service, lean.rows(conn, _STAFFED, where),
                     lean.rows(conn, _RECENT, where))
    return estimate_wait_s(ahead, *_ESTIMATES.put(key, inputs))


def _inputs(serves: dict[str, frozenset[str]], service: str, staffed: Sequence[Any],
            recent: Sequence[Any]) -> tuple[int, float]:
    """The estimate's inputs from its reads: staffed open counters that serve `service`, and
    the mean of the recent service times."""
    open_n = sum(1 for (code,) in staffed if service in serves.get(code, ()))
    durations = [(e - b).total_seconds() for b, e in recent if b and e]
    return open_n, mean_service_s(durations)


def prefetch(s: Db, wanted: Iterable[tuple[str, str, str, datetime]]) -> None:
    """What `waiting_now` and `estimate` will want for each (hall, zone, service, now) and do
    not keep now, read into their caches in one round trip where the driver allows
    (`lean.reads`; elsewhere they read it themselves). PostgreSQL: a plain issue's unit then
    sends nothing before its own statements, not even a BEGIN: on a miss it made four round
    trips (BEGIN, the count, the counters, the recent times) before its one."""
    key = db_key(s)
    steps: list[tuple[Any, dict[str, Any]]] = []
    # per key read: (its cache key, counted, its counters' services when estimated)
    needs: list[tuple[tuple[str, str, str, str], bool, dict[str, frozenset[str]] | None]] = []
    first: dict[tuple[str, str, str], datetime] = {}
    for hall, zone, service, now in wanted:
        first.setdefault((hall, zone, service), now)
    for (hall, zone, service), now in first.items():
        where = {"hall": hall, "zone": zone, "service": service}
        full = (key, hall, zone, service)
        count = not _WAITING.get(full)[0]
        if count:
            steps.append((_AHEAD, {**where, "before": now}))
        serves = None if _ESTIMATES.get(full)[0] else _counter_services(s, hall)
        if serves is not None:
            steps += [(_STAFFED, where), (_RECENT, where)]
        if count or serves is not None:
            needs.append((full, count, serves))
    got = lean.reads(connection_of(s), steps) if steps else None
    if got is None:
        return
    answers = iter(got)
    for full, count, serves in needs:
        if count:
            _WAITING.put(full, [int(next(answers)[0][0])])
        if serves is not None:
            _ESTIMATES.put(full, _inputs(serves, full[3], next(answers), next(answers)))


# Events after which a hall's estimates are read anew: a stage ended (a new service time, one
# fewer ahead) or a counter opened, closed or changed hands.
FORGET_ON = frozenset({"ticket.finished", "ticket.no_show", "ticket.transferred",
                       "ticket.forwarded", "counter.paused", "counter.resumed", "staff.login",
                       "staff.logout", "hall.configured"})


def _forget_on_events(rows: EventRows) -> None:
    for hall in {row["hall"] for row in rows if row["type"] in FORGET_ON}:
        forget_estimates(hall)
    changed = {row["hall"] for row in rows if row["type"] != "ticket.issued"}
    if changed:  # anything but an issue may have moved someone out of (or into) a queue
        _WAITING.forget(lambda key: key[1] in changed)


observe_commits(_forget_on_events)
