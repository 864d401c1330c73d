"""The counter pad's safeguards: the question before 办结 where the route goes on and before
logging out with a ticket in hand, the offer to undo the last finish, the list of held (挂起)
tickets to take back, and the dialog of a chosen number (search it, or call it here).
Their words are in ui/i18n.py (desk_*), one language at a time, but for the undo's, which
names what it undoes."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.i18n import pick, tr
from ui.staff.dialogs import BUTTON_LOOK
from ui.staff.dialogs import STYLE as DIALOG_STYLE
from ui.widgets.flow import FlowLayout

# the undo offer names what it takes back: a finish, a move on to the next zone, a rejection
UNDO_WORDS = {"done": ("撤销办结 {number}（{s}）", "Undo finish {number} ({s})"),
              "next": ("撤销转下一环节 {number}（{s}）", "Undo move on {number} ({s})"),
              "rejected": ("撤销不予受理 {number}（{s}）", "Undo rejection {number} ({s})"),
              "supplement": ("撤销补正 {number}（{s}）", "Undo papers request {number} ({s})")}


def undo_text(outcome: str, number: str, seconds: int, lang: str) -> str:
    return pick(UNDO_WORDS.get(outcome, UNDO_WORDS["done"]), lang).format(number=number,
                                                                            s=seconds)


def question_box(parent: QWidget | None, lang: str, text: str, yes: str,
                 alternative: str | None = None
                 ) -> tuple[QMessageBox, QPushButton, QPushButton | None]:
    """The question box of `ask`, not yet shown: (box, its yes button, its alternative)."""
    box = QMessageBox(QMessageBox.Icon.Question, "快办" if lang != "en" else "Kuaiban", text,
                      parent=parent)
    box.setStyleSheet("QLabel{font-size:22px;} QPushButton{font-size:22px; padding:12px 24px;"
                      "min-height:48px;}" + BUTTON_LOOK)
    alt = box.addButton(alternative, QMessageBox.ButtonRole.AcceptRole) if alternative else None
    ok = box.addButton(yes, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(tr("desk_cancel", lang), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    return box, ok, alt


def ask(parent: QWidget, lang: str, text: str, yes: str, alternative: str | None = None
        ) -> str:
    """A question with large buttons; the safe answer (cancel) is the default. Answers "yes",
    "alternative" or "cancel"."""
    box, ok, alt = question_box(parent, lang, text, yes, alternative)
    box.exec()
    clicked = box.clickedButton()
    return "yes" if clicked is ok else "alternative" if alt and clicked is alt else "cancel"


class NumberDialog(QDialog):
    """A ticket number typed in: search it (any status, today), or call it at this counter."""

    def __init__(self, lang: str, can_call: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("desk_call_number", lang))
        self.setStyleSheet(DIALOG_STYLE)
        self.setMinimumWidth(520)
        self.choice = ""
        box = QVBoxLayout(self)
        box.addWidget(QLabel(f"<b>{tr('desk_call_number', lang)} / {tr('desk_search', lang)}</b>"))
        self.number = QLineEdit()
        self.number.setPlaceholderText(tr("desk_number", lang))
        self.number.setMaxLength(8)
        box.addWidget(self.number)
        row = QHBoxLayout()
        self.search = QPushButton(tr("desk_search", lang))
        self.call = QPushButton(tr("desk_call_here", lang))
        self.call.setEnabled(can_call)
        cancel = QPushButton(tr("desk_cancel", lang))
        for btn, choice in ((self.search, "search"), (self.call, "call")):
            btn.clicked.connect(lambda _c=False, ch=choice: self._choose(ch))
        cancel.clicked.connect(self.reject)
        for btn in (self.search, self.call, cancel):
            row.addWidget(btn)
        box.addLayout(row)
        self.number.returnPressed.connect(lambda: self._choose("search"))

    def _choose(self, choice: str) -> None:
        if self.number.text().strip():
            self.choice = choice
            self.accept()


class HeldList(QWidget):
    """The tickets this counter holds, one small button each to take it back, side by side
    while they fit (three full-size buttons, one a line, took 250 px of a 768 px screen)."""

    def __init__(self, lang: str, take_back: Callable[[str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang, self._take_back = lang, take_back
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.title = QLabel(f"<b>{tr('desk_held', lang)}</b>")
        self.box.addWidget(self.title)
        self.row = FlowLayout(spacing=6, fill=True)
        self.box.addLayout(self.row)
        self.buttons: list[QPushButton] = []
        self._shown: list[tuple[str, str]] = []

    def show_held(self, held: list[tuple[str, str]], enabled: bool) -> None:
        held = held[:3]  # more would push the buttons off a 1366x768 screen; the rest wait
        if held != self._shown:
            for btn in self.buttons:
                self.row.removeWidget(btn)
                btn.deleteLater()
            self.buttons = []
            for ticket_id, number in held:
                btn = QPushButton(tr("desk_take_back", self.lang, number=number))
                btn.setObjectName("small")  # the pad's style of its smaller buttons
                btn.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # as the pad's other buttons
                btn.clicked.connect(lambda _c=False, t=ticket_id: self._take_back(t))
                self.row.addWidget(btn)
                self.buttons.append(btn)
            self._shown = held
        for btn in self.buttons:
            btn.setEnabled(enabled)
        self.setVisible(bool(held))
