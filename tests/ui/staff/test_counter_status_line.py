"""The counter pad's rejection reason and status line, against a real server process: 不予受理
cannot go without a reason and sends the one typed; a notice about the last ticket goes with the
next call or after its time; a connection error goes once the server answers again."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from kiosk.client import QueueClient
from kiosk.counter import CounterModel
from queue_server import wire
from tests.ui.staff.hall_server import PIN, HallServer, clear
from ui.staff.counter_pad import CounterWindow
from ui.staff.dialogs import ReasonDialog

pytestmark = pytest.mark.timeout(60)
TERMINAL = "c-W02-line"  # a pad of its own: logins are rate-limited per terminal


class SpyClient(QueueClient):
    """The real client, keeping the bodies of the counter actions it sent."""

    def __init__(self, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.sent: list[tuple[str, dict[str, object] | None]] = []

    def counter_action(self, code: str, action: str, body: dict[str, object] | None = None,
                       params: dict[str, str] | None = None) -> wire.TicketOut | None:
        self.sent.append((action, body))
        return super().counter_action(code, action, body, params)  # (call-next's ?current=)


@pytest.fixture(scope="module")
def token(hall: HallServer) -> str:
    return hall.tokens.get(TERMINAL) or hall.enrol("counter", TERMINAL, "W02")


@pytest.fixture
def pad(qtbot: QtBot, hall: HallServer, token: str) -> Iterator[tuple[CounterModel,
                                                                       CounterWindow]]:
    staff = QueueClient(hall.url, token)
    staff.login("s002", PIN, "W02")
    clear(staff, "W02")  # earlier tests may leave a ticket at W02
    staff.close()
    model = CounterModel(SpyClient(hall.url, token), "W02")
    window = CounterWindow(model, "zh")
    qtbot.addWidget(window)
    window.show()
    window.staff_id.setText("s002")
    window.pin.setText(PIN)
    qtbot.mouseClick(window.login_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1 and model.state is not None,
                    timeout=5000)
    yield model, window
    model.stop()


def serve(qtbot: QtBot, hall: HallServer, model: CounterModel) -> str:
    """A new ticket called and started here; its number."""
    hall.issue("estate", hall.tokens["k1"])
    model.call_next()
    qtbot.waitUntil(lambda: not model.busy and model.current is not None, timeout=5000)
    assert model.current is not None
    model.start()
    qtbot.waitUntil(lambda: not model.busy and model.current is not None
                    and model.current.status == "serving", timeout=5000)
    return model.current.number


def ok_of(dlg: ReasonDialog) -> object:
    box = dlg.findChild(QDialogButtonBox)
    assert box is not None
    return box.button(QDialogButtonBox.StandardButton.Ok)


def when_dialog(qtbot: QtBot, act: Callable[[ReasonDialog], list[str]]) -> list[str]:
    """Run `act` on the pad's next modal dialog once it is open and close it whatever happens
    (an assertion there would leave the test stuck in the dialog); returns what `act` saw."""
    seen: list[str] = []

    def poll() -> None:
        dlg = QApplication.activeModalWidget()
        if not isinstance(dlg, ReasonDialog):
            QTimer.singleShot(50, poll)
            return
        try:
            seen.extend(act(dlg))
        finally:
            if dlg.isVisible():
                seen.append("still open")
                dlg.reject()

    QTimer.singleShot(50, poll)
    return seen


def ok_on(dlg: ReasonDialog) -> str:
    return "ok on" if ok_of(dlg).isEnabled() else "ok off"  # type: ignore[attr-defined]


def test_a_rejection_needs_a_reason_and_sends_the_one_typed(
        qtbot: QtBot, hall: HallServer, pad: tuple[CounterModel, CounterWindow]) -> None:
    model, window = pad
    number = serve(qtbot, hall, model)

    def blank(dlg: ReasonDialog) -> list[str]:  # nothing typed: OK is off, Enter does not close
        first = ok_on(dlg)
        dlg.combo.setEditText("   ")
        qtbot.keyClick(dlg.combo, Qt.Key.Key_Return)
        return [first, ok_on(dlg)]

    seen = when_dialog(qtbot, blank)
    qtbot.mouseClick(window.buttons["finish_rejected"], Qt.MouseButton.LeftButton)
    assert seen == ["ok off", "ok off", "still open"]
    assert not [a for a, _b in model.client.sent if a == "finish"]  # type: ignore[attr-defined]
    model.finish("rejected", "  ")  # the view-model refuses it too, in words
    assert "原因" in window.message.text() and model.current is not None
    assert model.current.status == "serving"

    def typed(dlg: ReasonDialog) -> list[str]:
        edit = dlg.combo.lineEdit()
        assert edit is not None
        edit.insert("材料不全")  # what typing does (QTest cannot type Chinese)
        state = ok_on(dlg)
        qtbot.mouseClick(ok_of(dlg), Qt.MouseButton.LeftButton)  # type: ignore[arg-type]
        return [state]

    seen = when_dialog(qtbot, typed)
    qtbot.mouseClick(window.buttons["finish_rejected"], Qt.MouseButton.LeftButton)
    assert seen == ["ok on"]
    qtbot.waitUntil(lambda: not model.busy and model.current is None, timeout=5000)
    sent = [b for a, b in model.client.sent if a == "finish"]  # type: ignore[attr-defined]
    assert sent == [{"outcome": "rejected", "reason": "材料不全"}]
    assert window.message.text() == f"{number} 不予受理"


def test_a_notice_about_the_last_ticket_goes_with_the_next_call_or_in_time(
        qtbot: QtBot, hall: HallServer, pad: tuple[CounterModel, CounterWindow]) -> None:
    model, window = pad
    first = serve(qtbot, hall, model)
    model.finish("rejected", "材料不全")
    qtbot.waitUntil(lambda: window.message.text() == f"{first} 不予受理", timeout=5000)
    second = serve(qtbot, hall, model)  # the next call: the line about `first` goes
    assert second != first and window.message.text() == ""
    model.notice_show_s = 1
    model.finish("done")
    qtbot.waitUntil(lambda: window.message.text() == f"{second} 已办结", timeout=5000)
    qtbot.waitUntil(lambda: window.message.text() == "", timeout=4000)  # and in time
    assert model.current is None


def test_a_connection_error_goes_once_the_server_answers_again(
        qtbot: QtBot, hall: HallServer, pad: tuple[CounterModel, CounterWindow]) -> None:
    model, window = pad
    hall.issue("estate", hall.tokens["k1"])
    hall.kill()
    try:
        model.call_next()
        qtbot.waitUntil(lambda: "无法连接服务器" in window.message.text(), timeout=20000)
    finally:
        hall.start()
    model.call_next()  # it works now: the error is no longer true
    qtbot.waitUntil(lambda: not model.busy and model.current is not None, timeout=20000)
    assert window.message.text() == "" and model.last_error == ""


def test_the_rejection_dialog_offers_the_usual_reasons_to_complete(qtbot: QtBot) -> None:
    """不予受理's usual reasons (the citizen's page shows the one sent): none is chosen at
    first, so a reason is still required; a template up to its colon is not a reason yet (it
    was saved as "材料不齐全,需补齐:" with nothing after): OK waits for what follows."""
    dlg = ReasonDialog.for_reject("zh")
    qtbot.addWidget(dlg)
    assert dlg.combo.count() == 4 and dlg.reason() == "" and ok_on(dlg) == "ok off"
    dlg.combo.setCurrentIndex(0)
    assert dlg.reason() == "材料不齐全，需补齐：" and ok_on(dlg) == "ok off"
    assert not dlg.hint.isHidden() and "：" in dlg.hint.text()
    qtbot.keyClick(dlg.combo, Qt.Key.Key_Return)  # Enter does not save the template alone
    assert dlg.result() == 0 and dlg.reason() == "材料不齐全，需补齐："
    edit = dlg.combo.lineEdit()
    assert edit is not None
    edit.end(False)
    edit.insert("户口簿原件")
    assert dlg.reason() == "材料不齐全，需补齐：户口簿原件" and ok_on(dlg) == "ok on"
    assert dlg.hint.isHidden()
    dlg.combo.setCurrentIndex(2)  # a reason whole as it is
    assert dlg.reason() == "不属于本事项受理范围" and ok_on(dlg) == "ok on"
    english = ReasonDialog.for_reject("en")
    qtbot.addWidget(english)
    assert english.combo.itemText(2) == "Not within this service's scope"
    english.combo.setCurrentIndex(0)
    assert english.reason() == "Papers missing:" and ok_on(english) == "ok off"


def test_the_view_model_refuses_a_template_alone_too(
        qtbot: QtBot, hall: HallServer, pad: tuple[CounterModel, CounterWindow]) -> None:
    model, window = pad
    serve(qtbot, hall, model)
    model.finish("rejected", "材料不齐全，需补齐：")
    assert "具体内容" in window.message.text()
    assert not [a for a, _b in model.client.sent if a == "finish"]  # type: ignore[attr-defined]
    model.finish("done")
    qtbot.waitUntil(lambda: not model.busy and model.current is None, timeout=5000)


def test_transfer_offers_only_counters_that_serve_the_ticket(
        qtbot: QtBot, hall: HallServer, pad: tuple[CounterModel, CounterWindow]) -> None:
    """The dialog listed every counter of the hall; the server refuses a counter outside the
    ticket's route or its services (counter_does_not_serve)."""
    model, _window = pad
    everyone = {code for code, _name in model.counter_names()}
    serve(qtbot, hall, model)
    assert model.current is not None
    svc = model.services[model.state.current.service]  # type: ignore[union-attr]
    offered = {code for code, _name in model.counter_names()}
    by_code = {c.code: c for c in model.counters}
    assert offered and offered < everyone
    for code in offered:
        c = by_code[code]
        assert c.zone in svc.route and (not c.services or svc.code in c.services)
        # never over a zone nor into pickup (the server refuses: transfer_skips_zone)
        assert c.zone != "pickup" or model.state.current.zone == "pickup"  # type: ignore[union-attr]
