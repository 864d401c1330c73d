"""The rating pad's view-model (好差评 at the counter): idle until its counter finishes a ticket,
then the rating page for that ticket (five official levels, reasons required for the two lowest),
a thank-you, and back to idle. It rates with the pad's own terminal token, never a staff session,
and takes ratings from an optional button pad (`devices.pad`, loaded only when configured).
"""

from __future__ import annotations

import importlib
import logging
import threading
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from kiosk.client import ApiError, ClientError, EventFollower, QueueClient
from kiosk.staff_runner import Runner, describe, guarded
from queue_server import wire

log = logging.getLogger(__name__)
LEVELS: dict[int, tuple[str, str]] = wire.LEVELS
BAD_REASONS: dict[str, tuple[str, str]] = wire.BAD_REASONS
STATES = ("idle", "rate", "reasons", "sending", "thanks", "error")


def needs_reasons(level: int) -> bool:
    return level <= 2


def hall_languages(client: QueueClient) -> list[str]:
    """The hall's languages (GET /hall): with "mn" the pad writes Mongolian beside the Chinese.
    Chinese alone when the server cannot say (an older server, a blip at start)."""
    try:
        return list(client.hall().languages)
    except ClientError as exc:
        log.info("GET /hall: %s", exc)
        return ["zh"]


class RatingModel(QObject):
    changed = Signal()
    _incoming = Signal(object)
    _from_device = Signal(int, object)

    def __init__(self, client: QueueClient, counter: str, *, pad_url: str = "",
                 thanks_s: float = 5.0, timeout_s: float = 90.0, history_grace_s: float = 3.0,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client, self.counter, self.pad_url = client, counter, pad_url
        self.state = "idle"
        self.ticket_id = self.number = self.counter_name = self.error = ""
        self.level = 0
        self.reasons: list[str] = []
        self.history_grace_s = history_grace_s
        self.started_at = datetime.now(UTC)
        self.submitted: list[tuple[str, int, tuple[str, ...]]] = []
        self._runner = Runner(self)
        self._follower: EventFollower | None = None
        self._pad: Any = None
        self._stop = threading.Event()
        self._back = QTimer(self, singleShot=True)
        self._back.timeout.connect(self.reset)
        self.thanks_ms, self.timeout_ms = int(thanks_s * 1000), int(timeout_s * 1000)
        self._incoming.connect(self._on_event, Qt.ConnectionType.QueuedConnection)
        self._from_device.connect(self._device_rating, Qt.ConnectionType.QueuedConnection)

    # -- life -------------------------------------------------------------------------------
    def start(self, after: int | None = None) -> None:
        """Follow the stream; finishes from before the start are history, not a citizen here."""
        self.started_at = datetime.now(UTC)
        self._follower = EventFollower(
            self.client, guarded(self._incoming.emit, lambda: not self._stop.is_set()), after=after)
        self._follower.start()
        if self.pad_url:
            threading.Thread(target=self._read_pad, name="rating-pad", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        if self._follower is not None:
            self._follower.stop(0.2)
        self._runner.shutdown()

    @property
    def last_id(self) -> int:
        return self._follower.last_id if self._follower else 0

    def _set(self, state: str) -> None:
        self.state = state
        self.changed.emit()

    # -- flow -------------------------------------------------------------------------------
    @Slot(object)
    def _on_event(self, event: wire.Event) -> None:
        if event.type != "ticket.finished" or event.field("counter") != self.counter:
            return
        if (self.started_at - event.at).total_seconds() <= self.history_grace_s:
            self.show(str(event.field("ticket")), str(event.field("number") or ""),
                      str(event.field("counter_name") or self.counter))

    def show(self, ticket_id: str, number: str, counter_name: str) -> None:
        """The rating page for a ticket just finished at this counter (a newer one replaces an
        unrated older one: the citizen in front of the pad is the latest)."""
        self.ticket_id, self.number, self.counter_name = ticket_id, number, counter_name
        self.level, self.reasons, self.error = 0, [], ""
        self._back.start(self.timeout_ms)
        pad = self._pad
        if pad is not None:
            self._runner.submit(lambda: pad.show_rating_page(number), None, lambda _e: None)
        self._set("rate")

    def choose(self, level: int) -> None:
        if self.state not in ("rate", "reasons") or level not in LEVELS:
            return
        self.level = level
        if needs_reasons(level):
            self.reasons = [r for r in self.reasons if r in BAD_REASONS]
            self._set("reasons")
        else:
            self.reasons = []
            self.submit()

    def toggle_reason(self, code: str) -> None:
        if code in BAD_REASONS:
            if code in self.reasons:
                self.reasons.remove(code)
            else:
                self.reasons.append(code)
            self.changed.emit()

    def can_submit(self) -> bool:
        return self.level in LEVELS and (not needs_reasons(self.level) or bool(self.reasons))

    def back(self) -> None:
        if self.state == "reasons":
            self.level = 0
            self._set("rate")

    def submit(self) -> None:
        if not self.can_submit() or self.state == "sending":
            return
        ticket, level, reasons = self.ticket_id, self.level, list(self.reasons)

        def done(_out: wire.EvaluationOut) -> None:
            self.submitted.append((ticket, level, tuple(reasons)))
            self._thanks()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ApiError) and exc.status == 409:  # rated already: say thanks
                self._thanks()
                return
            self.error = describe(exc)
            self._back.start(self.timeout_ms)
            self._set("error")

        self._back.stop()
        self._set("sending")
        self._runner.submit(lambda: self.client.evaluate(ticket, level, reasons), done, failed)

    def retry(self) -> None:
        if self.state == "error":
            self.state = "reasons" if needs_reasons(self.level) else "rate"
            self.submit()

    def _thanks(self) -> None:
        self._back.start(self.thanks_ms)
        self._set("thanks")

    @Slot()
    def reset(self) -> None:
        self._back.stop()
        self.ticket_id = self.number = self.error = ""
        self.level, self.reasons = 0, []
        self._set("idle")

    # -- button pad -------------------------------------------------------------------------
    @Slot(int, object)
    def _device_rating(self, level: int, reasons: tuple[str, ...]) -> None:
        if self.state not in ("rate", "reasons"):
            return
        self.reasons = [r for r in reasons if r in BAD_REASONS]
        self.choose(level)
        if self.state == "reasons" and self.can_submit():
            self.submit()

    def _read_pad(self) -> None:
        """Reads the button pad in its own thread; a pad that fails is reopened, never fatal."""
        while not self._stop.is_set():
            try:
                if self._pad is None:
                    self._pad = importlib.import_module("devices.pad").open_pad(self.pad_url)
                rating = self._pad.read_rating(0.3)
                # a key pressed while no rating page is up belongs to nobody: dropped
                if rating is not None and self.state in ("rate", "reasons"):
                    self._from_device.emit(int(rating.level), tuple(rating.reasons))
            except Exception as exc:  # DeviceError or a missing driver: log, wait, retry
                log.warning("rating pad %s: %s", self.pad_url, exc)
                self._close_pad()
                self._stop.wait(2.0)
        self._close_pad()

    def _close_pad(self) -> None:
        pad, self._pad = self._pad, None
        if pad is not None:
            try:
                pad.close()
            except Exception:  # closing a broken device must not raise further
                log.debug("closing rating pad failed", exc_info=True)
