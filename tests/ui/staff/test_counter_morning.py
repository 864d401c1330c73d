"""A morning at the counter pad, as a member of staff reported it, against a real server process:
a transfer to a counter nobody is signed in at asks first (the list says who is away or
paused); a number passed (过号) at pickup is said as such and its holder checked in and called;
the auto-call waits for the undo offer to end; a call the frozen server answered too late is
said as an outcome not known yet; the undo names what it undoes; 转下一环节 and 不予受理 are
offered only where they apply; the login page says when the server is back, and counts a
lockout down; the reasons' list has rows a finger hits; a keyboard's focus shows."""

from __future__ import annotations

import os
import re
import signal
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from kiosk.client import QueueClient
from kiosk.counter import CounterModel
from tests.ui.staff.hall_server import PIN, HallServer, clear, idle, signed_in
from ui.staff.counter_pad import CounterWindow
from ui.staff.dialogs import FOCUS_RING, ReasonDialog, TransferDialog

pytestmark = pytest.mark.timeout(90)
# pads of their own: logins are rate-limited per terminal, and a lockout is per terminal
TERMINALS = {"W01": "c-W01-morning", "W02": "c-W02-morning", "P01": "c-P01-morning",
             "lock": "c-W02-lockout"}


class Answers:
    """Answers the pad's questions instead of a person, and keeps what was asked."""

    def __init__(self, answer: str) -> None:
        self.answer, self.asked = answer, []  # type: ignore[var-annotated]

    def __call__(self, _parent: Any, _lang: str, text: str, *_buttons: Any) -> str:
        self.asked.append(text)
        return self.answer


@pytest.fixture(scope="module")
def tokens(hall: HallServer) -> dict[str, str]:
    counters = {"W01": "W01", "W02": "W02", "P01": "P01", "lock": "W02"}
    return {key: hall.tokens.get(name) or hall.enrol("counter", name, counters[key])
            for key, name in TERMINALS.items()}


@pytest.fixture
def pads(qtbot: QtBot, hall: HallServer, tokens: dict[str, str]
         ) -> Iterator[Callable[..., tuple[CounterModel, CounterWindow]]]:
    """pads(counter, staff, timeout=5.0): a pad logged in there, its counter left empty."""
    made: list[CounterModel] = []

    def make(counter: str, staff: str = "s001", timeout: float = 5.0,
             ) -> tuple[CounterModel, CounterWindow]:
        model = CounterModel(QueueClient(hall.url, tokens[counter], timeout=timeout), counter,
                             heartbeat_s=0)
        made.append(model)
        window = signed_in(qtbot, model, staff)
        return model, window

    yield make
    for model in made:
        model.stop()


def serve(qtbot: QtBot, model: CounterModel, number: str) -> None:
    model.call_number(number)
    qtbot.waitUntil(lambda: not model.busy and model.current is not None, timeout=5000)
    assert model.current is not None and model.current.number == number, model.last_error
    model.start()
    qtbot.waitUntil(lambda: model.current is not None and model.current.status == "serving"
                    and not model.busy, timeout=5000)


def staff_at(hall: HallServer, token: str, counter: str, staff: str = "s002") -> QueueClient:
    """A staff session at `counter` (another pad, as a client), its counter emptied."""
    client = QueueClient(hall.url, token)
    client.login(staff, PIN, counter)
    clear(client, counter)
    return client


def sign_out(client: QueueClient) -> None:
    """End the session now (the pad's logout ends it in the background)."""
    client.request("POST", "/auth/logout", staff=True)
    client.staff_token = ""
    client.close()


def on_dialog(kind: type[QWidget], act: Callable[[Any], None]) -> list[str]:
    """Run `act` on the next modal dialog of `kind` once it is open, and close it whatever
    happens (an assertion inside would leave the test stuck in it). Answers a list that
    gets "done" (or the error) when `act` ran."""
    seen: list[str] = []

    def poll() -> None:
        dlg = QApplication.activeModalWidget()
        if not isinstance(dlg, kind):
            QTimer.singleShot(30, poll)
            return
        try:
            act(dlg)
            seen.append("done")
        except BaseException as exc:  # reported by the test's assertion on `seen`
            seen.append(repr(exc))
        finally:
            if dlg.isVisible():
                dlg.reject()  # type: ignore[attr-defined]

    QTimer.singleShot(30, poll)
    return seen


def pick_counter(code: str, labels: list[str]) -> Callable[[TransferDialog], None]:
    def act(dlg: TransferDialog) -> None:
        labels.extend(dlg.counter.itemText(i) for i in range(dlg.counter.count()))
        dlg.counter.setCurrentIndex(dlg.counter.findData(code))
        ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        ok.click()
    return act


# -- 1. a transfer to a counter nobody is signed in at ----------------------------------------
def test_a_transfer_to_an_unstaffed_or_paused_counter_says_so_and_asks(
        qtbot: QtBot, hall: HallServer, tokens: dict[str, str],
        pads: Callable[..., tuple[CounterModel, CounterWindow]]) -> None:
    """B002 sent to W06 while nobody was signed in there waited with "ahead 0", and its
    sender could not call it back: the list says each counter's state, the pad asks, and the
    sender may call it back by its number."""
    away = staff_at(hall, tokens["W02"], "W02")
    away.counter_action("W02", "pause", {"reason": "会议"})
    ticket = hall.issue("estate", hall.tokens["k1"])
    number = str(ticket["number"])
    model, window = pads("W01")
    serve(qtbot, model, number)
    labels: list[str] = []
    window.ask = no = Answers("cancel")
    seen = on_dialog(TransferDialog, pick_counter("W02", labels))
    window.transfer()
    qtbot.waitUntil(lambda: bool(seen) and bool(no.asked), timeout=5000)
    assert seen == ["done"] and "W02 2号窗口（暂停）" in labels, (seen, labels)
    assert len(no.asked) == 1 and "已暂停" in no.asked[0] and number in no.asked[0]
    idle(qtbot, model)
    assert model.current is not None and model.current.number == number  # not sent
    away.counter_action("W02", "resume")
    sign_out(away)  # now nobody is signed in at W02
    labels.clear()
    window.ask = yes = Answers("yes")
    seen = on_dialog(TransferDialog, pick_counter("W02", labels))
    window.transfer()
    qtbot.waitUntil(lambda: bool(seen) and bool(yes.asked) and model.current is None
                    and not model.busy, timeout=5000)
    assert seen == ["done"] and "W02 2号窗口（无人）" in labels, (seen, labels)
    assert len(yes.asked) == 1 and "无人登录" in yes.asked[0]
    # the status line names the service and the counter (it named the zone)
    assert window.message.text() == f"{number} 已转给 2号窗口（W02），办理 不动产登记"
    model.call_number(number)  # nobody comes to W02: the sender calls it back by its number
    qtbot.waitUntil(lambda: not model.busy and model.current is not None, timeout=5000)
    assert model.current is not None and model.current.number == number, model.last_error
    model.finish("done")
    qtbot.waitUntil(lambda: not model.busy and model.current is None, timeout=5000)


# -- 2. a number passed at pickup, asked for again --------------------------------------------
def test_a_passed_number_at_pickup_is_said_and_its_holder_checked_in_and_called(
        qtbot: QtBot, hall: HallServer, tokens: dict[str, str],
        pads: Callable[..., tuple[CounterModel, CounterWindow]]) -> None:
    """At pickup, C001 called, recalled twice, passed; 叫指定号 C001 said "C001 不在出件等候"
    while 查询 said 待取件. It says 已过号 and offers to check the holder in and call it."""
    ticket = hall.issue("company", hall.tokens["k1"])
    number = str(ticket["number"])
    intake = staff_at(hall, tokens["W02"], "W02")
    intake.counter_action("W02", "call", {"number": number})
    intake.counter_action("W02", "start")
    intake.counter_action("W02", "finish", {"outcome": "next"})
    sign_out(intake)
    model, window = pads("P01", "s002")
    model.call_number(number)
    qtbot.waitUntil(lambda: model.current is not None and not model.busy, timeout=5000)
    for _ in range(2):
        model.recall()
        idle(qtbot, model)
    model.no_show()
    qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)
    window.ask = no = Answers("cancel")
    model.call_number(number)
    qtbot.waitUntil(lambda: bool(no.asked) and not model.busy, timeout=5000)
    assert window.message.text() == f"{number} 已过号，待取件"
    assert "群众已到窗口" in no.asked[0] and model.current is None
    window.ask = yes = Answers("yes")
    model.call_number(number)
    qtbot.waitUntil(lambda: model.current is not None and not model.busy, timeout=5000)
    assert yes.asked and model.current is not None and model.current.number == number
    assert model.current.status == "called" and window.message.text() == ""
    model.start()
    idle(qtbot, model)
    # at pickup a case was approved already: neither rejected nor moved on from here
    assert not window.buttons["finish_rejected"].isEnabled()
    assert not window.buttons["finish_next"].isEnabled()
    assert window.buttons["finish_done"].isEnabled()
    model.finish("done")
    qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)


# -- 4. the auto-call and the undo offer ------------------------------------------------------
def test_the_auto_call_waits_for_the_undo_offer_to_end(
        qtbot: QtBot, hall: HallServer,
        pads: Callable[..., tuple[CounterModel, CounterWindow]]) -> None:
    """办结后自动叫号 5 s called the next before 撤销办结 (8 s) ended: never before it."""
    first = hall.issue("estate", hall.tokens["k1"])
    second = hall.issue("estate", hall.tokens["k1"])
    model, window = pads("W01")
    serve(qtbot, model, str(first["number"]))
    model.undo_show_s = 3
    window.auto.setValue(1)
    undo_at_call: list[int] = []
    real_call = model.call_next

    def call_next() -> None:
        undo_at_call.append(model.undo_remaining)
        real_call()

    model.call_next = call_next  # type: ignore[method-assign]
    model.finish("done")
    qtbot.waitUntil(lambda: model.undo_remaining > 0 and not model.busy, timeout=5000)
    qtbot.wait(1600)  # the auto-call's 1 s is over, the undo offer's 3 s are not
    assert not undo_at_call and model.current is None and window.undo_btn.isVisible()
    assert "自动叫号" in window.auto_label.text()
    qtbot.waitUntil(lambda: model.current is not None and not model.busy, timeout=8000)
    assert undo_at_call == [0] and not window.undo_btn.isVisible()
    window.auto.setValue(0)
    model.start()
    idle(qtbot, model)
    model.finish("done")
    qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)
    if model.client.ticket(str(second["id"])).status == "waiting":  # leave nobody waiting
        serve(qtbot, model, str(second["number"]))
        model.finish("done")
        qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)


# -- 5. a request the frozen server answered late ---------------------------------------------
def test_a_call_the_frozen_server_did_not_answer_is_said_as_not_known_yet(
        qtbot: QtBot, hall: HallServer,
        pads: Callable[..., tuple[CounterModel, CounterWindow]]) -> None:
    """The pad said "无法连接服务器", and the call was announced when the server resumed."""
    ticket = hall.issue("estate", hall.tokens["k1"])
    model, window = pads("W01", timeout=1.5)
    assert hall.server is not None
    pid = hall.server.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        model.call_number(str(ticket["number"]))
        qtbot.waitUntil(lambda: not model.busy and bool(model.last_error), timeout=10000)
        said = window.message.text()
    finally:
        os.kill(pid, signal.SIGCONT)
    assert said == "服务器没有及时回答，这次操作可能稍后生效，请看屏幕", said
    # the server ran it once it woke: the pad shows it (its events), and the line goes
    qtbot.waitUntil(lambda: model.current is not None and not model.busy, timeout=20000)
    assert model.current is not None and model.current.number == ticket["number"]
    qtbot.waitUntil(lambda: window.message.text() == "", timeout=5000)
    model.start()
    idle(qtbot, model)
    model.finish("done")
    qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)


def test_a_refused_connection_is_still_said_as_unreachable(
        qtbot: QtBot, hall: HallServer,
        pads: Callable[..., tuple[CounterModel, CounterWindow]]) -> None:
    """Refused, the request never reached the server: nothing will happen later."""
    model, window = pads("W01")
    model.client._http.base_url = "http://127.0.0.1:9/api/v1"  # nobody listens there
    model.call_next()
    qtbot.waitUntil(lambda: not model.busy and bool(model.last_error), timeout=10000)
    assert window.message.text() == "无法连接服务器，请稍后再试"


# -- 6. smaller things ------------------------------------------------------------------------
def test_the_undo_names_what_it_undoes_and_next_is_offered_where_the_route_goes_on(
        qtbot: QtBot, hall: HallServer,
        pads: Callable[..., tuple[CounterModel, CounterWindow]]) -> None:
    one_zone = hall.issue("estate", hall.tokens["k1"])  # route: intake only
    onward = hall.issue("company", hall.tokens["k1"])  # intake, then pickup
    model, window = pads("W01")
    serve(qtbot, model, str(one_zone["number"]))
    assert not window.buttons["finish_next"].isEnabled()  # nowhere to move it on to
    assert window.buttons["finish_rejected"].isEnabled()
    model.finish("done")
    qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)
    assert window.undo_btn.text().startswith(f"撤销办结 {one_zone['number']}")
    serve(qtbot, model, str(onward["number"]))
    assert window.buttons["finish_next"].isEnabled()
    window.finish_next()
    qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)
    assert window.undo_btn.text().startswith(f"撤销转下一环节 {onward['number']}")
    window.undo_btn.click()
    qtbot.waitUntil(lambda: model.current is not None and not model.busy, timeout=5000)
    assert window.message.text() == f"{onward['number']} 已撤销转下一环节，继续办理"
    model.finish("rejected", "材料不全")
    qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)
    assert window.undo_btn.text().startswith(f"撤销不予受理 {onward['number']}")


def test_the_login_page_says_when_the_server_is_back(
        qtbot: QtBot, hall: HallServer, tokens: dict[str, str]) -> None:
    """"无法连接服务器" stayed on the login page after the server was back."""
    model = CounterModel(QueueClient(hall.url, tokens["W01"]), "W01", heartbeat_s=0)
    window = CounterWindow(model, "zh")
    qtbot.addWidget(window)
    window.show()
    hall.kill()
    try:
        window.staff_id.setText("s001")
        window.pin.setText(PIN)
        window.login_btn.click()
        qtbot.waitUntil(lambda: "无法连接服务器" in window.login_error.text(), timeout=10000)
    finally:
        hall.start()
    qtbot.waitUntil(lambda: window.login_error.text() == "", timeout=15000)
    assert model.last_error == ""
    # (and the hall's name, which the pad could not learn while the server was away)
    qtbot.waitUntil(lambda: not model.busy and window.login_btn.isEnabled(), timeout=5000)
    assert window.login_hall.text() == "测试政务服务中心"
    model.stop()


def test_a_lockout_counts_down_on_the_login_page(
        qtbot: QtBot, hall: HallServer, tokens: dict[str, str]) -> None:
    """"请 9 秒后再试" stood still: it counts down, and 登录 waits for it."""
    model = CounterModel(QueueClient(hall.url, tokens["lock"]), "W02", heartbeat_s=0)
    window = CounterWindow(model, "zh")
    qtbot.addWidget(window)
    window.show()
    for _ in range(6):  # the server locks the pair after three wrong PINs
        if "秒后再试" in window.login_error.text():
            break
        model.login("s404", "000000")  # nobody: its failures count at this terminal only
        qtbot.waitUntil(lambda: not model.busy, timeout=5000)
    first = window.login_error.text()
    wait = re.search(r"请 (\d+) 秒后再试", first)
    assert wait is not None and int(wait.group(1)) > 1, first
    n = int(wait.group(1))
    assert not window.login_btn.isEnabled()
    qtbot.waitUntil(lambda: f"请 {n - 1} 秒后再试" in window.login_error.text(), timeout=3000)
    assert window.login_error.text() == f"密码错误次数过多，请 {n - 1} 秒后再试"
    qtbot.waitUntil(lambda: window.login_error.text() == "", timeout=15000)
    assert window.login_btn.isEnabled()
    model.stop()


def test_the_reasons_list_has_rows_a_finger_hits_in_the_dialog_s_font(qtbot: QtBot) -> None:
    dlg = ReasonDialog.for_reject("zh")
    qtbot.addWidget(dlg)
    dlg.show()
    dlg.combo.showPopup()
    view = dlg.combo.view()
    qtbot.waitUntil(view.isVisible, timeout=2000)
    heights = [view.visualRect(dlg.combo.model().index(i, 0)).height()
               for i in range(dlg.combo.count())]
    assert min(heights) >= 44, heights
    assert view.font().pixelSize() == dlg.combo.font().pixelSize() == 20
    assert view.window().width() >= dlg.combo.width()
    dlg.combo.hidePopup()


def ring_pixels(widget: QWidget) -> int:
    image = widget.grab().toImage()
    ring = QColor(FOCUS_RING).rgb()
    return sum(image.pixel(x, y) == ring for x in range(0, image.width(), 2)
               for y in range(0, image.height(), 2))


def test_a_keyboard_s_focus_shows_a_clear_ring(qtbot: QtBot, hall: HallServer,
                                               tokens: dict[str, str]) -> None:
    model = CounterModel(QueueClient(hall.url, tokens["W01"]), "W01", heartbeat_s=0)
    window = CounterWindow(model, "zh")
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    window.staff_id.setFocus()
    qtbot.waitUntil(window.staff_id.hasFocus, timeout=2000)
    assert ring_pixels(window.login_btn) == 0
    window.login_btn.setFocus()  # (Tab from the PIN)
    qtbot.waitUntil(window.login_btn.hasFocus, timeout=2000)
    assert ring_pixels(window.login_btn) > 100
    model.stop()
