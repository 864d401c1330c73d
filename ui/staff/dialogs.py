"""The counter pad's small dialogs: reason for a rejection or a pause, the target of a transfer
(each counter with its state: nobody signed in, paused), and a scanned page at full size; and
the focus ring every button of the pad shows (the platform's dotted one was nearly invisible)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPixmap, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QScrollArea,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from kiosk.counter import REJECT_REASON_MAX
from kiosk.counter_words import REASON_UNFINISHED, counter_label, reason_unfinished
from ui.i18n import PAUSE_REASONS, pick, tr
from ui.theme import NORMAL

# A keyboard's focus, plainly: a 3 px yellow ring on every button, which stands out on the
# pad's blue, red and orange (the platform's dotted one was nearly invisible on them)
FOCUS_RING = "#ffd400"
FOCUS = (f"QPushButton {{ border:3px solid transparent; }}"
         f"QPushButton:focus {{ border:3px solid {FOCUS_RING}; }}")
# a dialog's buttons as the pad's (a dialog the pad opens took them from it; now one opened on
# its own looks the same), with the same ring
BUTTON_LOOK = (f"QPushButton{{background:{NORMAL.accent}; color:white; border-radius:10px;}}"
               "QPushButton:disabled{background:#c7ccd6; color:#f4f6fa;}" + FOCUS)
DIALOG_BUTTONS = "QPushButton{font-size:20px; padding:8px 24px; min-height:36px;}" + BUTTON_LOOK
TOUCH_ROW_PX = 48  # a row of a drop-down list, for a finger (it was ~22 px)
STYLE = ("QDialog{background:#ffffff;} QLabel{font-size:20px;} QComboBox,QLineEdit{font-size:20px;"
         "padding:8px; min-height:36px;} "
         f"QComboBox QAbstractItemView{{font-size:20px;}} QComboBox QAbstractItemView::item{{"
         f"min-height:{TOUCH_ROW_PX}px; padding:0 12px;}}" + DIALOG_BUTTONS)
# 补正's dialog: its title, the note's placeholder, the hint while nothing is asked for
PAPERS_WORDS = {"title": ("补正：勾选缺少的材料（一次性告知）", "Request the papers missing (told all at once)"),
                "note": ("补充说明（可选）", "A note (optional)"),
                "required": ("请勾选或写明需补正的材料", "Tick or name the papers missing")}
# the hint of a reason the dialog will not go without (不予受理 is told to the citizen)
REASON_REQUIRED = ("未填写原因，不能确定", "A reason is required before OK")
# 不予受理: the usual reasons, picked and then completed after the colon (the citizen's page
# shows what is sent); ui.i18n's REJECT_REASONS with Chinese punctuation
REJECT_PRESETS = [("材料不齐全，需补齐：", "Papers missing: "),
                  ("材料不符合法定形式：", "Papers not in the required form: "),
                  ("不属于本事项受理范围", "Not within this service's scope"),
                  ("申请人不符合办理条件：", "The applicant does not meet the conditions: ")]


def touch_list(combo: QComboBox) -> None:
    """A combo box's drop-down with rows a finger hits (TOUCH_ROW_PX) in the dialog's font,
    as wide as the box (the platform's menu-like list ignored the style sheet's rows)."""
    view = QListView()
    view.setItemDelegate(QStyledItemDelegate(view))  # the delegate that honours ::item
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    combo.setView(view)


class _Base(QDialog):
    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setStyleSheet(STYLE)
        self.setMinimumWidth(520)
        self.box = QVBoxLayout(self)
        self.box.addWidget(QLabel(f"<b>{title}</b>"))

    def _buttons(self, lang: str = "zh") -> None:
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        for which, pair in ((QDialogButtonBox.StandardButton.Ok, ("确定", "OK")),
                            (QDialogButtonBox.StandardButton.Cancel, ("取消", "Cancel"))):
            button = self.buttons.button(which)
            if button is not None:  # Qt's own words are English: the pad's language instead
                button.setText(pick(pair, lang))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.box.addWidget(self.buttons)

    @property
    def ok_button(self) -> QPushButton:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        return ok


class ReasonDialog(_Base):
    """A reason picked from a list or typed (rejection: typed; pause: 午休/会议/系统故障 …)."""

    def __init__(self, title: str, choices: list[str], parent: QWidget | None = None,
                 required: str = "", lang: str = "zh") -> None:
        super().__init__(title, parent)
        self.combo = QComboBox()
        self.combo.setEditable(True)
        touch_list(self.combo)
        self.combo.addItems(choices)
        self.box.addWidget(self.combo)
        # `required`: the hint under the field while it is blank (or only a template up to
        # its colon), and OK stays disabled
        self._required, self._lang = required, lang
        self.hint = QLabel(required)
        self.hint.setStyleSheet(f"color:{NORMAL.danger}; font-size:18px;")
        self.hint.setVisible(bool(required))
        self.box.addWidget(self.hint)
        self._buttons(lang)
        if required:
            self.combo.currentTextChanged.connect(self._check)
            self._check()

    def _check(self) -> None:
        unfinished = self._unfinished()
        self.ok_button.setEnabled(not unfinished)
        self.hint.setText(pick(REASON_UNFINISHED, self._lang) if self.reason()
                          else self._required)
        self.hint.setVisible(unfinished)

    def _unfinished(self) -> bool:
        """A required reason not given: blank, or a template up to its colon
        ("材料不齐全，需补齐：" and nothing after)."""
        return bool(self._required) and reason_unfinished(self.reason())

    def accept(self) -> None:
        if self._unfinished():
            return  # a required reason: Enter in the blank field does not close the dialog
        super().accept()

    def reason(self) -> str:
        return self.combo.currentText().strip()

    @classmethod
    def for_pause(cls, lang: str, parent: QWidget | None = None) -> ReasonDialog:
        return cls(tr("pause_reason", lang), [pick(r, lang) for r in PAUSE_REASONS], parent,
                   lang=lang)

    @classmethod
    def for_reject(cls, lang: str, parent: QWidget | None = None) -> ReasonDialog:
        dlg = cls(tr("reject_reason", lang), [pick(r, lang) for r in REJECT_PRESETS], parent,
                  required=pick(REASON_REQUIRED, lang), lang=lang)
        dlg.combo.setCurrentIndex(-1)  # nothing chosen: a reason is still to be given
        edit = dlg.combo.lineEdit()
        if edit is not None:
            edit.clear()
            edit.setPlaceholderText(tr("reason", lang))
            edit.setMaxLength(REJECT_REASON_MAX)  # what the server takes
            edit.setFocus()
        return dlg


class PaperRow(QWidget):
    """A paper to tick: its box and its name, wrapped (a long name was cut mid-word beside a
    box that cannot wrap); a touch anywhere on the row ticks it, a finger's height at least."""

    def __init__(self, shown: str) -> None:
        super().__init__()
        self.setMinimumHeight(TOUCH_ROW_PX)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 4, 4, 4)
        self.tick = QCheckBox()
        self.tick.setStyleSheet("QCheckBox::indicator{width:30px; height:30px;}")
        self.label = QLabel(shown)
        self.label.setWordWrap(True)
        self.label.setStyleSheet("font-size:20px;")
        row.addWidget(self.tick, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.label, 1)

    def mouseReleaseEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        self.tick.toggle()
        super().mouseReleaseEvent(event)


class PapersDialog(_Base):
    """补正: the papers of the case's service to ask for, ticked (all at once: 一次性告知), and a
    note. `papers`: (the name the server keeps, the name shown in the pad's language). A long
    list scrolls within the screen."""

    def __init__(self, lang: str, papers: list[tuple[str, str]], parent: QWidget | None = None
                 ) -> None:
        super().__init__(pick(PAPERS_WORDS["title"], lang), parent)
        self.setMinimumWidth(720)
        self.ticks: list[tuple[str, QCheckBox]] = []
        self.labels: list[QLabel] = []
        rows = QWidget()
        column = QVBoxLayout(rows)
        column.setContentsMargins(0, 0, 0, 0)
        for name, shown in papers:
            row = PaperRow(shown)
            row.tick.toggled.connect(self._check)
            column.addWidget(row)
            self.ticks.append((name, row.tick))
            self.labels.append(row.label)
        column.addStretch(1)
        area = QScrollArea()
        area.setWidget(rows)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setObjectName("papers")
        area.setStyleSheet("#papers, #papers > QWidget > QWidget { background: transparent; }")
        screen = (parent.screen() if parent is not None else None) or \
            QGuiApplication.primaryScreen()
        room = screen.availableGeometry().height() if screen is not None else 768
        area.setMaximumHeight(max(TOUCH_ROW_PX * 3, room - 300))  # title, note and buttons
        area.setMinimumHeight(min(rows.sizeHint().height(), room - 300))
        self.box.addWidget(area, 1)
        self.note = QLineEdit()
        self.note.setPlaceholderText(pick(PAPERS_WORDS["note"], lang))
        self.note.setMaxLength(REJECT_REASON_MAX)  # what the server takes
        self.note.textChanged.connect(self._check)
        self.box.addWidget(self.note)
        self.hint = QLabel(pick(PAPERS_WORDS["required"], lang))
        self.hint.setStyleSheet(f"color:{NORMAL.danger}; font-size:18px;")
        self.box.addWidget(self.hint)
        self._buttons(lang)
        self._check()

    def _check(self) -> None:
        given = bool(self.papers() or self.note.text().strip())
        self.ok_button.setEnabled(given)
        self.hint.setVisible(not given)

    def papers(self) -> list[str]:
        return [name for name, tick in self.ticks if tick.isChecked()]


class TransferDialog(_Base):
    """Transfer to a service (same zone queue) or to another counter; each counter says its
    state (`states`: code -> "unstaffed", "paused", "closed", "staffed" or None, unknown):
    "W06 6号窗口 综合受理（无人）". A closed one cannot be chosen (the server refuses it)."""

    def __init__(self, lang: str, services: list[tuple[str, str]], counters: list[tuple[str, str]],
                 parent: QWidget | None = None, states: dict[str, str | None] | None = None
                 ) -> None:
        super().__init__(tr("transfer", lang), parent)
        self.service = QComboBox()
        touch_list(self.service)
        self.service.addItem("—", "")
        for code, name in services:
            self.service.addItem(name, code)
        self.counter = QComboBox()
        touch_list(self.counter)
        self.counter.addItem("—", "")
        for code, name in counters:
            state = (states or {}).get(code)
            self.counter.addItem(counter_label(code, name, state, lang), code)
            if state == "closed":
                model = self.counter.model()
                if isinstance(model, QStandardItemModel):
                    item = model.item(self.counter.count() - 1)
                    if item is not None:
                        item.setEnabled(False)
        for key, combo in (("to_service", self.service), ("to_counter", self.counter)):
            self.box.addWidget(QLabel(tr(key, lang)))
            self.box.addWidget(combo)
        self._buttons(lang)

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
        # within the screen (a page 1000 px high put 关闭 below a 1366x768 counter's screen);
        # the page scrolls inside
        screen = (parent.screen() if parent is not None else None) or \
            QGuiApplication.primaryScreen()
        room = screen.availableGeometry().size() if screen is not None else None
        width, height = min(1600, pixmap.width() + 40), min(1000, pixmap.height() + 110)
        if room is not None:
            width, height = min(width, room.width() - 24), min(height, room.height() - 48)
        self.resize(width, height)


def line(placeholder: str, password: bool = False) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    if password:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit
