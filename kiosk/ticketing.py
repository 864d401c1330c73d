"""Taking the number: issue with an idempotency key (a retry after a lost answer sends the same
key, so the citizen gets one ticket and one print), print it, and send the scanned pages; at a
bank branch the pages are forwarded to the hall's intake as a remote application.

The number and its QR code are on screen from the moment the server answers; when the printer
fails they stay there with a note to photograph them, and the server is told.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from devices.errors import DeviceError
from kiosk.client import ServerUnreachable
from kiosk.session import Page
from queue_server import wire

if TYPE_CHECKING:
    from kiosk.flow import KioskFlow

log = logging.getLogger("kiosk.ticketing")
ISSUE_PATIENCE_S = 20.0   # how long one touch keeps retrying before numbers are paused


def ticket_layout(ticket: wire.TicketIssued, hall_name: str, service_name: str,
                  branch_name: str | None, timezone: str | None = None) -> Any:
    """What the printer prints: times in the hall's zone (the server answers in UTC); a branch
    line only when it differs from the name at the top."""
    from devices.printer.layout import TicketLayout

    zone = wire.ZONE_NAMES.get(ticket.zone, (ticket.zone, ticket.zone))[0]
    top = ticket.hall_name or hall_name
    return TicketLayout(
        hall_name=top, service_name=ticket.service_name or service_name,
        zone_name=zone, number=ticket.number, ahead=ticket.ahead,
        estimated_wait_min=max(0, round(ticket.estimated_wait_s / 60)),
        issued_at=local_time(ticket.issued_at, timezone), track_url=ticket.track_url,
        masked_id=ticket.masked_id, branch_name=branch_name if branch_name != top else None)


def local_time(moment: datetime, timezone: str | None) -> datetime:
    try:
        return moment.astimezone(ZoneInfo(timezone)) if timezone else moment.astimezone()
    except (ZoneInfoNotFoundError, ValueError):
        return moment.astimezone()


class Ticketing:
    def __init__(self, flow: KioskFlow) -> None:
        self.flow = flow

    def request(self) -> wire.TicketCreate:
        data = self.flow.data
        card = wire.IdCardIn(**data.id_card) if data.id_card else None
        return wire.TicketCreate(service=data.service or "", channel=self.flow.role,
                                 id_card=card)

    def issue(self) -> None:
        from kiosk.flow import ISSUING

        flow = self.flow
        client = flow.link.client
        if client is None or not flow.data.service:
            flow.go(ISSUING)
            flow.link.report_unreachable()
            return
        data = flow.data
        data.idempotency_key = data.idempotency_key or uuid.uuid4().hex
        key, req = data.idempotency_key, self.request()
        data.id_card = None  # sent once (in this request); nothing keeps it after
        flow.go(ISSUING)

        def send() -> wire.TicketIssued:
            deadline = time.monotonic() + ISSUE_PATIENCE_S
            while True:
                try:
                    return client.issue(req, idempotency_key=key, attempts=2, backoff_s=0.3)
                except ServerUnreachable:
                    if time.monotonic() >= deadline:
                        raise
                    time.sleep(1.0)

        flow.runner.submit(send, self._issued, self._issue_failed)

    def _issued(self, ticket: wire.TicketIssued) -> None:
        from kiosk.flow import TICKET

        flow = self.flow
        data = flow.data
        if data.ticket is not None and data.ticket.id == ticket.id:
            return  # the same answer twice: printed once
        data.ticket, data.print_state = ticket, "printing"
        flow.go(TICKET)
        self._print(ticket)
        if data.pages:
            self._upload(ticket, list(data.pages))

    def _issue_failed(self, exc: BaseException) -> None:
        from kiosk.flow import DETAIL, OFFLINE

        flow = self.flow
        if isinstance(exc, ServerUnreachable):
            flow.data.idempotency_key = None
            flow.link.report_unreachable()
            flow.go(OFFLINE, "offline")
            return
        code = getattr(exc, "code", "")
        flow.data.idempotency_key = None
        notice = {"daily_cap": "sold_out", "daily_cap_reached": "sold_out", "sold_out": "sold_out",
                  "service_closed": "closed"}.get(code, "issue_refused")
        log.info("issue refused: %s", exc)
        flow.go(DETAIL, notice)

    # -- printing ----------------------------------------------------------------------------
    def _print(self, ticket: wire.TicketIssued) -> None:
        flow = self.flow
        if not flow.devices.has("printer"):
            self._print_failed(ticket, "no printer configured")
            return
        service = flow.service
        branch = flow.hall_name if flow.role == "bank" else None
        hall = flow.link.hall
        layout = ticket_layout(ticket, flow.hall_name, service.name if service else "",
                               branch, hall.timezone if hall else None)
        devices = flow.devices
        flow.runner.submit(lambda: devices.print_ticket(layout), lambda _r: self._printed(ticket),
                           lambda exc: self._print_failed(ticket, str(exc), exc))

    def _printed(self, ticket: wire.TicketIssued) -> None:
        data = self.flow.data
        if data.ticket is not None and data.ticket.id == ticket.id:
            data.print_state = "printed"
            self.flow.changed.emit()

    def _print_failed(self, ticket: wire.TicketIssued, reason: str,
                      exc: BaseException | None = None) -> None:
        flow = self.flow
        if exc is not None and not isinstance(exc, DeviceError):
            log.error("printing failed unexpectedly: %r", exc)
        data = flow.data
        if data.ticket is not None and data.ticket.id == ticket.id:
            data.print_state = "failed"
            flow.touch()  # the citizen needs time to photograph the number
            flow.changed.emit()
        client = flow.link.client
        if client is not None:
            flow.runner.submit(lambda: client.print_failed(ticket.id, reason[:200]), keep=True,
                               failed=lambda e: log.warning("print-failed not sent: %s", e))

    # -- papers ------------------------------------------------------------------------------
    def _upload(self, ticket: wire.TicketIssued, pages: list[Page]) -> None:
        flow = self.flow
        client = flow.link.client
        if client is None:
            return
        forward = flow.role == "bank"
        flow.data.upload_state = "sending"

        def send() -> str:
            for page in pages:
                client.upload_document(ticket.id, page.jpeg, "image/jpeg")
            if forward:
                client.forward(ticket.id)
                return "forwarded"
            return "sent"

        def done(state: str) -> None:
            flow.data.upload_state = state
            flow.changed.emit()

        def failed(exc: BaseException) -> None:
            log.warning("papers of %s not sent: %s", ticket.number, exc)
            flow.data.upload_state = "failed"
            flow.changed.emit()

        flow.runner.submit(send, done, failed)
