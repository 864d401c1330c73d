"""The counter pad's two threads beside its requests (kiosk.counter): the terminal's heartbeat,
as the kiosk sends it (the call display sends it too: kiosk.display), and the link probe that
tells the login page the server answers again."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

HEARTBEAT_S = 30.0  # the kiosk's interval (kiosk.runtime.HEARTBEAT_S): the console reads both alike
LINK_PROBE_S = 3.0  # logged out and cut off: how often the pad asks whether the server is back


class _Ticker:
    """A loop on a daemon thread of its own (`_loop`, which waits on `_stop`), started once
    until it ends, and stopped with a short join."""

    name = "counter-ticker"

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if (self._thread is not None and self._thread.is_alive()) or self.interval_s <= 0:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(2.0)

    def _loop(self) -> None:
        raise NotImplementedError


class Heartbeat(_Ticker):
    """The pad's (and the call display's) heartbeat, as the kiosk's (same interval, same body:
    devices and detail, both empty for a terminal that drives no device): a thread of its own,
    so the request runner's busy flag never blinks, and a server away only delays the next
    beat. Without it the console says a pad in use was never seen, and never that it went."""

    def __init__(self, send: Callable[[], None], interval_s: float = HEARTBEAT_S,
                 name: str = "counter-heartbeat") -> None:
        super().__init__(interval_s)
        self.name = name  # the thread's
        self._send = send
        self._failing = False

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._send()
            except Exception as exc:  # the server may be away: the next beat tries again
                if not self._failing:
                    log.info("heartbeat: ok -> failing (%s)", exc.__class__.__name__)
                self._failing = True
            else:
                if self._failing:
                    log.info("heartbeat: failing -> ok")
                self._failing = False
            self._stop.wait(self.interval_s)


class LinkProbe(_Ticker):
    """Asks, every `interval_s` on a thread of its own, whether the server answers again
    (GET /health), and says so once (`back`): the login page has no event stream to tell it,
    and its "cannot reach the server" stayed after the server was back. Off the request
    runner, so the busy flag (and the login button) never blinks."""

    name = "counter-link-probe"

    def __init__(self, check: Callable[[], object], back: Callable[[], None],
                 interval_s: float = LINK_PROBE_S) -> None:
        super().__init__(interval_s)
        self._check, self._back = check, back

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self._check()
            except Exception:  # still away: ask again
                continue
            if not self._stop.is_set():
                self._back()
            return
