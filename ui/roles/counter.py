"""`--role counter`: the staff counter pad."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QDialog

from kiosk.client import QueueClient
from kiosk.config import TerminalConfig
from kiosk.connect import connect_role
from kiosk.counter import (
    CounterInfo,
    CounterModel,
    CounterState,
    DocumentOut,
    ServiceInfo,
    TicketOut,
    ticket_view,
)
from ui.screens import save_screen
from ui.staff.counter_pad import CounterWindow
from ui.staff.dialogs import ImageDialog, ReasonDialog, TransferDialog

NOW = datetime(2026, 11, 25, 10, 12, tzinfo=timezone(timedelta(hours=8)))


def run(app: Any, config: TerminalConfig) -> int:
    client = connect_role(config, "the counter this pad serves")
    if client is None:
        return 2
    model = CounterModel(client, config.counter)
    window = CounterWindow(model, config.language)
    window.showMaximized()
    code = int(app.exec())
    model.stop()
    return code


def sample_page(page: int, width: int = 620, height: int = 877) -> bytes:
    """A JPEG that looks like a scanned form, drawn here so the screens need no files."""
    img = QImage(width, height, QImage.Format.Format_RGB32)
    img.fill(QColor("#fdfdf8"))
    p = QPainter(img)
    font = QFont(p.font())
    font.setPixelSize(34)
    p.setFont(font)
    p.drawText(0, 40, width, 60, Qt.AlignmentFlag.AlignHCenter, ["公司登记(备案)申请书", "公司章程",
                                                                 "住所使用证明"][page % 3])
    p.setPen(QColor("#9aa3b2"))
    for y in range(140, height - 60, 38):
        p.drawLine(60, y, width - 60 - (y * 7) % 180, y)
    p.end()
    buf = QByteArray()
    dev = QBuffer(buf)
    dev.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(dev, "JPEG", 85)  # type: ignore[call-overload]  # the stubs say bytes; PySide6 wants str
    return bytes(buf.data())


def sample_model(state: str) -> CounterModel:
    model = CounterModel(QueueClient("http://127.0.0.1:9"), "W01", clock=lambda: NOW)
    if state.startswith("login"):
        if state == "login-error":
            model.last_error = "工号或密码错误 / Wrong staff ID or PIN"
        return model
    model.client.staff_token, model.staff_name = "sample", "王丽"
    services: list[dict[str, object]] = [
        {"code": "company-setup", "name": "企业开办", "prefix": "A", "route": ["intake"],
         "materials": ["公司登记(备案)申请书", "公司章程", "住所使用证明", "法定代表人身份证件"]},
        {"code": "real-estate", "name": "不动产登记", "prefix": "B", "route": ["intake"]}]
    model.services = {str(s["code"]): ServiceInfo.model_validate(s) for s in services}
    model.counters = [CounterInfo(code="W02", name="2号窗口", zone="intake")]
    current = None
    if state in ("called", "serving", "paused-serving"):
        current = TicketOut(id="t1", number="A012", service="company-setup", status=(
            "called" if state == "called" else "serving"), zone="intake", counter="W01",
            issued_at=NOW - timedelta(minutes=23), priority=state == "called",
            priority_reason="elderly" if state == "called" else None, masked_name="王*",
            masked_id="150************1234", documents=3)
    model.state = CounterState(code="W01", name="1号窗口", zone="intake",
                               services=["company-setup", "real-estate"],
                               paused=state.startswith("paused"), pause_reason="午休",
                               staff="s001", staff_name="王丽", current=current,
                               waiting={"company-setup": 6, "real-estate": 2})
    model.online = state != "offline"
    if current is not None:
        model.current = ticket_view(current, model.services, NOW)
        if state != "called":
            model.current.documents = [DocumentOut(id=i, ticket="t1", page=i, content_type=
                                                   "image/jpeg", size=1, created_at=NOW)
                                       for i in (1, 2, 3)]
            model.thumbnails = {i: sample_page(i) for i in (1, 2, 3)}
    return model


def render_screens(app: Any, out_dir: Path, role: str = "counter") -> int:
    count = 0
    states = ["login", "login-error", "idle", "called", "serving", "paused", "paused-serving",
              "error", "nobody", "offline"]
    for lang in ("zh", "en"):
        for state in states:
            model = sample_model(state)
            window = CounterWindow(model, lang)
            if state == "login-error":
                window.show_error(model.last_error)
            elif state == "error":
                window.show_error("当前号码不在本窗口 / This ticket is not at this counter")
            elif state == "nobody":
                window.show_notice("暂无等候的群众 / Nobody is waiting")
            save_screen(app, window, out_dir / f"counter-{state}-{lang}.png")
            count += 1
        model = sample_model("serving")
        dialogs: list[tuple[str, QDialog]] = [
            ("transfer", TransferDialog(lang, [(c, s.name) for c, s in model.services.items()],
                                        [(c.code, c.name) for c in model.counters])),
            ("pause", ReasonDialog.for_pause(lang)), ("reject", ReasonDialog.for_reject(lang)),
            ("scan", ImageDialog(model.thumbnails[1], "1"))]
        for name, dlg in dialogs:
            save_screen(app, dlg, out_dir / f"counter-dialog-{name}-{lang}.png")
            count += 1
    app.processEvents()
    print(f"{count} screens written to {out_dir}")
    return 0
