"""Reading the figures' aggregate rows (usecases/fold.py keeps them): ticket sums for one key
over a period (in all, by day, or broken down by one dimension), exact percentiles merged from
the duration arrays, and the approval stages open past their deadline now (read from the
stages themselves: they depend on the time of reading). Queries only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Connection

from queue_server.db.models import FigDurations, FigStages, FigTickets, Stage, Ticket
from queue_server.domain.figures import (
    ANY,
    DIMENSIONS,
    SERVICE,
    TICKET_COUNTS,
    WAIT,
    Filter,
    Key,
)
from queue_server.domain.stages import OPEN

_FT, _FD = cast(Table, FigTickets.__table__), cast(Table, FigDurations.__table__)
_FS = cast(Table, FigStages.__table__)
_STAGES, _TICKETS = cast(Table, Stage.__table__), cast(Table, Ticket.__table__)


@dataclass(frozen=True)
class Period:
    hall: str
    start: date
    end: date


def ticket_sums(conn: Connection, p: Period, flt: Filter, by: str | None = None
                ) -> dict[Any, dict[str, int]]:
    """Summed ticket rows of the key of `flt`, grouped by `by` ("day" or a dimension, whose
    every value then counts on its own), or all in one under the key None."""
    cols = [func.sum(_FT.c[c]).label(c) for c in TICKET_COUNTS]
    where = [_FT.c.hall == p.hall, _FT.c.day >= p.start, _FT.c.day <= p.end]
    for dim, want in zip(DIMENSIONS, flt.key(), strict=True):
        if dim == by and want == ANY:
            where.append(_FT.c[dim] != ANY)
        else:
            where.append(_FT.c[dim] == want)
    group = [_FT.c[by]] if by else []
    query = select(*group, *cols).where(*where)
    if group:
        query = query.group_by(*group)
    out: dict[Any, dict[str, int]] = {}
    for row in conn.execute(query):
        m = row._mapping
        if by is None and m["tickets"] is None:
            continue
        out[m[by] if by else None] = {c: int(m[c] or 0) for c in TICKET_COUNTS}
    return out


def durations(conn: Connection, p: Period, flt: Filter, by: str | None = None
              ) -> dict[tuple[str, Any], list[bytes]]:
    """The duration arrays of the kept stages, by (kind, value of `by` or None)."""
    where = [_FD.c.hall == p.hall, _FD.c.day >= p.start, _FD.c.day <= p.end]
    where += [_FD.c[dim] == value for dim, value in flt.given().items()]
    group = _FD.c[by] if by else None
    cols = [_FD.c.kind, _FD.c.data] + ([group] if group is not None else [])
    out: dict[tuple[str, Any], list[bytes]] = defaultdict(list)
    for row in conn.execute(select(*cols).where(*where)):
        out[(row.kind, row._mapping[by] if by else None)].append(bytes(row.data))
    return out


def own_levels(conn: Connection, p: Period, flt: Filter, by: str) -> dict[str, list[int]]:
    """The ratings of the kept stages themselves (not of every stage of their tickets), per
    level 1..5, by the value of `by` ("counter" or "staff"): what that window or person was
    rated for (v1.2 `own_*`)."""
    levels = [f"lv{n}" for n in range(1, 6)]
    where = [_FS.c.hall == p.hall, _FS.c.day >= p.start, _FS.c.day <= p.end, _FS.c[by] != ""]
    where += [_FS.c[dim] == value for dim, value in flt.given().items()]
    query = select(_FS.c[by], *[func.sum(_FS.c[c]).label(c) for c in levels]).where(
        *where).group_by(_FS.c[by])
    return {str(row._mapping[by]): [int(row._mapping[c] or 0) for c in levels]
            for row in conn.execute(query)}


def percentiles(blobs: Iterable[bytes]) -> dict[str, int | None]:
    """p50 and p90 by nearest rank of every value in the int32 arrays `blobs`. numpy is
    imported here, on the first report: it is a tenth of a second of a server's start."""
    import numpy as np

    values = np.frombuffer(b"".join(blobs), dtype="<i4")
    n = int(values.size)
    if n == 0:
        return {"p50": None, "p90": None}
    ranks = sorted({max(1, -(-pct * n // 100)) - 1 for pct in (50, 90)})
    part = np.partition(values, ranks)
    picked = {r: int(part[r]) for r in ranks}
    return {f"p{pct}": picked[max(1, -(-pct * n // 100)) - 1] for pct in (50, 90)}


def both(groups: dict[tuple[str, Any], list[bytes]], value: Any = None
         ) -> tuple[dict[str, int | None], dict[str, int | None]]:
    return (percentiles(groups.get((WAIT, value), [])),
            percentiles(groups.get((SERVICE, value), [])))


@dataclass(frozen=True)
class Overdue:
    """An approval stage open past its deadline now: its ticket's day and the keys of that
    ticket's stages (to tell which filters keep it)."""

    day: date
    keys: tuple[Key, ...]


def overdue_open(conn: Connection, p: Period, flt: Filter, now: datetime) -> list[Overdue]:
    """In two short reads, driven by the open approval stages (few) rather than the period's
    tickets (many): those past their deadline, then the ones whose ticket is of the period and
    kept by the filter."""
    st, t = _STAGES, _TICKETS
    late = [r.ticket_id for r in conn.execute(select(st.c.ticket_id).where(
        st.c.hall == p.hall, st.c.zone == "approval", st.c.status.in_(OPEN),
        st.c.deadline.is_not(None), st.c.deadline < now))]
    if not late:
        return []
    days = {r.id: r.day for r in conn.execute(select(t.c.id, t.c.day).where(
        t.c.id.in_(late), t.c.day >= p.start, t.c.day <= p.end))}
    keys: dict[str, list[Key]] = defaultdict(list)
    for row in conn.execute(select(st.c.ticket_id, st.c.zone, st.c.service, st.c.counter,
                                   st.c.staff_id).where(st.c.ticket_id.in_(list(days)))):
        keys[row.ticket_id].append((row.zone, row.service, row.counter or "", row.staff_id or ""))
    found = [Overdue(days[tid], tuple(keys[tid])) for tid in late if tid in days]
    return [item for item in found if kept(item, flt)]


def kept(item: Overdue, flt: Filter) -> bool:
    return any(flt.matches(key) for key in item.keys)
