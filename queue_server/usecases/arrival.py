"""A holder arrives at a kiosk for a number that waits for them (CONTRACT.md §6 extensions): a
number taken from the phone that asks for check-in, a case ready for pickup, or one sent back
for papers (补正, usecases/supplement.py) whose holder brings them. Its held stage
queues like any other; a case ready on a later day gets a number of today under the same ticket
(one ticket for the whole case, one number for today's visit; the journey keeps each stage's
number). Arriving for a ticket that already queues today answers it again (a reprint)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, select, update

from queue_server import wire
from queue_server.db.models import Stage, Ticket
from queue_server.db.records import Record
from queue_server.db.unit import Tx
from queue_server.domain import stages
from queue_server.domain.errors import Conflict, Forbidden, NotFound
from queue_server.domain.hall import HallInfo
from queue_server.domain.opening import numbering_day
from queue_server.domain.policy import format_number
from queue_server.usecases import pickup
from queue_server.usecases.auth import Principal
from queue_server.usecases.halls import load_hall, service_row_any
from queue_server.usecases.tickets import issued_out, next_number
from queue_server.usecases.walk import STAGE, one

ARRIVERS = ("kiosk", "bank", "staff", "counter")
_TICKETS, _STAGES = cast(Table, Ticket.__table__), cast(Table, Stage.__table__)
_TICKET = select(_TICKETS).where(_TICKETS.c.id == bindparam("id")).with_for_update()


def _ticket(tx: Tx, who: Principal, ticket_id: str) -> tuple[Record, HallInfo]:
    ticket = one(tx.conn, _TICKETS, _TICKET, id=ticket_id) if len(ticket_id) <= 32 else None
    hall = load_hall(tx.conn, ticket.hall) if ticket is not None else None
    if ticket is None or hall is None or who.hall not in (ticket.hall, hall.parent):
        raise NotFound("unknown_ticket", "没有此号 / no such ticket")
    return ticket, hall


def _renumber(tx: Tx, hall: HallInfo, ticket: Record, stage: Record) -> None:
    """Today's number for a ticket of an earlier day; earlier stages keep theirs."""
    tx.conn.execute(update(_STAGES).where(_STAGES.c.ticket_id == ticket.id,
                                          _STAGES.c.number.is_(None))
                    .values(number=ticket.number))
    seq = next_number(tx.conn, hall.id, ticket.prefix, numbering_day(hall, tx.now), None)
    stage.number = ticket.number = format_number(ticket.prefix, seq)


def arrive_in(tx: Tx, who: Principal, ticket_id: str, base: str) -> tuple[wire.TicketIssued, bool]:
    """Answers (the ticket to print, whether it was released now)."""
    if who.kind not in ARRIVERS:
        raise Forbidden("forbidden", "此终端不能签到 / this terminal cannot check in")
    ticket, hall = _ticket(tx, who, ticket_id)
    if ticket.status == stages.FORWARDED and ticket.forwarded_to and who.hall != ticket.hall:
        # the bank branch's ticket in its holder's hand, at the hall's kiosk: the application
        # is the hall's own ticket (sent back for papers, ready for pickup)
        ticket, hall = _ticket(tx, who, ticket.forwarded_to)
    stage = one(tx.conn, _STAGES, STAGE, id=ticket.stage) if ticket.stage else None
    svc = service_row_any(tx.session, ticket.hall, ticket.service)
    if stage is None or stage.status != stages.HELD:
        if ticket.status in (stages.WAITING, stages.CALLED, stages.SERVING):
            return issued_out(tx.conn, ticket, hall, svc, base, now=tx.now), False
        raise Conflict("nothing_to_collect", "此号无需签到 / this ticket does not wait for "
                       "check-in")
    previous = ticket.number
    # a case that waits for its holder on a later day: ready for pickup, or sent back for
    # papers (补正); a number from the phone is for its own day only
    case = stage.zone == "pickup" or ticket.status == stages.SUPPLEMENT
    if not case and ticket.day != hall.day_of(tx.now):
        raise Conflict("number_expired", "此号已过期,请重新取号 / this number was for another "
                       "day: take a new one")
    if case:
        if ticket.day != hall.day_of(tx.now):
            _renumber(tx, hall, ticket, stage)
        stage.sort_at = tx.now  # taken up in the order holders arrive
    if stage.zone == "pickup":
        pickup.collect_instead(tx, ticket.id)
    stages.release(stage)
    ticket.status = stages.WAITING
    stage.save(tx.conn)
    ticket.save(tx.conn)
    tx.emit(hall.id, "ticket.arrived", ticket=ticket.id, number=ticket.number,
            service=ticket.service, zone=ticket.zone,
            previous_number=previous if previous != ticket.number else None)
    return issued_out(tx.conn, ticket, hall, svc, base, now=tx.now), True

