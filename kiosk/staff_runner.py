"""Runs the staff roles' blocking server calls off the GUI thread, one at a time and in order,
and hands each result (or error, in words) back on the thread that owns the runner.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

from kiosk.client import ApiError, ServerUnreachable

OFFLINE_TEXT = "无法连接服务器，请稍后再试 / Cannot reach the server, try again shortly"


def describe(exc: BaseException) -> str:
    """An error as a sentence a member of staff can act on."""
    if isinstance(exc, ApiError):
        return exc.message or exc.code
    if isinstance(exc, ServerUnreachable):
        return OFFLINE_TEXT
    return f"{exc.__class__.__name__}: {exc}"


Callback = Callable[[Any], None]


def guarded(emit: Callback, alive: Callable[[], bool]) -> Callback:
    """Wraps a signal's emit for a reader thread that may outlive its view-model: once the model
    is stopped (or its Qt object deleted) late events are dropped instead of raising there."""

    def deliver(value: Any) -> None:
        if alive():
            with contextlib.suppress(RuntimeError):  # "Signal source has been deleted"
                emit(value)

    return deliver


class Runner(QObject):
    """A single worker thread: requests never overlap, never block the GUI, and `busy` is true
    from the first submit until the last answer has been delivered."""

    busyChanged = Signal(bool)
    _done = Signal(object, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="staff-request")
        self._pending = 0
        self._closed = False
        self._done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def submit(self, fn: Callable[[], Any], on_ok: Callback | None = None,
               on_error: Callback | None = None) -> None:
        if self._closed:  # the view-model is stopping: late timers must not raise
            return
        self._pending += 1
        if self._pending == 1:
            self.busyChanged.emit(True)
        self._pool.submit(self._work, fn, on_ok, on_error)

    def _work(self, fn: Callable[[], Any], on_ok: Callback | None,
              on_error: Callback | None) -> None:
        try:
            result = fn()
        except Exception as exc:  # delivered to the GUI thread as words, never lost
            self._done.emit(on_error, None, exc)
        else:
            self._done.emit(on_ok, result, None)

    @Slot(object, object, object)
    def _deliver(self, callback: Callback | None, result: Any, exc: BaseException | None) -> None:
        self._pending -= 1
        try:
            if callback is not None:
                callback(exc if exc is not None else result)
        finally:
            if self._pending == 0:
                self.busyChanged.emit(False)

    def shutdown(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)
