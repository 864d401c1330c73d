"""The approval counter's list of deadline alerts (限时办结): the cases it may call or holds that
are overdue or due today, each with its number, where it stands in working days (as the server
counts them on the hall's calendar) and its deadline's date in the hall's time. It stays while
the cases do (a notice on the status line goes after a minute, seen or not); at most `SHOWN`
lines and a sum of the rest, so a bad day never pushes the action buttons off a 1366x768
screen. A case waiting to be called is called from its line: a tap on its number calls that very
case (叫指定号 by its id: numbers repeat across days, and the list shows the day a number was
taken when it is not today's)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from kiosk.counter import CounterModel
from kiosk.counter_view import CaseAlert
from ui.i18n import pick
from ui.theme import NORMAL

SHOWN = 3
WORDS = {"title": ("限时办结 · {n} 件", "Deadlines · {n}"), "more": ("另 {n} 件", "{n} more"),
         "tap": ("点号码叫号", "tap to call")}


class DeadlineList(QLabel):
    def __init__(self, model: CounterModel, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model, self.lang = model, lang
        self.setObjectName("deadlines")
        # one line per case, not wrapped: a wrapped label's height is not one the side card's
        # layout keeps, and its last line was clipped under three held tickets at 747 px
        self.setWordWrap(False)
        self.setMinimumWidth(1)
        self.setStyleSheet(f"font-size:18px; background:#fdecee; color:{NORMAL.fg};"
                           "border-radius:8px; padding:4px 8px;")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.linkActivated.connect(self.call)
        self.hide()

    def callable(self, alert: CaseAlert) -> bool:
        """Whether a tap on the line calls its case: it waits (in approval, or for papers that
        never came) and someone is signed in (the server says why not when the counter is at
        a ticket: 请先处理完当前号)."""
        return alert.counter is None and self.model.logged_in

    def call(self, ticket: str) -> None:
        alert = self.model.alerts.get(ticket)  # (the line's case: the model keeps them by id)
        if alert is not None and self.callable(alert) and not self.model.busy:
            self.model.call_case(alert)

    def line(self, alert: CaseAlert) -> str:
        colour = NORMAL.danger if alert.kind == "overdue" else NORMAL.warn
        # how far past it in working days, as the server counted them, and its date (short:
        # the time, 23:59 by rule, made an English line longer than the card)
        said = self.model.deadline_short(alert)
        number = self.model.case_number(alert)
        if self.callable(alert):
            number = (f"<a href='{alert.ticket}' style='color:{NORMAL.fg}'>{number}</a>")
        return f"<b>{number}</b> <span style='color:{colour}'>{said}</span>"

    def refresh(self) -> None:
        alerts = self.model.deadline_alerts()
        self.setVisible(bool(alerts))
        if not alerts:
            self.setText("")
            return
        lines = [self.line(a) for a in alerts[:SHOWN]]
        if len(alerts) > SHOWN:
            lines.append(pick(WORDS["more"], self.lang).format(n=len(alerts) - SHOWN))
        title = pick(WORDS["title"], self.lang).format(n=len(alerts))
        if any(self.callable(a) for a in alerts[:SHOWN]):
            title += f" <span style='font-weight:normal'>· {pick(WORDS['tap'], self.lang)}</span>"
        self.setText(f"<b style='color:{NORMAL.danger}'>{title}</b><br>" + "<br>".join(lines))
