"""The citizen kiosk's view-model (roles `kiosk` and `bank`): which screen is up, what it shows,
what a touch does, and the idle reset that forgets the citizen. It knows no widget: screens read
its attributes and call its methods; it announces every change with `changed`.

The parts of the flow live next door and share this object: `kiosk.cardread` (the ID card step),
`kiosk.scanning` (document camera), `kiosk.ticketing` (issue, print, upload), `kiosk.inquiry`
(ask about a ticket, rate a service), `kiosk.admin` (PIN and device health).
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from kiosk.config import TerminalConfig
from kiosk.devices_manager import DeviceManager
from kiosk.link import ServerLink
from kiosk.session import CitizenData
from kiosk.tasks import TaskRunner
from queue_server import wire

log = logging.getLogger("kiosk.flow")

ATTRACT, SERVICES, DETAIL, IDCARD = "attract", "services", "detail", "idcard"
SCAN, REVIEW, ISSUING, TICKET = "scan", "review", "issuing", "ticket"
ASK, RESULT, RATE, THANKS = "ask", "result", "rate", "thanks"
OFFLINE, ADMIN_PIN, ADMIN = "offline", "admin_pin", "admin"
STATES = (ATTRACT, SERVICES, DETAIL, IDCARD, SCAN, REVIEW, ISSUING, TICKET, ASK, RESULT, RATE,
          THANKS, OFFLINE, ADMIN_PIN, ADMIN)
# Screens that need the server; when it goes away they give way to the offline screen.
NEEDS_SERVER = (ATTRACT, SERVICES, DETAIL, IDCARD, SCAN, REVIEW, ASK, RESULT, RATE)
COUNTDOWN_S = 10
DONE_SCREEN_S = 20  # the ticket and thank-you screens return to attract by themselves


class KioskFlow(QObject):
    changed = Signal()
    stateChanged = Signal(str)
    preview = Signal(object)      # kiosk.scanning.Frame, for the live camera picture
    quitRequested = Signal()

    def __init__(self, config: TerminalConfig, link: ServerLink, devices: DeviceManager,
                 runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from kiosk.admin import Admin
        from kiosk.cardread import CardStep
        from kiosk.inquiry import Inquiry
        from kiosk.scanning import Scanning
        from kiosk.ticketing import Ticketing

        self.config, self.link, self.devices, self.runner = config, link, devices, runner
        self.role = config.role if config.role in ("kiosk", "bank") else "kiosk"
        self.lang = config.language
        self.elderly = False
        self.state = ATTRACT
        self.data = CitizenData()
        self.notice = ""              # an i18n key of a short message for the citizen
        self.countdown: int | None = None
        self.page = 0                 # page of the service grid (elderly mode shows fewer)
        self.countdown_s = COUNTDOWN_S
        self.idle_ms = config.idle_timeout_s * 1000
        self.done_ms = DONE_SCREEN_S * 1000
        self.card = CardStep(self)
        self.scanning = Scanning(self)
        self.ticketing = Ticketing(self)
        self.inquiry = Inquiry(self)
        self.admin = Admin(self)
        self._idle = QTimer(self, singleShot=True, interval=config.idle_timeout_s * 1000)
        self._idle.timeout.connect(self._start_countdown)
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self._count)
        link.onlineChanged.connect(self._on_online)
        link.servicesChanged.connect(self.changed.emit)

    # -- what screens read -------------------------------------------------------------------
    @property
    def online(self) -> bool:
        return self.link.online

    @property
    def hall_name(self) -> str:
        return self.link.hall_name

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
        return 4 if self.elderly else 9

    def page_services(self) -> list[wire.ServiceInfo]:
        items = self.visible_services()
        return items[self.page * self.per_page():(self.page + 1) * self.per_page()]

    def page_count(self) -> int:
        return max(1, -(-len(self.visible_services()) // self.per_page()))

    def zone_waiting(self) -> dict[str, int]:
        return self.link.catalog.zone_waiting()

    def now(self) -> datetime:
        from kiosk.ticketing import local_time

        hall = self.link.hall
        return local_time(datetime.now().astimezone(), hall.timezone if hall else None)

    def local(self, moment: datetime) -> datetime:
        """A server time (UTC) in the hall's time zone, for the screen."""
        from kiosk.ticketing import local_time

        hall = self.link.hall
        return local_time(moment, hall.timezone if hall else None)

    # -- moving between screens --------------------------------------------------------------
    def go(self, state: str, notice: str = "") -> None:
        if state not in STATES:
            raise ValueError(f"unknown kiosk state {state!r}")
        if state in (SERVICES, ASK) and not self.online:  # no new visit while numbers pause
            state, notice = OFFLINE, notice or "offline"
        leaving = self.state
        self.state, self.notice = state, notice
        if leaving != state:
            self.scanning.on_state(state)
            self.inquiry.on_state(state)
        self._arm_idle()
        self.stateChanged.emit(state)
        self.changed.emit()

    def say(self, notice: str) -> None:
        self.notice = notice
        self.changed.emit()

    @Slot()
    def start(self) -> None:
        """Touch on the attract screen."""
        self.touch()
        self.go(SERVICES if self.online else OFFLINE)

    def back(self) -> None:
        self.touch()
        self.card.cancel()
        to = {SERVICES: ATTRACT, DETAIL: SERVICES, IDCARD: DETAIL, SCAN: DETAIL, REVIEW: SCAN,
              ASK: ATTRACT, RESULT: ASK, RATE: RESULT, ADMIN_PIN: ATTRACT, ADMIN: ATTRACT}
        target = to.get(self.state, ATTRACT)
        if self.state == DETAIL and not self.online:
            target = OFFLINE
        if self.state in (IDCARD, SCAN, REVIEW):
            self.data.scanning = False
        if target == ATTRACT:
            self.reset()
        else:
            self.go(target)

    def home(self) -> None:
        self.reset()

    # -- choices -----------------------------------------------------------------------------
    def set_language(self, lang: str) -> None:
        self.touch()
        self.lang = "en" if lang == "en" else "zh"
        self.changed.emit()

    def toggle_language(self) -> None:
        self.set_language("zh" if self.lang == "en" else "en")

    def set_elderly(self, on: bool) -> None:
        self.touch()
        self.elderly, self.page = on, 0
        self.changed.emit()

    def choose_category(self, category: str | None) -> None:
        self.touch()
        self.data.category, self.data.query, self.page = category, "", 0
        self.changed.emit()

    def set_query(self, text: str) -> None:
        self.touch()
        self.data.query, self.page = text.strip(), 0
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
        self.go(DETAIL)

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
            self.go(SCAN)
        else:
            self.ticketing.issue()

    def ask(self, purpose: str = "ask") -> None:
        self.touch()
        self.data.card_purpose = purpose
        self.go(ASK)

    # -- idle reset --------------------------------------------------------------------------
    @Slot()
    def touch(self) -> None:
        """Any touch: the citizen is still here."""
        if self.countdown is not None:
            self.countdown = None
            self._tick.stop()
            self.changed.emit()
        self._arm_idle()

    def _arm_idle(self) -> None:
        self._idle.stop()
        if self.state in (TICKET, THANKS):
            self._idle.start(self.done_ms)
        elif self.state not in (ATTRACT, OFFLINE, ISSUING):
            self._idle.start(self.idle_ms)

    def _start_countdown(self) -> None:
        if self.state in (TICKET, THANKS):
            self.reset()
            return
        self.countdown = self.countdown_s
        self._tick.start()
        self.changed.emit()

    def _count(self) -> None:
        if self.countdown is None:
            self._tick.stop()
            return
        self.countdown -= 1
        if self.countdown <= 0:
            self.reset()
        else:
            self.changed.emit()

    def reset(self) -> None:
        """Back to attract; every personal datum forgotten, late answers about it dropped."""
        self.runner.invalidate()
        self.card.cancel()
        self._tick.stop()
        self.countdown = None
        self.data = CitizenData()
        self.lang, self.elderly, self.page = self.config.language, False, 0
        self.go(ATTRACT if self.online else OFFLINE)

    # -- server link -------------------------------------------------------------------------
    @Slot(bool)
    def _on_online(self, up: bool) -> None:
        if up and self.notice == "offline":
            self.notice = ""
        if up and self.state == OFFLINE:
            self.reset()
        elif not up and self.state in (ATTRACT, SERVICES):
            self.go(OFFLINE, "offline")
        elif not up and self.state in NEEDS_SERVER:
            self.say("offline")  # mid-visit: keep what the citizen did; a blip may pass
        else:
            self.changed.emit()

    def offline_detail(self, code: str) -> None:
        """The papers list of a service from the cached copy, while numbers are paused."""
        self.touch()
        if self.link.catalog.get(code) is not None:
            self.data.service = code
            self.state, self.notice = DETAIL, "offline"
            self._arm_idle()
            self.stateChanged.emit(DETAIL)
            self.changed.emit()


def default_cache_path(config: TerminalConfig) -> Path:
    import platformdirs

    name = f"services-{config.hall or 'hall'}-{config.role}.json"
    return Path(platformdirs.user_cache_dir("kuaiban")) / name
