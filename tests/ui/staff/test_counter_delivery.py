"""证照寄送 and a bank branch's forwarded application on the counter pad, against a real server
process of a hall of their own (a service that mails its licence, one that does not, a bank
branch outpost): the button shows only for a ticket being served at intake whose service
mails; the dialog refuses what cannot be sent and shows the server's refusal in words; a mail
choice is recorded and shown, and neither the address nor the phone reaches a log; the pickup
counter lists the approved cases to mail with their addresses and hands each to the post with
its tracking number; a ticket the branch forwarded wears its mark beside the number, with the
branch's pages counted."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.client import QueueClient
from kiosk.counter import CounterModel
from server_process.hall import HallProcess
from tests.ui.staff.hall_server import empty, signed_in
from ui.staff.counter_pad import CounterWindow
from ui.staff.delivery import DeliveryDialog

pytestmark = pytest.mark.timeout(90)
PIN = "246810"
ADDRESS = "内蒙古巴彦淖尔市杭锦后旗陕坝镇光明街 88 号"
PHONE = "13800138000"
HALL_TOML = """
[hall]
id = "mail"
name = "寄送测试政务服务中心"
timezone = "Asia/Shanghai"
day_starts = "00:00"
announce = "请{number}号到{counter}办理"

[[services]]
code = "company-setup"
name = "企业开办"
prefix = "A"
route = ["intake", "approval", "pickup"]
time_limit_workdays = 3
mail_delivery = true

[[services]]
code = "water-connect"
name = "用水报装"
prefix = "G"
route = ["intake", "pickup"]

[[counters]]
code = "W01"
name = "1号窗口"
zone = "intake"
services = ["company-setup", "water-connect"]

[[counters]]
code = "A01"
name = "审批岗1"
zone = "approval"
services = ["company-setup"]

[[counters]]
code = "P01"
name = "出件1号窗口"
zone = "pickup"
services = ["company-setup", "water-connect"]

[[staff]]
id = "s001"
name = "王丽"
role = "staff"

[[staff]]
id = "s002"
name = "李强"
role = "staff"

[[outposts]]
id = "bank1"
name = "农业银行测试支行 政银合作便民服务点"
services = ["company-setup"]

[[outposts.counters]]
code = "N01"
name = "农行1号窗口"
zone = "intake"
services = ["company-setup"]
"""


class MailHall(HallProcess):
    def __init__(self, tmp: Path) -> None:
        super().__init__(tmp, HALL_TOML)
        self.set_pin("s001", PIN)
        self.set_pin("s002", PIN)
        self.kiosk = self.enrol("kiosk", "k1")
        self.bank = self.enrol("bank", "b1", hall="bank1")
        self.counter = self.enrol("counter", "c-W01", counter="W01")
        self.approval = self.enrol("counter", "c-A01", counter="A01")
        self.pickup = self.enrol("counter", "c-P01", counter="P01")

    def post(self, path: str, token: str, **kw: object) -> httpx.Response:
        return httpx.post(f"{self.url}/api/v1{path}", timeout=5,
                          headers={"Authorization": f"Bearer {token}",
                                   **kw.pop("headers", {})}, **kw)  # type: ignore[arg-type]

    def issue(self, service: str, token: str | None = None) -> dict[str, str]:
        resp = self.post("/tickets", token or self.kiosk, json={"service": service})
        assert resp.status_code == 201, resp.text
        return dict(resp.json())


@pytest.fixture(scope="module")
def hall(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MailHall]:
    server = MailHall(tmp_path_factory.mktemp("mailhall"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def pad(qtbot: QtBot, hall: MailHall) -> Iterator[tuple[CounterModel, CounterWindow]]:
    model = CounterModel(QueueClient(hall.url, hall.counter), "W01", heartbeat_s=0)
    window = signed_in(qtbot, model, owned=False)  # closed here, after the model stopped
    yield model, window
    empty(qtbot, model)  # leave the counter empty for the next test
    model.stop()
    window.close()
    window.deleteLater()


def serve(qtbot: QtBot, model: CounterModel, number: str, start: bool = True) -> None:
    model.call_number(number)
    qtbot.waitUntil(lambda: not model.busy and model.current is not None, timeout=5000)
    assert model.current is not None and model.current.number == number
    if start:
        model.start()
        qtbot.waitUntil(lambda: not model.busy and model.current is not None
                        and model.current.status == "serving", timeout=5000)


def dialog_of(qtbot: QtBot, window: CounterWindow, act: object) -> DeliveryDialog:
    """Open the dialog with the pad's button and hand it to `act` once it shows."""
    seen: list[DeliveryDialog] = []

    def look() -> None:
        found = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, DeliveryDialog) and w.isVisible()]
        if not found:
            QTimer.singleShot(20, look)
            return
        seen.append(found[0])
        try:
            act(found[0])  # type: ignore[operator]
        except BaseException:
            found[0].reject()  # the dialog is modal: a failed check must not leave it open
            raise

    QTimer.singleShot(0, look)
    window.ticket.delivery.click()
    return seen[0]


def test_mail_is_offered_only_where_it_may_be_chosen(qtbot: QtBot, hall: MailHall,
                                                     pad: tuple[CounterModel, CounterWindow]
                                                     ) -> None:
    model, window = pad
    assert model.mail_services == {"company-setup"}  # the hall's own answer, not guessed
    water = hall.issue("water-connect")
    serve(qtbot, model, water["number"])
    assert window.ticket.delivery.isHidden()  # the service mails nothing
    assert "证照领取" not in window.details.text()
    model.finish("done")
    qtbot.waitUntil(lambda: not model.busy and model.current is None, timeout=5000)
    company = hall.issue("company-setup")
    serve(qtbot, model, company["number"], start=False)
    assert window.ticket.delivery.isHidden()  # called, not yet being served
    model.start()
    qtbot.waitUntil(lambda: not window.ticket.delivery.isHidden(), timeout=5000)
    assert "证照领取" in window.details.text() and "未选择" in window.details.text()


def test_mail_chosen_with_clear_errors_recorded_and_never_logged(
        qtbot: QtBot, hall: MailHall, pad: tuple[CounterModel, CounterWindow],
        caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    caplog.set_level(logging.DEBUG)
    model, window = pad
    ticket = hall.issue("company-setup")
    serve(qtbot, model, ticket["number"])
    shots: list[str] = []

    def fill(dlg: DeliveryDialog) -> None:
        dlg.mail.setChecked(True)
        dlg.send()  # nothing typed: the recipient is asked for, nothing is sent
        assert "收件人" in dlg.error.text() and dlg.isVisible()
        dlg.fields["recipient"].setText("王丽")
        dlg.fields["address"].setText("陕坝镇")
        dlg.send()  # an address too short to post to
        assert "地址" in dlg.error.text() and dlg.isVisible()
        dlg.fields["address"].setText(ADDRESS)
        dlg.fields["phone"].setText("12")
        dlg.send()
        assert "手机号" in dlg.error.text()
        dlg.fields["phone"].setText(PHONE)
        path = tmp_path / "delivery-dialog.png"
        dlg.grab().save(str(path))
        shots.append(str(path))
        dlg.send()

    dlg = dialog_of(qtbot, window, fill)
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: model.current is not None and model.current.delivery == "mail",
                    timeout=5000)
    assert "邮寄" in window.details.text()
    assert all(not e.text() for e in dlg.fields.values())  # nothing typed is kept
    resp = httpx.get(f"{hall.url}/api/v1/tickets/{ticket['id']}", timeout=5,
                     headers={"Authorization": f"Bearer {hall.kiosk}"})
    assert resp.json()["delivery"] == "mail"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert ADDRESS not in logged and PHONE not in logged and "陕坝镇" not in logged
    assert Path(shots[0]).stat().st_size > 5000


def test_the_server_s_refusal_is_shown_in_the_dialog(
        qtbot: QtBot, hall: MailHall, pad: tuple[CounterModel, CounterWindow]) -> None:
    model, window = pad
    water = hall.issue("water-connect")
    model.mail_services.add("water-connect")  # as if the pad thought it mailed: the server says no
    serve(qtbot, model, water["number"])

    def fill(dlg: DeliveryDialog) -> None:
        dlg.mail.setChecked(True)
        dlg.fields["recipient"].setText("王丽")
        dlg.fields["address"].setText(ADDRESS)
        dlg.send()
        qtbot.waitUntil(lambda: "不提供证照寄送" in dlg.error.text(), timeout=5000)
        assert dlg.isVisible() and "mail_not_offered" not in dlg.error.text()
        dlg.reject()  # (the dialog runs modal: it is closed from within)

    dialog_of(qtbot, window, fill)
    model.mail_services.discard("water-connect")


def test_a_bank_branch_s_application_is_marked_beside_its_number(
        qtbot: QtBot, hall: MailHall, pad: tuple[CounterModel, CounterWindow],
        tmp_path: Path) -> None:
    model, window = pad
    branch = hall.issue("company-setup", hall.bank)
    img = QImage(400, 560, QImage.Format.Format_RGB32)
    img.fill(QColor("white"))
    img.save(str(tmp_path / "page.jpg"), "JPEG")
    resp = hall.post(f"/tickets/{branch['id']}/documents", hall.bank,
                     content=(tmp_path / "page.jpg").read_bytes(),
                     headers={"Content-Type": "image/jpeg"})
    assert resp.status_code == 201, resp.text
    resp = hall.post(f"/tickets/{branch['id']}/forward", hall.bank, json={})
    assert resp.status_code == 201, resp.text
    here = hall.issue("company-setup")  # one of the hall's own, for comparison
    serve(qtbot, model, resp.json()["number"], start=False)
    qtbot.waitUntil(lambda: window.ticket.origin.isVisible(), timeout=5000)
    assert window.ticket.origin.text() == "银行网点转来"
    # its holder is at the branch or at home: nobody to recall or pass (409 not_in_person)
    assert "start" in model.allowed() and not {"recall", "no-show"} & model.allowed()
    assert not window.buttons["recall"].isEnabled() and not window.buttons["no_show"].isEnabled()
    model.start()
    qtbot.waitUntil(lambda: not model.busy and model.current.status == "serving", timeout=5000)
    assert "1 页在网点扫描" in window.ticket.scans_title.text()
    model.finish("done")
    qtbot.waitUntil(lambda: not model.busy and model.current is None, timeout=5000)
    serve(qtbot, model, here["number"])
    assert not window.ticket.origin.isVisible()


def test_the_pickup_counter_mails_what_the_holder_asked_to_have_mailed(
        qtbot: QtBot, hall: MailHall, pad: tuple[CounterModel, CounterWindow],
        caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    """Intake records mail; approval finishes the case, and its pad says it is to be mailed
    (not to be collected); at pickup the button counts the cases to mail, the case is on the
    list with its recipient and address, a bad tracking number is refused in words, and 已寄出
    ends the case with its tracking number, which the citizen's page shows (the address gone);
    the dialog then says both that it went and that the list is empty."""
    from ui.staff.mail import MailDialog

    caplog.set_level(logging.DEBUG)
    model, window = pad
    assert window.mail_btn.isHidden()  # an intake counter mails nothing
    ticket = hall.issue("company-setup")
    serve(qtbot, model, ticket["number"])
    model.choose_delivery("mail", "王丽", ADDRESS, PHONE)
    qtbot.waitUntil(lambda: model.current is not None and model.current.delivery == "mail",
                    timeout=5000)
    model.finish("next")
    qtbot.waitUntil(lambda: not model.busy and model.current is None, timeout=5000)
    approver = CounterModel(QueueClient(hall.url, hall.approval), "A01", heartbeat_s=0)
    approval = CounterWindow(approver, "zh")
    approval.show()
    try:
        approval.staff_id.setText("s002")
        approval.pin.setText(PIN)
        approval.login_btn.click()
        qtbot.waitUntil(lambda: approver.state is not None and not approver.busy,
                        timeout=10000)
        approver.call_next()
        qtbot.waitUntil(lambda: approver.current is not None and not approver.busy,
                        timeout=5000)
        approver.start()
        qtbot.waitUntil(lambda: not approver.busy, timeout=5000)
        approver.finish("next")
        qtbot.waitUntil(lambda: approver.current is None and not approver.busy, timeout=5000)
        assert approval.message.text() == f"{ticket['number']} 待寄送"  # not 待取件
    finally:
        approver.stop()
        approval.close()
        approval.deleteLater()
    picker = CounterModel(QueueClient(hall.url, hall.pickup), "P01", heartbeat_s=0)
    desk = CounterWindow(picker, "zh")
    desk.resize(1366, 768)
    desk.show()
    try:
        desk.staff_id.setText("s002")
        desk.pin.setText(PIN)
        desk.login_btn.click()
        qtbot.waitUntil(lambda: picker.state is not None and not picker.busy, timeout=10000)
        assert desk.mail_btn.isVisible()
        qtbot.waitUntil(lambda: desk.mail_btn.text() == "证照寄送 · 待寄出 (1)", timeout=5000)
        seen: list[str] = []

        def work(dlg: MailDialog) -> None:
            qtbot.waitUntil(lambda: dlg.cases.count() == 1, timeout=5000)
            row = dlg.cases.item(0).text()
            assert ticket["number"] in row and "王丽" in row and ADDRESS in row, row
            assert "企业开办" in row.splitlines()[0], row  # the service, beside the number
            # a hint, not a number that looks like a real tracking number
            assert dlg.tracking.placeholderText() == "运单号，如 EA123456789CN"
            dlg.tracking.setText("12")
            dlg.send()
            qtbot.waitUntil(lambda: "运单号" in dlg.line.text(), timeout=5000)
            assert dlg.cases.count() == 1
            dlg.tracking.setText("ea123456789cn")
            dlg.send()
            qtbot.waitUntil(lambda: "已交寄" in dlg.line.text(), timeout=5000)
            assert dlg.cases.count() == 0 and "EA123456789CN" in dlg.line.text()
            # what went, then (on a line of its own) that the list is now empty
            assert dlg.line.text() == (f"{ticket['number']} 已交寄 EMS，运单号 EA123456789CN\n"
                                       "没有待寄出的证照"), dlg.line.text()
            seen.append(dlg.line.text())
            dlg.reject()

        def look() -> None:
            found = [w for w in QApplication.topLevelWidgets()
                     if isinstance(w, MailDialog) and w.isVisible()]
            if not found:
                QTimer.singleShot(20, look)
                return
            try:
                work(found[0])
            except BaseException:
                found[0].reject()
                raise

        QTimer.singleShot(0, look)
        desk.mail_btn.click()
        assert seen and ticket["number"] in seen[0]
        assert desk.mail_btn.text() == "证照寄送 · 待寄出 (0)"
    finally:
        picker.stop()
        desk.close()
        desk.deleteLater()
    page = httpx.get(f"{hall.url}/api/v1/track/{ticket['id']}", timeout=5).json()
    assert page["status"] == "done" and page["delivery"]["tracking"] == "EA123456789CN"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert ADDRESS not in logged and PHONE not in logged
