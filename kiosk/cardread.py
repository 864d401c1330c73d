"""The ID card step: waits for a card on the reader (on a worker, with a timeout and a way to
cancel), keeps only the masked forms for the screen and `{"number", "name"}` for the one request
that needs it, and hands on to the ticket or the inquiry flow."""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

from devices.errors import DeviceError
from devices.idcard.card import CardDataError
from devices.idcard.protocol import CardRejected
from kiosk.idle import SENIOR_PATIENCE
from kiosk.port import StepPort
from kiosk.session import CardView
from kiosk.states import ASK, CHECKIN, DETAIL, IDCARD

READ_TIMEOUT_S = 30.0
POLL_S = 0.5
PRIORITY_AGE = 70  # the server decides from the number; the kiosk only shows the hint


def card_view(card: Any, today: date) -> CardView:
    age = int(card.age_on(today))
    return CardView(masked_name=str(card.masked_name()), masked_number=str(card.masked_number()),
                    age=age, priority=age >= PRIORITY_AGE)


class CardStep:
    def __init__(self, port: StepPort) -> None:
        self.port = port
        self.timeout_s = READ_TIMEOUT_S
        self._cancel: threading.Event | None = None
        self.deadline = 0.0

    @property
    def seconds_left(self) -> int:
        return max(0, int(self.deadline - time.monotonic() + 0.999))

    def begin(self, purpose: str) -> None:
        """Show the card screen and wait for a card; `purpose` is ticket, ask, rate or
        checkin."""
        port = self.port
        port.data.card_purpose = purpose
        if not port.devices.has("idcard"):
            port.say("no_reader")
            return
        self.cancel()
        cancel = self._cancel = threading.Event()
        # senior mode: twice as long to find the card and put it on the reader
        self.deadline = time.monotonic() + self.timeout_s * (
            SENIOR_PATIENCE if port.elderly else 1)
        port.go(IDCARD)
        devices, deadline = port.devices, self.deadline

        def wait() -> Any:
            while not cancel.is_set() and time.monotonic() < deadline:
                card = devices.read_card(min(POLL_S, max(0.05, deadline - time.monotonic())))
                if card is not None:
                    return card
            return None

        port.runner.submit(wait, self._got, self._failed)

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self._cancel = None

    def _got(self, card: Any) -> None:
        port = self.port
        if port.state != IDCARD or self._cancel is None:
            return  # the citizen went back meanwhile
        self._cancel = None
        if card is None:
            self._back("card_timeout")
            return
        port.data.card = card_view(card, port.now().date())
        port.data.id_card = {"number": str(card.number), "name": str(card.name)}
        del card  # the full record stops here
        port.card_ready()

    def _failed(self, exc: BaseException) -> None:
        self._cancel = None
        self._back("card_unreadable" if isinstance(exc, CardDataError | CardRejected)
                   else "reader_fault" if isinstance(exc, DeviceError) else "error")

    def _back(self, notice: str) -> None:
        """No card: back to the service's details, the check-in screen or the ask screen."""
        purpose = self.port.data.card_purpose
        self.port.go({"ticket": DETAIL, "checkin": CHECKIN}.get(purpose, ASK), notice)
