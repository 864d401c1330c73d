"""Taking the number: issue with an idempotency key (a retry after a lost answer sends the same
key, so the citizen gets one ticket and one print), print it, and send the scanned pages; at a
bank branch the pages are forwarded to the hall's intake as a remote application.

The number and its QR code are on screen from the moment the server answers; when the printer
fails they stay there with a note to photograph them, and the server is told. When the printer
stopped for a reason a person can fix (paper out, cover open), its health is asked every few
seconds while the ticket is on screen, and once it can print again the citizen may print the same
ticket again (`reprint`): never a second number.

When the hall lists Mongolian (`[hall] languages`), the ticket carries the hall's and the
service's Mongolian names and a short sentence; the printer draws them as a picture in the same
job, as wide as its paper (ticket printers have no Mongolian font). Without a Mongolian font on
this terminal the ticket is printed in Chinese alone, and that is logged once.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from PySide6.QtCore import QObject, QTimer

from devices.errors import DeviceError, NotReady
from kiosk.client import QueueClient, ServerUnreachable
from kiosk.port import StepPort
from kiosk.session import Page
from kiosk.states import DETAIL, ISSUING, OFFLINE, PRIORITY, TICKET
from queue_server import wire

log = logging.getLogger("kiosk.ticketing")
# The priority reasons a citizen may declare at a kiosk (the server refuses the others).
DECLARABLE = ("disabled", "pregnant", "serviceman", "green")
# A printer health that means no ticket will come out: the screens say so before a number is
# taken (paper_low still prints), and offer no reprint until it has gone.
PRINTER_DOWN = ("paper_out", "cover_open", "offline", "error")
PRINTER_WATCH_MS = 2000   # how often a failed printer is asked whether it is back
ISSUE_PATIENCE_S = 20.0   # how long one touch keeps retrying before numbers are paused
# How long after that the visitor is taken to be still at the kiosk (the offline screen never
# times out): a number whose request went unanswered is sent again if the server is back sooner
RESUME_WITHIN_S = 90.0
# "ta dugaar-iyan küliyegerei", please wait for your number to be called: a starting
# translation, to be reviewed by a native reader (as every entry of ui/locale/mn.po).
WAIT_SENTENCE_MN = ("\u1832\u1820 \u1833\u180b\u1824\u182d\u1820\u1837\u202f\u1822\u1836\u1820\u1828 "
                    "\u182c\u1826\u182f\u1822\u1836\u1821\u182d\u1821\u1837\u1821\u1822")
_font_missing_logged = False


def mongol_texts(hall: wire.HallOut | None, service: wire.ServiceInfo | None
                 ) -> tuple[Any, str] | None:
    """The ticket's Mongolian texts and the font file that draws them, when the hall lists
    Mongolian and this terminal has the font; else None (the ticket stays Chinese)."""
    global _font_missing_logged
    if hall is None or "mn" not in hall.languages:
        return None
    from devices.printer.mongol import MongolBlock
    from kiosk.fonts import FontMissing, find_font_file

    try:
        font = find_font_file()
    except FontMissing as exc:
        if not _font_missing_logged:
            log.warning("tickets without Mongolian: %s", exc)
            _font_missing_logged = True
        return None
    block = MongolBlock(hall=hall.name_mn or "", service=(service.name_mn or "") if service else "",
                        sentence=WAIT_SENTENCE_MN)
    return block, str(font)


def calls_from(ticket: wire.TicketIssued, timezone: str | None) -> datetime | None:
    """When calling starts for a number taken while the hall is closed (`calls_from` of the
    server's answer), in the hall's time zone; None while the hall is open."""
    return local_time(ticket.calls_from, timezone) if ticket.calls_from else None


def forwarded_to(ticket: Any) -> dict[str, str] | None:
    """Where a bank branch's ticket went (`forwarded_to` of a TicketOut: the hall's ticket,
    number, hall and hall_name, track_url), as plain strings; None when it was not forwarded."""
    found = getattr(ticket, "forwarded_to", None)
    if found is None:
        return None
    if not isinstance(found, dict):
        found = found.model_dump() if hasattr(found, "model_dump") else vars(found)
    return {k: str(v) for k, v in found.items() if v is not None}


def zone_names(zone: str) -> tuple[str, str]:
    return wire.ZONE_NAMES.get(zone, (zone, zone))


def ticket_layout(ticket: wire.TicketIssued, hall_name: str, service_name: str,
                  branch_name: str | None, timezone: str | None = None,
                  mongol: tuple[Any, str] | None = None,
                  materials: tuple[str, ...] = (), *,
                  english: wire.ServiceInfo | None = None,
                  forwarded: wire.TicketIssued | None = None) -> Any:
    """What the printer prints: times in the hall's zone (the server answers in UTC); a branch
    line only when it differs from the name at the top; the Mongolian texts and their font
    (`mongol_texts`) drawn by the printer at its paper's width; the papers to bring; the
    service's English name and papers under the Chinese for a visitor who read English
    (`english`: the service as the hall describes it); when calling starts, for a number taken
    while the hall is closed; a bank branch's application `forwarded` to the hall: the hall's
    number and QR code, and where it went; the priority mark of a priority ticket."""
    from devices.printer.layout import Forwarded, TicketLayout

    zone, zone_en = zone_names(ticket.zone)
    top = ticket.hall_name or hall_name
    number, track = ticket.number, ticket.track_url
    gone = None
    if forwarded is not None:
        names = zone_names(forwarded.zone)
        gone = Forwarded(hall_name=forwarded.hall_name or forwarded.hall or "",
                         zone_name=names[0], zone_name_en=names[1], number=forwarded.number,
                         hall_name_en=forwarded.hall_name_en or "")
        number, track = forwarded.number, forwarded.track_url
    papers_en: tuple[str, ...] = ()
    if english is not None and materials:
        papers_en = tuple(english.materials_en or ())[:len(materials)]
    return TicketLayout(
        hall_name=top, service_name=ticket.service_name or service_name,
        zone_name=zone, number=number, ahead=ticket.ahead,
        estimated_wait_min=max(0, round(ticket.estimated_wait_s / 60)),
        issued_at=local_time(ticket.issued_at, timezone), track_url=track,
        masked_id=ticket.masked_id, branch_name=branch_name if branch_name != top else None,
        mongol_texts=mongol[0] if mongol else None, mongol_font=mongol[1] if mongol else None,
        materials=materials, service_name_en=english.name_en if english is not None else None,
        zone_name_en=zone_en if english is not None else None, materials_en=papers_en,
        calls_from=calls_from(ticket, timezone) if gone is None else None, forwarded=gone,
        priority=bool(forwarded.priority if forwarded is not None else ticket.priority))


def local_time(moment: datetime, timezone: str | None) -> datetime:
    try:
        return moment.astimezone(ZoneInfo(timezone)) if timezone else moment.astimezone()
    except (ZoneInfoNotFoundError, ValueError):
        return moment.astimezone()


class Ticketing:
    def __init__(self, port: StepPort, parent: QObject | None = None) -> None:
        self.port = port
        # why the last ticket did not print: the printer's health then ("paper_out", ...), or ""
        self.print_problem = ""
        # the printer stopped in the middle of that ticket: what came out may be cut short
        self.print_interrupted = False
        self._watch = QTimer(parent, interval=PRINTER_WATCH_MS)
        self._watch.timeout.connect(self._watch_printer)
        self._asking = False
        # A number whose request went unanswered while the server was away: sent again, with
        # the same key, once it is back and the visitor is still here (`resume`); the server
        # answers the first ticket if it had been issued. Memory only, dropped with the visit.
        self._unanswered: tuple[str, wire.TicketCreate] | None = None
        self._gave_up_at = 0.0  # (monotonic) when that request's patience ran out

    def request(self) -> wire.TicketCreate:
        data = self.port.data
        card = wire.IdCardIn(**data.id_card) if data.id_card else None
        reason = data.priority_reason  # green channel: declared here, checked at the counter
        return wire.TicketCreate(service=data.service or "", channel=self.port.role,
                                 id_card=card, priority="priority" if reason else "normal",
                                 priority_reason=reason)  # type: ignore[arg-type]

    # -- the green channel (绿色通道): a reason the citizen declares -------------------------
    def ask_priority(self) -> None:
        """From the service's screen: the reasons a citizen may declare."""
        self.port.touch()
        self.port.go(PRIORITY)

    def choose_priority(self, reason: str | None) -> None:
        """On the priority screen: one of `DECLARABLE`, or None for no priority; back to the
        service's details."""
        self.port.touch()
        self.port.data.priority_reason = reason if reason in DECLARABLE else None
        self.port.go(DETAIL)

    def shown(self, ticket: wire.TicketIssued) -> None:
        """A ticket from elsewhere in the flow (a check-in): shown and printed the same way."""
        self._issued(ticket)

    def issue(self) -> None:
        port = self.port
        client = port.link.client
        if client is None or not port.data.service:
            port.go(ISSUING)
            port.link.report_unreachable()
            return
        data = port.data
        data.idempotency_key = data.idempotency_key or uuid.uuid4().hex
        key, req = data.idempotency_key, self.request()
        data.id_card = None  # sent once (in this request); nothing keeps it after
        self._send(client, key, req)

    def pending(self) -> bool:
        """Whether a number's request went unanswered while the server was away, recently
        enough that its visitor may still be at the kiosk."""
        if self._unanswered is not None and \
                time.monotonic() - self._gave_up_at > RESUME_WITHIN_S:
            self._unanswered = None  # nobody waits for it now: a number for nobody, never
        return self._unanswered is not None

    def resume(self) -> None:
        """The server is back while the visitor still waits: the unanswered request again."""
        client = self.port.link.client
        if self._unanswered is None or client is None:
            return
        self._send(client, *self._unanswered)

    def forget(self) -> None:
        """The visit ended: an unanswered request is not sent again."""
        self._unanswered = None

    def _send(self, client: QueueClient, key: str, req: wire.TicketCreate) -> None:
        port = self.port
        # in flight: not yet given up (`pending` of an earlier visit's time dropped it)
        self._unanswered, self._gave_up_at = (key, req), time.monotonic()
        port.go(ISSUING)

        def send() -> wire.TicketIssued:
            deadline = time.monotonic() + ISSUE_PATIENCE_S
            while True:
                try:
                    return client.issue(req, idempotency_key=key, attempts=2, backoff_s=0.3)
                except ServerUnreachable:
                    if time.monotonic() >= deadline:
                        raise
                    time.sleep(1.0)

        port.runner.submit(send, self._issued, self._issue_failed)

    def _issued(self, ticket: wire.TicketIssued) -> None:
        self._unanswered = None
        port = self.port
        data = port.data
        if data.ticket is not None and data.ticket.id == ticket.id:
            return  # the same answer twice: printed once
        data.ticket, data.print_state = ticket, "printing"
        self.print_problem, self.print_interrupted = "", False
        port.go(TICKET)
        if data.pages and port.role == "bank":
            # printed once the hall answers: the paper then names the hall's number
            lang = port.lang  # the visitor's, should they leave before the hall answers
            self._upload(ticket, list(data.pages),
                         lambda hall: self._print(ticket, hall, lang))
            return
        self._print(ticket)
        if data.pages:
            self._upload(ticket, list(data.pages))

    def _issue_failed(self, exc: BaseException) -> None:
        port = self.port
        if isinstance(exc, ServerUnreachable):
            # kept (`_unanswered`): sent again when the server is back, if the visitor waits
            self._gave_up_at = time.monotonic()
            port.link.report_unreachable()
            port.go(OFFLINE, "offline")
            return
        self._unanswered = None
        code = getattr(exc, "code", "")
        port.data.idempotency_key = None
        notice = {"daily_cap": "sold_out", "daily_cap_reached": "sold_out", "sold_out": "sold_out",
                  "service_closed": "closed", "priority_reason_required": "priority_refused",
                  "priority_reason_not_allowed": "priority_refused",
                  "papers_due": "papers_due"}.get(code, "issue_refused")
        log.info("issue refused: %s", exc)
        port.go(DETAIL, notice)

    # -- printing ----------------------------------------------------------------------------
    def _print(self, ticket: wire.TicketIssued, forwarded: wire.TicketIssued | None = None,
               lang: str | None = None) -> None:
        port = self.port
        if not port.devices.has("printer"):
            self._print_failed(ticket, "no printer configured")
            return
        service = port.service
        branch = port.hall_name if port.role == "bank" else None
        issued = port.link.catalog.get(ticket.service) or service
        mongol = mongol_texts(port.link.hall, issued)
        # the papers to bring (examples/hjhq.toml: listed on screen and printed), on a number
        # for the start of the visit, not on one to collect a licence
        papers = (tuple(issued.materials) if issued is not None and issued.route
                  and ticket.zone == issued.route[0] and ticket.zone != "pickup" else ())
        english = (lang or port.lang) == "en"
        layout = ticket_layout(ticket, port.hall_name, service.name if service else "",
                               branch, port.hall_timezone, mongol, papers,
                               english=issued if english else None, forwarded=forwarded)
        devices = port.devices
        port.runner.submit(lambda: devices.print_ticket(layout), lambda _r: self._printed(ticket),
                           lambda exc: self._print_failed(ticket, str(exc), exc))

    def _printed(self, ticket: wire.TicketIssued) -> None:
        data = self.port.data
        if data.ticket is not None and data.ticket.id == ticket.id:
            data.print_state = "printed"
            self.port.emit_changed()

    def _print_failed(self, ticket: wire.TicketIssued, reason: str,
                      exc: BaseException | None = None) -> None:
        port = self.port
        if exc is not None and not isinstance(exc, DeviceError):
            log.error("printing failed unexpectedly: %r", exc)
        data = port.data
        if data.ticket is not None and data.ticket.id == ticket.id:
            if isinstance(exc, NotReady):  # the printer said why, at the end of this ticket
                self.print_problem, self.print_interrupted = exc.health, exc.interrupted
            else:  # the device manager asked the printer why before this answer came back
                self.print_problem = port.devices.last_health().get("printer", "") \
                    if port.devices.has("printer") else ""
                self.print_interrupted = False
            data.print_state = "failed"
            if port.devices.has("printer"):
                self._watch.start()  # a reprint is offered once the printer is back
            port.touch()  # the citizen needs time to photograph the number
            port.emit_changed()
        client = port.link.client
        if client is not None:
            port.runner.submit(lambda: client.print_failed(ticket.id, reason[:200]), keep=True,
                               failed=lambda e: log.warning("print-failed not sent: %s", e))

    # -- printing the same ticket again ------------------------------------------------------
    def reprint(self) -> None:
        """Print the ticket on screen again (its number was issued: nothing is asked of the
        server); a bank branch's forwarded ticket as the hall's."""
        port = self.port
        port.touch()
        data = port.data
        if data.ticket is None or data.print_state != "failed" or not port.devices.has("printer"):
            return
        self._watch.stop()
        data.print_state = "printing"
        self.print_problem, self.print_interrupted = "", False
        port.emit_changed()
        self._print(data.ticket, data.forwarded)

    def _watch_printer(self) -> None:
        """While a ticket that did not print is on screen, ask the printer how it is (its answer
        reaches the screens through the device manager's health listener)."""
        port = self.port
        if port.state != TICKET or port.data.print_state != "failed":
            self._watch.stop()
            return
        if self._asking:
            return
        self._asking = True
        devices = port.devices

        def asked(_result: object) -> None:
            self._asking = False
            port.emit_changed()

        port.runner.submit(lambda: devices.health(("printer",)), asked, lambda _e: asked(None),
                           keep=True)

    # -- papers ------------------------------------------------------------------------------
    def _upload(self, ticket: wire.TicketIssued, pages: list[Page],
                then: Callable[[wire.TicketIssued | None], None] | None = None) -> None:
        """Send the pages; at a bank branch, forward the application to the hall and keep the
        hall's ticket (`data.forwarded`): the screen and the paper name its number. `then`
        gets the hall's ticket (None when the pages did not go on), whatever the outcome, even
        when the visitor has left (the print that waited for the answer)."""
        port = self.port
        client = port.link.client
        after = then or (lambda _hall: None)
        if client is None:
            after(None)
            return
        forward = port.role == "bank"
        port.data.upload_state = "sending"

        def send() -> wire.TicketIssued | None:
            for page in pages:
                client.upload_document(ticket.id, page.jpeg, "image/jpeg")
            return client.forward(ticket.id) if forward else None

        def done(hall_ticket: wire.TicketIssued | None) -> None:
            if port.data.ticket is ticket:
                port.data.upload_state = "forwarded" if forward else "sent"
                port.data.forwarded = hall_ticket
                port.emit_changed()
            after(hall_ticket)

        def failed(exc: BaseException) -> None:
            log.warning("papers of %s not sent: %s", ticket.number, exc)
            if port.data.ticket is ticket:
                port.data.upload_state = "failed"
                port.emit_changed()
            after(None)

        port.runner.submit(send, done, failed, keep=then is not None)
