"""A case at the end of approval (ready for pickup) and at the pickup counter: `ready` queues
the ticket in the pickup zone, writes `case.ready` and puts the notification in the outbox, all
in the approving counter's transaction; `handed_over` forgets the contact once the licence is
in its holder's hands (collected or mailed).

The pickup stage waits for its holder (held, status `ready`) when the case is to be mailed or
became ready on a later business day than the ticket's: that holder has gone home, and the
number of an earlier day means nothing on today's boards. Their arrival at a kiosk
(usecases/arrival.py) releases it under today's number. A case ready the same day keeps its
number and queues at once, as every other next zone does."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, select, update

from queue_server.db.models import Delivery
from queue_server.db.unit import Tx
from queue_server.domain.hall import HallInfo
from queue_server.usecases import notify
from queue_server.usecases.walk import queue_stage

_DELIVERIES = cast(Table, Delivery.__table__)


def method_of(tx: Tx, ticket_id: str) -> str:
    found = tx.conn.execute(select(_DELIVERIES.c.method).where(
        _DELIVERIES.c.ticket_id == ticket_id)).scalar()
    return str(found or "pickup")


def ready(tx: Tx, hall: HallInfo, ticket: Any, svc: Any, base: str) -> bool:
    """The approval of `ticket` ended on to pickup: queue it there (held or not), announce it
    and notify its holder. Answers whether the pickup stage is held."""
    method = method_of(tx, ticket.id)
    held = method == "mail" or ticket.day != hall.day_of(tx.now)
    queue_stage(tx, ticket, svc, "pickup", hall, held=held)
    tx.emit(hall.id, "case.ready", ticket=ticket.id, number=ticket.number, service=svc.code,
            delivery=method, held=held)
    notify.enqueue(tx, hall, "case.ready", ticket.id, {
        "number": ticket.number, "service": svc.code, "service_name": svc.name,
        "track_url": f"{base}/t/{ticket.id}", "delivery": method})
    return held


def handed_over(tx: Tx, ticket_id: str, **values: Any) -> None:
    """The licence is in its holder's hands (or the post's): the sealed contact is deleted."""
    tx.conn.execute(update(_DELIVERIES).where(_DELIVERIES.c.ticket_id == ticket_id,
                                              _DELIVERIES.c.handed_at.is_(None))
                    .values(contact=None, handed_at=tx.now, **values))


def collect_instead(tx: Tx, ticket_id: str) -> None:
    """The holder of a case to be mailed came to collect it: no mail, and the address (with
    the whole sealed contact) is deleted at once."""
    tx.conn.execute(update(_DELIVERIES).where(_DELIVERIES.c.ticket_id == ticket_id,
                                              _DELIVERIES.c.method == "mail",
                                              _DELIVERIES.c.handed_at.is_(None))
                    .values(method="pickup", contact=None))
