"""A lock handed out in the order it was asked for (`FairLock`).

`threading.Lock` is not fair. A thread that releases it and takes it again at once keeps
winning it: a reader polling a device in a loop (the kiosk waiting for an ID card, a rating
pad's reader) holds the device's lock for most of each poll and takes it back before a waiting
thread has even been woken. Seen here, on a 2-core machine: the rating pad's "show the number"
request waited behind the pad's reader for 5 s and more (and the rating queued behind it), and
a card put on the reader from another thread waited 20 s. A `FairLock` hands the lock
straight to the thread that has waited longest, so a waiter gets it as soon as the holder's
current turn ends."""

from __future__ import annotations

import threading
from collections import deque
from types import TracebackType


class FairLock:
    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiting: deque[threading.Lock] = deque()  # one closed gate per waiting thread

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            if not blocking:
                return False
            gate = threading.Lock()
            gate.acquire()
            self._waiting.append(gate)
        if gate.acquire(timeout=timeout):
            return True  # `release` handed the lock over to us
        with self._mutex:
            try:
                self._waiting.remove(gate)
            except ValueError:  # handed over as the wait ran out: ours after all
                return True
            return False

    def release(self) -> None:
        with self._mutex:
            if not self._held:
                raise RuntimeError("release of an unlocked FairLock")
            if self._waiting:
                self._waiting.popleft().release()  # held still: it passes to the next in line
            else:
                self._held = False

    def __enter__(self) -> FairLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
