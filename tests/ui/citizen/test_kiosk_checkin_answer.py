"""A booking's QR code scanned again after its check-in: the answer screen tells the citizen the
number the booking gave (the server's `number` of 409 `appointment_used`), in the kiosk's own
words in each language, and that no second number is needed."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication

from kiosk import sample
from ui.citizen.window import KioskWindow
from ui.theme import apply_fonts


def test_a_used_booking_names_its_number(qtbot: Any, qapp: Any) -> None:
    apply_fonts(qapp)
    flow = sample.sample_flow("kiosk")
    window = KioskWindow(flow)
    qtbot.addWidget(window)
    window.setFixedSize(1080, 1920)
    window.show()
    screen = window.screens["answer"]
    for lang, words in (("zh", "您已用此预约取号，号码是 A023"),
                        ("en", "Your number from this booking: A023")):
        sample.stage(flow, "answer", lang=lang, variant="used")
        QApplication.processEvents()
        assert screen.detail.text() == words and screen.detail.isVisible()
        assert screen.hint.text()  # what to do: wait for that number, no second one
    sample.stage(flow, "answer", variant="used")
    flow.data.answer_number = ""  # a server that names no number: its own words are shown
    flow.emit_changed()
    QApplication.processEvents()
    assert screen.detail.text() == "此预约已签到取号,号码 A023"
