"""The kiosk warns before a number is taken when its printer cannot print (paper out, offline,
a fault), against a real hall server process and the printer simulator: a notice on the attract,
services and detail screens, and the ticket's strip names the cause."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
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


def printer_sim(flow: Any) -> Any:
    """The simulator behind the kiosk's `sim://printer` (kept open: a printer out of paper is
    still there)."""
    with flow.devices._locks["printer"]:
        return flow.devices._get("printer").simulator


def waiting(flow: Any, service: str) -> int:
    return next(s.waiting for s in flow.link.client.services() if s.code == service)


def test_paper_running_out_mid_ticket_says_so_and_reprints_the_same_number(
        make_flow: MakeFlow, make_window: MakeWindow, qtbot: Any) -> None:
    """The roll ends half-way through the ticket (5 lines left): the screen says the ticket may
    be incomplete and gives the number again, offers a reprint only once paper is loaded, and
    the reprint prints that same ticket whole without taking another number."""
    flow = make_flow(printer="sim://printer?paper_lines=5")
    window = make_window(flow)
    flow.start()
    flow.choose_service("water-connect")
    flow.take_number()
    qtbot.waitUntil(lambda: flow.data.print_state == "failed", timeout=20000)
    ticket = flow.data.ticket
    assert ticket is not None
    before = waiting(flow, "water-connect")
    screen = window.screens[st.TICKET]
    QApplication.processEvents()
    strip = screen.print_state.text()
    assert strip.startswith("打印中途缺纸") and "不完整" in strip and ticket.number in strip
    assert "故障" not in strip
    assert screen.reprint_btn.isVisible() and not screen.reprint_btn.isEnabled()
    assert "装纸" in screen.reprint_btn.text()
    flow.set_language("en")
    assert "may be incomplete" in screen.print_state.text()
    assert ticket.number in screen.print_state.text()
    flow.set_language("zh")
    sim = printer_sim(flow)
    assert sim.job_count == 0 and not sim.current.complete  # the ticket was cut short
    with sim.lock:
        sim.set_paper("ok")  # staff load a new roll
    qtbot.waitUntil(screen.reprint_btn.isEnabled, timeout=10000)  # the kiosk asked the printer
    assert screen.reprint_btn.text().startswith("重新打印")
    qtbot.mouseClick(screen.reprint_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: flow.data.print_state == "printed", timeout=20000)
    assert flow.data.ticket is ticket and not screen.reprint_btn.isVisible()
    assert "号票已打印" in screen.print_state.text()
    whole = [job for job in sim.jobs if job.complete and job.cut]
    assert len(whole) == 1 and ticket.number.encode() in bytes(whole[0].data)
    assert waiting(flow, "water-connect") == before  # no second number
