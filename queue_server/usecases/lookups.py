"""Reading tickets for terminals: one ticket by id (or its public tracking code), and a card
holder's tickets of the last week and still-open cases (a case ready for pickup included), in
this hall and its family. Queries only."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server import wire
from queue_server.db.models import Ticket
from queue_server.db.store import Store
from queue_server.domain.errors import Forbidden, NotFound
from queue_server.domain.security import id_hash, rating_code
from queue_server.usecases.auth import Principal
from queue_server.usecases.halls import load_hall
from queue_server.usecases.views import ticket_out

OPEN = ("waiting", "called", "serving", "ready", "supplement")  # a case still at work
BOARDS = ("display",)  # terminals that show tickets to the whole hall
# How far back a card finds a finished visit (to ask about it or rate it): the 24-hour room's
# citizen comes back at night or the next day, and a case served yesterday, or a number taken
# after hours (numbered for the next day) and served that evening, was not found at all
RECENT_DAYS = 7


def visible(who: Principal, ticket_hall: str, parent: str | None) -> bool:
    return who.kind == "admin" or who.hall in (ticket_hall, parent)


def get_ticket(store: Store, who: Principal, ticket_id: str, base: str) -> wire.TicketOut:
    with store.read() as s:
        ticket = s.get(Ticket, ticket_id) if len(ticket_id) <= 32 else None
        hall = load_hall(s, ticket.hall) if ticket is not None else None
        if ticket is None or hall is None or not visible(who, ticket.hall, hall.parent):
            raise NotFound("unknown_ticket", "没有此号 / no such ticket")
        out = ticket_out(s, ticket, base)
        if who.kind in BOARDS:  # the reason of a green channel is nobody's on the hall's wall
            out.priority_reason = None
        return out


def lookup(store: Store, who: Principal, card: wire.IdCardIn, base: str) -> list[wire.TicketOut]:
    """The card holder's tickets of the last `RECENT_DAYS` days (the numbering day of a number
    taken after hours included) and still-open cases, newest first, in this hall and its
    family."""
    if who.kind not in ("kiosk", "bank", "counter", "staff") or who.hall is None:
        raise Forbidden("forbidden", "此终端不能查询 / this terminal cannot look up tickets")
    with store.read() as s:
        hall = load_hall(s, who.hall)
        assert hall is not None
        digest = id_hash(hall.secret, card.number)
        rows = s.scalars(select(Ticket).where(Ticket.id_hash == digest)
                         .order_by(Ticket.issued_at.desc()).limit(50))
        family = {hall.id, hall.parent}
        since = hall.day_of(store.clock()) - timedelta(days=RECENT_DAYS)
        found = [ticket_out(s, t, base) for t in rows
                 if (t.hall in family or _parent_of(s, t.hall) == hall.id)
                 and (t.day >= since or t.status in OPEN)]
        for out in found:  # the card proved the holder: these may be rated from the kiosk
            owner = load_hall(s, out.hall or hall.id)
            out.rating_code = rating_code((owner or hall).secret, out.id)
        return found


def _parent_of(s: Session, hall_id: str) -> str | None:
    hall = load_hall(s, hall_id)
    return hall.parent if hall else None
