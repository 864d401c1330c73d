"""A number from the phone (远程取号): today's number for a service that allows it, while the
hall is open (or within the service's remote hours), for the holder of an ID card; with the
service's `checkin` it waits for its holder to check in at a kiosk (usecases/arrival.py)
before a counter can call it, keeping its place by the time it was taken. One open number per
holder, service and day: asking again answers the same ticket. Boards call it like any
other."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, select, update

from queue_server import wire
from queue_server import wire_journey as wj
from queue_server.db.models import Delivery, Stage, Ticket
from queue_server.db.store import Store
from queue_server.domain import opening, stages
from queue_server.domain.errors import Conflict, Invalid
from queue_server.domain.sealing import seal
from queue_server.usecases.appointments import check_number, hall_or_404
from queue_server.usecases.halls import service_row
from queue_server.usecases.lookups import OPEN
from queue_server.usecases.public import remote_hours, remote_of
from queue_server.usecases.tickets import Issue, create_ticket, issued_out, reduce_card
from queue_server.usecases.walk import STAGE, end_stage, one

_TICKETS, _DELIVERIES = cast(Table, Ticket.__table__), cast(Table, Delivery.__table__)
_STAGES = cast(Table, Stage.__table__)
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


def expire_unclaimed(store: Store) -> int:
    """Numbers from the phone of past days whose holder never checked in end as `no_show`
    (at the rollover, with a `ticket.no_show` event each); answers how many. A case that waits
    for its papers (补正) is not one of them."""
    from queue_server.usecases.halls import load_hall

    with store.write() as tx:
        rows = list(tx.conn.execute(
            select(_STAGES.c.id, _TICKETS.c.id.label("ticket"), _TICKETS.c.hall,
                   _TICKETS.c.day, _TICKETS.c.number, _TICKETS.c.service, _STAGES.c.zone)
            .join(_TICKETS, _TICKETS.c.stage == _STAGES.c.id)
            .where(_STAGES.c.status == stages.HELD, _STAGES.c.zone != "pickup",
                   # a case sent back for papers (补正) waits for its holder for days
                   _TICKETS.c.status != stages.SUPPLEMENT)))
        count = 0
        for row in rows:
            hall = load_hall(tx.conn, row.hall)
            if hall is None or row.day >= hall.day_of(tx.now):
                continue
            stage = one(tx.conn, _STAGES, STAGE, id=row.id)
            assert stage is not None
            end_stage(stage, None, tx.now, "no_show")
            stage.save(tx.conn)
            tx.conn.execute(update(_TICKETS).where(_TICKETS.c.id == row.ticket).values(
                status=stages.ticket_status_after("no_show", None)))
            tx.emit(row.hall, "ticket.no_show", ticket=row.ticket, number=row.number,
                    service=row.service, zone=row.zone, counter=None, unclaimed=True)
            count += 1
        return count
