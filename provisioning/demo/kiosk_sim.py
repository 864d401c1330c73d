"""The demo kiosk's ticket printer: the real printer driver on the simulated printer
(`sim://printer`), which can be switched to `sim://printer?paper=out` and back. A ticket that
cannot be printed stays on the kiosk's screen and the server is told (print-failed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from devices.errors import DeviceError
from devices.printer.driver import TicketPrinter, open_printer
from devices.printer.layout import TicketLayout
from queue_server.wire import ZONE_NAMES

HALL_NAME = "杭锦后旗政务服务中心"
OK_URL, OUT_URL = "sim://printer", "sim://printer?paper=out"


class KioskPrinter:
    def __init__(self) -> None:
        self.url = OK_URL
        self._printer: TicketPrinter = open_printer(self.url)
        self.printed = 0
        self.failed = 0
        self.last_error = ""
        self.transitions: list[str] = []
        self._state = "online"

    def run_out(self) -> None:
        self._swap(OUT_URL)

    def refill(self) -> None:
        self._swap(OK_URL)

    def _swap(self, url: str) -> None:
        self._printer.close()
        self.url, self._printer = url, open_printer(url)

    def print(self, ticket: dict[str, Any]) -> bool:
        layout = TicketLayout(
            hall_name=ticket.get("hall_name") or HALL_NAME,
            service_name=ticket.get("service_name") or ticket["service"],
            zone_name=ZONE_NAMES.get(ticket["zone"], (ticket["zone"], ""))[0],
            number=ticket["number"], ahead=int(ticket["ahead"]),
            estimated_wait_min=max(0, int(ticket["estimated_wait_s"]) // 60),
            issued_at=datetime.fromisoformat(ticket["issued_at"]),
            track_url=ticket["track_url"], masked_id=ticket.get("masked_id"))
        try:
            self._printer.print_ticket(layout)
        except DeviceError as exc:
            self.failed += 1
            self.last_error = str(exc)[:200]
            self._transition("paper_out" if "paper" in str(exc).lower() else "error")
            return False
        self.printed += 1
        self._transition("online")
        return True

    def _transition(self, state: str) -> None:
        if state != self._state:
            self.transitions.append(f"{self._state} -> {state}")
            self._state = state

    def close(self) -> None:
        self._printer.close()
