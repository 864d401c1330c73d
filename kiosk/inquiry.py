"""Asking about a ticket or case (by its QR code on the camera, or by ID card) and rating a
finished service with the five official levels of 好差评 (reasons required for the two lowest)."""

from __future__ import annotations

import logging
import math
import re
import time
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kiosk.client import ApiError, ServerUnreachable
from kiosk.port import StepPort
from kiosk.states import ASK, RATE, RESULT, THANKS
from queue_server import wire
from queue_server.domain.materials import translated

log = logging.getLogger("kiosk.inquiry")
LEVELS = wire.LEVELS
BAD_REASONS = wire.BAD_REASONS
# Ticket ids are `secrets.token_urlsafe` strings: the URL-safe base64 alphabet, `-` and `_`
# included (about one ticket in five has a `_`). ASCII only: `str.isalnum` would let any script in.
_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# A code whose lookup failed for want of an answer (network, server trouble) is asked again only
# after this pause, not on every preview frame while it stays under the camera.
RETRY_S = 2.0


def track_code(text: str) -> str | None:
    """The ticket's id or public tracking code from a scanned QR text (its `track_url`)."""
    text = text.strip()
    if not text:
        return None
    path = urlsplit(text).path if "://" in text else text
    code = path.rstrip("/").rsplit("/", 1)[-1]
    return code if _CODE.fullmatch(code) else None


def rating_code_of(text: str) -> str | None:
    """The ticket's rating code from a scanned QR text (`c` in its `track_url`): the server's
    proof that the person at the kiosk holds the ticket it rates."""
    found = parse_qs(urlsplit(text.strip()).query).get("c", [])
    return found[0] if found and _CODE.fullmatch(found[0]) else None


# Outcomes of a stage nobody served to the end here: nothing to rate (a bank branch's ticket
# forwarded to the hall is rated there, as the hall's ticket; the server answers 409 here).
NOT_SERVED = ("forwarded", "no_show")


def rateable(ticket: wire.TicketOut) -> bool:
    """A ticket has a finished stage that nobody has rated yet (not one forwarded on)."""
    if ticket.status == "forwarded":
        return False
    return any(s.ended_at is not None and not s.rated and s.outcome not in NOT_SERVED
               for s in ticket.journey) or (ticket.status == "done" and not ticket.journey)


class Inquiry:
    def __init__(self, port: StepPort) -> None:
        self.port = port
        self._looking = False
        # The last QR code that was refused and the monotonic time before which it is not looked
        # up again (forever for "unknown ticket"): the preview decodes it every frame while it
        # stays under the camera, and each lookup would hit the server and redraw the screen.
        self._held: tuple[str, float] | None = None

    def on_state(self, state: str) -> None:
        if state != ASK:  # the citizen left the ask screen: a code shown again is asked afresh
            self._looking = False
            self._held = None

    def back_to_ask(self, notice: str) -> None:
        self.port.go(ASK, notice)

    def read_card(self) -> None:
        self.port.touch()
        purpose = self.port.data.card_purpose
        self.port.begin_card(purpose if purpose in ("ask", "rate") else "ask")

    # -- finding the ticket ------------------------------------------------------------------
    def found_qr(self, text: str) -> None:
        port = self.port
        code = track_code(text)
        client = port.link.client
        if port.state != ASK or self._looking or client is None:
            return
        if code is None:
            port.say("qr_unknown")
            return
        held = self._held
        if held is not None and held[0] == code and time.monotonic() < held[1]:
            return  # refused a moment ago, and still the same code: keep the message up
        self._held = None
        self._looking = True
        proof = rating_code_of(text)

        def find() -> list[wire.TicketOut]:
            ticket = client.ticket(code)
            ticket.rating_code = proof  # the paper in the citizen's hand: it may be rated
            return [ticket]

        port.runner.submit(find, self._found, lambda exc: self._qr_failed(code, exc))

    def lookup_card(self) -> None:
        port = self.port
        client, card = port.link.client, port.data.id_card
        port.data.id_card = None  # one lookup, then only the masked view remains
        if client is None or card is None:
            self.back_to_ask("error")
            return
        port.runner.submit(lambda: client.lookup(card["number"], card.get("name", "")),
                           self._found, self._lookup_failed)

    def _found(self, tickets: list[wire.TicketOut]) -> None:
        self._looking = False
        self.port.data.results = tickets
        self.port.go(RESULT, "")  # the result screen itself says when nothing was found

    def _qr_failed(self, code: str, exc: BaseException) -> None:
        unknown = isinstance(exc, ApiError) and exc.status == 404
        self._held = (code, math.inf if unknown else time.monotonic() + RETRY_S)
        self._lookup_failed(exc)

    def _lookup_failed(self, exc: BaseException) -> None:
        self._looking = False
        if isinstance(exc, ServerUnreachable):
            self.port.link.report_unreachable()
            return
        notice = "nothing_found" if isinstance(exc, ApiError) and exc.status == 404 else "error"
        self.port.go(ASK, notice)

    # -- rating ------------------------------------------------------------------------------
    def start_rating(self, ticket_id: str) -> None:
        port = self.port
        port.touch()
        ticket = next((t for t in port.data.results if t.id == ticket_id), None)
        if ticket is None or not rateable(ticket):
            return
        port.data.rate_ticket, port.data.level, port.data.reasons = ticket, None, []
        port.go(RATE)

    def choose_level(self, level: int) -> None:
        if level not in LEVELS:
            return
        self.port.touch()
        self.port.data.level = level
        if level > 2:
            self.port.data.reasons = []
        self.port.say("")

    def toggle_reason(self, code: str) -> None:
        if code not in BAD_REASONS:
            return
        self.port.touch()
        reasons = self.port.data.reasons
        if code in reasons:
            reasons.remove(code)
        else:
            reasons.append(code)
        self.port.emit_changed()

    def can_submit(self) -> bool:
        level = self.port.data.level
        return level is not None and (level > 2 or bool(self.port.data.reasons))

    def submit(self) -> None:
        port = self.port
        port.touch()
        data, client = port.data, port.link.client
        if data.rate_ticket is None or client is None:
            return
        if data.level is None:  # a press is never left unanswered: say what to do first
            port.say("level_required")
            return
        if not self.can_submit():
            port.say("reasons_required")
            return
        ticket, level, reasons = data.rate_ticket.id, data.level, list(data.reasons)
        proof = data.rate_ticket.rating_code  # from its QR code, or the card lookup's answer

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ServerUnreachable):
                port.link.report_unreachable()
            else:
                code = getattr(exc, "code", "")
                port.say("already_rated" if "already" in code or "dup" in code else "error")

        port.runner.submit(lambda: client.evaluate(ticket, level, reasons, rating_code=proof),
                           lambda _r: port.go(THANKS), failed)


def _waiting_for(t: Any) -> Any:
    """The stage that sent a case back for 补正 (its last such), while the case waits for its
    papers; None otherwise."""
    asked = [st for st in t.journey if st.outcome == "supplement"]
    return asked[-1] if asked and t.status == "supplement" else None


def asked_papers(t: Any, service: Any, lang: str) -> tuple[list[str], str]:
    """The papers a case sent back for 补正 waits for, in `lang` where the service's lists
    name them, and the approval post's note; none once it is not waiting."""
    asked = _waiting_for(t)
    if asked is None:
        return [], ""
    papers = list(asked.papers or [])
    other = list(getattr(service, f"materials_{lang}", None) or []) if lang != "zh" else []
    shown = translated(papers, list(getattr(service, "materials", None) or []), other)
    return [o or p for p, o in zip(papers, shown, strict=True)], asked.reason or ""


def papers_due_by(t: Any) -> datetime | None:
    """补正期限: the date a case sent back for papers was asked to have them by (the hall's
    period), while it waits for them; None where the hall set none."""
    asked = _waiting_for(t)
    return getattr(asked, "papers_by", None) if asked is not None else None
