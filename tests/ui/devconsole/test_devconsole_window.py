"""The device console's window on Qt's offscreen platform, driving real simulators: each button
does to the device what its words say (a driver over the pty sees it), the printed ticket shows
as a picture at the panel's width, a device that is not running is greyed; and the role's
`run` opens it as an ordinary window. The pictures are kept for a person to look at
(KUAIBAN_SHOTS=DIR keeps them there)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication, QPushButton

from kiosk.config import DeviceUrls, TerminalConfig, WindowOptions
from kiosk.devconsole import DeviceConsole, stop_console
from kiosk.simdevices import Simulators
from kiosk.tasks import TaskRunner
from tests.kiosk.simrig import Rig
from ui.devconsole.window import DeviceConsoleWindow

PUBLIC = "http://192.168.1.20:8750"


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    made = Rig(tmp_path_factory.mktemp("sims"))
    yield made
    made.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("KUAIBAN_SHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def click(window: DeviceConsoleWindow, text: str) -> None:
    found = [b for b in window.findChildren(QPushButton) if b.text() == text and b.isEnabled()]
    assert len(found) == 1, (text, [b.text() for b in window.findChildren(QPushButton)])
    found[0].click()


def unclipped(window: DeviceConsoleWindow) -> list[str]:
    """The buttons whose words do not fit them, across or down."""
    out = []
    for b in window.findChildren(QPushButton):
        lines = b.text().split("\n")
        wide = max(b.fontMetrics().horizontalAdvance(line) for line in lines)
        tall = len(lines) * b.fontMetrics().lineSpacing()
        if b.isVisible() and (wide > b.contentsRect().width() - 8 or tall > b.height() - 4):
            out.append(b.text())
    return out


def test_every_control_reaches_its_device(rig: Rig, qtbot: Any, shots: Path) -> None:
    console = DeviceConsole(Simulators(rig.sockets()), TaskRunner(), PUBLIC)
    window = DeviceConsoleWindow(console, "zh")
    qtbot.addWidget(window)
    window.resize(500, 980)
    window.show()
    console.start()
    try:
        qtbot.waitUntil(lambda: window.cards.count() == 7 and window.boxes["pad"].isEnabled(),
                        timeout=10000)
        window.grab().save(str(shots / "devconsole-start-zh.png"))
        window.cards.setCurrentIndex(window.cards.findData(3))
        click(window, "放上")
        card = rig.reader.read_card(8)
        assert card is not None and card.name in window.cards.currentText()
        qtbot.waitUntil(lambda: "陈嘉欣" in window.reader_state.text(), timeout=5000)
        click(window, "缺纸")
        qtbot.waitUntil(lambda: rig.printer.status().value == "paper_out", timeout=5000)
        qtbot.waitUntil(lambda: "缺纸" in window.printer_state.text(), timeout=5000)
        click(window, "加纸")
        qtbot.waitUntil(lambda: rig.printer.status().value == "online", timeout=5000)
        rig.print_ticket("B007", f"{PUBLIC}/t/b007x")
        qtbot.waitUntil(lambda: "B007" in window.ticket_title.text(), timeout=10000)
        shown = window.paper.label.pixmap()
        assert not shown.isNull() and shown.width() <= window.paper.viewport().width()
        assert shown.width() > 300  # readable, not a thumbnail
        click(window, "出示票上二维码")
        qtbot.waitUntil(lambda: rig.under_camera() == f"{PUBLIC}/t/b007x", timeout=5000)
        qtbot.keyClicks(window.code, "PQRST-UVWXY")
        qtbot.keyClick(window.code, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: rig.under_camera() == f"{PUBLIC}/m/#a=PQRST-UVWXY", timeout=5000)
        qtbot.waitUntil(lambda: "PQRST-UVWXY" in window.said.text(), timeout=5000)
        click(window, "4\n满意")
        rating = rig.pad.read_rating(5)
        assert rating is not None and rating.level == 4
        qtbot.waitUntil(lambda: "按下 4" in window.said.text(), timeout=5000)
        window.grab().save(str(shots / "devconsole-working-zh.png"))
        assert unclipped(window) == []
        click(window, "English")
        qapp_process(window)
        assert unclipped(window) == []
        assert window.boxes["printer"].title() == "Ticket printer"
        assert "Job" in window.ticket_title.text() and "4 pressed" in window.said.text()
        window.grab().save(str(shots / "devconsole-working-en.png"))
    finally:
        stop_console(console)
    rig.camera.clear()  # type: ignore[attr-defined]
    rig.idcard.ctl("remove")


def test_a_device_not_running_is_greyed_and_said(tmp_path: Path, qtbot: Any, shots: Path) -> None:
    console = DeviceConsole(Simulators({"idcard": str(tmp_path / "none.sock")}), TaskRunner(),
                            PUBLIC)
    window = DeviceConsoleWindow(console, "zh")
    qtbot.addWidget(window)
    window.show()
    console.start()
    try:
        qtbot.waitUntil(lambda: "idcard" in console.errors, timeout=5000)
        assert all(not box.isEnabled() for box in window.boxes.values())
        assert "未连接" in window.reader_state.text()
        assert unclipped(window) == []
        window.grab().save(str(shots / "devconsole-stopped-zh.png"))
    finally:
        stop_console(console)


def qapp_process(window: DeviceConsoleWindow) -> None:
    QApplication.processEvents()  # the layout settles on the new words
    window.layout().activate()


class TimedApp:
    """Stands in for the QApplication in `run(app, config)`: exec() runs a local loop a while."""

    def __init__(self, ms: int, check: Any) -> None:
        self.ms, self.check = ms, check

    def exec(self) -> int:
        loop = QEventLoop()
        QTimer.singleShot(self.ms // 2, self.check)
        QTimer.singleShot(self.ms, loop.quit)
        loop.exec()
        return 0

    def quit(self) -> None:
        pass


def test_the_role_opens_an_ordinary_window(qapp: QApplication, tmp_path: Path) -> None:
    from ui.roles import devices

    seen: dict[str, Any] = {}

    def check() -> None:
        (window,) = [w for w in qapp.topLevelWidgets()
                     if isinstance(w, DeviceConsoleWindow) and w.isVisible()]
        seen.update(full=window.isFullScreen(), size=(window.width(), window.height()),
                    title=window.windowTitle(), flags=window.windowFlags())

    config = TerminalConfig(role="devices", server=PUBLIC,
                            devices=DeviceUrls(idcard=f"sim://idcard?control={tmp_path}/x.sock"),
                            window=WindowOptions(mode="kiosk", size="500x900"))
    assert devices.run(TimedApp(1500, check), config) == 0
    assert seen["full"] is False  # even a configuration that says kiosk: a console is a window
    assert seen["size"] == (500, 900) and "设备控制台" in seen["title"]
    assert not seen["flags"] & Qt.WindowType.WindowStaysOnTopHint
    for w in qapp.topLevelWidgets():
        w.close()


def test_its_screens_render(qapp: QApplication, tmp_path: Path) -> None:
    from ui.roles import devices

    assert devices.render_screens(qapp, tmp_path) == 0
    names = sorted(p.name for p in tmp_path.glob("*.png"))
    assert len(names) == 8 and "devices-working-en.png" in names
    assert not [w for w in qapp.topLevelWidgets() if isinstance(w, DeviceConsoleWindow)
                and w.isVisible()]  # each closed once drawn
