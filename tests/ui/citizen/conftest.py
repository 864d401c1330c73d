"""Fixtures of the kiosk screen tests: the real hall server and kiosk flows of tests/kiosk, and
a kiosk window on the offscreen platform bound to a flow."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kiosk.flow import KioskFlow
from tests.kiosk.conftest import hall, make_flow  # noqa: F401 (fixtures)
from ui.citizen.window import KioskWindow, TouchWatcher
from ui.theme import apply_fonts

MakeWindow = Callable[[KioskFlow], KioskWindow]


@pytest.fixture
def make_window(qtbot: Any, qapp: Any) -> Iterator[MakeWindow]:
    apply_fonts(qapp)
    watchers: list[TouchWatcher] = []

    def make(flow: KioskFlow) -> KioskWindow:
        window = KioskWindow(flow)
        qtbot.addWidget(window)
        window.resize(1920, 1080)
        window.show()
        watcher = TouchWatcher(flow)
        qapp.installEventFilter(watcher)
        watchers.append(watcher)
        return window

    yield make
    for watcher in watchers:
        qapp.removeEventFilter(watcher)
