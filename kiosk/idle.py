"""The kiosk's idle reset: a citizen who stops touching the screen gets a countdown on screen,
then is forgotten; the ticket and thank-you screens go back to the start by themselves after a
while, with no countdown. Timers only: the flow says which screen is up (`state`) and what
forgetting means (`expired`)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.states import ATTRACT, ISSUING, OFFLINE, THANKS, TICKET

COUNTDOWN_S = 10
DONE_SCREEN_S = 20  # the ticket and thank-you screens return to attract by themselves
# senior mode waits this many times longer, the countdown too: a prompt read aloud takes 10-30 s
# (the papers of a service), and the ticket screen left after 20 s while its own prompt took 15
SENIOR_PATIENCE = 2
DONE_STATES = (TICKET, THANKS)
NEVER_IDLE = (ATTRACT, OFFLINE, ISSUING)  # nobody to forget, or the server is being asked


class IdleReset(QObject):
    changed = Signal()   # the countdown began, ticked or was cancelled
    expired = Signal()   # time is up: forget the citizen

    def __init__(self, state: Callable[[], str], idle_s: int,
                 parent: QObject | None = None, patient: Callable[[], bool] = lambda: False
                 ) -> None:
        super().__init__(parent)
        self._state = state
        self._patient = patient  # senior mode: every wait `SENIOR_PATIENCE` times as long
        self.countdown: int | None = None
        self.countdown_s = COUNTDOWN_S
        self.idle_ms = idle_s * 1000
        self.done_ms = DONE_SCREEN_S * 1000
        self._idle = QTimer(self, singleShot=True, interval=self.idle_ms)
        self._idle.timeout.connect(self._start_countdown)
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self._count)

    def touch(self) -> None:
        """Any touch: the citizen is still here."""
        if self.countdown is not None:
            self.countdown = None
            self._tick.stop()
            self.changed.emit()
        self.arm()

    def arm(self) -> None:
        """Start waiting afresh for the screen that is up now."""
        self._idle.stop()
        state = self._state()
        factor = SENIOR_PATIENCE if self._patient() else 1
        if state in DONE_STATES:
            self._idle.start(self.done_ms * factor)
        elif state not in NEVER_IDLE:
            self._idle.start(self.idle_ms * factor)

    def stop(self) -> None:
        """No countdown any more (the citizen has been forgotten)."""
        self._tick.stop()
        self.countdown = None

    def _start_countdown(self) -> None:
        if self._state() in DONE_STATES:
            self.expired.emit()
            return
        self.countdown = self.countdown_s * (SENIOR_PATIENCE if self._patient() else 1)
        self._tick.start()
        self.changed.emit()

    def _count(self) -> None:
        if self.countdown is None:
            self._tick.stop()
            return
        self.countdown -= 1
        if self.countdown <= 0:
            self.expired.emit()
        else:
            self.changed.emit()
