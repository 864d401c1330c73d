"""What a step of the citizen kiosk's flow may use: the ID card step (`kiosk.cardread`), the
document camera (`kiosk.scanning`), taking the number (`kiosk.ticketing`), asking and rating
(`kiosk.inquiry`), checking in (`kiosk.checkin`) and the staff corner (`kiosk.admin`).

A step is given a `StepPort` and imports neither the flow nor another step: it reads the citizen's
data through the port, uses the server link (its client; `report_unreachable()` when a call found
no server), the devices and the task runner, moves the flow to another state (`kiosk.states`)
and hands over to the next step through the port's hand-overs, which the flow
(`kiosk.flow.KioskFlow`, the one implementation) routes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from kiosk.devices_manager import DeviceManager
from kiosk.link import ServerLink
from kiosk.session import CitizenData
from kiosk.tasks import TaskRunner
from queue_server import wire


class StepPort(Protocol):
    link: ServerLink
    devices: DeviceManager
    runner: TaskRunner
    role: str  # kiosk | bank
    lang: str  # the visitor's language: zh | mn | en
    elderly: bool  # senior mode: larger, spoken, and more time at each step

    # -- what a step reads -------------------------------------------------------------------
    @property
    def data(self) -> CitizenData: ...

    @property
    def state(self) -> str: ...

    @property
    def hall_name(self) -> str: ...

    @property
    def hall_timezone(self) -> str | None: ...

    @property
    def service(self) -> wire.ServiceInfo | None:
        """The service the citizen chose."""

    @property
    def admin_pin_hash(self) -> str: ...

    @property
    def machine_id(self) -> str: ...

    def now(self) -> datetime:
        """Now, in the hall's time zone."""

    # -- moving the flow ---------------------------------------------------------------------
    def go(self, state: str, notice: str = "") -> None: ...

    def say(self, notice: str) -> None: ...

    def touch(self) -> None:
        """The citizen is still here: the idle timer starts again."""

    def emit_changed(self) -> None:
        """Something the screens show has changed."""

    # -- hand-overs to the next step (routed by the flow) ------------------------------------
    def card_ready(self) -> None:
        """A card has been read for `data.card_purpose`: take the number, or look it up."""

    def begin_card(self, purpose: str) -> None:
        """Wait for an ID card (`purpose`: ticket, ask or rate)."""

    def issue(self) -> None:
        """Take the number for the chosen service (with the scanned pages)."""

    def ticket_ready(self, ticket: wire.TicketIssued) -> None:
        """A check-in gave this ticket: show it and print it."""

    def found_qr(self, text: str) -> None:
        """The camera read a QR code on the inquiry or the check-in screen."""

    def show_frame(self, frame: object) -> None:
        """A live camera picture (`kiosk.scanning.Frame`) for the screen."""

    def request_quit(self) -> None:
        """The staff asked to leave the app."""
