"""The next visitor starts afresh: what the last one opened on screen (the search keyboard, a
page size measured under it) is gone when the kiosk is back at its start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kiosk import sample
from kiosk import states as st
from kiosk.sample_hall import load_hall_sample
from ui.citizen.choose import FitTile
from ui.citizen.window import KioskWindow
from ui.screens import settle
from ui.theme import apply_fonts

HALL = Path(__file__).resolve().parents[3] / "examples" / "hjhq.toml"


def _window(qtbot: Any, qapp: Any) -> tuple[Any, KioskWindow]:
    apply_fonts(qapp)
    flow = sample.sample_flow("kiosk", load_hall_sample(HALL))
    window = KioskWindow(flow)
    qtbot.addWidget(window)
    window.setFixedSize(1080, 1920)
    window.show()
    return flow, window


def _tiles(window: KioskWindow) -> int:
    grid = window.screens["services"].grid
    return sum(isinstance(grid.itemAt(i).widget(), FitTile) for i in range(grid.count()))


def test_home_closes_the_last_visitors_keyboard(qtbot: Any, qapp: Any) -> None:
    flow, window = _window(qtbot, qapp)
    fresh, fresh_window = _window(qtbot, qapp)
    for f in (flow, fresh):
        f.reset()
        f.start()
    settle(QApplication.instance())
    screen = window.screens["services"]
    # an English visitor opens the search keyboard in senior mode, then leaves with Home
    flow.set_language("en")
    flow.set_elderly(True)
    QTest.mouseClick(screen.query, Qt.MouseButton.LeftButton)
    settle(QApplication.instance())
    assert screen.keyboard.isVisible()
    flow.home()
    settle(QApplication.instance())
    assert flow.state == st.ATTRACT
    # the next one: the list without the keyboard, as many tiles a page as a fresh kiosk
    flow.start()
    settle(QApplication.instance())
    assert not screen.keyboard.isVisible() and not screen.keyboard_on
    assert flow.lang == "zh" and not flow.data.query
    assert _tiles(window) == _tiles(fresh_window)
    for f in (flow, fresh):
        f.set_elderly(True)
    settle(QApplication.instance())
    assert not screen.keyboard.isVisible()
    assert flow.per_page() == fresh.per_page() and _tiles(window) == _tiles(fresh_window)
