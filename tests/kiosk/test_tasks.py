"""Worker results come back on the GUI thread; answers about a forgotten citizen are dropped."""

from __future__ import annotations

import threading
from typing import Any

from kiosk.tasks import TaskRunner


def test_results_arrive_on_the_owner_thread(qtbot: Any) -> None:
    runner = TaskRunner()
    got: list[tuple[Any, bool]] = []
    main = threading.get_ident()
    runner.submit(lambda: threading.get_ident(),
                  lambda worker: got.append((worker != main, threading.get_ident() == main)))
    qtbot.waitUntil(lambda: bool(got), timeout=3000)
    assert got == [(True, True)]


def test_errors_are_delivered(qtbot: Any) -> None:
    runner = TaskRunner()
    errors: list[BaseException] = []
    runner.submit(lambda: 1 / 0, failed=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=3000)
    assert isinstance(errors[0], ZeroDivisionError)


def test_invalidate_drops_late_answers_but_keeps_kept_work(qtbot: Any) -> None:
    runner = TaskRunner()
    gate = threading.Event()
    got: list[str] = []
    runner.submit(lambda: gate.wait(3) and "citizen", got.append)
    runner.submit(lambda: gate.wait(3) and "heartbeat", got.append, keep=True)
    runner.invalidate()
    gate.set()
    assert runner.wait(3000)
    qtbot.wait(50)
    assert got == ["heartbeat"]
