"""The ID card step: waits for a card on the reader (on a worker, with a timeout and a way to
cancel), keeps only the masked forms for the screen and `{"number", "name"}` for the one request
that needs it, and hands on to the ticket or the inquiry flow."""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import TYPE_CHECKING, Any

from devices.errors import DeviceError
from kiosk.session import CardView

if TYPE_CHECKING:
    from kiosk.flow import KioskFlow

READ_TIMEOUT_S = 30.0
POLL_S = 0.5
PRIORITY_AGE = 70  # the server decides from the number; the kiosk only shows the hint


def card_view(card: Any, today: date) -> CardView:
    age = int(card.age_on(today))
    return CardView(masked_name=str(card.masked_name()), masked_number=str(card.masked_number()),
                    age=age, priority=age >= PRIORITY_AGE)


class CardStep:
    def __init__(self, flow: KioskFlow) -> None:
        self.flow = flow
        self.timeout_s = READ_TIMEOUT_S
        self._cancel: threading.Event | None = None
        self.deadline = 0.0

    @property
    def seconds_left(self) -> int:
        return max(0, int(self.deadline - time.monotonic() + 0.999))

    def begin(self, purpose: str) -> None:
        """Show the card screen and wait for a card; `purpose` is ticket, ask or rate."""
        from kiosk.flow import IDCARD

        flow = self.flow
        flow.data.card_purpose = purpose
        if not flow.devices.has("idcard"):
            flow.say("no_reader")
            return
        self.cancel()
        cancel = self._cancel = threading.Event()
        self.deadline = time.monotonic() + self.timeout_s
        flow.go(IDCARD)
        devices, deadline = flow.devices, self.deadline

        def wait() -> Any:
            while not cancel.is_set() and time.monotonic() < deadline:
                card = devices.read_card(min(POLL_S, max(0.05, deadline - time.monotonic())))
                if card is not None:
                    return card
            return None

        flow.runner.submit(wait, self._got, self._failed)

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self._cancel = None

    def _got(self, card: Any) -> None:
        from kiosk.flow import DETAIL, IDCARD

        flow = self.flow
        if flow.state != IDCARD or self._cancel is None:
            return  # the citizen went back meanwhile
        self._cancel = None
        if card is None:
            if flow.data.card_purpose == "ticket":
                flow.go(DETAIL, "card_timeout")
            else:
                flow.inquiry.back_to_ask("card_timeout")
            return
        flow.data.card = card_view(card, flow.now().date())
        flow.data.id_card = {"number": str(card.number), "name": str(card.name)}
        del card  # the full record stops here
        if flow.data.card_purpose == "ticket":
            flow.after_card()
        else:
            flow.inquiry.lookup_card()

    def _failed(self, exc: BaseException) -> None:
        from kiosk.flow import DETAIL

        self._cancel = None
        notice = "reader_fault" if isinstance(exc, DeviceError) else "error"
        if self.flow.data.card_purpose == "ticket":
            self.flow.go(DETAIL, notice)
        else:
            self.flow.inquiry.back_to_ask(notice)
