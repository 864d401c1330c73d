"""`--role counter`: the staff counter pad."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter
from PySide6.QtWidgets import QDialog

from kiosk import counter_words as words
from kiosk import sample_staff as sample
from kiosk.config import TerminalConfig
from kiosk.connect import connect_role
from kiosk.counter import CounterModel
from kiosk.counter_view import CaseAlert
from kiosk.sample_hall import RenderOptions
from ui.i18n import pick
from ui.placement import present, window_title
from ui.screens import save_screen
from ui.staff.counter_pad import CounterWindow
from ui.staff.dialogs import ImageDialog, PapersDialog, ReasonDialog, TransferDialog
from ui.staff.safeguards import NumberDialog, question_box


def run(app: Any, config: TerminalConfig) -> int:
    client = connect_role(config, "the counter this pad serves")
    if client is None:
        return 2
    model = CounterModel(client, config.counter, lang=config.language)
    window = CounterWindow(model, config.language)
    model.prepare()
    window_title(window, f"窗口终端 counter pad {config.counter}")
    present(window, config.window, maximized=True)
    code = int(app.exec())
    model.stop()
    return code


def sample_page(page: int, width: int = 620, height: int = 877) -> bytes:
    """A JPEG that looks like a scanned form (the sample counter's papers), drawn here so the
    screens need no files."""
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


def render_screens(app: Any, out_dir: Path, role: str = "counter",
                   options: RenderOptions | None = None) -> int:
    options = options or RenderOptions()
    size, tail, hall = options.size_of("counter"), options.suffix(), options.hall
    count = 0
    for lang in options.langs:
        for state in sample.COUNTER_STATES:
            model = sample.counter_model(state, sample_page, hall)
            window = CounterWindow(model, lang)
            window.resize(*size)
            if state == "login-error":
                window.show_error(model.last_error)
            elif state == "error":
                window.show_error(sample.WRONG_COUNTER)
            elif state == "nobody":
                window.show_notice(sample.NOBODY)
            elif state == "after-finish":
                window.show_notice(sample.MOVED_ON)
            save_screen(app, window, out_dir / f"counter-{state}-{lang}{tail}.png")
            count += 1
        count += _requeue_screens(app, out_dir, lang, size, tail, hall)
        count += _approval_screens(app, out_dir, lang, size, tail, hall)
        model = sample.counter_model("serving", sample_page, hall)
        model.set_language(lang)
        dialogs: list[tuple[str, QDialog]] = [
            ("transfer", TransferDialog(lang, model.service_names(), model.counter_names())),
            ("pause", ReasonDialog.for_pause(lang)), ("reject", ReasonDialog.for_reject(lang)),
            ("scan", ImageDialog(model.thumbnails[1], "1", lang=lang)),
            ("number", NumberDialog(lang, True))]
        for name, dlg in dialogs:
            save_screen(app, dlg, out_dir / f"counter-dialog-{name}-{lang}{tail}.png")
            count += 1
    app.processEvents()
    print(f"{count} screens written to {out_dir}")
    return 0


def _approval_screens(app: Any, out_dir: Path, lang: str, size: tuple[int, int], tail: str,
                      hall: Any) -> int:
    """An approval post serving a case (补正 in place of 重呼 and 过号), with its 限时办结 list
    (a case overdue, one whose papers did not come in the hall's period), and its papers
    dialog with the case's service's list, for the translators and the hall to look at."""
    model = sample.counter_model("serving", sample_page, hall)
    model.set_language(lang)
    assert model.state is not None and model.current is not None
    model.state.zone = "approval"
    now, service = model.clock(), model.current.service
    taken = (now - timedelta(days=30)).astimezone(model.hall_tz()).date()  # numbers of a
    model.alerts = {  # month ago: the list says their day
        "late": CaseAlert("late", "A007", service, "overdue", now - timedelta(days=3), None, -2,
                          day=taken),
        "papers": CaseAlert("papers", "A002", service, "papers_overdue", now - timedelta(days=1),
                            None, -1, day=taken)}
    window = CounterWindow(model, lang)
    window.resize(*size)
    save_screen(app, window, out_dir / f"counter-approval-serving-{lang}{tail}.png")
    svc = model.services.get(model.current.service)
    names = list(svc.materials) if svc is not None else []
    shown = model.current.materials if len(model.current.materials) == len(names) else names
    dialog = PapersDialog(lang, list(zip(names, shown, strict=True)))
    save_screen(app, dialog, out_dir / f"counter-dialog-papers-{lang}{tail}.png")
    return 2


def _requeue_screens(app: Any, out_dir: Path, lang: str, size: tuple[int, int], tail: str,
                     hall: Any) -> int:
    """过号重排: the question of a passed number asked for by number (the counter free), and
    the line after each answer: queued again, or called here (the called ticket is the one
    that was passed)."""
    model = sample.counter_model("called", sample_page, hall)
    model.set_language(lang)
    t = model.state.current if model.state is not None else None
    assert t is not None
    when = f"{(t.issued_at + timedelta(minutes=23)).astimezone(model.hall_tz()):%H:%M}"
    question = pick(words.REQUEUE_ASK, lang).format(number=t.number, when=f"{when} · {model.code}")
    box, _ok, _alt = question_box(None, lang, question, pick(words.REQUEUE_CALL_BTN, lang),
                                  pick(words.REQUEUE_BTN, lang))
    save_screen(app, box, out_dir / f"counter-dialog-requeue-{lang}{tail}.png")
    for name, state, said in (("requeued", "idle", words.REQUEUED),
                              ("requeue-called", "called", words.REQUEUE_CALLED)):
        model = sample.counter_model(state, sample_page, hall)
        window = CounterWindow(model, lang)
        window.resize(*size)
        window.show_notice(pick(said, lang).format(number=t.number))
        save_screen(app, window, out_dir / f"counter-{name}-{lang}{tail}.png")
    return 3
