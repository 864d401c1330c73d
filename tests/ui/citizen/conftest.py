"""Fixtures of the kiosk screen tests: the real hall server and kiosk flows of tests/kiosk, a
kiosk window on the offscreen platform bound to a flow, and sample flows of the example hall."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk import sample
from kiosk.flow import KioskFlow
from kiosk.runtime import stop_kiosk
from kiosk.sample_hall import HallSample, load_hall_sample
from tests.kiosk.conftest import hall, make_flow  # noqa: F401 (fixtures)
from ui.citizen.window import KioskWindow, TouchWatcher
from ui.theme import apply_fonts

MakeWindow = Callable[[KioskFlow], KioskWindow]
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def hjhq() -> HallSample:
    """The example hall (it lists Mongolian), as the screens render it."""
    return load_hall_sample(ROOT / "examples" / "hjhq.toml")


@pytest.fixture
def flows() -> Iterator[Callable[[HallSample | None], KioskFlow]]:
    """`flows(hall)`: sample kiosk flows (no server), stopped after the test."""
    made: list[KioskFlow] = []

    def make(of: HallSample | None) -> KioskFlow:
        made.append(sample.sample_flow("kiosk", of))
        return made[-1]

    yield make
    for flow in made:
        stop_kiosk(flow)


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
