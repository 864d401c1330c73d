"""The counter pad's small dialogs: reason for a rejection or a pause, the target of a transfer,
and a scanned page at full size."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.i18n import PAUSE_REASONS, pick, tr

STYLE = "QDialog{background:#ffffff;} QLabel{font-size:20px;} QComboBox,QLineEdit{font-size:20px;" \
        "padding:8px; min-height:36px;} QPushButton{font-size:20px; padding:8px 24px;}"


class _Base(QDialog):
    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(520)
        self.box = QVBoxLayout(self)
        self.box.addWidget(QLabel(f"<b>{title}</b>"))

    def _buttons(self) -> None:
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.box.addWidget(buttons)


class ReasonDialog(_Base):
    """A reason picked from a list or typed (rejection: typed; pause: 午休/会议/系统故障 …)."""

    def __init__(self, title: str, choices: list[str], parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.addItems(choices)
        self.box.addWidget(self.combo)
        self._buttons()

    def reason(self) -> str:
        return self.combo.currentText().strip()

    @classmethod
    def for_pause(cls, lang: str, parent: QWidget | None = None) -> ReasonDialog:
        return cls(tr("pause_reason", lang), [pick(r, lang) for r in PAUSE_REASONS], parent)

    @classmethod
    def for_reject(cls, lang: str, parent: QWidget | None = None) -> ReasonDialog:
        dlg = cls(tr("reject_reason", lang), [], parent)
        edit = dlg.combo.lineEdit()
        if edit is not None:
            edit.setPlaceholderText(tr("reason", lang))
        return dlg


class TransferDialog(_Base):
    """Transfer to a service (same zone queue) or to another counter."""

    def __init__(self, lang: str, services: list[tuple[str, str]], counters: list[tuple[str, str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(tr("transfer", lang), parent)
        self.service = QComboBox()
        self.service.addItem("—", "")
        for code, name in services:
            self.service.addItem(name, code)
        self.counter = QComboBox()
        self.counter.addItem("—", "")
        for code, name in counters:
            self.counter.addItem(f"{name} ({code})", code)
        for key, combo in (("to_service", self.service), ("to_counter", self.counter)):
            self.box.addWidget(QLabel(tr(key, lang)))
            self.box.addWidget(combo)
        self._buttons()

    def target(self) -> tuple[str, str]:
        return str(self.service.currentData() or ""), str(self.counter.currentData() or "")


class ImageDialog(QDialog):
    """One scanned page at full size, scrollable."""

    def __init__(self, data: bytes, title: str, parent: QWidget | None = None,
                 lang: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        pixmap = QPixmap()
        pixmap.loadFromData(data)
        view = QLabel()
        view.setAlignment(Qt.AlignmentFlag.AlignCenter)
        view.setPixmap(pixmap)
        area = QScrollArea()
        area.setWidget(view)
        box = QVBoxLayout(self)
        box.addWidget(area, 1)
        # a touch screen has no window frame to close it by: a large close button
        self.close_btn = QPushButton("关闭 / Close" if lang is None else
                                     ("Close" if lang == "en" else "关闭"))
        self.close_btn.setStyleSheet("font-size:22px; padding:12px 32px; min-height:48px;")
        self.close_btn.clicked.connect(self.accept)
        box.addWidget(self.close_btn, 0, Qt.AlignmentFlag.AlignRight)
        self.resize(min(1600, pixmap.width() + 40), min(1000, pixmap.height() + 110))


def line(placeholder: str, password: bool = False) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit
