"""The rating screen answers every press of its submit button: with no level chosen it says to
choose one (选择一个评价等级 …) and sends nothing; with a low level and no reason it asks for a
reason; then the rating goes. Against the real hall server, on the offscreen platform."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from kiosk import states as st
from tests.kiosk.conftest import MakeFlow, present_card
from tests.kiosk.hall import Hall
from tests.kiosk.test_flow_inquiry import WANG, finish_ticket_of
from tests.ui.citizen.conftest import MakeWindow


def test_submit_with_nothing_chosen_says_what_to_do(make_flow: MakeFlow, make_window: MakeWindow,
                                                     qtbot: Any, hall: Hall) -> None:
    issued = hall.api("POST", "/tickets", hall.kiosk_token,
                      {"service": "property-general", "id_card": WANG},
                      {"Idempotency-Key": "rate-nothing-chosen"}).json()
    finish_ticket_of(hall, issued["number"])
    flow = make_flow()
    window = make_window(flow)
    flow.ask("rate")
    flow.inquiry.read_card()
    present_card(flow, 0)
    qtbot.waitUntil(lambda: flow.state == st.RESULT, timeout=20000)
    mine = next(t for t in flow.data.results if t.number == issued["number"])
    flow.inquiry.start_rating(mine.id)
    screen = window.screens[st.RATE]
    QApplication.processEvents()
    assert flow.state == st.RATE and flow.data.level is None
    assert screen.submit_btn.isEnabled()  # a press is never swallowed
    qtbot.mouseClick(screen.submit_btn, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert flow.state == st.RATE and flow.notice == "level_required"
    assert window.notice.isVisible() and "选择一个评价等级" in window.notice.text()
    flow.set_language("en")
    assert "choose a rating level" in window.notice.text()
    flow.set_language("zh")
    flow.inquiry.choose_level(1)
    QApplication.processEvents()
    assert not window.notice.text()  # chosen: the hint goes
    qtbot.mouseClick(screen.submit_btn, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert flow.notice == "reasons_required" and "原因" in window.notice.text()
    flow.inquiry.toggle_reason("wait")
    qtbot.mouseClick(screen.submit_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: flow.state == st.THANKS, timeout=20000)
