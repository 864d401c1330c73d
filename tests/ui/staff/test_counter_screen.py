"""The counter pad's window against a real server process: login (wrong PIN in words, then
right), call next by key, recall, start, finish, no-show, pause and resume, transfer, the busy
state, server errors shown in words, scanned papers, and auto-call after a finish."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from kiosk.client import QueueClient
from kiosk.counter import CounterModel
from tests.ui.staff.hall_server import PIN, HallServer, clear
from ui.staff.counter_pad import CounterWindow

pytestmark = pytest.mark.timeout(60)


def make(qtbot: QtBot, hall: HallServer, counter: str = "W01") -> tuple[CounterModel,
                                                                           CounterWindow]:
    model = CounterModel(QueueClient(hall.url, hall.tokens[f"c-{counter}"]), counter)
    window = CounterWindow(model, "zh")
    qtbot.addWidget(window)
    window.show()
    return model, window


def login(qtbot: QtBot, model: CounterModel, window: CounterWindow, staff: str = "s001") -> None:
    window.staff_id.setText(staff)
    window.pin.setText(PIN)
    qtbot.mouseClick(window.login_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1 and model.state is not None,
                    timeout=5000)


def key(qtbot: QtBot, window: CounterWindow, model: CounterModel, k: Qt.Key) -> None:
    qtbot.keyClick(window, k)
    qtbot.waitUntil(lambda: not model.busy, timeout=5000)


def test_wrong_pin_is_refused_in_words_then_login_works(qtbot: QtBot, hall: HallServer) -> None:
    model, window = make(qtbot, hall)
    window.staff_id.setText("s001")
    window.pin.setText("000000")
    qtbot.mouseClick(window.login_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(window.login_error.text()), timeout=5000)
    assert window.stack.currentIndex() == 0 and not model.logged_in
    assert "Error" not in window.login_error.text()  # a sentence from the server, not a class
    login(qtbot, model, window)
    assert "1号窗口" in window.title.text() and "王丽" in window.title.text()
    model.stop()


def test_call_recall_start_finish_with_keys(qtbot: QtBot, hall: HallServer) -> None:
    kiosk = hall.tokens["k1"]
    first = hall.issue("estate", kiosk)
    hall.issue("estate", kiosk)
    model, window = make(qtbot, hall)
    login(qtbot, model, window)
    qtbot.waitUntil(lambda: "不动产登记" in window.waiting.text(), timeout=5000)
    busy: list[bool] = []
    model.busyChanged.connect(busy.append)
    key(qtbot, window, model, Qt.Key.Key_F1)
    assert busy[:1] == [True] and busy[-1] is False  # every request shows a busy state
    assert window.number.text() == first["number"]
    assert model.current is not None and model.current.status == "called"
    assert window.buttons["recall"].isEnabled() and not window.buttons["call_next"].isEnabled()
    key(qtbot, window, model, Qt.Key.Key_F2)  # recall
    key(qtbot, window, model, Qt.Key.Key_F4)  # start
    qtbot.waitUntil(lambda: model.current is not None and model.current.status == "serving",
                    timeout=5000)
    assert "办理中" in window.details.text()
    key(qtbot, window, model, Qt.Key.Key_F5)  # done
    qtbot.waitUntil(lambda: model.current is None, timeout=5000)
    assert window.number.text() == ""
    key(qtbot, window, model, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: model.current is not None, timeout=5000)
    key(qtbot, window, model, Qt.Key.Key_F3)  # no-show before the recalls: refused in words
    assert "重呼" in window.message.text() and model.current is not None
    key(qtbot, window, model, Qt.Key.Key_F2)
    key(qtbot, window, model, Qt.Key.Key_F2)
    key(qtbot, window, model, Qt.Key.Key_F3)
    qtbot.waitUntil(lambda: model.current is None, timeout=5000)
    key(qtbot, window, model, Qt.Key.Key_F10)  # log out
    assert window.stack.currentIndex() == 0 and not model.logged_in
    model.stop()


def test_pause_resume_and_server_errors_in_words(qtbot: QtBot, hall: HallServer) -> None:
    model, window = make(qtbot, hall, "W02")
    login(qtbot, model, window, "s002")
    model.pause("午休")
    qtbot.waitUntil(lambda: model.paused, timeout=5000)
    assert "午休" in window.status.text()
    assert not window.buttons["call_next"].isEnabled()
    model.call_next()  # the server refuses a paused counter: its words reach the screen
    qtbot.waitUntil(lambda: bool(window.message.text()), timeout=5000)
    assert model.last_error and "Traceback" not in model.last_error
    model.resume()
    qtbot.waitUntil(lambda: not model.paused, timeout=5000)
    assert window.buttons["call_next"].isEnabled()
    model.stop()


def test_transfer_and_scanned_papers(qtbot: QtBot, hall: HallServer) -> None:
    kiosk = hall.tokens["k1"]
    ticket = hall.issue("company", kiosk)
    img = QImage(400, 560, QImage.Format.Format_RGB32)
    img.fill(QColor("white"))
    path = str(hall.tmp / "page.jpg")
    img.save(path, "JPEG")
    with open(path, "rb") as f:
        resp = httpx.post(f"{hall.url}/api/v1/tickets/{ticket['id']}/documents", content=f.read(),
                          headers={"Authorization": f"Bearer {kiosk}",
                                   "Content-Type": "image/jpeg"}, timeout=5)
    assert resp.status_code == 201, resp.text
    model, window = make(qtbot, hall)
    login(qtbot, model, window)
    while model.current is None or model.current.number != ticket["number"]:
        if model.current is not None:
            clear(QueueClient(hall.url, model.client.staff_token), "W01")
            model.refresh()
            qtbot.waitUntil(lambda: not model.busy and model.current is None, timeout=5000)
        model.call_next()
        qtbot.waitUntil(lambda: not model.busy and model.current is not None, timeout=5000)
    qtbot.waitUntil(lambda: window.scans.count() == 1, timeout=5000)
    assert model.thumbnails and next(iter(model.thumbnails.values()))[:2] == b"\xff\xd8"
    assert "公司章程" in window.papers.text()
    model.transfer(counter="W02")
    qtbot.waitUntil(lambda: not model.busy and model.current is None, timeout=5000)
    model.transfer(counter="W02")  # nothing to transfer: refused in words, not a crash
    qtbot.waitUntil(lambda: bool(model.last_error), timeout=5000)
    assert window.message.text() == model.last_error
    model.stop()


def test_auto_call_after_finish(qtbot: QtBot, hall: HallServer) -> None:
    kiosk = hall.tokens["k1"]
    hall.issue("estate", kiosk)
    hall.issue("estate", kiosk)
    model, window = make(qtbot, hall)
    login(qtbot, model, window)
    if model.current is None:
        model.call_next()
        qtbot.waitUntil(lambda: not model.busy and model.current is not None, timeout=5000)
    if model.current is not None and model.current.status == "called":
        model.start()
        qtbot.waitUntil(lambda: not model.busy, timeout=5000)
    first = model.current.number if model.current else ""
    window.auto.setValue(1)
    model.undo_show_s = 2  # (the call waits for the undo offer to end: a short one here)
    model.finish("done")
    qtbot.waitUntil(lambda: "自动叫号" in window.auto_label.text(), timeout=5000)
    qtbot.waitUntil(lambda: model.current is not None and model.current.number != first,
                    timeout=8000)
    model.stop()


def test_a_declared_priority_is_shown_and_confirmed(qtbot: QtBot, hall: HallServer,
                                                    tmp_path: Path) -> None:
    """绿色通道: the citizen declared the reason at the kiosk; the counter sees it marked as
    declared and confirms it with one touch (the server records it)."""
    staff = QueueClient(hall.url, hall.tokens["c-W02"])
    staff.login("s002", PIN, "W02")
    clear(staff, "W02")
    resp = httpx.post(hall.url + "/api/v1/tickets", json={
        "service": "estate", "priority": "priority", "priority_reason": "green"},
        headers={"Authorization": f"Bearer {hall.tokens['k1']}"}, timeout=5)
    assert resp.status_code == 201, resp.text
    model, window = make(qtbot, hall, "W02")
    login(qtbot, model, window, "s002")
    for _ in range(10):  # tickets of earlier tests (one transferred here) go first
        key(qtbot, window, model, Qt.Key.Key_F1)
        qtbot.waitUntil(lambda: model.current is not None, timeout=5000)
        if model.current.id == resp.json()["id"]:
            break
        model.finish("done")
        qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)
    assert model.current is not None and model.current.priority_declared
    assert "绿色通道（群众自报，请核实）" in window.details.text()
    panel = window.ticket
    assert panel.confirm.isVisible() and panel.deny.isVisible()
    window.grab().save(str(tmp_path / "counter-green-channel.png"))
    qtbot.mouseClick(panel.confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: model.current is not None and model.current.priority_confirmed,
                    timeout=5000)
    qtbot.waitUntil(lambda: "已核实" in window.details.text(), timeout=5000)
    assert not panel.confirm.isVisible()
    model.stop()
    staff.close()
