"""What broke while nobody watched: the device faults of the hall's terminals (and its bank
outposts') in the last hours, from their `terminal.health` events (a printer out of paper at
02:10 in the 24-hour room, refilled at 07:55). The live hall shows the terminals as they are
now; this is the night's record the supervisor reads in the morning. Queries only."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, select

from queue_server.db import events
from queue_server.db.models import EventRow, Hall
from queue_server.db.store import Store
from queue_server.domain.errors import Invalid, NotFound
from queue_server.usecases.auth import Principal, require_supervisor
from queue_server.usecases.halls import load_hall
from queue_server.usecases.live import HEALTHY
from queue_server.usecases.terminals import LINK
from queue_server.wire_console import FaultRow

_EVENTS = cast(Table, EventRow.__table__)
MAX_HOURS = 168  # a week
MAX_ROWS = 500
# A device that comes and goes (a loose cable) is one fault: a return of the same fault within
# this long after it ended joins it (`times`); 300 flaps of a reader pushed the night's
# printer fault off a list of 300 rows (an outside check)
FLAP = timedelta(minutes=15)


def recent_faults(store: Store, who: Principal, hall: str, hours: int = 24) -> list[FaultRow]:
    """The device faults that began or ended in the last `hours` hours, those not over first,
    then the latest: each
    with its terminal, device and state, when it began (None: before the window) and ended
    (None: still)."""
    require_supervisor(who)
    if not 1 <= hours <= MAX_HOURS:
        raise Invalid("bad_hours", f"hours 须为 1–{MAX_HOURS} / hours must be 1–{MAX_HOURS}")
    with store.read() as s:
        info = load_hall(s, hall)
        if info is None:
            raise NotFound("unknown_hall", f"没有大厅 {hall} / no hall {hall}")
        since = store.clock() - timedelta(hours=hours)
        conn = s.connection()
        halls = [h for (h,) in conn.execute(select(Hall.__table__.c.id).where(
            (Hall.__table__.c.id == hall) | (Hall.__table__.c.parent == hall)))]
        rows: list[FaultRow] = []
        for member in halls:
            first = events.last_before(conn, member, since)
            found = conn.execute(select(_EVENTS.c.at, _EVENTS.c.payload).where(
                _EVENTS.c.hall == member, _EVENTS.c.id > first,
                _EVENTS.c.type == "terminal.health").order_by(_EVENTS.c.id))
            owner = load_hall(s, member)
            for row in _joined(_intervals(member, [(r.at, r.payload) for r in found])):
                row.hall_name = owner.name if owner is not None else member
                rows.append(row)
    # the faults not over first, then the latest
    rows.sort(key=lambda r: (r.ended_at is None, r.ended_at or r.began_at or since),
              reverse=True)
    return rows[:MAX_ROWS]


def _joined(rows: list[FaultRow]) -> list[FaultRow]:
    """The same fault of the same device back within `FLAP` of its end: one row, `times`."""
    out: list[FaultRow] = []
    last: dict[tuple[str, str, str], FaultRow] = {}
    for row in sorted(rows, key=lambda r: (r.began_at is not None, r.began_at or r.ended_at)):
        key = (row.terminal, row.device, row.state)
        before = last.get(key)
        if before is not None and before.ended_at is not None and row.began_at is not None \
                and row.began_at - before.ended_at <= FLAP:
            before.ended_at, before.times = row.ended_at, before.times + 1
            continue
        out.append(row)
        last[key] = row
    return out


def _intervals(hall: str, health: list[tuple[datetime, dict[str, Any]]]) -> list[FaultRow]:
    """Faults from a hall's health events in order: a device leaves a healthy state (or is
    reported in a fault for the first time), then comes back or changes fault."""
    open_: dict[tuple[str, str], FaultRow] = {}
    done: list[FaultRow] = []
    for at, payload in health:
        name, kind = str(payload.get("terminal", "")), str(payload.get("kind", ""))
        before = dict(payload.get("previous") or {})
        after = dict(payload.get("devices") or {})
        for device in sorted(set(before) | set(after)):
            old, new = before.get(device), after.get(device)
            if old == new:
                continue
            key = (name, device)
            if old is not None and old not in HEALTHY:
                row = open_.pop(key, None) or FaultRow(
                    hall=hall, terminal=name, kind=kind, device=device, state=str(old),
                    began_at=None)  # it began before the window
                row.ended_at = at
                done.append(row)
            if new is not None and new not in HEALTHY:
                # a silent kiosk's link: from its last heartbeat, not from when it was noticed
                since = payload.get("since") if device == LINK else None
                open_[key] = FaultRow(hall=hall, terminal=name, kind=kind, device=device,
                                      state=str(new),
                                      began_at=datetime.fromisoformat(since) if since else at)
    return done + list(open_.values())
