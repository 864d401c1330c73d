"""The counter pad and the cases it does not hold, against a real server process of the test hall
(intake, approval, pickup): an approval counter lists the deadline alerts of the cases waiting
in its queue (限时办结) until they leave approval, and the ticket panel shows a case's deadline
and how it stands; a recalled ticket says how many times it was recalled; a ticket transferred
to a counter is counted there in words; a login the server ended is said as such; and the
staff member's own cases (全程盯办) and ratings, with the appeal (申诉), open from the work page.

The overdue case is seeded through the use cases with a clock ten days back, before the server
starts on today's clock (as the console's browser test does): the server's first round of
deadline alerts then writes its `case.alert`, with no counter while it waits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from kiosk.client import QueueClient
from kiosk.counter import CounterModel
from queue_server.db.store import Store
from queue_server.domain.clock import utcnow
from server_process.hall import HallProcess
from tests.procs import TEST_HALL
from tests.queue_server.supervision_seed import SetClock, to_approval
from tests.ui.staff.hall_server import idle
from ui.staff.counter_pad import CounterWindow
from ui.staff.dialogs import PapersDialog
from ui.staff.mine import MyCasesDialog, MyRatingsDialog

pytestmark = pytest.mark.timeout(90)
PIN = "246810"


class CaseHall(HallProcess):
    def __init__(self, tmp: Path) -> None:
        super().__init__(tmp, TEST_HALL.read_text(encoding="utf-8"))
        for staff in ("s001", "s002"):
            self.set_pin(staff, PIN)
        self.kiosk = self.enrol("kiosk", "k1")
        self.rating_pad = self.enrol("pad", "pad-W01", counter="W01")
        self.counters = {name: self.enrol("counter", name, counter=name.split("-")[0])
                         for name in ("W01-a", "W01-b", "W01-c", "W02-a", "W03-a")}
        clock = SetClock(utcnow() - timedelta(days=10))
        store = Store(self.db, clock=clock)
        try:  # taken in by s001 ten days ago: overdue in approval by now (one is approved)
            self.late_case = to_approval(store, "t1", "s001")
            clock.advance(minutes=5)
            self.still_late = to_approval(store, "t1", "s001")
        finally:
            store.close()

    def api(self, method: str, path: str, token: str, body: object = None) -> httpx.Response:
        return httpx.request(method, f"{self.url}/api/v1{path}", json=body, timeout=5,
                             headers={"Authorization": f"Bearer {token}"})

    def issue(self, service: str = "general") -> dict[str, Any]:
        resp = self.api("POST", "/tickets", self.kiosk, {"service": service})
        assert resp.status_code == 201, resp.text
        return dict(resp.json())


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CaseHall]:
    server = CaseHall(tmp_path_factory.mktemp("cases"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def pads(qtbot: QtBot, hall: CaseHall) -> Iterator[Callable[..., tuple[CounterModel,
                                                                       CounterWindow]]]:
    """`open(terminal, staff="s001", lang="zh")`: a logged-in pad; all stopped afterwards."""
    opened: list[tuple[CounterModel, CounterWindow]] = []

    def open_pad(terminal: str, staff: str = "s001", lang: str = "zh", height: int = 768
                 ) -> tuple[CounterModel, CounterWindow]:
        code = terminal.split("-")[0]
        model = CounterModel(QueueClient(hall.url, hall.counters[terminal]), code,
                             heartbeat_s=0)
        window = CounterWindow(model, lang)
        window.resize(1366, height)
        window.show()
        window.staff_id.setText(staff)
        window.pin.setText(PIN)
        window.login_btn.click()
        qtbot.waitUntil(lambda: model.state is not None and not model.busy, timeout=10000)
        opened.append((model, window))
        return model, window

    yield open_pad
    for model, window in opened:
        model.stop()
        window.close()
        window.deleteLater()


def with_dialog(kind: type[QDialog], open_it: Callable[[], None],
                act: Callable[[Any], None]) -> None:
    """Open a modal dialog of `kind` with `open_it` and hand it to `act` once it shows; a
    failed check closes it (else the modal loop would hold the test)."""
    errors: list[BaseException] = []

    def look() -> None:
        found = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, kind) and w.isVisible()]
        if not found:
            QTimer.singleShot(20, look)
            return
        try:
            act(found[0])
        except BaseException as exc:  # re-raised once the dialog is closed
            errors.append(exc)
        found[0].reject()

    QTimer.singleShot(0, look)
    open_it()
    if errors:
        raise errors[0]


def test_an_approval_counter_keeps_the_deadline_alerts_of_its_queue(
        qtbot: QtBot, hall: CaseHall, pads: Callable[..., Any], tmp_path: Path) -> None:
    model, window = pads("W03-a", "s002")
    number, other = (hall.api("GET", f"/tickets/{t}", hall.kiosk).json()["number"]
                     for t in (hall.late_case, hall.still_late))
    # the alerts of cases nobody holds yet reach the approval counter that may call them
    qtbot.waitUntil(lambda: len(model.deadline_alerts()) == 2, timeout=40000)
    assert window.deadlines.isVisible()
    assert number in window.deadlines.text() and other in window.deadlines.text()
    assert "已超期" in window.deadlines.text() and "限时办结 · 2 件" in window.deadlines.text()
    model.lineCleared.emit()  # the status line's notice went: the list stays
    assert window.deadlines.isVisible()
    window.grab().save(str(tmp_path / "approval-alerts.png"))
    assert window.height() <= 768
    model.call_next()
    qtbot.waitUntil(lambda: model.current is not None and not model.busy, timeout=5000)
    assert model.current is not None and model.current.number == number
    details = window.details.text()
    assert "办结时限" in details and "已超期" in details, details
    model.start()
    idle(qtbot, model)
    model.finish("next")
    qtbot.waitUntil(lambda: model.current is None and number not in window.deadlines.text(),
                    timeout=5000)
    assert [a.number for a in model.deadline_alerts()] == [other]  # it still waits
    assert f"{number} 待取件" in window.message.text()  # its holder collects it (no mail)


def test_the_recalls_of_the_ticket_called_are_counted(
        qtbot: QtBot, hall: CaseHall, pads: Callable[..., Any]) -> None:
    model, window = pads("W01-a")
    ticket = hall.issue()
    model.call_number(str(ticket["number"]))
    qtbot.waitUntil(lambda: model.current is not None and not model.busy, timeout=5000)
    assert "已重呼" not in window.details.text()
    for n in (1, 2):
        model.recall()
        qtbot.waitUntil(lambda n=n: f"已重呼 {n} 次" in window.details.text(), timeout=5000)
    model.start()
    qtbot.waitUntil(lambda: model.current is not None and model.current.status == "serving",
                    timeout=5000)
    assert "已重呼" not in window.details.text()  # the count is of a call, not of a service
    model.finish("done")
    qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)


def test_a_ticket_transferred_here_is_counted_in_words(
        qtbot: QtBot, hall: CaseHall, pads: Callable[..., Any]) -> None:
    here, _ = pads("W01-b")
    there, desk = pads("W02-a", "s002")
    ticket = hall.issue()
    here.call_number(str(ticket["number"]))
    qtbot.waitUntil(lambda: here.current is not None and not here.busy, timeout=5000)
    here.transfer(counter="W02")
    qtbot.waitUntil(lambda: here.current is None and not here.busy, timeout=5000)
    qtbot.waitUntil(lambda: "转给本窗口  1" in desk.waiting.text(), timeout=5000)
    assert "_transferred" not in desk.waiting.text()
    there.call_next()  # (the transferred ticket is called first)
    qtbot.waitUntil(lambda: there.current is not None and not there.busy, timeout=5000)
    there.start()
    idle(qtbot, there)
    there.finish("done")
    qtbot.waitUntil(lambda: there.current is None and not there.busy, timeout=5000)


def test_a_login_the_server_ended_is_said_in_plain_words(
        qtbot: QtBot, hall: CaseHall, pads: Callable[..., Any]) -> None:
    for lang, said in (("zh", "登录已过期，请重新登录"),
                       ("en", "Your login has expired; please log in again")):
        model, window = pads("W01-c", lang=lang)
        token = model.client.staff_token
        assert hall.api("POST", "/auth/logout", token).status_code in (200, 204)
        model.refresh()
        qtbot.waitUntil(lambda m=model, w=window: not m.logged_in and bool(w.login_error.text()),
                        timeout=5000)
        assert window.stack.currentIndex() == 0
        assert window.login_error.text() == said
        model.stop()


def test_my_cases_and_my_ratings_with_an_appeal(
        qtbot: QtBot, hall: CaseHall, pads: Callable[..., Any], tmp_path: Path) -> None:
    model, window = pads("W01-a")
    assert window.cases_btn.isVisible() and window.ratings_btn.isVisible()
    ticket = hall.issue()
    model.call_number(str(ticket["number"]))
    qtbot.waitUntil(lambda: model.current is not None and not model.busy, timeout=5000)
    model.start()
    idle(qtbot, model)
    model.finish("done")
    qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)
    rated = hall.api("POST", "/evaluations", hall.rating_pad,
                     {"ticket": ticket["id"], "level": 2, "reasons": ["slow"]})
    assert rated.status_code == 201, rated.text
    late = hall.api("GET", f"/tickets/{hall.still_late}", hall.kiosk).json()["number"]

    def cases(dlg: MyCasesDialog) -> None:
        qtbot.waitUntil(lambda: dlg.table.rowCount() >= 1, timeout=5000)
        rows = [[dlg.table.item(r, c).text() for c in range(dlg.table.columnCount())]
                for r in range(dlg.table.rowCount())]
        row = next(r for r in rows if r[0] == late)
        assert row[1] == "企业开办" and "后台审批" in row[3] and "已超期" in row[4], row
        dlg.grab().save(str(tmp_path / "my-cases.png"))

    with_dialog(MyCasesDialog, window.cases_btn.click, cases)

    def ratings(dlg: MyRatingsDialog) -> None:
        qtbot.waitUntil(lambda: dlg.table.rowCount() >= 1, timeout=5000)
        r = next(i for i in range(dlg.table.rowCount())
                 if dlg.table.item(i, 1).text() == ticket["number"])
        assert dlg.table.item(r, 3).text() == "不满意"
        assert "办理时间长" in dlg.table.item(r, 5).text()
        assert dlg.table.item(r, 4).text() == "未申诉" and not dlg.send_btn.isEnabled()
        dlg.table.selectRow(r)
        assert dlg.send_btn.isEnabled()
        dlg.reason.setText("好")
        dlg.send()  # too short: said, nothing sent
        assert "申诉理由" in dlg.line.text() and dlg.send_btn.isEnabled()
        dlg.reason.setText("群众误按,当场已表示满意")
        dlg.send()
        qtbot.waitUntil(lambda: "已提交申诉" in dlg.line.text(), timeout=5000)
        r = next(i for i in range(dlg.table.rowCount())
                 if dlg.table.item(i, 1).text() == ticket["number"])
        assert dlg.table.item(r, 4).text() == "申诉中"
        dlg.table.selectRow(r)
        assert not dlg.send_btn.isEnabled()  # one appeal per rating
        dlg.grab().save(str(tmp_path / "my-ratings.png"))

    with_dialog(MyRatingsDialog, window.ratings_btn.click, ratings)
    appeals = hall.api("GET", "/evaluations/mine", model.client.staff_token).json()
    assert [a["appeal"] for a in appeals if a["ticket"] == ticket["id"]] == ["open"]


def test_an_approval_post_sends_a_case_back_for_papers_and_intake_takes_them_in(
        qtbot: QtBot, hall: CaseHall, pads: Callable[..., Any], tmp_path: Path) -> None:
    """补正 from the pad: the approval post ticks the papers missing (the service's list) with a
    note; the case leaves the post; once its holder checks in, the intake counter that calls it
    reads what to take in."""
    fresh = hall.api("POST", "/tickets", hall.kiosk, {"service": "case", "id_card": {
        "number": "150102198001011234", "name": "王小明"}})
    assert fresh.status_code == 201, fresh.text
    intake = QueueClient(hall.url, hall.counters["W01-c"])  # taken in today: its limit runs
    intake.login("s001", PIN, "W01")
    intake.counter_action("W01", "call", {"number": fresh.json()["number"]})
    intake.counter_action("W01", "finish", {"outcome": "next"})
    intake.logout()
    model, window = pads("W03-a", "s002")
    assert window.buttons["ask_papers"].isVisible()
    model.call_number(fresh.json()["number"])  # not the overdue ones, which wait first
    qtbot.waitUntil(lambda: model.current is not None and not model.busy, timeout=5000)
    case = model.current
    assert case is not None and case.id == fresh.json()["id"]
    assert window.buttons["ask_papers"].isEnabled()
    window.grab().save(str(tmp_path / "approval-post.png"))
    assert window.height() <= 768

    def fill() -> None:
        found = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, PapersDialog) and w.isVisible()]
        if not found:
            QTimer.singleShot(20, fill)
            return
        dlg = found[0]
        assert not dlg.ok_button.isEnabled()  # nothing asked for yet
        assert [label.text() for label in dlg.labels] == ["申请书"]
        dlg.ticks[0][1].setChecked(True)
        dlg.note.setText("申请书须法定代表人签字")
        dlg.grab().save(str(tmp_path / "papers-dialog.png"))
        dlg.ok_button.click()

    QTimer.singleShot(0, fill)
    window.ask_papers()
    qtbot.waitUntil(lambda: model.current is None and not model.busy, timeout=5000)
    assert f"{case.number} 已退回补正" in window.message.text()
    assert window.undo_btn.isVisible() and f"撤销补正 {case.number}" in window.undo_btn.text()
    seen = hall.api("GET", f"/tickets/{case.id}", hall.kiosk).json()
    assert seen["status"] == "supplement" and seen["journey"][-2]["papers"] == ["申请书"]
    arrived = hall.api("POST", f"/tickets/{case.id}/arrive", hall.kiosk)
    assert arrived.status_code == 200, arrived.text
    intake, pad = pads("W01-b")
    assert not pad.buttons["ask_papers"].isVisible()  # approval posts only
    intake.call_number(arrived.json()["number"])
    qtbot.waitUntil(lambda: intake.current is not None and not intake.busy, timeout=5000)
    assert intake.current is not None and intake.current.asked == ["申请书"]
    assert "补正材料" in pad.details.text() and "法定代表人签字" in pad.details.text()
    assert "补正暂停计时" in pad.details.text() and "已超期" not in pad.details.text()
    pad.grab().save(str(tmp_path / "intake-papers.png"))
    intake.start()
    idle(qtbot, intake)
    # accepted days ago: back to approval (转下一环节), never 办结 at intake
    assert "finish-next" in intake.allowed() and not {"finish", "reject"} & intake.allowed()
    assert not pad.buttons["finish_done"].isEnabled()
    intake.finish("next")
    qtbot.waitUntil(lambda: intake.current is None and not intake.busy, timeout=5000)
    assert hall.api("GET", f"/tickets/{case.id}", hall.kiosk).json()["zone"] == "approval"
