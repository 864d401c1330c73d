"""The counter pad's 证照寄送 dialog: how a finished case reaches its holder, collected at the
hall or mailed (recipient, address), and a phone for the ready message. It sends through the
view-model and stays open until the server recorded it, showing the server's refusal in words;
what was typed is cleared when it closes (an address is not left in a hidden widget)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.counter import CounterModel
from kiosk.counter_words import DELIVERY_WORDS, in_language
from ui.i18n import pick
from ui.staff.dialogs import BUTTON_LOOK
from ui.theme import NORMAL

STYLE = ("QDialog{background:#ffffff;} QLabel{font-size:20px;} QRadioButton{font-size:22px;"
         "padding:8px 12px; min-height:40px;} QLineEdit{font-size:22px; padding:8px;"
         "min-height:40px;} QPushButton{font-size:20px; padding:10px 28px; min-height:44px;}"
         + BUTTON_LOOK)
WORDS = {
    "title": ("证照寄送 · 领取方式", "Delivery of the result"),
    "intro": ("{number} 办结后证照如何交给群众？", "How does {number}'s result reach the citizen?"),
    "recipient": ("收件人", "Recipient"), "address": ("邮寄地址", "Postal address"),
    "phone": ("手机号（办结通知）", "Phone (ready message)"),
    "optional": ("选填", "optional"),
    "sending": ("正在记录…", "Recording…"),
    "ok": ("确定", "OK"), "cancel": ("取消", "Cancel"),
}
LIMITS = {"recipient": 64, "address": 300, "phone": 20}  # wire_journey.DeliveryIn's


class DeliveryDialog(QDialog):
    def __init__(self, model: CounterModel, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model, self.lang = model, lang
        t = model.current
        self.setWindowTitle(pick(WORDS["title"], lang))
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(720)
        box = QVBoxLayout(self)
        box.addWidget(QLabel(f"<b>{pick(WORDS['title'], lang)}</b>"))
        box.addWidget(QLabel(pick(WORDS["intro"], lang).format(number=t.number if t else "")))
        self.pickup = QRadioButton(pick(DELIVERY_WORDS["pickup"], lang))
        self.mail = QRadioButton(pick(DELIVERY_WORDS["mail"], lang))
        self.pickup.setObjectName("deliveryPickup")
        self.mail.setObjectName("deliveryMail")
        group = QButtonGroup(self)
        row = QHBoxLayout()
        for radio in (self.pickup, self.mail):
            group.addButton(radio)
            row.addWidget(radio)
        row.addStretch(1)
        box.addLayout(row)
        grid = QGridLayout()
        self.fields: dict[str, QLineEdit] = {}
        for i, name in enumerate(("recipient", "address", "phone")):
            edit = QLineEdit()
            edit.setObjectName(f"delivery_{name}")
            edit.setMaxLength(LIMITS[name])
            if name == "phone":
                edit.setPlaceholderText(pick(WORDS["optional"], lang))
            self.fields[name] = edit
            grid.addWidget(QLabel(pick(WORDS[name], lang)), i, 0)
            grid.addWidget(edit, i, 1)
        grid.setColumnStretch(1, 1)
        box.addLayout(grid)
        self.error = QLabel()
        self.error.setObjectName("deliveryError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color:{NORMAL.danger}; font-size:20px;")
        box.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        for which, key in ((QDialogButtonBox.StandardButton.Ok, "ok"),
                           (QDialogButtonBox.StandardButton.Cancel, "cancel")):
            button = self.buttons.button(which)
            if button is not None:
                button.setText(pick(WORDS[key], lang))
        self.buttons.accepted.connect(self.send)
        self.buttons.rejected.connect(self.reject)
        box.addWidget(self.buttons)
        (self.mail if t is not None and t.delivery == "mail" else self.pickup).setChecked(True)
        group.buttonToggled.connect(lambda *_: self._mode())
        self._mode()
        model.deliveryChosen.connect(self._chosen)
        model.deliveryFailed.connect(self._failed)

    def method(self) -> str:
        return "mail" if self.mail.isChecked() else "pickup"

    def _mode(self) -> None:
        mail = self.method() == "mail"
        for name in ("recipient", "address"):
            self.fields[name].setEnabled(mail)
        self.error.setText("")

    def send(self) -> None:
        self._ok(False)
        self.error.setStyleSheet(f"color:{NORMAL.muted}; font-size:20px;")
        self.error.setText(pick(WORDS["sending"], self.lang))
        f = self.fields
        self.model.choose_delivery(self.method(), f["recipient"].text(), f["address"].text(),
                                   f["phone"].text())

    def _ok(self, enabled: bool) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setEnabled(enabled)

    def _chosen(self, _method: str) -> None:
        self.accept()

    def _failed(self, text: str) -> None:
        self._ok(True)
        self.error.setStyleSheet(f"color:{NORMAL.danger}; font-size:20px;")
        self.error.setText(in_language(text, self.lang))

    def done(self, result: int) -> None:  # accepted or cancelled: nothing typed stays behind
        for signal, slot in ((self.model.deliveryChosen, self._chosen),
                             (self.model.deliveryFailed, self._failed)):
            signal.disconnect(slot)
        for edit in self.fields.values():
            edit.clear()
        super().done(result)
