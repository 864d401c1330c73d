"""Keeps one device connection alive: connects on demand, reconnects with backoff after the
device was unplugged, and tells transient faults (unplugged, timeouts: retry) from permanent
ones (`PermanentFault`: stop touching the device, report `error`, try again only rarely).
Health transitions go through `HealthState`, which logs each change once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from devices.errors import DeviceError, DeviceTimeout, DeviceUnavailable, PermanentFault
from devices.health import Health, HealthState

P = TypeVar("P")
R = TypeVar("R")


@dataclass
class Backoff:
    """Exponential delays between connection attempts, reset by a success."""

    initial: float = 0.1
    factor: float = 2.0
    cap: float = 5.0
    _next: float = 0.0

    def __post_init__(self) -> None:
        self._next = self.initial

    def take(self) -> float:
        delay, self._next = self._next, min(self._next * self.factor, self.cap)
        return delay

    def reset(self) -> None:
        self._next = self.initial


class Supervisor(Generic[P]):
    """Runs operations on a connection of type P, reconnecting as needed.

    connect() must return an open connection or raise a DeviceError; disconnect() must not raise.
    `timeouts_offline` consecutive DeviceTimeouts count as a lost device (a dead line answers
    nothing rather than failing).
    """

    def __init__(self, health: HealthState, connect: Callable[[], P],
                 disconnect: Callable[[P], None], *, backoff: Backoff | None = None,
                 timeouts_offline: int = 3, permanent_retry: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.health = health
        self._connect, self._disconnect = connect, disconnect
        self.backoff = backoff or Backoff()
        self.timeouts_offline, self.permanent_retry = timeouts_offline, permanent_retry
        self._clock = clock
        self._conn: P | None = None
        self._next_attempt = 0.0
        self._timeouts = 0
        self._fault: PermanentFault | None = None
        self._fault_at = 0.0
        self._lock = threading.RLock()
        self.connects = 0

    @property
    def connected(self) -> bool:
        return self._conn is not None

    def _try_connect(self) -> P | None:
        now = self._clock()
        if now < self._next_attempt:
            return None
        try:
            conn = self._connect()
        except PermanentFault as exc:
            self._permanent(exc)
            raise
        except DeviceError as exc:
            self.health.set(Health.OFFLINE, str(exc))
            self._next_attempt = self._clock() + self.backoff.take()
            return None
        self._conn, self._timeouts = conn, 0
        self.connects += 1
        self.backoff.reset()
        self.health.set(Health.ONLINE, "connected")
        return conn

    def _permanent(self, exc: PermanentFault) -> None:
        self._fault, self._fault_at = exc, self._clock()
        self.health.set(Health.ERROR, str(exc))
        self.drop()

    def drop(self) -> None:
        """Forget the connection (closing it); the next call reconnects."""
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                self._disconnect(conn)

    def run(self, op: Callable[[P], R], deadline: float) -> R:
        """op(connection), retried on transient faults until `deadline` (monotonic clock).

        Raises DeviceUnavailable/DeviceTimeout when the deadline passes without success, and
        PermanentFault at once.
        """
        with self._lock:
            last: DeviceError = DeviceUnavailable(f"{self.health.name}: not connected")
            while True:
                if self._fault is not None:
                    if self._clock() - self._fault_at < self.permanent_retry:
                        raise self._fault
                    self._fault = None
                conn = self._conn if self._conn is not None else self._try_connect()
                if conn is not None:
                    try:
                        result = op(conn)
                    except PermanentFault as exc:
                        self._permanent(exc)
                        raise
                    except DeviceTimeout as exc:
                        last = exc
                        self._timeouts += 1
                        if self._timeouts >= self.timeouts_offline:
                            self.health.set(Health.OFFLINE, f"{self._timeouts} timeouts in a row")
                            self.drop()
                    except DeviceUnavailable as exc:
                        last = exc
                        self.health.set(Health.OFFLINE, str(exc))
                        self.drop()
                        self._next_attempt = self._clock() + self.backoff.take()
                    else:
                        self._timeouts = 0
                        self.health.set(Health.ONLINE)
                        return result
                now = self._clock()
                if now >= deadline:
                    raise last
                wait = max(0.0, self._next_attempt - now) if self._conn is None else 0.0
                time.sleep(min(max(wait, 0.01), deadline - now))

    def close(self) -> None:
        self.drop()
        self.health.set(Health.OFFLINE, "closed")
