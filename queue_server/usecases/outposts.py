"""Use cases around the bank-branch outposts (政银合作) and printing: forwarding an outpost's
ticket to the parent hall as a remote application in its intake queue (the pages scanned at the
branch go with it), and noting that a kiosk's printer failed to print a ticket."""

from __future__ import annotations

import logging
from typing import Any

from queue_server import wire
from queue_server.db.models import Ticket
from queue_server.db.records import Record
from queue_server.db.store import Store
from queue_server.db.unit import Tx
from queue_server.domain.errors import Conflict, Forbidden, NotFound
from queue_server.domain.hall import HallInfo
from queue_server.usecases.auth import Principal
from queue_server.usecases.halls import load_hall, service_row
from queue_server.usecases.tickets import Issue, create_ticket, issued_out
from queue_server.usecases.walk import end_current

log = logging.getLogger(__name__)

FORWARDERS = ("bank", "staff", "admin")


def forward(store: Store, who: Principal, ticket_id: str, body: wire.ForwardIn, base: str
            ) -> tuple[wire.TicketIssued, bool]:
    """Answers (the parent hall's ticket, created). Forwarding again answers the same one."""
    if who.kind not in FORWARDERS:
        raise Forbidden("forbidden", "此终端不能转办 / this terminal cannot forward")
    with store.write() as tx:
        s = tx.session
        ticket = s.get(Ticket, ticket_id, with_for_update=True) if len(ticket_id) <= 32 else None
        if ticket is None or (who.kind != "admin" and who.hall != ticket.hall):
            raise NotFound("unknown_ticket", "没有此号 / no such ticket")
        outpost = load_hall(s, ticket.hall)
        assert outpost is not None
        if outpost.parent is None:
            raise Conflict("not_an_outpost_ticket", "只有合作网点的号可以转办 / only a bank "
                           "outpost's ticket can be forwarded")
        parent = load_hall(s, outpost.parent)
        assert parent is not None
        created = ticket.forwarded_to is None
        if created:
            remote: Any = hand_on(tx, ticket, parent, body.service)
            s.flush()
            end_current(tx, ticket, "forwarded")
            s.flush()
        else:
            remote = s.get(Ticket, ticket.forwarded_to)
            assert remote is not None
        answer = issued_out(s, remote, parent, service_row(s, parent.id, remote.service), base)
        return answer.model_copy(update=parent.other_names()), created


def hand_on(tx: Tx, ticket: Any, parent: HallInfo, service: str | None = None) -> Record:
    """The parent hall's remote application for an outpost's `ticket` (a row or a record:
    `forwarded_to` set, not saved), in its intake queue (or the first zone of the service's
    route there), with its `ticket.forwarded` event. The caller ends the outpost's stage."""
    svc = service_row(tx.conn, parent.id, service or ticket.service)
    zone = "intake" if "intake" in svc.route else svc.route[0]
    issue = Issue(svc.code, "remote", ticket.priority, ticket.priority_reason,
                  ticket.id_hash, ticket.masked_id, ticket.masked_name, ticket.appointment)
    remote = create_ticket(tx, parent, svc, issue, zone=zone, forwarded_from=ticket.id)
    ticket.forwarded_to = remote.id
    tx.emit(ticket.hall, "ticket.forwarded", ticket=ticket.id, number=ticket.number,
            to_hall=parent.id, to_ticket=remote.id, to_number=remote.number)
    return remote


def print_failed(store: Store, who: Principal, ticket_id: str, reason: str) -> None:
    if who.kind not in ("kiosk", "bank", "counter", "staff"):
        raise Forbidden("forbidden", "此终端不打印号票 / this terminal prints no tickets")
    with store.write() as tx:
        ticket = tx.session.get(Ticket, ticket_id) if len(ticket_id) <= 32 else None
        if ticket is None or who.hall != ticket.hall:
            raise NotFound("unknown_ticket", "没有此号 / no such ticket")
        ticket.print_failed = True
        tx.emit(ticket.hall, "ticket.print_failed", ticket=ticket.id, number=ticket.number,
                terminal=who.terminal_name, reason=reason[:100])
        hall, number = ticket.hall, ticket.number
    # the administrator's morning: the night's print failures in the log too, with the time
    # (only the event stream had them; the 24-hour room, an outside check)
    log.warning("%s: %s did not print %s (%s)", hall, who.terminal_name, number,
                reason[:100] or "?")
