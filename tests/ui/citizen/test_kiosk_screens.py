"""The kiosk's screens on the offscreen platform, driven by touches (mouse clicks), against a
real hall server process and the device simulators."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from kiosk import states as st
from kiosk.admin import hash_pin
from tests.kiosk.conftest import MakeFlow, present_card
from tests.ui.citizen.conftest import MakeWindow

FULL_NUMBER = "150826194811050019"


def texts(widget: QWidget) -> list[str]:
    """The text of every visible label and button under `widget`."""
    QApplication.processEvents()  # new tiles are shown by a queued call
    out = [w.text() for w in widget.findChildren(QLabel) if w.isVisible()]
    return out + [w.text() for w in widget.findChildren(QPushButton) if w.isVisible()]


def press(qtbot: Any, window: QWidget, text: str) -> None:
    """Touch the visible button whose text starts with `text`."""
    QApplication.processEvents()
    for b in window.findChildren(QPushButton):
        if b.isVisible() and b.isEnabled() and b.text().startswith(text):
            qtbot.mouseClick(b, Qt.MouseButton.LeftButton)
            return
    raise AssertionError(f"no visible button {text!r} in {texts(window)}")


def test_touch_through_to_a_printed_ticket(make_flow: MakeFlow, make_window: MakeWindow,
                                           qtbot: Any) -> None:
    flow = make_flow()
    window = make_window(flow)
    assert flow.state == st.ATTRACT and "测试政务服务中心" in texts(window)
    press(qtbot, window, "点击开始取号")
    assert flow.state == st.SERVICES
    press(qtbot, window, "用水报装")
    assert flow.state == st.DETAIL
    press(qtbot, window, "取号")
    qtbot.waitUntil(lambda: flow.data.print_state == "printed", timeout=20000)
    number = flow.data.ticket.number
    assert number in texts(window) and "号票已打印，请取走号票" in texts(window)
    qr = window.screens[st.TICKET].qr
    assert qr.text == flow.data.ticket.track_url and qr.isVisible()


def test_printer_fault_shows_the_note_to_photograph(make_flow: MakeFlow, make_window: MakeWindow,
                                                    qtbot: Any) -> None:
    flow = make_flow(printer="sim://printer?paper=out")
    window = make_window(flow)
    flow.start()
    flow.choose_service("water-connect")
    press(qtbot, window, "取号")
    qtbot.waitUntil(lambda: flow.data.print_state == "failed", timeout=20000)
    assert flow.data.ticket.number in texts(window)
    assert any("打印机缺纸" in t and "拍下本页号码" in t for t in texts(window))  # the cause


def test_language_and_senior_mode_on_every_screen(make_flow: MakeFlow, make_window: MakeWindow,
                                                  qtbot: Any) -> None:
    flow = make_flow()
    window = make_window(flow)
    press(qtbot, window, "English")
    assert "Touch to take a number" in texts(window)
    press(qtbot, window, "Senior mode")
    assert flow.elderly and "#000000" in window.styleSheet()
    press(qtbot, window, "Touch to take a number")
    QApplication.processEvents()
    tiles = [b for b in window.screens[st.SERVICES].findChildren(QPushButton)
             if b.objectName() == "tile" and b.isVisible()]
    assert 0 < len(tiles) <= 4  # fewer choices per screen
    assert all(b.height() >= 110 for b in tiles)  # 15 mm and more on a 1080p 21.5" screen
    press(qtbot, window, "中文")
    assert "请选择办理事项" in texts(window)


def test_pinyin_search_on_the_screen_keyboard(make_flow: MakeFlow, make_window: MakeWindow,
                                              qtbot: Any) -> None:
    flow = make_flow()
    window = make_window(flow)
    flow.start()
    press(qtbot, window, "搜索")
    for key in "QYKB":
        press(qtbot, window, key)
    assert flow.data.query == "qykb"
    assert [s.name for s in flow.visible_services()] == ["企业开办"]
    assert any(t.startswith("企业开办") for t in texts(window))


def test_idle_reset_leaves_nothing_on_screen(make_flow: MakeFlow, make_window: MakeWindow,
                                             qtbot: Any) -> None:
    flow = make_flow()
    window = make_window(flow)
    flow.start()
    flow.choose_service("company-setup")
    press(qtbot, window, "刷身份证取号")
    assert flow.state == st.IDCARD
    present_card(flow, 1)
    qtbot.waitUntil(lambda: flow.data.print_state == "printed", timeout=20000)
    masked = flow.data.card.masked_number
    assert any(masked in t for t in texts(window))
    assert not any(FULL_NUMBER in t for t in texts(window))
    flow.idle.done_ms, flow.idle.countdown_s = 100, 1
    flow.touch()
    qtbot.waitUntil(lambda: flow.state == st.ATTRACT, timeout=5000)
    window.refresh()
    every = [w.text() for w in window.findChildren(QLabel)]  # hidden screens too
    assert not any(masked in t or "张" in t for t in every)


def test_long_press_corner_and_pin_open_the_device_screen(make_flow: MakeFlow,
                                                          make_window: MakeWindow,
                                                          qtbot: Any) -> None:
    flow = make_flow(printer="sim://printer?paper=out", admin_pin_hash=hash_pin("2468", n=2**10))
    window = make_window(flow)
    window.corner._timer.setInterval(200)
    qtbot.mousePress(window.corner, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    qtbot.waitUntil(lambda: flow.state == st.ADMIN_PIN, timeout=3000)
    qtbot.mouseRelease(window.corner, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    for key in "1111":
        press(qtbot, window, key)
    press(qtbot, window, "OK")
    qtbot.waitUntil(lambda: flow.notice == "admin_wrong", timeout=3000)
    assert flow.state == st.ADMIN_PIN
    for key in "2468":
        press(qtbot, window, key)
    press(qtbot, window, "OK")
    qtbot.waitUntil(lambda: flow.state == st.ADMIN, timeout=3000)
    qtbot.waitUntil(lambda: "paper_out" in texts(window), timeout=5000)
    with qtbot.waitSignal(flow.quitRequested, timeout=2000):
        press(qtbot, window, "退出程序")


def test_a_short_tap_on_the_corner_does_nothing(make_flow: MakeFlow, make_window: MakeWindow,
                                                qtbot: Any) -> None:
    flow = make_flow()
    window = make_window(flow)
    qtbot.mouseClick(window.corner, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    qtbot.wait(50)
    assert flow.state != st.ADMIN_PIN
