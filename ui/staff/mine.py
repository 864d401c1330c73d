"""The staff member's own views at the counter pad: 我的办件 (全程盯办: the cases they took in at
intake and where each is now, with its deadline while in approval) and 我的评价 (their ratings
of the last 90 days, with the appeal, 申诉, against one of them: docs/admin.md promises staff
appeal their own ratings at the terminal). Both ask the model when they open and show its
answer; they hold no flow logic."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kiosk.counter import APPEAL_MAX, CounterModel, MyCaseRow, RatingRow
from kiosk.counter_words import (
    APPEAL_PROBLEMS,
    APPEAL_WORDS,
    case_state_text,
    case_where,
    in_language,
)
from kiosk.pad import BAD_REASONS, LEVELS
from ui.i18n import pick
from ui.staff.dialogs import BUTTON_LOOK
from ui.theme import NORMAL

STYLE = ("QDialog{background:#ffffff;} QLabel{font-size:20px;} QTableWidget{font-size:19px;}"
         "QHeaderView::section{font-size:18px; padding:4px;}"
         "QLineEdit{font-size:22px; padding:8px; min-height:40px;}"
         "QPushButton{font-size:20px; padding:10px 28px; min-height:44px;}" + BUTTON_LOOK)
WORDS = {
    "cases": ("我的办件 · 全程盯办", "My cases"),
    "cases_intro": ("您在受理窗口转出的办件（近 30 天）及其现在所在环节。",
                    "The cases you moved on from intake (last 30 days) and where each is now."),
    "ratings": ("我的评价", "My ratings"),
    "ratings_intro": ("近 90 天群众对您的评价。认为评价不实的，可选中一条填写理由提出申诉，由主管审核。",
                      "Your ratings of the last 90 days. If one is unfair, choose it, give the "
                      "reason and appeal; a supervisor decides."),
    "loading": ("正在读取…", "Loading…"), "close": ("关闭", "Close"),
    "no_cases": ("近 30 天没有您转出的办件", "No cases of yours in the last 30 days"),
    "no_ratings": ("近 90 天没有评价", "No ratings in the last 90 days"),
    "number": ("号码", "Number"), "service": ("事项", "Service"),
    "taken": ("受理时间", "Taken in"), "now": ("现在", "Now"), "deadline": ("办结时限", "Deadline"),
    "rated": ("评价时间", "Rated"), "level": ("评价", "Rating"),
    "why": ("原因 / 意见", "Reasons / comment"), "appeal": ("申诉", "Appeal"),
    "reason": ("申诉理由", "Reason for the appeal"), "send": ("提出申诉", "Appeal"),
    "ended": ("已结束 {at}", "ended {at}"),
}


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setWordWrap(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(r, c, item)
    table.resizeRowsToContents()


class _MineDialog(QDialog):
    """The frame of both: title, a sentence, the table, a status line and 关闭."""

    def __init__(self, model: CounterModel, lang: str, title: str, intro: str,
                 headers: list[str], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.model, self.lang = model, lang
        self.setWindowTitle(title)
        self.setStyleSheet(STYLE)
        self.setMinimumSize(1000, 560)
        self.box = QVBoxLayout(self)
        self.box.addWidget(QLabel(f"<b>{title}</b>"))
        note = QLabel(intro)
        note.setWordWrap(True)
        self.box.addWidget(note)
        self.table = _table(headers)
        self.box.addWidget(self.table, 1)
        self.line = QLabel(pick(WORDS["loading"], lang))
        self.line.setObjectName("mineLine")
        self.line.setWordWrap(True)
        self.tail = QHBoxLayout()
        close = QPushButton(pick(WORDS["close"], lang))
        close.clicked.connect(self.reject)
        self.close_btn = close
        model.mineFailed.connect(self._failed)

    def _finish_layout(self) -> None:
        self.box.addWidget(self.line)
        self.tail.addStretch(1)
        self.tail.addWidget(self.close_btn)
        self.box.addLayout(self.tail)

    def _failed(self, text: str) -> None:
        self.say(in_language(text, self.lang), NORMAL.danger)

    def say(self, text: str, colour: str = NORMAL.muted) -> None:
        self.line.setStyleSheet(f"color:{colour}; font-size:20px;")
        self.line.setText(text)

    def _when(self, at: datetime | None) -> str:
        """A time in the hall's zone."""
        return at.astimezone(self.model.hall_tz()).strftime("%m-%d %H:%M") if at else ""

    def done(self, result: int) -> None:  # closed: no late answer reaches a dead dialog
        self.model.mineFailed.disconnect(self._failed)
        super().done(result)


class MyCasesDialog(_MineDialog):
    """我的办件 (全程盯办): number, service, when taken in, where it is now, its deadline."""

    def __init__(self, model: CounterModel, lang: str, parent: QWidget | None = None) -> None:
        heads = [pick(WORDS[k], lang) for k in ("number", "service", "taken", "now", "deadline")]
        super().__init__(model, lang, pick(WORDS["cases"], lang), pick(WORDS["cases_intro"], lang),
                         heads, parent)
        self._finish_layout()
        model.casesListed.connect(self._listed)
        model.list_my_cases()

    def row(self, c: MyCaseRow) -> list[str]:
        where = case_where(c.status, c.zone, c.counter, self.lang, self.model.counters)
        if c.ended_at is not None:
            where += " · " + pick(WORDS["ended"], self.lang).format(at=self._when(c.ended_at))
        # the deadline binds while the case is in approval (the server's `state` says so, in
        # working days; the row has no count, and the pad counts none in calendar days)
        due = case_state_text(c.deadline, c.state, self.model.hall_tz(), self.lang) if (
            c.deadline is not None and c.state is not None) else "—"
        return [c.number, c.service_name, self._when(c.taken_at), where, due]

    def _listed(self, rows: list[MyCaseRow]) -> None:
        _fill(self.table, [self.row(c) for c in rows])
        self.say("" if rows else pick(WORDS["no_cases"], self.lang))

    def done(self, result: int) -> None:
        self.model.casesListed.disconnect(self._listed)
        super().done(result)


class MyRatingsDialog(_MineDialog):
    """我的评价: each rating with its level, reasons and comment and its appeal's state; a chosen
    one not yet appealed can be appealed with a reason."""

    def __init__(self, model: CounterModel, lang: str, parent: QWidget | None = None) -> None:
        heads = [pick(WORDS[k], lang) for k in ("rated", "number", "service", "level", "appeal",
                                                "why")]
        super().__init__(model, lang, pick(WORDS["ratings"], lang),
                         pick(WORDS["ratings_intro"], lang), heads, parent)
        self._rows: list[RatingRow] = []
        row = QHBoxLayout()
        row.addWidget(QLabel(pick(WORDS["reason"], lang)))
        self.reason = QLineEdit()
        self.reason.setObjectName("appealReason")
        self.reason.setMaxLength(APPEAL_MAX)
        self.reason.returnPressed.connect(self.send)
        row.addWidget(self.reason, 1)
        self.send_btn = QPushButton(pick(WORDS["send"], lang))
        self.send_btn.setObjectName("appeal")
        self.send_btn.clicked.connect(self.send)
        self.send_btn.setEnabled(False)
        row.addWidget(self.send_btn)
        self.box.addLayout(row)
        self._finish_layout()
        self.table.itemSelectionChanged.connect(self._chosen)
        model.ratingsListed.connect(self._listed)
        model.appealFiled.connect(self._filed)
        model.list_my_ratings()

    def row(self, r: RatingRow) -> list[str]:
        why = "、".join(pick(BAD_REASONS.get(x, (x, x)), self.lang) for x in r.reasons)
        if r.comment:
            why = f"{why} · {r.comment}" if why else r.comment
        level = pick(LEVELS.get(r.level, (str(r.level), str(r.level))), self.lang)
        return [self._when(r.rated_at), r.number, r.service_name, level,
                pick(APPEAL_WORDS.get(r.appeal, APPEAL_WORDS[None]), self.lang), why or "—"]

    def _listed(self, rows: list[RatingRow]) -> None:
        self._rows = list(rows)
        _fill(self.table, [self.row(r) for r in self._rows])
        for r, rating in enumerate(self._rows):
            if rating.level <= 2:  # the ratings a follow-up is opened for
                item = self.table.item(r, 3)
                if item is not None:
                    item.setForeground(Qt.GlobalColor.darkRed)
        self._chosen()
        self.say("" if rows else pick(WORDS["no_ratings"], self.lang))

    def chosen(self) -> RatingRow | None:
        r = self.table.currentRow()
        return self._rows[r] if 0 <= r < len(self._rows) and self.table.selectedItems() else None

    def _chosen(self) -> None:
        rating = self.chosen()
        self.send_btn.setEnabled(rating is not None and rating.appeal is None)

    def send(self) -> None:
        rating = self.chosen()
        if rating is None or rating.appeal is not None:
            self.say(in_language(APPEAL_PROBLEMS["pick"], self.lang), NORMAL.danger)
            return
        self.send_btn.setEnabled(False)
        self.model.appeal(rating.id, rating.number, self.reason.text())

    def _failed(self, text: str) -> None:
        super()._failed(text)
        self._chosen()  # the reason can be mended and sent again

    def _filed(self, said: str) -> None:
        self.reason.clear()
        self.say(said, NORMAL.accent)

    def done(self, result: int) -> None:
        self.model.ratingsListed.disconnect(self._listed)
        self.model.appealFiled.disconnect(self._filed)
        self.reason.clear()
        super().done(result)
