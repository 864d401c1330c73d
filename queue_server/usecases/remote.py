"""A number from the phone (远程取号): today's number for a service that allows it, while the
hall is open (or within the service's remote hours), for the holder of an ID card; with the
service's `checkin` it waits for its holder to check in at a kiosk (usecases/arrival.py)
before a counter can call it, keeping its place by the time it was taken. One open number per
holder, service and day: asking again answers the same ticket. Boards call it like any
other."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, select

from queue_server import wire
from queue_server import wire_journey as wj
from queue_server.db.models import Delivery, Ticket
from queue_server.db.store import Store
from queue_server.domain import opening
from queue_server.domain.errors import Conflict, Invalid
from queue_server.domain.sealing import seal
from queue_server.usecases.appointments import check_number, hall_or_404
from queue_server.usecases.halls import service_row
from queue_server.usecases.lookups import OPEN
from queue_server.usecases.public import remote_hours, remote_of
from queue_server.usecases.tickets import Issue, create_ticket, issued_out, reduce_card

_TICKETS, _DELIVERIES = cast(Table, Ticket.__table__), cast(Table, Delivery.__table__)
CHANNEL = "web"


def take(store: Store, hall_id: str, body: wj.RemoteTicketIn, base: str
         ) -> tuple[wire.TicketIssued, bool]:
    """Answers (the ticket, whether it is new)."""
    check_number(body.id_card.number)
    with store.write() as tx:
        hall = hall_or_404(tx.conn, hall_id)
        svc = service_row(tx.conn, hall.id, body.service)
        spec = remote_of(svc)
        if spec is None:
            raise Invalid("remote_not_offered", "此事项不能远程取号 / this service gives no "
                          "numbers from the phone")
        if not opening.is_open(hall, tx.now, remote_hours(spec)):
            raise Conflict("hall_closed", "现在不在远程取号时间内 / numbers from the phone are "
                           "given only while the hall is open")
        card = reduce_card(body.id_card, hall, tx.now)
        known = tx.conn.execute(select(_TICKETS).where(
            _TICKETS.c.hall == hall.id, _TICKETS.c.id_hash == card.digest,
            _TICKETS.c.service == svc.code, _TICKETS.c.channel == CHANNEL,
            _TICKETS.c.day == hall.day_of(tx.now), _TICKETS.c.status.in_(OPEN))).first()
        if known is not None:
            return issued_out(tx.conn, known, hall, svc, base), False
        issue = Issue(svc.code, CHANNEL, card.elderly, "elderly" if card.elderly else None,
                      card.digest, card.masked_id, card.masked_name, None,
                      held=bool(spec.get("checkin", True)))
        ticket = create_ticket(tx, hall, svc, issue)
        if body.phone:
            tx.conn.execute(_DELIVERIES.insert(), {
                "ticket_id": ticket.id, "hall": hall.id, "method": "pickup",
                "contact": seal(hall.secret, hall.id, {"phone": body.phone}), "carrier": None,
                "tracking": None, "created_at": tx.now, "handed_at": None})
        return issued_out(tx.conn, ticket, hall, svc, base), True
