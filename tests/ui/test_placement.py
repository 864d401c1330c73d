"""Where a terminal's window goes (`ui.placement`): installed as a kiosk, full screen and, for
the citizens' kiosk, locked; as a window on a desktop (the demo), an ordinary window at its form
factor and place, drawn at its scale, that closes like any other."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

import kiosk.__main__ as kiosk_main
from kiosk.config import TerminalConfig, WindowOptions
from ui.placement import locked, prepare_scale, present


def test_installed_kiosk_is_full_screen_on_top_without_cursor(qapp: QApplication) -> None:
    window = QWidget()
    present(window, WindowOptions(), lock=True)
    qapp.processEvents()
    flags = window.windowFlags()
    assert window.isFullScreen() and locked(WindowOptions())
    assert flags & Qt.WindowType.FramelessWindowHint and flags & Qt.WindowType.WindowStaysOnTopHint
    assert window.cursor().shape() == Qt.CursorShape.BlankCursor
    window.close()


def test_installed_counter_is_maximized_and_keeps_its_frame(qapp: QApplication) -> None:
    window = QWidget()
    present(window, WindowOptions(), maximized=True)
    assert window.isMaximized() and not window.isFullScreen()
    assert not window.windowFlags() & Qt.WindowType.FramelessWindowHint
    window.close()


def test_a_desktop_window_is_ordinary_at_its_size_and_place(qapp: QApplication) -> None:
    options = WindowOptions(mode="window", size="1366x768", position="40,60", scale=1.0)
    window = QWidget()
    present(window, options, lock=True)  # the lock is for an installed kiosk only
    qapp.processEvents()
    flags = window.windowFlags()
    assert not window.isFullScreen() and not locked(options)
    assert not flags & Qt.WindowType.WindowStaysOnTopHint
    assert not flags & Qt.WindowType.FramelessWindowHint
    assert window.cursor().shape() != Qt.CursorShape.BlankCursor
    assert (window.width(), window.height()) == (1366, 768)
    assert (window.x(), window.y()) == (40, 60)
    window.close()


def test_a_window_never_framed_is_put_at_its_place_once_the_wait_is_over(
        qapp: QApplication) -> None:
    """keep_place moves a window only once the window manager has framed it; one that is
    never framed (here a frameless one, as under a window manager that draws no frames) is
    moved when the wait is over, not left where it fell."""
    import time

    from PySide6.QtCore import QPoint

    from ui.placement import keep_place

    window = QWidget()
    window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
    window.resize(200, 100)
    window.show()
    window.move(300, 200)
    qapp.processEvents()
    keep_place(window, QPoint(40, 60), every_ms=20, wait_ms=200)
    deadline = time.monotonic() + 5
    while window.frameGeometry().topLeft() != QPoint(40, 60) and time.monotonic() < deadline:
        qapp.processEvents()
        time.sleep(0.01)
    assert window.frameGeometry().topLeft() == QPoint(40, 60)
    window.close()


def test_the_scale_is_set_for_qt_before_the_app_and_only_for_a_window(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QT_SCALE_FACTOR", "QT_ENABLE_HIGHDPI_SCALING"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("QT_SCREEN_SCALE_FACTORS", "2")
    import os

    prepare_scale(WindowOptions(mode="kiosk", scale=0.5))
    prepare_scale(WindowOptions(mode="window", scale=1.0))
    assert "QT_SCALE_FACTOR" not in os.environ
    prepare_scale(WindowOptions(mode="window", scale=0.365))
    assert os.environ["QT_SCALE_FACTOR"] == "0.365"
    assert os.environ["QT_ENABLE_HIGHDPI_SCALING"] == "0"  # the desktop's own factor is not added
    assert "QT_SCREEN_SCALE_FACTORS" not in os.environ


def test_window_flag_of_the_command_overrides_the_configuration(
        monkeypatch: pytest.MonkeyPatch) -> None:
    got: list[TerminalConfig] = []

    def fake_ui(role: str, config: TerminalConfig, screens: Any) -> int:
        got.append(config)
        return 0

    monkeypatch.setattr(kiosk_main, "terminal_ui", lambda group: fake_ui)
    assert kiosk_main.main(["--role", "kiosk"]) == 0
    assert kiosk_main.main(["--role", "kiosk", "--window"]) == 0
    assert [c.window.mode for c in got] == ["kiosk", "window"]


@pytest.mark.parametrize(("key", "value"), [("size", "1920"), ("size", "x1080"),
                                            ("position", "10;20"), ("scale", 0.1),
                                            ("mode", "fullscreen")])
def test_bad_window_options_are_refused(key: str, value: object) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=key):
        WindowOptions(**{key: value})  # type: ignore[arg-type]
