"""The rating pad against a real server process: idle until its counter finishes a ticket, the
rating page for that ticket, reasons required for a low rating, submitted with the pad's own
token, thanks, then idle again; another counter's finish leaves it idle."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from kiosk.client import QueueClient
from kiosk.pad import RatingModel
from tests.ui.staff.hall_server import PIN, HallServer, clear
from ui.staff.rating import RatingWindow

pytestmark = pytest.mark.timeout(60)


def serve_one(hall: HallServer, code: str, staff_id: str) -> str:
    """Issue a ticket, call it at `code`, serve it and finish it; answers its number."""
    staff = QueueClient(hall.url, hall.tokens[f"c-{code}"])
    staff.login(staff_id, PIN, code)
    clear(staff, code)
    hall.issue("estate", hall.tokens["k1"])
    called = staff.counter_action(code, "call-next")
    assert called is not None
    staff.counter_action(code, "start")
    staff.counter_action(code, "finish", {"outcome": "done"})
    staff.close()
    return called.number


def test_low_rating_needs_a_reason_then_thanks_then_idle(qtbot: QtBot, hall: HallServer) -> None:
    model = RatingModel(QueueClient(hall.url, hall.tokens["pad-W01"]), "W01", thanks_s=0.5,
                        history_grace_s=0)
    window = RatingWindow(model, "zh")
    qtbot.addWidget(window)
    window.show()
    model.start()
    qtbot.wait(300)
    serve_one(hall, "W02", "s002")  # another counter: not for this pad
    qtbot.wait(800)
    assert model.state == "idle"
    number = serve_one(hall, "W01", "s001")
    qtbot.waitUntil(lambda: model.state == "rate", timeout=5000)
    assert number in window.rate_ticket.text()
    model.choose(2)
    assert model.state == "reasons" and not window.submit_btn.isEnabled()
    qtbot.mouseClick(window.reason_buttons["slow"], Qt.MouseButton.LeftButton)
    assert window.submit_btn.isEnabled() and model.reasons == ["slow"]
    qtbot.mouseClick(window.submit_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: model.state == "thanks", timeout=5000)
    assert model.submitted == [(model.submitted[0][0], 2, ("slow",))]
    qtbot.waitUntil(lambda: model.state == "idle", timeout=3000)
    model.stop()


def test_a_second_rating_of_the_same_stage_is_not_an_error(qtbot: QtBot,
                                                           hall: HallServer) -> None:
    model = RatingModel(QueueClient(hall.url, hall.tokens["pad-W01"]), "W01", thanks_s=0.3,
                        history_grace_s=0)
    model.start()
    serve_one(hall, "W01", "s001")
    qtbot.waitUntil(lambda: model.state == "rate", timeout=5000)
    ticket = model.ticket_id
    model.choose(5)
    qtbot.waitUntil(lambda: model.state == "thanks", timeout=5000)
    qtbot.waitUntil(lambda: model.state == "idle", timeout=3000)
    model.show(ticket, "again", "1号窗口")
    model.choose(4)
    qtbot.waitUntil(lambda: model.state in ("thanks", "error"), timeout=5000)
    assert model.state == "thanks" or "Traceback" not in model.error
    model.stop()


def test_server_gone_is_said_in_words(qtbot: QtBot) -> None:
    model = RatingModel(QueueClient("http://127.0.0.1:9", "x"), "W01")
    model.show("t1", "A001", "1号窗口")
    model.choose(3)
    qtbot.waitUntil(lambda: model.state == "error", timeout=5000)
    assert "无法连接服务器" in model.error
    model.stop()


def test_button_pad_rates_the_ticket_shown_on_it(qtbot: QtBot, hall: HallServer) -> None:
    """The simulated serial pad (devices.pad, sim://pad) presses 2 with a reason every 0.5 s:
    the pad is told the ticket number, and the rating goes to the server with its reason."""
    model = RatingModel(QueueClient(hall.url, hall.tokens["pad-W01"]), "W01", thanks_s=0.3,
                        history_grace_s=0, pad_url="sim://pad?every=0.5&levels=2")
    model.start()
    qtbot.waitUntil(lambda: model._pad is not None, timeout=5000)
    number = serve_one(hall, "W01", "s001")
    qtbot.waitUntil(lambda: model.state == "rate", timeout=5000)
    qtbot.waitUntil(lambda: len(model.submitted) == 1, timeout=8000)
    assert model.submitted[0][1:] == (2, ("wait",))
    assert number in model._pad.simulator.shown
    model.stop()
