"""The kiosk warns before a number is taken when its printer cannot print (paper out, offline,
a fault), against a real hall server process and the printer simulator: a notice on the attract,
services and detail screens, and the ticket's strip names the cause."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication, QLabel, QWidget

from kiosk import states as st
from tests.kiosk.conftest import MakeFlow
from tests.ui.citizen.conftest import MakeWindow

PAPER_OUT = "打印机缺纸"


def labels(widget: QWidget) -> list[str]:
    QApplication.processEvents()
    return [w.text() for w in widget.findChildren(QLabel) if w.isVisible()]


def warned(widget: QWidget, words: str = PAPER_OUT) -> bool:
    return any(words in text for text in labels(widget))


def test_paper_out_is_announced_before_the_number(make_flow: MakeFlow, make_window: MakeWindow,
                                                 qtbot: Any) -> None:
    flow = make_flow(printer="sim://printer?paper=out")
    window = make_window(flow)
    assert flow.state == st.ATTRACT
    qtbot.waitUntil(lambda: warned(window), timeout=10000)  # the first heartbeat's health
    flow.set_language("en")
    assert warned(window, "The printer is out of paper")
    flow.set_language("zh")
    flow.start()
    assert flow.state == st.SERVICES and warned(window)
    flow.choose_service("water-connect")
    assert flow.state == st.DETAIL and warned(window)
    flow.take_number()
    qtbot.waitUntil(lambda: flow.data.print_state == "failed", timeout=20000)
    strip = window.screens[st.TICKET].print_state.text()
    assert "缺纸" in strip and "故障" not in strip


def test_a_printer_that_is_away_is_announced_too(make_flow: MakeFlow, make_window: MakeWindow,
                                                 qtbot: Any, tmp_path: Any) -> None:
    flow = make_flow(printer=f"serial://{tmp_path / 'no-such-port'}")
    window = make_window(flow)
    qtbot.waitUntil(lambda: warned(window, "打印机暂停使用"), timeout=10000)
    assert not warned(window)  # not "out of paper": it is not known why


def test_a_working_printer_shows_no_notice(make_flow: MakeFlow, make_window: MakeWindow,
                                           qtbot: Any) -> None:
    flow = make_flow()  # a file printer: always ready
    window = make_window(flow)
    qtbot.waitUntil(lambda: flow.devices.last_health().get("printer") == "online",
                    timeout=10000)
    assert not warned(window) and not warned(window, "打印机暂停使用")
