"""The counter pad's safeguards against a real server process: 办结 asks where the route goes
on (转下一环节 is then the main action), the status line says where the ticket went, a finish
is undone from the pad, a ticket is held and taken back, a chosen number is searched and
called, logging out with a ticket in hand asks, and an English pad speaks English only (names
and papers from the configuration, one language in errors, none left after logout)."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.client import QueueClient
from kiosk.counter import CounterModel
from tests.ui.staff.hall_server import PIN, HallServer, idle
from ui.staff.counter_pad import CounterWindow

pytestmark = pytest.mark.timeout(60)
TERMINAL = "c-W01-safe"  # a pad of its own: the other tests' logins at W01 are rate-limited


class Answers:
    """Answers the pad's questions instead of a person, and keeps what was asked."""

    def __init__(self, answer: str) -> None:
        self.answer, self.asked = answer, []  # type: ignore[var-annotated]

    def __call__(self, _parent: Any, _lang: str, text: str, *_buttons: Any) -> str:
        self.asked.append(text)
        return self.answer


def pad(qtbot: QtBot, hall: HallServer, lang: str = "zh") -> tuple[CounterModel, CounterWindow]:
    model = CounterModel(QueueClient(hall.url, hall.tokens[TERMINAL]), "W01")
    window = CounterWindow(model, lang)
    qtbot.addWidget(window)
    window.show()
    window.staff_id.setText("s001")
    window.pin.setText(PIN)
    window.login_btn.click()
    qtbot.waitUntil(lambda: model.state is not None and not model.busy, timeout=5000)
    if model.current is not None:  # left by an earlier test
        model.finish("done")
        qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)
    return model, window


def call(qtbot: QtBot, model: CounterModel, number: str) -> None:
    model.call_number(number)
    qtbot.waitUntil(lambda: not model.busy and model.current is not None, timeout=5000)
    assert model.current is not None and model.current.number == number


def test_finish_asks_where_the_route_goes_on_and_can_be_undone(qtbot: QtBot,
                                                               hall: HallServer) -> None:
    ticket = hall.issue("company", hall.tokens["k1"])
    model, window = pad(qtbot, hall)
    call(qtbot, model, str(ticket["number"]))
    assert model.current is not None and model.current.zones_left == ["pickup"]
    assert window.buttons["finish_next"].objectName() == "main"  # the main action
    assert window.buttons["finish_done"].objectName() == ""
    window.ask = no = Answers("cancel")
    window.finish_done()
    assert len(no.asked) == 1 and "出件" in no.asked[0] and model.current is not None
    window.ask = Answers("alternative")  # 转下一环节 instead
    window.finish_done()
    qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)
    assert window.message.text() == f"{ticket['number']} 已转至 出件"
    assert window.undo_btn.isVisible() and window.undo_btn.isEnabled()
    window.undo_btn.click()
    qtbot.waitUntil(lambda: model.current is not None and not model.busy, timeout=5000)
    assert model.current is not None and model.current.status == "serving"
    assert "撤销" in window.message.text() and not window.undo_btn.isVisible()
    model.finish("next")
    idle(qtbot, model)
    model.stop()


def test_hold_take_back_search_and_logout_question(qtbot: QtBot, hall: HallServer) -> None:
    kiosk = hall.tokens["k1"]
    first, second = hall.issue("estate", kiosk), hall.issue("estate", kiosk)
    model, window = pad(qtbot, hall)
    call(qtbot, model, str(first["number"]))
    window.hold()
    qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)
    assert "已挂起" in window.message.text()
    assert [b.text() for b in window.held.buttons] == [f"取回 {first['number']}"]
    call(qtbot, model, str(second["number"]))
    assert not window.held.buttons[0].isEnabled()  # a ticket in hand: finish it first
    model.find(str(first["number"]))
    qtbot.waitUntil(lambda: "已挂起" in window.message.text() and not model.busy, timeout=5000)
    window.ask = no = Answers("cancel")
    window.logout()
    assert no.asked and str(second["number"]) in no.asked[0] and model.logged_in
    model.finish("done")
    qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)
    window.held.buttons[0].click()
    qtbot.waitUntil(lambda: model.current is not None and not model.busy, timeout=5000)
    assert model.current is not None and model.current.number == first["number"]
    assert not window.held.isVisible()
    model.call_number("Z999")  # refused in words: one language
    qtbot.waitUntil(lambda: bool(model.last_error), timeout=5000)
    assert "/" not in window.message.text()
    window.ask = Answers("yes")
    window.logout()
    assert not model.logged_in and window.message.text() == "" and model.last_error == ""
    model.stop()


def test_an_english_pad_speaks_english_only(qtbot: QtBot, hall: HallServer) -> None:
    model = CounterModel(QueueClient(hall.url, hall.tokens[TERMINAL]), "W01")
    window = CounterWindow(model, "en")
    qtbot.addWidget(window)
    window.show()
    model.prepare()
    qtbot.waitUntil(lambda: window.login_hall.text() == "Test Service Centre", timeout=5000)
    window.staff_id.setText("s001")
    window.pin.setText("000000")
    window.login_btn.click()
    qtbot.waitUntil(lambda: bool(window.login_error.text()), timeout=5000)
    assert window.login_error.text().isascii()  # no Chinese half
    ticket = hall.issue("company", hall.tokens["k1"])
    window.pin.setText(PIN)
    window.login_btn.click()
    qtbot.waitUntil(lambda: model.state is not None and not model.busy, timeout=5000)
    assert window.login_error.text() == ""
    if model.current is not None:  # left by the test before
        model.finish("done")
        qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)
    assert "Company setup" in window.waiting.text()
    call(qtbot, model, str(ticket["number"]))
    assert "Company setup" in window.details.text()
    assert "Proof of address" in window.papers.text() and "公司章程" not in window.papers.text()
    model.finish("next")
    qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)
    assert window.message.text() == f"{ticket['number']} moved to Pickup"
    model.stop()


def test_a_call_the_server_ran_late_is_not_ended_by_the_next_press(qtbot: QtBot,
                                                                    hall: HallServer) -> None:
    """The pad's call timed out but the server ran it later (a stalled network): the pad still
    shows nobody, the staff press 叫号 again, and that second call must not end the ticket the
    first one called (it ended it as done, unserved). The pad says so and shows the ticket."""
    first = hall.issue("company", hall.tokens["k1"])
    second = hall.issue("company", hall.tokens["k1"])
    model, window = pad(qtbot, hall)
    assert model.current is None
    model._follower.stop(0.2)  # type: ignore[union-attr]  # no event tells the pad meanwhile
    model._follower = None
    late = QueueClient(hall.url, hall.tokens[TERMINAL])
    late.staff_token = model.client.staff_token  # the first press, run by the server late
    ran = late.counter_action("W01", "call-next")
    assert ran is not None and ran.number == first["number"]
    window.call_next()  # the second press
    qtbot.waitUntil(lambda: not model.busy and model.current is not None, timeout=5000)
    assert model.current is not None and model.current.number == first["number"]
    assert "已变化" in window.message.text()
    staff_view = {t.number: t.status for t in (late.ticket(first["id"]), late.ticket(second["id"]))}
    assert staff_view == {first["number"]: "called", second["number"]: "waiting"}
    late.close()
    model.start()
    idle(qtbot, model)
    model.finish("done")
    idle(qtbot, model)
    call(qtbot, model, str(second["number"]))  # the tests share the hall: leave nobody waiting
    model.start()
    idle(qtbot, model)
    model.finish("done")
    idle(qtbot, model)
    # its heartbeat and threads end with it: a pad left running after its window went, its
    # signals queued for deleted widgets, was there when a later Qt test crashed (SIGSEGV)
    model.stop()
