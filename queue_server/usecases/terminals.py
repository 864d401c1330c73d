"""Use cases of the terminals around a hall: what a terminal learns of its hall and of itself,
its heartbeat (device health, recorded as an event only when it changes), the supervisor's
list of terminals, and the hall a request without one is about."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from queue_server import wire
from queue_server.config import forms_of
from queue_server.db import events
from queue_server.db.models import Counter, Hall, Terminal
from queue_server.db.store import Store
from queue_server.domain.clock import day_start, iso
from queue_server.domain.errors import Forbidden, Invalid, NotFound
from queue_server.domain.opening import next_opening, numbering_day, opened_at
from queue_server.usecases.auth import Principal, require_supervisor
from queue_server.usecases.halls import load_hall
from queue_server.usecases.live import HEALTHY
from queue_server.usecases.views import service_infos

log = logging.getLogger(__name__)


def main_halls(store: Store) -> list[str]:
    """The active halls that are not a bank outpost."""
    with store.read() as s:
        return list(s.scalars(select(Hall.id).where(Hall.parent.is_(None), Hall.active)
                              .order_by(Hall.id)))


def served_halls(store: Store) -> list[str]:
    """Every active hall of this database, the main halls first, each followed by its bank
    outposts: what the server's zeroconf advertisement names."""
    with store.read() as s:
        rows = list(s.execute(select(Hall.id, Hall.parent).where(Hall.active)
                              .order_by(Hall.id)))
    mains = [h for h, parent in rows if parent is None]
    out = []
    for main in mains:
        out += [main, *(h for h, parent in rows if parent == main)]
    return out + [h for h, parent in rows if parent is not None and parent not in mains]


def main_hall(store: Store) -> str | None:
    """The only main hall of this database, or None when there are none or several."""
    tops = main_halls(store)
    return tops[0] if len(tops) == 1 else None


def hall_out(store: Store, hall_id: str) -> wire.HallOut:
    with store.read() as s:
        info = load_hall(s, hall_id)
        if info is None:
            raise NotFound("unknown_hall", f"没有大厅 {hall_id} / no hall {hall_id}")
        counters = s.scalars(select(Counter).where(Counter.hall == hall_id, Counter.active)
                             .order_by(Counter.position))
        return wire.HallOut(id=info.id, name=info.name, timezone=info.timezone,
                            announce=info.announce, day_starts=info.day_starts.strftime("%H:%M"),
                            parent=info.parent, languages=list(info.languages),
                            priority_age=info.priority_age,
                            counters=[wire.CounterInfo(code=c.code, name=c.name, zone=c.zone,
                                                       services=list(c.services),
                                                       **forms_of(c.texts))
                                      for c in counters],
                            notice=str(info.texts.get("zh", {}).get("notice", "")),
                            **forms_of(dict(info.texts), ("name", "announce", "notice")))


def services(store: Store, hall_id: str) -> list[wire.ServiceInfo]:
    with store.read() as s:
        info = load_hall(s, hall_id)
        if info is None:
            raise NotFound("unknown_hall", f"没有大厅 {hall_id} / no hall {hall_id}")
        now = store.clock()
        infos = service_infos(s, hall_id, numbering_day(info, now))
        opens = next_opening(info, now)  # closed now: calling starts then
    if opens is not None:
        for service in infos:
            service.calls_from = opens.astimezone(UTC)
    return infos


def me(store: Store, who: Principal) -> wire.TerminalOut:
    if who.terminal_id is None:
        raise NotFound("not_a_terminal", "此令牌不属于终端 / this token is not a terminal's")
    with store.read() as s:
        term = s.get(Terminal, who.terminal_id)
        info = load_hall(s, term.hall) if term else None
        assert term is not None and info is not None
        return wire.TerminalOut(name=term.name, kind=term.kind, hall=term.hall,
                                hall_name=info.name, counter=who.counter or term.counter)


# The pseudo-device of a terminal's own link: "offline" once its heartbeats stopped (a kiosk of
# the 24-hour room without power from 02:00 to 07:00 left no trace in the night's faults: an
# outside check); its next heartbeat, which does not report it, ends the fault.
LINK = "link"
# Expected on around the clock: the self-service kiosks. Expected on while the hall is open:
# the call displays (a dark board is the fault a waiting citizen meets first: no one sees or
# hears their number). A counter's pad is closed when its staff are away, and a bank
# terminal keeps the branch's own day: neither is watched.
WATCHED = ("kiosk",)
WATCHED_OPEN = ("display",)


def mark_silent(store: Store) -> int:
    """Record the link of each watched terminal silent for longer than its hall's
    `terminal_offline_s` as offline, with a `terminal.health` event; answers how many. A
    display counts only while its hall is open, silent from its last heartbeat or from the
    opening, whichever is later (a board left off overnight is late from 09:00, not from the
    evening before)."""
    with store.read() as s:
        now = store.clock()
        silent = [t.id for t in s.scalars(select(Terminal).where(
            Terminal.active, Terminal.kind.in_(WATCHED + WATCHED_OPEN),
            Terminal.last_seen.is_not(None)))
            if (t.devices or {}).get(LINK) != "offline" and _silent_since(s, t, now)]
    if not silent:
        return 0
    with store.write() as tx:
        for term_id in silent:
            term = tx.session.get(Terminal, term_id)
            since = _silent_since(tx.session, term, tx.now) if term is not None else None
            if term is None or since is None:
                continue  # it spoke meanwhile (or the hall closed)
            devices = {**(term.devices or {}), LINK: "offline"}
            tx.emit(term.hall, "terminal.health", terminal=term.name, kind=term.kind,
                    devices=devices, previous=term.devices or {},
                    since=iso(since))  # its last word, or the opening
            term.devices = devices
            log.warning("%s: terminal %s: no heartbeat since %s", term.hall, term.name,
                        iso(term.last_seen) if term.last_seen else "-")
    return len(silent)


def _silent_since(s: Any, term: Terminal, now: datetime) -> datetime | None:
    """Since when a watched terminal has been silent for longer than its hall allows (None:
    it has not, or it need not speak now)."""
    info = load_hall(s, term.hall)
    if info is None or term.last_seen is None:
        return None
    since = term.last_seen
    if term.kind in WATCHED_OPEN:
        opened = opened_at(info, now)
        if opened is None:
            return None
        since = max(since, opened)
    return since if (now - since).total_seconds() > info.terminal_offline_s else None


def heartbeat(store: Store, who: Principal, body: wire.HeartbeatIn) -> None:
    if who.terminal_id is None:
        raise Forbidden("forbidden", "只有终端可以报告心跳 / only terminals send heartbeats")
    changed = None
    with store.write() as tx:
        term = tx.session.get(Terminal, who.terminal_id)
        assert term is not None
        devices = {k[:40]: v[:40] for k, v in list(body.devices.items())[:20]}
        if devices != (term.devices or {}):
            tx.emit(term.hall, "terminal.health", terminal=term.name, kind=term.kind,
                    devices=devices, previous=term.devices or {})
            changed = (term.hall, term.name, dict(term.devices or {}), devices)
            term.devices = devices
        term.last_seen = tx.now
    if changed is not None:  # a device's fault and its end in the log, with their times
        hall, name, before, now = changed
        # (a device no longer reported is listed too: the link's fault ends that way, when
        # the server recorded a silence and the terminal speaks again)
        moved = ", ".join(
            f"{kind} {before.get(kind, '-')} -> {now.get(kind, 'ok' if kind == LINK else '-')}"
            for kind in sorted(before.keys() | now.keys()) if before.get(kind) != now.get(kind))
        bad = any(state not in HEALTHY for state in now.values())
        log.log(logging.WARNING if bad else logging.INFO, "%s: terminal %s: %s", hall, name,
                moved or "devices changed")


def terminal_list(store: Store, who: Principal, hall_id: str) -> list[wire.TerminalStatus]:
    """Supervisors and administrators: the hall's terminals (and its outposts') with health."""
    require_supervisor(who)
    with store.read() as s:
        halls = {h.id: h.name for h in s.scalars(select(Hall).where(
            (Hall.id == hall_id) | (Hall.parent == hall_id)))}
        rows = s.scalars(select(Terminal).where(Terminal.hall.in_(halls), Terminal.active)
                         .order_by(Terminal.hall, Terminal.name))
        return [wire.TerminalStatus(id=t.id, name=t.name, kind=t.kind, hall=t.hall,
                                    hall_name=halls[t.hall], counter=t.counter,
                                    devices=dict(t.devices or {}), last_seen=t.last_seen)
                for t in rows]


def today_starts(store: Store, hall_id: str | None) -> int:
    """The id after which the hall's current business day's events begin (`since=today`)."""
    with store.read() as s:
        hall = load_hall(s, hall_id) if hall_id else None
        if hall is None:
            raise Invalid("hall_needed", "请用 ?hall= 指定大厅 / give ?hall=")
        now: datetime = store.clock()
        begins = day_start(hall.day_of(now), hall.timezone, hall.day_starts)
        return events.last_before(s.connection(), hall.id, begins)
