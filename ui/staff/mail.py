"""The pickup counter's 证照寄送 list: the approved cases whose holders chose mail, with the
recipient, phone and address to write on the parcel, and the step that hands one to the post
(carrier and tracking number, 寄出). The server then ends the case and deletes the address. The
list is asked for when the dialog opens and after each dispatch; nothing of it stays behind
when the dialog closes (the addresses are not left in a hidden widget)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.counter import CounterModel
from kiosk.counter_words import in_language
from ui.i18n import pick
from ui.staff.dialogs import BUTTON_LOOK
from ui.theme import NORMAL

STYLE = ("QDialog{background:#ffffff;} QLabel{font-size:20px;} QListWidget{font-size:20px;}"
         "QLineEdit{font-size:22px; padding:8px; min-height:40px;}"
         "QPushButton{font-size:20px; padding:10px 28px; min-height:44px;}" + BUTTON_LOOK)
WORDS = {
    "title": ("证照寄送 · 待寄出", "Results to mail"),
    "intro": ("以下办结件由群众选择邮寄。核对收件信息，封装后填写运单号并寄出。",
              "The holders of these approved cases chose mail. Check the address, pack the "
              "result, then enter the tracking number and mark it mailed."),
    "loading": ("正在读取…", "Loading…"), "empty": ("没有待寄出的证照", "Nothing to mail"),
    "carrier": ("寄递公司", "Carrier"), "tracking": ("运单号", "Tracking number"),
    "send": ("已寄出", "Mailed"), "close": ("关闭", "Close"),
    "pick": ("请先在列表中选中一件", "Choose a case in the list first"),
    "phone": ("电话", "phone"),
    # a hint, not a number that looks real (a staff member copied it once)
    "tracking_hint": ("运单号，如 EA123456789CN", "Tracking number, e.g. EA123456789CN"),
}
TRACKING_MAX = 40  # wire_journey.DispatchIn.tracking's


def row_text(d: Any, service: str = "") -> str:
    """One case to mail: its number and service, then whom and where to send it (staff need
    all of it to write the parcel; it is the only view that carries it)."""
    phone = f"  ·  {d.phone}" if d.phone else ""
    what = f"  {service}" if service else ""
    return f"{d.number or ''}{what}    {d.recipient or ''}{phone}\n{d.address or ''}"


class MailDialog(QDialog):
    def __init__(self, model: CounterModel, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model, self.lang = model, lang
        self.setWindowTitle(pick(WORDS["title"], lang))
        self.setStyleSheet(STYLE)
        self.setMinimumSize(860, 560)
        box = QVBoxLayout(self)
        box.addWidget(QLabel(f"<b>{pick(WORDS['title'], lang)}</b>"))
        intro = QLabel(pick(WORDS["intro"], lang))
        intro.setWordWrap(True)
        box.addWidget(intro)
        self.cases = QListWidget()
        self.cases.setObjectName("toMail")
        self.cases.setWordWrap(True)
        self.cases.setSpacing(4)
        box.addWidget(self.cases, 1)
        row = QHBoxLayout()
        self.carrier, self.tracking = QLineEdit("EMS"), QLineEdit()
        self.carrier.setMaxLength(40)
        self.carrier.setFixedWidth(140)
        self.tracking.setObjectName("tracking")
        self.tracking.setMaxLength(TRACKING_MAX)
        self.tracking.setPlaceholderText(pick(WORDS["tracking_hint"], lang))
        self.tracking.returnPressed.connect(self.send)
        for key, edit, stretch in (("carrier", self.carrier, 0), ("tracking", self.tracking, 1)):
            row.addWidget(QLabel(pick(WORDS[key], lang)))
            row.addWidget(edit, stretch)
        self.send_btn = QPushButton(pick(WORDS["send"], lang))
        self.send_btn.setObjectName("dispatch")
        self.send_btn.clicked.connect(self.send)
        row.addWidget(self.send_btn)
        box.addLayout(row)
        self.line = QLabel(pick(WORDS["loading"], lang))
        self.line.setObjectName("mailLine")
        self.line.setWordWrap(True)
        box.addWidget(self.line)
        close = QPushButton(pick(WORDS["close"], lang))
        close.clicked.connect(self.reject)
        end = QHBoxLayout()
        end.addStretch(1)
        end.addWidget(close)
        box.addLayout(end)
        self._rows: list[Any] = []  # the model's DeliveryDetail rows
        self.send_btn.setEnabled(False)
        model.mailListed.connect(self._listed)
        model.mailFailed.connect(self._failed)
        model.mailDispatched.connect(self._dispatched)
        model.list_to_mail()

    def _listed(self, rows: list[Any]) -> None:
        self._rows = list(rows)
        self.cases.clear()
        for d in self._rows:
            item = QListWidgetItem(row_text(d, self.model.case_service(d.ticket)))
            item.setToolTip(d.number or "")
            self.cases.addItem(item)
        if self._rows:
            self.cases.setCurrentRow(0)
        self.tracking.clear()
        self.send_btn.setEnabled(bool(self._rows))
        self._say("" if self._rows else pick(WORDS["empty"], self.lang))

    def _dispatched(self, said: str) -> None:  # after the list that no longer holds it
        if not self._rows:  # the last one went: say so too, on a line of its own
            said = f"{said}\n{pick(WORDS['empty'], self.lang)}"
        self._say(said, NORMAL.accent)

    def _failed(self, text: str) -> None:
        self.send_btn.setEnabled(bool(self._rows))
        self._say(in_language(text, self.lang), NORMAL.danger)

    def _say(self, text: str, color: str = NORMAL.muted) -> None:
        self.line.setStyleSheet(f"color:{color}; font-size:20px;")
        self.line.setText(text)

    def send(self) -> None:
        row = self.cases.currentRow()
        if not 0 <= row < len(self._rows):
            self._say(pick(WORDS["pick"], self.lang), NORMAL.danger)
            return
        case = self._rows[row]
        self.send_btn.setEnabled(False)
        self._say(pick(WORDS["loading"], self.lang))
        self.model.dispatch(case.ticket, case.number or "", self.carrier.text(),
                            self.tracking.text())

    def done(self, result: int) -> None:  # closed: nothing of the addresses stays behind
        for signal, slot in ((self.model.mailListed, self._listed),
                             (self.model.mailFailed, self._failed),
                             (self.model.mailDispatched, self._dispatched)):
            signal.disconnect(slot)
        self.cases.clear()
        self._rows = []
        self.tracking.clear()
        super().done(result)
