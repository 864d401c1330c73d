"""Use cases of appointments (CONTRACT.md §6): a service's slots of a day with what is booked,
booking (the slot's capacity, one booking per holder, service and day, the missed-booking rule),
cancelling with the code and the ID number, a booking as its holder sees it, and marking the
bookings nobody came for once their day is over. The endpoints that reach these need no token:
the ID number arrives in the body and leaves this module only as the hall's HMAC and a masked
form; the code is kept only as an HMAC too, so the database cannot be read for codes."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, select, update

from queue_server import wire_journey as wj
from queue_server.db.models import Appointment, Service
from queue_server.db.records import Record
from queue_server.db.store import Store
from queue_server.db.unit import Db, Tx, connection_of
from queue_server.domain import booking
from queue_server.domain.booking import SlotPlan
from queue_server.domain.clock import FIRST_YEAR, LAST_YEAR
from queue_server.domain.errors import Conflict, Invalid, NotFound
from queue_server.domain.hall import HallInfo
from queue_server.domain.sealing import seal
from queue_server.domain.security import id_hash, mask_id, mask_name, plausible_id
from queue_server.usecases.halls import load_hall, service_row

BOOKED, CANCELLED, CHECKED_IN, LATE, MISSED = "booked", "cancelled", "checked_in", "late", "missed"
_APPTS = cast(Table, Appointment.__table__)
UNKNOWN = ("appointment_unknown", "没有找到此预约,请核对预约码 / no such appointment")


def hall_or_404(db: Db, hall_id: str) -> HallInfo:
    hall = load_hall(db, hall_id)
    if hall is None:
        raise NotFound("unknown_hall", f"没有大厅 {hall_id} / no hall {hall_id}")
    return hall


def plan_of(svc: Any) -> SlotPlan | None:
    """The booking plan of a service row (None: the service takes no bookings)."""
    spec = (svc.options or {}).get("booking")
    if not spec:
        return None
    from queue_server.config_journey import WEEKDAYS, parse_range

    days = spec.get("days")
    return SlotPlan(hours=tuple(parse_range(r) for r in spec["hours"]),
                    slot_minutes=int(spec.get("slot_minutes", 30)),
                    capacity=int(spec.get("capacity", 1)),
                    weekdays=frozenset(WEEKDAYS.index(d) for d in days) if days else None)


def _bookable(db: Db, hall: HallInfo, code: str) -> tuple[Record, SlotPlan]:
    svc = service_row(db, hall.id, code)
    plan = plan_of(svc)
    if plan is None:
        raise Invalid("not_bookable", f"此事项不接受预约 / service {code!r} takes no bookings")
    return svc, plan


def code_hash(hall: HallInfo, code: str) -> str:
    return hmac.new(bytes.fromhex(hall.secret), f"appointment:{code}".encode(),
                    hashlib.sha256).hexdigest()


def _local_day(hall: HallInfo, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(hall.timezone)).date()


def list_slots(store: Store, hall_id: str, service: str, day: date) -> list[wj.SlotOut]:
    """The slots of `day`: none on a day that cannot be booked (before today, or beyond
    `book_ahead_days`: booking them was 409 `too_far_ahead`)."""
    with store.read() as s:
        hall = hall_or_404(s, hall_id)
        _svc, plan = _bookable(s, hall, service)
        today = _local_day(hall, store.clock())
        if not today <= day <= today + timedelta(days=hall.rules.book_ahead_days):
            return []
        taken = {start: n for start, n in s.execute(
            select(Appointment.start, func.count()).where(
                Appointment.hall == hall.id, Appointment.service == service,
                Appointment.day == day, Appointment.status != CANCELLED)
            .group_by(Appointment.start))}
        return [wj.SlotOut(start=slot.start, end=slot.end, capacity=slot.capacity,
                           booked=int(taken.get(slot.start, 0)))
                for slot in booking.slots(plan, day, hall)]


def _misses(db: Db, hall: HallInfo, digest: str, now: datetime) -> list[datetime]:
    """When this holder's bookings of the rule's period were missed (so far)."""
    rules = hall.rules
    since = now - timedelta(days=rules.missed_window_days + rules.blocked_days + 1)
    rows = connection_of(db).execute(
        select(_APPTS.c.start, _APPTS.c.status).where(
            _APPTS.c.hall == hall.id, _APPTS.c.id_hash == digest, _APPTS.c.start >= since,
            _APPTS.c.status.in_((BOOKED, MISSED))))
    return [booking.missed_at(start, rules) for start, status in rows
            if status == MISSED or booking.missed_at(start, rules) < now]


def _check_holder(tx: Tx, hall: HallInfo, digest: str, service: str, day: date) -> None:
    until = booking.blocked_until(_misses(tx.conn, hall, digest, tx.now), hall.rules)
    if until is not None and until > tx.now:
        local = until.astimezone(ZoneInfo(hall.timezone)).strftime("%Y-%m-%d")
        raise Conflict("booking_blocked", f"多次预约未到,{local} 前不能预约 / too many missed "
                       f"bookings: booking is blocked until {local}")
    held = tx.conn.execute(select(func.count()).select_from(_APPTS).where(
        _APPTS.c.hall == hall.id, _APPTS.c.id_hash == digest, _APPTS.c.service == service,
        _APPTS.c.day == day, _APPTS.c.status.in_((BOOKED, CHECKED_IN, LATE)))).scalar()
    if held:
        raise Conflict("already_booked", "您当天已预约此事项 / you already hold a booking for "
                       "this service on that day")


def check_number(number: str) -> None:
    if not plausible_id(number):
        raise Invalid("bad_id_number", "身份证号码有误,请核对 / this ID number is not valid")


def book(store: Store, hall_id: str, body: wj.AppointmentIn, base: str) -> wj.AppointmentOut:
    check_number(body.id_card.number)
    with store.write() as tx:
        hall = hall_or_404(tx.conn, hall_id)
        svc, plan = _bookable(tx.conn, hall, body.service)
        start = body.start if body.start.tzinfo else body.start.replace(
            tzinfo=ZoneInfo(hall.timezone))
        if not FIRST_YEAR <= start.year <= LAST_YEAR:  # 9999-12-31T18:00Z: no day of the hall
            raise Invalid("unknown_slot", "没有这个时段 / no such slot")
        day = _local_day(hall, start)
        slot = next((x for x in booking.slots(plan, day, hall) if x.start == start), None)
        if slot is None:
            raise Invalid("unknown_slot", "没有这个时段 / no such slot")
        if slot.start <= tx.now:
            raise Conflict("slot_started", "此时段已开始,不能再预约 / this slot has started")
        if day > _local_day(hall, tx.now) + timedelta(days=hall.rules.book_ahead_days):
            raise Conflict("too_far_ahead", f"最多提前 {hall.rules.book_ahead_days} 天预约 / "
                           f"book at most {hall.rules.book_ahead_days} days ahead")
        # Bookings of one service are serialised (a row lock on PostgreSQL; SQLite has one
        # writer), so two citizens never both take the last place of a slot.
        tx.conn.execute(select(Service.hall).where(Service.hall == hall.id,
                                                   Service.code == svc.code).with_for_update())
        digest = id_hash(hall.secret, body.id_card.number)
        _check_holder(tx, hall, digest, svc.code, day)
        taken = tx.conn.execute(select(func.count()).select_from(_APPTS).where(
            _APPTS.c.hall == hall.id, _APPTS.c.service == svc.code, _APPTS.c.start == start,
            _APPTS.c.status != CANCELLED)).scalar()
        if int(taken or 0) >= slot.capacity:
            raise Conflict("slot_full", "此时段已约满 / this slot is full")
        code = booking.new_code()
        row = {"hall": hall.id, "code_hash": code_hash(hall, code), "service": svc.code,
               "day": day, "start": slot.start, "end": slot.end, "id_hash": digest,
               "masked_id": mask_id(body.id_card.number),
               "masked_name": mask_name(body.id_card.name), "status": BOOKED,
               "phone": seal(hall.secret, hall.id, {"phone": body.phone}) if body.phone else None,
               "created_at": tx.now, "ended_at": None, "ticket_id": None}
        new_id = tx.conn.execute(_APPTS.insert().returning(_APPTS.c.id), row).scalar_one()
        tx.emit(hall.id, "appointment.booked", appointment=new_id, service=svc.code,
                start=slot.start.isoformat())
        return _out(hall, svc, Record(_APPTS, {**row, "id": new_id}), code, base)


def _out(hall: HallInfo, svc: Any, row: Any, code: str, base: str,
         status: str | None = None) -> wj.AppointmentOut:
    opens, closes = booking.window(row.start, hall.rules)
    return wj.AppointmentOut(
        code=booking.show_code(code), service=row.service, start=row.start, end=row.end,
        service_name=svc.name if svc is not None else None, hall=hall.id, hall_name=hall.name,
        masked_name=row.masked_name, status=status or row.status, checkin_from=opens,
        checkin_until=closes, track_url=f"{base}/t/{row.ticket_id}" if row.ticket_id else None)


def find(db: Db, hall: HallInfo, text: str) -> tuple[Any, str] | None:
    """The booking of a typed or scanned code in `hall`, with the code as normalised."""
    code = booking.normalise_code(text)
    if code is None:
        return None
    row = connection_of(db).execute(select(_APPTS).where(
        _APPTS.c.hall == hall.id, _APPTS.c.code_hash == code_hash(hall, code))).first()
    return (row, code) if row is not None else None


def status_now(row: Any, hall: HallInfo, now: datetime) -> str:
    """A booking's status, counting one nobody came for as missed once its window closed."""
    if row.status == BOOKED and booking.missed_at(row.start, hall.rules) < now:
        return MISSED
    return str(row.status)


def view(store: Store, hall_id: str, text: str, base: str) -> wj.AppointmentOut:
    with store.read() as s:
        hall = hall_or_404(s, hall_id)
        found = find(s, hall, text)
        if found is None:
            raise NotFound(*UNKNOWN)
        row, code = found
        svc = s.get(Service, (hall.id, row.service))
        return _out(hall, svc, row, code, base, status_now(row, hall, store.clock()))


def cancel(store: Store, hall_id: str, text: str, id_number: str, base: str
           ) -> wj.AppointmentOut:
    """Cancel a booking: the code and the holder's ID number must match; a wrong number is
    the same 404 as an unknown code (it does not tell that the code exists)."""
    with store.write() as tx:
        hall = hall_or_404(tx.conn, hall_id)
        found = find(tx.conn, hall, text)
        digest = id_hash(hall.secret, id_number)
        if found is None or not hmac.compare_digest(found[0].id_hash, digest):
            raise NotFound(*UNKNOWN)
        row, code = found
        svc = tx.session.get(Service, (hall.id, row.service))
        if row.status == CANCELLED:
            return _out(hall, svc, row, code, base)
        if row.status in (CHECKED_IN, LATE):
            raise Conflict("appointment_used", "此预约已签到 / this booking is checked in")
        if row.start <= tx.now:
            raise Conflict("appointment_started", "预约时段已开始,不能取消 / the slot has "
                           "started and can no longer be cancelled")
        tx.conn.execute(update(_APPTS).where(_APPTS.c.id == row.id)
                        .values(status=CANCELLED, ended_at=tx.now))
        tx.emit(hall.id, "appointment.cancelled", appointment=row.id, service=row.service,
                start=row.start.isoformat())
        return _out(hall, svc, row, code, base, CANCELLED)


def mark_missed(store: Store) -> int:
    """Bookings of past days nobody checked in for become `missed` (once a day, at the
    rollover), each with an `appointment.missed` event; answers how many."""
    with store.write() as tx:
        rows = list(tx.conn.execute(select(_APPTS.c.id, _APPTS.c.hall, _APPTS.c.service,
                                           _APPTS.c.start, _APPTS.c.day).where(
            _APPTS.c.status == BOOKED, _APPTS.c.start < tx.now)))
        count = 0
        for row in rows:
            hall = load_hall(tx.conn, row.hall)
            if hall is None or row.day >= hall.day_of(tx.now):
                continue
            tx.conn.execute(update(_APPTS).where(_APPTS.c.id == row.id, _APPTS.c.status == BOOKED)
                            .values(status=MISSED, ended_at=tx.now))
            tx.emit(row.hall, "appointment.missed", appointment=row.id, service=row.service,
                    start=row.start.isoformat())
            count += 1
        return count

