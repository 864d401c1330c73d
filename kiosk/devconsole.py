"""The device console's view-model (role `devices`, for demos and training): what the simulated
devices of a demo hall show, and the hands of a trainer on them. Put a sample card on the reader
and take it away; show a ticket's or a booking's QR code to the document camera; paper out,
refill, open the printer's cover; press a key of the rating pad; see each printed ticket as the
paper would look, drawn from the printer's own bytes.

It reaches the simulators through their control sockets (`kiosk.simdevices`) on a task runner,
polls their states every second, and says what each action did (`said`: a message key and its
fields, worded by the view).
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.config import TerminalConfig
from kiosk.simdevices import PrintedTicket, SimRefused, Simulators, SimUnavailable, Snapshot
from kiosk.tasks import TaskRunner

POLL_MS = 1000
KEEP_TICKETS = 12
# A booking code as the phone page gives it (kiosk.checkin's alphabet: no 0/O, 1/I/L).
_BOOKING = re.compile(r"^[2-9A-HJKMNP-Z]{5}-?[2-9A-HJKMNP-Z]{5}$")
_NUMBER = re.compile(r"^[A-Z]{1,2}[0-9]{2,5}$")


class DeviceConsole(QObject):
    changed = Signal()
    said = Signal(str, object)  # message key, its fields

    def __init__(self, sims: Simulators, runner: TaskRunner, public_url: str,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sims, self.runner = sims, runner
        self.public_url = public_url.rstrip("/")
        self.states: dict[str, dict[str, object]] = {}
        self.errors: dict[str, str] = {}
        self.cards: list[dict[str, object]] = []
        self.tickets: list[PrintedTicket] = []  # newest first
        self.shown = 0  # index in tickets of the one drawn
        self.last_said: tuple[str, dict[str, object]] = ("", {})
        self._jobs = 0
        self._polling = False
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self.refresh)

    # -- what the simulators say ----------------------------------------------------------------
    def start(self) -> None:
        self._timer.start()
        self.refresh()

    def stop(self) -> None:
        self._timer.stop()

    def running(self, kind: str) -> bool:
        return kind in self.states

    def configured(self, kind: str) -> bool:
        return self.sims.has(kind)

    def refresh(self) -> None:
        if self._polling:
            return
        self._polling = True
        sims, known = self.sims, self._jobs
        self.runner.submit(lambda: sims.snapshot(known, KEEP_TICKETS), self._got, self._lost,
                           keep=True)

    def _got(self, snap: Snapshot) -> None:
        self._polling = False
        self.states, self.errors = snap.states, snap.errors
        if snap.cards:
            self.cards = snap.cards
        self._jobs = int(str(snap.states.get("printer", {}).get("jobs", self._jobs)))
        if snap.new_tickets:
            self.tickets = (list(reversed(snap.new_tickets)) + self.tickets)[:KEEP_TICKETS]
            self.shown = 0
        self.changed.emit()

    def _lost(self, exc: BaseException) -> None:
        self._polling = False
        self.errors = {"console": str(exc)}
        self.changed.emit()

    # -- the trainer's hands --------------------------------------------------------------------
    def present_card(self, index: int) -> None:
        name = next((str(c.get("name", "")) for c in self.cards if c.get("index") == index), "")
        self._do("idcard", f"present {index}", "card_on", name=name or str(index))

    def remove_card(self) -> None:
        self._do("idcard", "remove", "card_off")

    def show_text(self, typed: str) -> None:
        """What the trainer typed: a booking code, a printed ticket's number, or a link."""
        text = typed.strip()
        if _BOOKING.match(text.upper()):
            self.show_booking(text)
        elif _NUMBER.match(text.upper()):
            found = [i for i, t in enumerate(self.tickets) if t.number == text.upper() and t.qr]
            if found:
                self.show_ticket(found[0])
            else:
                self._say("no_such_ticket", number=text.upper())
        elif "://" in text:
            self._do("camera", f"qr {text}", "qr_shown", what=text)
        else:
            self._say("not_a_code", text=text)

    def show_booking(self, code: str) -> None:
        clean = code.strip().upper().replace("-", "")
        if not _BOOKING.match(clean):
            self._say("not_a_code", text=code)
            return
        shown = f"{clean[:5]}-{clean[5:]}"
        self._do("camera", f"qr {self.public_url}/m/#a={shown}", "booking_shown", code=shown)

    def show_ticket(self, index: int) -> None:
        if not 0 <= index < len(self.tickets) or not self.tickets[index].qr:
            self._say("no_such_ticket", number="")
            return
        ticket = self.tickets[index]
        self._do("camera", f"qr {ticket.qr}", "ticket_shown", number=ticket.number or "?")

    def clear_camera(self) -> None:
        self._do("camera", "clear", "camera_clear")

    def paper(self, state: str) -> None:
        if state not in ("ok", "low", "out"):
            raise ValueError(f"paper is ok, low or out, not {state!r}")
        self._do("printer", "refill" if state == "ok" else f"paper {state}", f"paper_{state}")

    def cover(self, open_: bool) -> None:
        self._do("printer", f"cover {'open' if open_ else 'closed'}",
                 "cover_open" if open_ else "cover_closed")

    def press(self, level: int) -> None:
        if not 1 <= level <= 5:
            raise ValueError(f"a rating is 1..5, not {level}")
        self._do("pad", f"press {level}", "pressed", level=level)

    def show_job(self, index: int) -> None:
        if 0 <= index < len(self.tickets):
            self.shown = index
            self.changed.emit()

    # -- plumbing -----------------------------------------------------------------------------
    def _do(self, kind: str, line: str, key: str, **fields: object) -> None:
        sims = self.sims

        def done(result: Any) -> None:
            if isinstance(result, dict):
                self.states[kind] = dict(result)
            self._say(key, **fields)
            self.refresh()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, SimUnavailable):
                self._say("not_running", device=kind)
            elif isinstance(exc, SimRefused):
                self._say("refused", device=kind, reason=str(exc))
            else:
                self._say("refused", device=kind, reason=repr(exc))

        self.runner.submit(lambda: sims.send(kind, line), done, failed, keep=True)

    def _say(self, key: str, **fields: object) -> None:
        self.last_said = (key, fields)
        self.said.emit(key, fields)
        self.changed.emit()


def build_console(config: TerminalConfig, parent: QObject | None = None) -> DeviceConsole:
    """The console of the simulators behind `config.devices` (their `control=` sockets)."""
    from kiosk.simdevices import control_sockets

    sims = Simulators(control_sockets(config.devices.model_dump()))
    return DeviceConsole(sims, TaskRunner(parent=parent), config.server, parent)


def stop_console(console: DeviceConsole) -> None:
    console.stop()
    console.runner.invalidate()
    console.runner.wait(3000)
