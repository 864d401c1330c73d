"""The citizen kiosk's view-model (roles `kiosk` and `bank`): which screen is up (a state of
`kiosk.states`), what it shows, what a touch does, and the idle reset that forgets the citizen. It
knows no widget: screens read its attributes and call its methods; it announces every change
with `changed`.

The steps of the flow live next door, each given this object as its `kiosk.port.StepPort`:
`kiosk.cardread` (the ID card step), `kiosk.scanning` (document camera), `kiosk.ticketing`
(issue, print, upload, the green channel), `kiosk.inquiry` (ask about a ticket, rate a service),
`kiosk.checkin` (bookings, phone numbers, pickup), `kiosk.admin` (PIN and device health). They never import this module; the hand-overs between them pass through here.
"""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QObject, Signal, Slot

from kiosk import states
from kiosk.admin import Admin
from kiosk.cardread import CardStep
from kiosk.checkin import CheckIn
from kiosk.config import TerminalConfig
from kiosk.devices_manager import DeviceManager
from kiosk.idle import IdleReset
from kiosk.inquiry import Inquiry
from kiosk.link import ServerLink
from kiosk.scanning import Scanning
from kiosk.session import CitizenData
from kiosk.tasks import TaskRunner
from kiosk.ticketing import PRINTER_DOWN, Ticketing, local_time
from queue_server import wire

log = logging.getLogger("kiosk.flow")


class KioskFlow(QObject):
    changed = Signal()
    stateChanged = Signal(str)
    onlineChanged = Signal(bool)  # after the flow has followed the server's coming or going
    preview = Signal(object)      # kiosk.scanning.Frame, for the live camera picture
    quitRequested = Signal()
    _healthSeen = Signal(dict)  # from the heartbeat's or a worker's thread: queued to this one

    def __init__(self, config: TerminalConfig, link: ServerLink, devices: DeviceManager,
                 runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.config, self.link, self.devices, self.runner = config, link, devices, runner
        self.role = config.role if config.role in ("kiosk", "bank") else "kiosk"
        self.lang = self.home_language()
        self.elderly = False
        self.state = states.ATTRACT
        self.data = CitizenData()
        self.notice = ""              # an i18n key of a short message for the citizen
        self.page = 0                 # page of the service grid (elderly mode shows fewer)
        self.page_room = 0            # tiles a page fits, as the services screen measured
        self.device_health: dict[str, str] = devices.last_health()  # kind -> health name
        self.idle = IdleReset(lambda: self.state, config.idle_timeout_s, self,
                              patient=lambda: self.elderly)
        self.idle.changed.connect(self.changed)
        self.idle.expired.connect(self.reset)
        self.card = CardStep(self)
        self.scanning = Scanning(self, self)
        self.ticketing = Ticketing(self, self)
        self.inquiry = Inquiry(self)
        self.checkin = CheckIn(self)
        self.admin = Admin(self)
        link.onlineChanged.connect(self._on_online)
        link.onlineChanged.connect(self.onlineChanged)  # signal to signal: gone with the flow
        link.servicesChanged.connect(self.changed)
        self._healthSeen.connect(self._on_health)
        devices.on_health = self._healthSeen.emit

    # -- what screens read -------------------------------------------------------------------
    @property
    def online(self) -> bool:
        return self.link.online

    @property
    def countdown(self) -> int | None:
        """Seconds left before an idle citizen is forgotten; None while nobody is idle."""
        return self.idle.countdown

    @property
    def hall_name(self) -> str:
        return self.link.hall_name

    def hall_title(self) -> str:
        """The hall's name in the citizen's language where the hall gave one (English), else
        its Chinese name: the header of an English screen said 杭锦后旗政务服务中心."""
        hall = self.link.hall
        if self.lang == "en" and hall is not None and hall.name_en:
            return hall.name_en
        return self.hall_name

    @property
    def priority_age(self) -> int:
        """The age from which the hall gives an ID card's holder priority (its `priority_age`;
        70 until the hall is known)."""
        hall = self.link.hall
        return hall.priority_age if hall is not None else 70

    def hall_title_mn(self) -> str:
        """The hall's Mongolian name (`name_mn`, of the terminal's hall or bank outpost) in
        Mongolian mode, where the hall gave one; "" otherwise."""
        hall = self.link.hall
        return (hall.name_mn or "") if self.lang == "mn" and hall is not None else ""

    @property
    def service(self) -> wire.ServiceInfo | None:
        code = self.data.service
        return self.link.catalog.get(code) if code else None

    def visible_services(self) -> list[wire.ServiceInfo]:
        catalog = self.link.catalog
        if self.data.query:
            return catalog.search(self.data.query)
        return catalog.in_category(self.data.category)

    def per_page(self) -> int:
        """Services a page of the grid shows: what the services screen measured it fits
        (`fit_page`), else the usual."""
        return self.page_room or (4 if self.elderly else 9)

    def fit_page(self, tiles: int) -> bool:
        """The services screen measured how many tiles a page fits; the page stays in range.
        Answers whether that changed the pages (the screen then shows them again)."""
        if tiles < 1 or tiles == self.page_room:
            return False
        self.page_room = tiles
        self.page = min(self.page, self.page_count() - 1)
        return True

    def page_services(self) -> list[wire.ServiceInfo]:
        items = self.visible_services()
        return items[self.page * self.per_page():(self.page + 1) * self.per_page()]

    def page_count(self) -> int:
        return max(1, -(-len(self.visible_services()) // self.per_page()))

    def zone_waiting(self) -> dict[str, int]:
        return self.link.catalog.zone_waiting()

    def zones(self) -> tuple[str, ...]:
        """The zones this terminal's hall has counters in (GET /hall `counters`), in the
        hall's order of a visit: a bank branch shows its own, not the hall's approval or
        pickup. Every zone while the hall has not said."""
        hall = self.link.hall
        have = {c.zone for c in hall.counters} if hall is not None else set()
        return tuple(z for z in wire.ZONES if z in have) or wire.ZONES

    def categories(self) -> list[str]:
        return self.link.catalog.categories()

    def category_name(self, category: str) -> str:
        return self.link.catalog.category_name(category, self.lang)

    def all_services(self) -> list[wire.ServiceInfo]:
        """Every service as last loaded (the offline screen lists them from the cache)."""
        return self.link.catalog.services

    def service_info(self, code: str) -> wire.ServiceInfo | None:
        """The service `code` as last loaded, or None."""
        return self.link.catalog.get(code)

    @property
    def printer_problem(self) -> str:
        """The printer's health while it cannot print a ticket (paper_out, cover_open, offline,
        error), else "": the screens warn that the number will be on screen only."""
        health = self.device_health.get("printer", "")
        return health if self.devices.has("printer") and health in PRINTER_DOWN else ""

    @property
    def reader_down(self) -> bool:
        """The ID card reader is there but cannot read (unplugged, failed): the screens say so
        before a citizen picks a service that needs a card (it was said only at the last step,
        after the papers were read; the 24-hour room, an outside check)."""
        health = self.device_health.get("idcard", "")
        return self.devices.has("idcard") and health in ("offline", "error")

    @property
    def reprint_ready(self) -> bool:
        """The ticket on screen did not print and the printer says it can print again: offer to
        print the same ticket once more (`ticketing.reprint`; never a second number)."""
        health = self.device_health.get("printer", "")
        return (self.data.ticket is not None and self.data.print_state == "failed"
                and self.devices.has("printer") and health not in (*PRINTER_DOWN, ""))

    def has_device(self, kind: str) -> bool:
        """This kiosk has that device (idcard, printer, camera): the screens offer its step."""
        return self.devices.has(kind)

    @property
    def hall_timezone(self) -> str | None:
        hall = self.link.hall
        return hall.timezone if hall else None

    def now(self) -> datetime:
        return local_time(datetime.now().astimezone(), self.hall_timezone)

    def local(self, moment: datetime) -> datetime:
        """A server time (UTC) in the hall's time zone, for the screen."""
        return local_time(moment, self.hall_timezone)

    # -- moving between screens --------------------------------------------------------------
    def go(self, state: str, notice: str = "") -> None:
        if state not in states.STATES:
            raise ValueError(f"unknown kiosk state {state!r}")
        # no new visit while numbers pause
        if state in (states.SERVICES, states.ASK) and not self.online:
            state, notice = states.OFFLINE, notice or "offline"
        leaving = self.state
        self.state, self.notice = state, notice
        if leaving != state:
            self.scanning.on_state(state)
            self.inquiry.on_state(state)
        self.idle.arm()
        self.stateChanged.emit(state)
        self.changed.emit()

    def say(self, notice: str) -> None:
        self.notice = notice
        self.changed.emit()

    def emit_changed(self) -> None:
        self.changed.emit()

    @Slot()
    def start(self) -> None:
        """Touch on the attract screen."""
        self.touch()
        self.go(states.SERVICES if self.online else states.OFFLINE)

    def back(self) -> None:
        self.touch()
        self.card.cancel()
        target = states.BACK.get(self.state, states.ATTRACT)
        if self.state == states.DETAIL and not self.online:
            target = states.OFFLINE
        if self.state in (states.IDCARD, states.SCAN, states.REVIEW):
            self.data.scanning = False
        if target == states.ATTRACT:
            self.reset()
        else:
            self.go(target)

    def home(self) -> None:
        self.reset()

    # -- choices -----------------------------------------------------------------------------
    def languages(self) -> tuple[str, ...]:
        """What a citizen can choose, in the order the switch shows it: 中文 / ᠮᠣᠩᠭᠣᠯ / English
        when the hall lists Mongolian (GET /hall), else Chinese and English."""
        hall = self.link.hall
        return ("zh", "mn", "en") if hall is not None and "mn" in hall.languages else ("zh", "en")

    def home_language(self) -> str:
        """The language a new citizen meets: the terminal's, when the hall offers it."""
        lang = self.config.language
        return lang if lang in self.languages() else "zh"

    def set_language(self, lang: str) -> None:
        self.touch()
        self.lang = lang if lang in self.languages() else "zh"
        self.changed.emit()

    def toggle_language(self) -> None:
        """The next language of the switch (Chinese after the last)."""
        offered = self.languages()
        at = offered.index(self.lang) if self.lang in offered else -1
        self.set_language(offered[(at + 1) % len(offered)])

    def set_elderly(self, on: bool) -> None:
        self.touch()
        self.elderly, self.page = on, 0
        self.page_room = 0  # other tiles: measured again
        self.changed.emit()

    def choose_category(self, category: str | None) -> None:
        self.touch()
        self.data.category, self.data.query, self.page = category, "", 0
        self.changed.emit()

    def set_query(self, text: str) -> None:
        self.touch()
        self.data.query, self.page = text.strip(), 0
        self.changed.emit()

    def set_keyboard(self, on: bool) -> None:
        """Open or close the search's on-screen keyboard: the visitor's, forgotten with them."""
        self.touch()
        self.data.keyboard = on
        self.changed.emit()

    def turn_page(self, step: int) -> None:
        self.touch()
        self.page = min(max(0, self.page + step), self.page_count() - 1)
        self.changed.emit()

    def choose_service(self, code: str) -> None:
        self.touch()
        if self.link.catalog.get(code) is None:
            return
        self.data.service = code
        self.go(states.DETAIL)

    def take_number(self, with_card: bool = False, scan_first: bool = False) -> None:
        """From the detail screen: ID card if needed or wished, papers if wished, then issue."""
        self.touch()
        service = self.service
        if service is None or not self.online or not service.open:
            return
        self.data.scanning = scan_first and self.devices.has("camera")
        if (service.requires_id_card or with_card) and self.data.id_card is None:
            self.card.begin("ticket")
        else:
            self.after_card()

    def after_card(self) -> None:
        if self.data.scanning:
            self.go(states.SCAN)
        else:
            self.ticketing.issue()

    def ask(self, purpose: str = "ask") -> None:
        self.touch()
        self.data.card_purpose = purpose
        self.go(states.ASK)

    # -- idle reset --------------------------------------------------------------------------
    @Slot()
    def touch(self) -> None:
        """Any touch: the citizen is still here."""
        self.idle.touch()

    @Slot()
    def reset(self) -> None:
        """Back to attract; every personal datum forgotten, late answers about it dropped."""
        self.runner.invalidate()
        self.card.cancel()
        self.ticketing.forget()  # an unanswered number goes with its visitor
        self.idle.stop()
        self.data = CitizenData()  # the query and the search keyboard with the rest
        self.lang, self.elderly, self.page = self.home_language(), False, 0
        self.page_room = 0  # measured again for the next visitor's mode and keyboard
        self.go(states.ATTRACT if self.online else states.OFFLINE)

    # -- server link -------------------------------------------------------------------------
    @Slot(bool)
    def _on_online(self, up: bool) -> None:
        if up and self.notice == "offline":
            self.notice = ""
        if up and self.state == states.ATTRACT:
            self.lang = self.home_language()  # the hall, and so its languages, is known now
        if up and self.state == states.OFFLINE and self.ticketing.pending():
            self.ticketing.resume()  # the number being taken when the server went away
        elif up and self.state == states.OFFLINE:
            self.reset()
        elif not up and self.state in (states.ATTRACT, states.SERVICES):
            self.go(states.OFFLINE, "offline")
        elif not up and self.state in states.NEEDS_SERVER:
            self.say("offline")  # mid-visit: keep what the citizen did; a blip may pass
        else:
            self.changed.emit()

    @Slot(dict)
    def _on_health(self, health: dict[str, str]) -> None:
        self.device_health = dict(health)
        self.changed.emit()

    def offline_detail(self, code: str) -> None:
        """The papers list of a service from the cached copy, while numbers are paused."""
        self.touch()
        if self.link.catalog.get(code) is not None:
            self.data.service = code
            self.state, self.notice = states.DETAIL, "offline"
            self.idle.arm()
            self.stateChanged.emit(states.DETAIL)
            self.changed.emit()

    # -- what the steps use besides (kiosk.port.StepPort) ------------------------------------
    @property
    def admin_pin_hash(self) -> str:
        return self.config.admin_pin_hash

    @property
    def machine_id(self) -> str:
        return self.config.machine_id

    def card_ready(self) -> None:
        if self.data.card_purpose == "ticket":
            self.after_card()
        elif self.data.card_purpose == "checkin":
            self.checkin.with_card()
        else:
            self.inquiry.lookup_card()

    def begin_card(self, purpose: str) -> None:
        self.card.begin(purpose)

    def issue(self) -> None:
        self.ticketing.issue()

    def ticket_ready(self, ticket: wire.TicketIssued) -> None:
        self.ticketing.shown(ticket)

    def found_qr(self, text: str) -> None:
        if self.state == states.CHECKIN:
            self.checkin.found_qr(text)
        else:
            self.inquiry.found_qr(text)

    def show_frame(self, frame: object) -> None:
        self.preview.emit(frame)

    def request_quit(self) -> None:
        self.quitRequested.emit()
