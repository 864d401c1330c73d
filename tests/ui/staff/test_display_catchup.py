"""The call display across a server outage (kill -9 of the real server process, then a restart):
it shows 离线 / Offline, recovers by itself, and announces every call once, in order, including
calls made before it reconnected."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from kiosk.announce import Announcement
from kiosk.client import QueueClient
from kiosk.display import BoardModel
from tests.ui.staff.hall_server import PIN, HallServer, clear
from ui.staff.board import BoardWindow

pytestmark = [pytest.mark.timeout(90), pytest.mark.slow]


def test_outage_then_catch_up_without_repeating_or_missing(qtbot: QtBot,
                                                           hall: HallServer) -> None:
    model = BoardModel(QueueClient(hall.url, hall.tokens["d1"]), history_grace_s=0)
    window = BoardWindow(model)
    qtbot.addWidget(window)
    window.show()
    heard: list[Announcement] = []
    model.announce.connect(heard.append)
    model.start()
    qtbot.waitUntil(lambda: model.online and not window.offline.isVisible(), timeout=5000)
    for _ in range(3):
        hall.issue("estate", hall.tokens["k1"])
    numbers: list[str] = []

    def call_next() -> None:
        staff = QueueClient(hall.url, hall.tokens["c-W01"])
        staff.login("s001", PIN, "W01")
        clear(staff, "W01")
        called = staff.counter_action("W01", "call-next")
        assert called is not None
        numbers.append(called.number)
        staff.close()

    call_next()
    qtbot.waitUntil(lambda: len(heard) == 1, timeout=5000)
    hall.kill()
    qtbot.waitUntil(lambda: window.offline.isVisible(), timeout=8000)
    assert "离线" in window.offline.text() and not model.online
    hall.start()
    call_next()  # made before the board reconnects (it retries every second)
    call_next()
    qtbot.waitUntil(lambda: model.online and not window.offline.isVisible(), timeout=10000)
    qtbot.waitUntil(lambda: len(heard) >= 3, timeout=8000)
    qtbot.wait(500)
    assert [a.number for a in heard] == numbers
    assert len({a.event_id for a in heard}) == 3
    assert window.number.text() == numbers[2]
    model.stop()


def test_a_refused_token_says_so_not_offline(qtbot: QtBot, hall: HallServer) -> None:
    """A board whose token the server refuses (revoked, or another hall's) showed the same
    离线 — reconnecting as a network drop, and the duty officer waited for a network that
    was fine (the display's duty officer, an outside check): it says to enrol it again."""
    model = BoardModel(QueueClient(hall.url, "not-a-token-of-this-hall"))
    window = BoardWindow(model)
    qtbot.addWidget(window)
    window.show()
    model.start()
    qtbot.waitUntil(lambda: window.offline.isVisible() and "重新登记" in window.offline.text(),
                    timeout=8000)
    assert model.refused and not model.online and "离线" not in window.offline.text()
    model.stop()
