"""Halls in the database: loading a validated configuration (idempotent: services, counters and
staff are updated, removed ones deactivated, tickets never touched), the business-day rollover,
and the hall's settings and service rows as every request reads them (short per-process
caches: they change only with `provisioning init`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from queue_server.config import (
    SERVICE_TEXTS,
    CounterSection,
    HallConfig,
    OutpostSection,
    ServiceSection,
    parse_hhmm,
    texts_of,
)
from queue_server.config_journey import parse_range
from queue_server.db.models import Counter, Hall, Service, Staff, Stage, Terminal, Ticket
from queue_server.db.records import Record
from queue_server.db.store import Store
from queue_server.db.ttl import TtlCache
from queue_server.db.unit import Db, connection_of, db_key
from queue_server.domain import stages
from queue_server.domain.clock import business_day
from queue_server.domain.errors import Conflict, Invalid
from queue_server.domain.hall import BookingRules, HallInfo
from queue_server.domain.security import new_secret
from queue_server.domain.workdays import OfficialYear
from queue_server.usecases.admin_words import listed
from queue_server.usecases.calendars import official_years, packaged_years

KEY_TTL = timedelta(days=7)


def hall_info(row: Hall | Any, official: dict[int, OfficialYear] | None = None) -> HallInfo:
    """An ORM row or a Core row as settings; `official` the calendar years (packaged and
    imported: usecases/calendars.py)."""
    opts = row.options or {}
    return HallInfo(
        id=row.id, name=row.name, parent=row.parent, timezone=row.timezone,
        day_starts=parse_hhmm(row.day_starts), announce=row.announce, secret=row.secret,
        priority_age=int(opts.get("priority_age", 70)),
        priority_cap=int(opts.get("priority_cap", 3)),
        no_show_after_recalls=int(opts.get("no_show_after_recalls", 0)),
        followup_days=int(opts.get("followup_days", 3)),
        followup_rectify_days=int(opts.get("followup_rectify_days", 10)),
        followup_reply_days=int(opts.get("followup_reply_days", 2)),
        case_soon_workdays=int(opts.get("case_soon_workdays", 1)),
        supplement_workdays=int(opts.get("supplement_workdays", 0)),
        terminal_offline_s=int(opts.get("terminal_offline_s", 120)),
        closed_days=tuple(date.fromisoformat(d) for d in opts.get("closed_days", [])),
        languages=tuple(opts.get("languages", ["zh"])),
        texts=dict(opts.get("texts", {})),
        official=official if official is not None else packaged_years(),
        opening=tuple(parse_range(r) for r in opts.get("opening_hours", [])),
        open_days=str(opts.get("open_days", "workdays")),
        rules=BookingRules(**opts.get("appointments", {})),
        webhook=(opts.get("notify") or {}).get("webhook"),
        notify_attempts=int((opts.get("notify") or {}).get("max_attempts", 12)),
    )


CACHE_S = 5.0  # a hall's settings change only with `provisioning init`: seen within 5 s
_CACHE: TtlCache[tuple[str, str], HallInfo] = TtlCache(CACHE_S)


def load_hall(db: Session | Connection, hall_id: str) -> HallInfo | None:
    """The hall's settings, from a short per-process cache (every request needs them)."""
    key = (db_key(db), hall_id)
    fresh, hit = _CACHE.get(key)
    if fresh:
        return hit
    row = (db.get(Hall, hall_id) if isinstance(db, Session)
           else db.execute(select(Hall.__table__).where(Hall.__table__.c.id == hall_id)).first())
    if row is None:
        return None
    return _CACHE.put(key, hall_info(row, official_years(db)))


def forget_halls() -> None:
    """Settings or the calendar changed in this process: read them again."""
    _CACHE.forget()


def _hall_texts(cfg: HallConfig, named: OutpostSection | None) -> dict[str, dict[str, object]]:
    """The hall's (or an outpost's) name, announcement and notice in the other languages."""
    texts = texts_of(cfg.hall, ("announce", "notice"))
    for lang, forms in texts_of(named or cfg.hall).items():
        texts.setdefault(lang, {}).update(forms)
    if cfg.hall.notice:
        texts.setdefault("zh", {})["notice"] = cfg.hall.notice
    return texts


def _upsert_hall(session: Session, cfg: HallConfig, hall_id: str, name: str,
                 parent: str | None, secret: str | None,
                 outpost: OutpostSection | None = None) -> Hall:
    h = cfg.hall
    row = session.get(Hall, hall_id)
    if row is not None and row.parent != parent:
        # another hall's outpost taken over (re-parented), or a hall turned into an outpost
        was = f"大厅 {row.parent} 的网点" if row.parent else "一个大厅"
        was_en = f"an outpost of hall {row.parent}" if row.parent else "a hall"
        raise Conflict("hall_id_taken", f"{hall_id} 在数据库中已是{was},不能在此配置中另作他用;"
                       f"请换一个 id / {hall_id} already is {was_en} in this database and "
                       "cannot be used otherwise by this configuration: choose another id")
    if row is None:
        row = Hall(id=hall_id, secret=secret or new_secret())
        session.add(row)
    row.parent, row.name, row.active = parent, name, True
    row.timezone, row.day_starts, row.announce = h.timezone, h.day_starts, h.announce
    row.options = {"priority_age": h.priority_age, "priority_cap": h.priority_cap,
                   "no_show_after_recalls": h.no_show_after_recalls,
                   "followup_days": h.followup_days,
                   "followup_rectify_days": h.followup_rectify_days,
                   "followup_reply_days": h.followup_reply_days,
                   "case_soon_workdays": h.case_soon_workdays,
                   "supplement_workdays": h.supplement_workdays,
                   "terminal_offline_s": h.terminal_offline_s,
                   "closed_days": [d.isoformat() for d in h.closed_days],
                   "languages": list(h.languages), "texts": _hall_texts(cfg, outpost),
                   "opening_hours": list(h.opening_hours), "open_days": h.open_days,
                   "appointments": h.appointments.model_dump(),
                   "notify": h.notify.model_dump(exclude_none=True)}
    return row


def _sync_services(session: Session, cfg: HallConfig, hall_id: str, codes: list[str]
                   ) -> list[str]:
    """Answers the codes of the services this configuration drops."""
    existing = {s.code: s for s in session.scalars(select(Service).where(Service.hall == hall_id))}
    for pos, code in enumerate(codes):
        src = cfg.service(code)
        row = existing.pop(code, None) or Service(hall=hall_id, code=code)
        row.name, row.prefix, row.route = src.name, src.prefix, list(src.route)
        row.time_limit_workdays, row.daily_cap = src.time_limit_workdays, src.daily_cap
        row.requires_id_card, row.materials = src.requires_id_card, list(src.materials)
        row.category, row.position, row.active = src.category, pos, True
        row.texts = texts_of(src, SERVICE_TEXTS)
        row.options = service_options(src)
        session.add(row)
    dropped = [row.code for row in existing.values() if row.active]
    for row in existing.values():
        row.active = False
    return dropped


def _stranded(session: Session, hall_id: str, services: list[str], counters: list[str]
              ) -> list[str]:
    """What a configuration that drops `services` and `counters` leaves nobody to serve:
    open tickets of a dropped service (no counter calls them), tickets at or sent to a dropped
    counter (its staff can no longer finish them). Put the service or counter back to serve
    them; nothing was changed on them."""
    notes = []
    if services:
        rows = session.execute(select(Ticket.service, Ticket.number).join(
            Stage, Stage.id == Ticket.stage).where(
            Ticket.hall == hall_id, Ticket.service.in_(services),
            Stage.status.in_(stages.OPEN))).all()
        for code in services:
            numbers = sorted(n for svc, n in rows if svc == code)
            if numbers:
                shown = listed(numbers, ", ", 10)
                notes.append(f"{hall_id}:事项 {code} 已从配置中删除,但还有 {len(numbers)} 个号未"
                             f"办完({shown}),在它回到配置之前没有窗口会叫这些号 / {hall_id}: "
                             f"service {code} removed while {len(numbers)} of its tickets are "
                             f"open ({shown}); no counter calls them until it is back in the "
                             "configuration")
    if counters:
        rows = session.execute(select(Stage.counter, Stage.target_counter, Ticket.number).join(
            Ticket, Ticket.id == Stage.ticket_id).where(
            Stage.hall == hall_id, Stage.status.in_(stages.OPEN),
            (Stage.counter.in_(counters) & Stage.status.in_(
                (stages.CALLED, stages.SERVING, stages.ON_HOLD)))
            | Stage.target_counter.in_(counters))).all()
        for code in counters:
            numbers = sorted(n for at, to, n in rows if code in (at, to))
            if numbers:
                shown = listed(numbers, ", ", 10)
                notes.append(f"{hall_id}:窗口 {code} 已从配置中删除,但有 {len(numbers)} 个号在该"
                             f"窗口办理或转往该窗口({shown}),在它回到配置之前这些号一直等待 / "
                             f"{hall_id}: counter {code} removed while {len(numbers)} tickets are "
                             f"at it or sent to it ({shown}); they wait until it is back in the "
                             "configuration")
    return notes


def _uncovered(cfg: HallConfig) -> list[str]:
    """What the configuration leaves no counter to call: a zone of a service's route that no
    counter of the hall serves it in (its tickets wait there for ever), and an outpost's
    service none of its counters takes (its later zones are the hall's, after the forward).
    Said, not refused: a counter may be added in the next edit."""
    from queue_server.wire import ZONE_NAMES

    notes = []
    for svc in cfg.services:
        for zone in svc.route:
            if not any(c.zone == zone and svc.code in c.services for c in cfg.counters):
                zh, en = ZONE_NAMES[zone]
                notes.append(f"{cfg.hall.id}:{zh}区没有窗口办理事项 {svc.code},取到的号到了这一步没"
                             f"有窗口会叫;请在该区某个窗口的 services 里加上它 / {cfg.hall.id}: "
                             f"no counter of the {zone} zone ({en}) serves {svc.code}: its "
                             f"tickets are never called there; add it to the services of a "
                             f"counter of that zone")
    for outpost in cfg.outposts:
        for code in outpost.services:
            if not any(code in c.services for c in outpost.counters):
                notes.append(f"{outpost.id}:没有窗口办理事项 {code},在这里取的号没有窗口会叫;请在某个"
                             f"窗口的 services 里加上它 / {outpost.id}: no counter serves "
                             f"{code}: its tickets are never called; add it to a counter's "
                             "services")
    return notes


def _orphan_terminals(session: Session, hall_id: str, counters: list[str]) -> list[str]:
    """Terminals still enrolled at counters the configuration drops: they sign in to a
    counter that is no more (`没有窗口 W15`) until they are enrolled again or revoked."""
    if not counters:
        return []
    rows = session.execute(select(Terminal.counter, Terminal.name).where(
        Terminal.hall == hall_id, Terminal.active, Terminal.counter.in_(counters))).all()
    notes = []
    for code in counters:
        names = sorted(name for at, name in rows if at == code)
        if names:
            shown = ", ".join(names)
            notes.append(f"{hall_id}:窗口 {code} 已从配置中删除,终端 {shown} 仍登记在该窗口上,登录"
                         f"会被拒绝;请用 provisioning enrol --replace 换到别的窗口,或用 provisioning "
                         f"revoke 注销 / {hall_id}: counter {code} removed while terminals "
                         f"{shown} are enrolled at it (they can no longer sign in): enrol them "
                         "at another counter with `provisioning enrol --replace`, or revoke "
                         "them")
    return notes


def service_options(src: ServiceSection) -> dict[str, object]:
    """A service's journey options as stored (`services.options`)."""
    out: dict[str, object] = {"mail_delivery": src.mail_delivery}
    if src.booking is not None:
        out["booking"] = src.booking.model_dump(exclude_none=True)
    if src.remote is not None:
        out["remote"] = src.remote.model_dump(exclude_none=True)
    return out


def _sync_counters(session: Session, hall_id: str, counters: list[CounterSection]
                   ) -> list[str]:
    """Answers the codes of the counters this configuration drops."""
    existing = {c.code: c for c in session.scalars(select(Counter).where(Counter.hall == hall_id))}
    for pos, src in enumerate(counters):
        row = existing.pop(src.code, None) or Counter(hall=hall_id, code=src.code, paused=False,
                                                      priority_streak=0)
        row.name, row.zone, row.services = src.name, src.zone, list(src.services)
        row.position, row.active = pos, True
        row.texts = texts_of(src)
        session.add(row)
    dropped = [row.code for row in existing.values() if row.active]
    for row in existing.values():
        row.active = False
    return dropped


def _sync_staff(session: Session, cfg: HallConfig, hall_ids: list[str]) -> None:
    for hall_id in hall_ids:
        existing = {s.id: s for s in session.scalars(select(Staff).where(Staff.hall == hall_id))}
        for src in cfg.staff:
            row = existing.pop(src.id, None) or Staff(hall=hall_id, id=src.id, failures=0)
            row.name, row.role, row.active = src.name, src.role, True
            session.add(row)
        for row in existing.values():
            row.active = False


def _close_dropped_outposts(s: Session, cfg: HallConfig, main: str) -> list[str]:
    """The hall's outposts the file no longer lists stop: their services, counters and staff
    are set inactive (they went on issuing numbers, and `export` wrote them back out); what
    they leave open is said as for a dropped service. Listing one again opens it again."""
    kept = [o.id for o in cfg.outposts]
    notes: list[str] = []
    for gone in s.scalars(select(Hall).where(Hall.parent == main, Hall.active,
                                             Hall.id.not_in(kept))).all():
        gone.active = False
        notes += _stranded(s, gone.id, _sync_services(s, cfg, gone.id, []),
                           _sync_counters(s, gone.id, []))
        for person in s.scalars(select(Staff).where(Staff.hall == gone.id)):
            person.active = False
        notes.append(f"网点 {gone.id}({gone.name})已从配置中删除:不再取号;其终端仍登记,可用 "
                     f"provisioning revoke 吊销 / outpost {gone.id} ({gone.name}) removed from "
                     "the configuration: it issues no more numbers; its terminals stay enrolled "
                     "(revoke them with provisioning revoke)")
    return notes


def apply_config(store: Store, cfg: HallConfig) -> dict[str, Any]:
    """Load `cfg` into the database in one transaction; answers counts for the report.
    Staff are members of the hall and of each of its outposts (the same people sign in at
    the bank branch's service point)."""
    _CACHE.forget()
    _SERVICE_CACHE.forget()  # (another process sees the change within CACHE_S)
    with store.write() as tx:
        s = tx.session
        before = s.get(Hall, cfg.hall.id)
        existed = before is not None
        _keep_the_business_day(before, cfg, tx.now)
        main = _upsert_hall(s, cfg, cfg.hall.id, cfg.hall.name, None, None)
        s.flush()
        dropped = _sync_counters(s, main.id, cfg.counters)
        warnings = _stranded(s, main.id, _sync_services(s, cfg, main.id,
                                                        [x.code for x in cfg.services]),
                             dropped) + _orphan_terminals(s, main.id, dropped)
        hall_ids = [main.id]
        for outpost in cfg.outposts:
            _upsert_hall(s, cfg, outpost.id, outpost.name, main.id, main.secret, outpost)
            s.flush()
            dropped = _sync_counters(s, outpost.id, outpost.counters)
            warnings += _stranded(s, outpost.id,
                                  _sync_services(s, cfg, outpost.id, list(outpost.services)),
                                  dropped) + _orphan_terminals(s, outpost.id, dropped)
            hall_ids.append(outpost.id)
        warnings += _uncovered(cfg)
        warnings += _close_dropped_outposts(s, cfg, main.id)
        if not existed:
            others = [h for h in s.scalars(select(Hall.id).where(
                Hall.parent.is_(None), Hall.active, Hall.id != main.id))]
            if others:
                warnings.append(f"新建大厅 {main.id};数据库中已有大厅 {', '.join(others)}。若是"
                                f"要给原大厅改名,请保持其 id 不变 / a new hall {main.id}; the "
                                f"database already holds {', '.join(others)}: to rename a "
                                "hall, keep its id")
        _sync_staff(s, cfg, hall_ids)
        for hall_id in hall_ids:
            tx.emit(hall_id, "hall.configured", services=len(cfg.services))
    return {"halls": len(hall_ids), "services": len(cfg.services),
            "counters": len(cfg.counters) + sum(len(o.counters) for o in cfg.outposts),
            "staff": len(cfg.staff), "warnings": warnings}


def _keep_the_business_day(row: Hall | None, cfg: HallConfig, now: datetime) -> None:
    """A new `day_starts` or time zone may not move the business day it is now: numbers run per
    day, so moving it back hands out today's numbers again (a re-init at 08:00 with
    day_starts 09:00 issued a second Z001 beside the waiting one), and moving it on starts
    tomorrow's under today's waiting tickets. Refused until both settings agree."""
    if row is None:
        return
    old, new = hall_info(row), cfg.hall
    starts = time.fromisoformat(new.day_starts)
    was, would = old.day_of(now), business_day(now, new.timezone, starts)
    if was == would:
        return
    later = max(old.day_starts, starts).strftime("%H:%M")
    raise Conflict("business_day_would_move",
                   f"现在修改营业日起点(day_starts {old.day_starts:%H:%M} → "
                   f"{starts:%H:%M},时区 {old.timezone} → {new.timezone})会使当前营业日从 "
                   f"{was} 变为 {would},已取的号会再次发出;请在当地时间 {later} 之后再运行 init"
                   f"(那时新旧设置的营业日相同)/ changing day_starts or the time zone now "
                   f"moves the business day from {was} to {would}, and numbers already taken "
                   f"would be handed out again: run init again after {later} local time, when "
                   f"both settings give the same day")


def roll_days(store: Store) -> list[str]:
    """Start a new business day in each hall whose day has turned: `day.rolled` events (boards
    clear, numbering restarts from 1 per prefix). Answers the halls that rolled. Only forward:
    a clock stepped back across the boundary (an NTP correction) does not roll the hall back a
    day (its tickets meanwhile continue that day's numbers, unique all the same)."""
    rolled: list[str] = []
    with store.read() as s:
        due = [h.id for h in s.scalars(select(Hall).where(Hall.active))
               if _turned(h.business_day, hall_info(h).day_of(store.clock()))]
    if not due:
        return rolled
    with store.write() as tx:
        for hall_id in due:
            row = tx.session.get(Hall, hall_id, with_for_update=True)
            if row is None:
                continue
            day = hall_info(row).day_of(tx.now)
            if _turned(row.business_day, day):
                tx.emit(row.id, "day.rolled", day=day.isoformat(),
                        previous=row.business_day.isoformat() if row.business_day else None)
                row.business_day = day
                rolled.append(row.id)
        _housekeeping(tx.session, tx.now)
    return rolled


def _turned(current: date | None, day: date) -> bool:
    return current is None or day > current


def _housekeeping(s: Session, now: datetime) -> None:
    """Once a day: forget idempotency keys after a week (they must last at least 24 h),
    expired staff sessions, and login failures of pairs quiet for a day."""
    from sqlalchemy import delete

    from queue_server.db.models import IdempotencyKey, LoginFailure, StaffSession

    s.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < now - KEY_TTL))
    s.execute(delete(StaffSession).where(StaffSession.expires_at < now))
    s.execute(delete(LoginFailure).where(LoginFailure.last_at < now - timedelta(days=1)))


_SERVICES = cast(Table, Service.__table__)
_SERVICE = select(_SERVICES).where(_SERVICES.c.hall == bindparam("hall"),
                                   _SERVICES.c.code == bindparam("code"))


_SERVICE_CACHE: TtlCache[tuple[str, str, str], Record | None] = TtlCache(CACHE_S)


def service_record(s: Db, hall: str, code: str) -> Record | None:
    """A service row, read-only, from a short per-process cache like the hall's settings
    (services change only with `provisioning init`, seen within `CACHE_S` seconds; every
    issue and counter action reads one)."""
    key = (db_key(s), hall, code)
    fresh, hit = _SERVICE_CACHE.get(key)
    if fresh:
        return hit
    row = connection_of(s).execute(_SERVICE, {"hall": hall, "code": code}).first()
    return _SERVICE_CACHE.put(key, Record(_SERVICES, row) if row is not None else None)


def remember_halls(db: Db) -> list[str]:
    """Every active hall's settings and services read into this process's short caches
    (`load_hall`, `service_record`) at once, as a fresh server's first requests would read
    them one by one (`api.app._warm`): a server restarted while the kiosks of many halls wait
    for it reads them before it answers. Answers the halls' ids."""
    conn = connection_of(db)
    key = db_key(conn)
    rows = conn.execute(select(Hall.__table__).where(Hall.__table__.c.active)).all()
    years = official_years(conn)  # the same for every hall: read once
    for row in rows:
        _CACHE.put((key, row.id), hall_info(row, years))
    halls = [row.id for row in rows]
    for row in conn.execute(select(_SERVICES).where(_SERVICES.c.hall.in_(halls))):
        _SERVICE_CACHE.put((key, row.hall, row.code), Record(_SERVICES, row))
    return halls


def service_row(s: Db, hall: str, code: str) -> Record:
    row = service_record(s, hall, code)
    if row is None or not row.active:
        raise Invalid("unknown_service", f"没有此事项 / no service {code!r}")
    return row


def service_row_any(s: Session, hall: str, code: str) -> Record:
    row = service_record(s, hall, code)
    assert row is not None
    return row
