"""Checking in at the kiosk (签到 / 取件): a booking (CONTRACT.md §6), a number taken from the
phone that waits for its holder, or a case ready for pickup. The citizen shows an ID card, types
the booking code, or holds a QR code (the booking's, or the ticket's) under the document camera.

By card, the server is first asked for the holder's tickets: a ready case or a waiting phone
number is checked in (`POST /tickets/{id}/arrive`: the pickup number comes under the same
ticket); otherwise the card checks in today's booking (`POST /tickets` with the card). A code or a
booking QR checks in with `"appointment"`. The ticket then shows and prints like any other; a
refusal (too early, not today, unknown, already used, expired) gets a screen of its own."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from urllib.parse import urlsplit

from kiosk.client import ApiError, QueueClient, ServerUnreachable
from kiosk.port import StepPort
from kiosk.states import ANSWER, CHECKIN, ISSUING, OFFLINE
from queue_server import wire

log = logging.getLogger("kiosk.checkin")
# The booking code's alphabet (no 0/O, 1/I/L), ten of them; shown as ABCDE-FGHJK.
CODE_KEYS = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
_TICKET_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
Found = tuple[str, wire.TicketIssued]  # (what it was: appointment | late | pickup | arrival, ticket)


def read_qr(text: str) -> tuple[str, str] | None:
    """("code", CODE) for a booking's QR (`…/m/#a=CODE`), ("ticket", ID) for a ticket's
    (`…/t/ID`), None for anything else."""
    text = text.strip()
    booking = re.search(r"#a=([A-Za-z0-9-]{10,11})$", text)
    if booking:
        return "code", booking.group(1).replace("-", "").upper()
    path = urlsplit(text).path if "://" in text else ""
    if "/t/" in path:
        ticket = path.rstrip("/").rsplit("/", 1)[-1]
        return ("ticket", ticket) if _TICKET_ID.fullmatch(ticket) else None
    return None


def sent_back(ticket: wire.TicketOut) -> bool:
    """Whether `ticket` is a case back from 补正 before approval (its holder brought papers)."""
    return ticket.zone not in ("approval", "pickup") and any(
        st.outcome == "supplement" for st in ticket.journey)


def arrival_kind(ticket: wire.TicketOut) -> str | None:
    """What checking in does for one of the holder's tickets: collect a ready case, bring the
    papers a case was sent back for (补正), or let a phone number be called; None when it waits
    for nothing."""
    kinds = {"ready": "pickup", "supplement": "supplement"}
    return kinds.get(ticket.status) or ("arrival" if ticket.arrival_required else None)


class CheckIn:
    def __init__(self, port: StepPort) -> None:
        self.port = port
        self._busy = False

    def open(self) -> None:
        port = self.port
        port.touch()
        port.data.code, port.data.answer, port.data.answer_number = "", None, ""
        port.go(CHECKIN)

    # -- the code, typed ----------------------------------------------------------------------
    def type_key(self, key: str) -> None:
        self.port.touch()
        if key in CODE_KEYS and len(self.port.data.code) < CODE_LENGTH:
            self.port.data.code += key
            self.port.emit_changed()

    def erase(self) -> None:
        self.port.touch()
        self.port.data.code = self.port.data.code[:-1]
        self.port.emit_changed()

    def code_shown(self) -> str:
        code = self.port.data.code
        return code[:5] + ("-" + code[5:] if len(code) > 5 else "")

    def submit_code(self) -> None:
        self.port.touch()
        if len(self.port.data.code) != CODE_LENGTH:
            self.port.say("code_incomplete")
            return
        self.with_code(self.port.data.code)

    # -- the three ways in ---------------------------------------------------------------------
    def read_card(self) -> None:
        self.port.touch()
        self.port.begin_card("checkin")

    def found_qr(self, text: str) -> None:
        if self.port.state != CHECKIN or self._busy:
            return
        found = read_qr(text)
        if found is None:
            self.port.say("qr_unknown")
        elif found[0] == "code":
            self.with_code(found[1])
        else:
            self.with_ticket(found[1])

    def with_code(self, code: str) -> None:
        role = self.port.role
        self._send(lambda c: _appointment(c, wire.TicketCreate(appointment=code, channel=role)))

    def with_ticket(self, ticket_id: str) -> None:
        def work(client: QueueClient) -> Found:
            kind, issued = _arrived(client.arrive(ticket_id))
            if kind == "arrival" and sent_back(client.ticket(issued.id)):
                kind = "supplement"  # it said 已签到，请等候叫号 as for any number
            return kind, issued

        self._send(work)

    def with_card(self) -> None:
        """The card read for a check-in: sent in this one request, then forgotten."""
        card, role = self.port.data.id_card, self.port.role
        self.port.data.id_card = None
        if card is None:
            self.port.go(CHECKIN, "error")
            return

        def work(client: QueueClient) -> Found:
            for ticket in client.lookup(card["number"], card.get("name", "")):
                kind = arrival_kind(ticket)
                if kind is not None:
                    found = _arrived(client.arrive(ticket.id))
                    return (kind, found[1]) if kind == "supplement" else found
            return _appointment(client, wire.TicketCreate(
                id_card=wire.IdCardIn(**card), channel=role))

        self._send(work)

    # -- the answer ----------------------------------------------------------------------------
    def _send(self, work: Callable[[QueueClient], Found]) -> None:
        port = self.port
        client = port.link.client
        if client is None:
            port.link.report_unreachable()
            port.go(OFFLINE, "offline")
            return
        self._busy = True
        port.go(ISSUING)
        port.runner.submit(lambda: work(client), self._done, self._failed)

    def _done(self, found: Found) -> None:
        self._busy = False
        kind, ticket = found
        self.port.data.checkin, self.port.data.code = kind, ""
        self.port.ticket_ready(ticket)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        port = self.port
        if isinstance(exc, ServerUnreachable):
            port.link.report_unreachable()
            port.go(OFFLINE, "offline")
            return
        if isinstance(exc, ApiError):
            port.data.answer = (exc.code, exc.message)
            port.data.answer_number = exc.number or ""  # a used booking: the number it gave
        else:
            log.error("check-in failed unexpectedly: %r", exc)
            port.data.answer = ("error", "")
        port.go(ANSWER)


def _arrived(issued: wire.TicketIssued) -> Found:
    """A held number released: a case's pickup, or a phone number now queueing."""
    return ("pickup" if issued.zone == "pickup" else "arrival"), issued


def _appointment(client: QueueClient, req: wire.TicketCreate) -> Found:
    """A booking checked in: on time (priority) or late (a normal ticket)."""
    issued = client.issue(req, idempotency_key=uuid.uuid4().hex)
    return ("late" if issued.appointment_late else "appointment"), issued
