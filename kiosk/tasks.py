"""Runs blocking work (network, devices) on worker threads and hands the outcome back to the GUI
thread, so a view-model never waits on I/O and a widget never sees a worker thread.

A task carries the runner's generation at submission; `invalidate()` (called on an idle reset)
bumps it, so a late answer about a citizen who has gone is dropped instead of shown.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger("kiosk.tasks")

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


@dataclass(frozen=True)
class _Reply:
    """Where a task's outcome goes. A plain object, not the QRunnable: Qt deletes a finished
    runnable (autoDelete) while its queued signal may still be on the way."""

    done: Done | None
    failed: Failed | None
    generation: int


class _Job(QRunnable):
    def __init__(self, runner: TaskRunner, fn: Callable[[], Any], reply: _Reply) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._runner, self._fn, self._reply = runner, fn, reply

    def run(self) -> None:
        runner, reply = self._runner, self._reply
        try:
            result: Any = self._fn()
            error: BaseException | None = None
        except BaseException as exc:  # delivered to the GUI thread, never lost in a worker
            result, error = None, exc
        try:
            runner._finished.emit((reply, result, error))
        except RuntimeError:  # the runner was deleted while we worked: nobody to tell
            pass
        finally:
            runner._job_ended()


class TaskRunner(QObject):
    """A small thread pool whose results come back as calls on the thread that owns the runner."""

    _finished = Signal(object)

    def __init__(self, max_threads: int = 6, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._generation = 0
        self._active = 0
        self._lock = threading.Lock()
        self._finished.connect(self._deliver)

    @property
    def generation(self) -> int:
        return self._generation

    def invalidate(self) -> None:
        """Forget every task in flight: their answers will be dropped."""
        self._generation += 1

    def submit(self, fn: Callable[[], Any], done: Done | None = None,
               failed: Failed | None = None, *, keep: bool = False) -> None:
        """Run `fn` on a worker; call `done(result)` or `failed(exc)` on this object's thread.
        `keep=True` delivers even after `invalidate()` (for work not about a citizen)."""
        with self._lock:
            self._active += 1
        self._pool.start(_Job(self, fn, _Reply(done, failed, -1 if keep else self._generation)))

    def busy(self) -> int:
        return self._active

    def wait(self, timeout_ms: int = 5000) -> bool:
        return bool(self._pool.waitForDone(timeout_ms))

    def _job_ended(self) -> None:
        with self._lock:
            self._active -= 1

    @Slot(object)
    def _deliver(self, payload: tuple[_Reply, Any, BaseException | None]) -> None:
        reply, result, error = payload
        if reply.generation not in (-1, self._generation):
            return
        if error is None:
            if reply.done is not None:
                reply.done(result)
        elif reply.failed is not None:
            reply.failed(error)
        else:
            log.warning("task failed: %r", error)
