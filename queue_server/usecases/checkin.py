"""Checking in a booking at a kiosk (CONTRACT.md §6): `POST /tickets` with the booking's code,
or with an ID card that holds one of today's bookings. Inside the booking's window the ticket is
called with priority (reason `appointment`); before it the answer is `appointment_too_early`;
after it the citizen gets a normal ticket marked `appointment_late`. A code that is not a
booking of this hall, or was cancelled, is `appointment_unknown`; another day's booking is
`appointment_not_today`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, select, update

from queue_server import wire
from queue_server.db.models import Appointment, Delivery, Ticket
from queue_server.db.unit import Tx
from queue_server.domain import booking
from queue_server.domain.errors import Conflict, NotFound
from queue_server.domain.hall import HallInfo
from queue_server.domain.sealing import SealBroken, unseal
from queue_server.usecases import appointments as appts

_APPTS = cast(Table, Appointment.__table__)
_DELIVERIES = cast(Table, Delivery.__table__)
_TICKETS = cast(Table, Ticket.__table__)


@dataclass(frozen=True)
class CheckIn:
    booking: Any       # the appointment row
    late: bool


def _by_card(tx: Tx, hall: HallInfo, digest: str, service: str | None) -> Any | None:
    """Today's open booking of the card's holder (of `service`, when one was chosen): the
    one whose slot starts soonest."""
    today = hall.day_of(tx.now)
    query = select(_APPTS).where(_APPTS.c.hall == hall.id, _APPTS.c.id_hash == digest,
                                 _APPTS.c.day == today, _APPTS.c.status == appts.BOOKED)
    if service:
        query = query.where(_APPTS.c.service == service)
    return tx.conn.execute(query.order_by(_APPTS.c.start).limit(1)).first()


def _coming(tx: Tx, hall: HallInfo, digest: str) -> Any | None:
    """The card holder's next open booking on a later day: at night in the 24-hour room a
    card with tomorrow's booking was "没有找到您今天的预约", and the kiosk offered a plain
    number for tomorrow beside the booking (an outside check)."""
    return tx.conn.execute(select(_APPTS).where(
        _APPTS.c.hall == hall.id, _APPTS.c.id_hash == digest, _APPTS.c.status == appts.BOOKED,
        _APPTS.c.day > hall.day_of(tx.now)).order_by(_APPTS.c.start).limit(1)).first()


def _by_code(tx: Tx, hall: HallInfo, text: str) -> Any:
    found = appts.find(tx.conn, hall, text)
    if found is None or found[0].status == appts.CANCELLED:
        raise NotFound(*appts.UNKNOWN)
    row = found[0]
    if row.status in (appts.CHECKED_IN, appts.LATE):
        raise _used(tx, row)
    return row


def _used(tx: Tx, row: Any) -> Conflict:
    """A booking checked in before: the refusal names the number it gave (`number`), so the
    citizen who scans the booking's QR code again learns it without a second number."""
    number = tx.conn.execute(select(_TICKETS.c.number).where(
        _TICKETS.c.id == row.ticket_id)).scalar() if row.ticket_id else None
    if not number:
        return Conflict("appointment_used", "此预约已签到取号 / this booking is already checked in")
    return Conflict("appointment_used", f"此预约已签到取号,号码 {number} / this booking is "
                    f"already checked in: number {number}", {"number": str(number)})


def resolve(tx: Tx, hall: HallInfo, req: wire.TicketCreate, digest: str | None
            ) -> CheckIn | None:
    """The check-in a ticket request makes, if any (raises the refusals of §6)."""
    if req.appointment is not None:
        row = _by_code(tx, hall, req.appointment)
    elif digest is not None:
        row = _by_card(tx, hall, digest, req.service)
        if row is None and not req.service:
            row = _coming(tx, hall, digest)
            if row is None:
                raise NotFound("appointment_unknown", "没有找到您今天的预约 / no booking of "
                               "yours for today")
    else:
        return None
    if row is None:
        return None
    zone = ZoneInfo(hall.timezone)
    opens, closes = (t.astimezone(zone).strftime("%H:%M")
                     for t in booking.window(row.start, hall.rules))
    if hall.day_of(row.start) != hall.day_of(tx.now):
        start = row.start.astimezone(zone)
        raise Conflict("appointment_not_today", f"您的预约在 {start.month}月{start.day}日 "
                       f"{start:%H:%M},不是今天,请当天 {opens}–{closes} 签到 / your booking "
                       f"is on {start:%Y-%m-%d} at {start:%H:%M}, not today: check in that "
                       f"day between {opens} and {closes}")
    verdict = booking.verdict(row.start, tx.now, hall.rules)
    if verdict == "too_early":
        raise Conflict("appointment_too_early", f"还未到签到时间,请于 {opens}–{closes} 签到 / "
                       f"too early: check in between {opens} and {closes}")
    return CheckIn(row, late=verdict == "late")


def mark_used(tx: Tx, hall: HallInfo, checkin: CheckIn, ticket: Any) -> None:
    """The booking is used by `ticket`; a phone given at booking goes with the ticket (for
    the ready-for-pickup message)."""
    row = checkin.booking
    status = appts.LATE if checkin.late else appts.CHECKED_IN
    tx.conn.execute(update(_APPTS).where(_APPTS.c.id == row.id)
                    .values(status=status, ended_at=tx.now, ticket_id=ticket.id))
    if row.phone is not None:
        try:
            unseal(hall.secret, hall.id, row.phone)  # still opens: carry it over as sealed
            tx.conn.execute(_DELIVERIES.insert(), {
                "ticket_id": ticket.id, "hall": hall.id, "method": "pickup",
                "contact": row.phone, "carrier": None, "tracking": None,
                "created_at": tx.now, "handed_at": None})
        except SealBroken:
            pass
        tx.conn.execute(update(_APPTS).where(_APPTS.c.id == row.id).values(phone=None))
    tx.emit(hall.id, "appointment.checked_in", appointment=row.id, ticket=ticket.id,
            number=ticket.number, service=row.service, late=checkin.late)
