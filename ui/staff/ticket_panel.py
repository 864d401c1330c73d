"""The counter pad's panel of the current ticket: number (with a mark when a bank branch
forwarded it), status (with its recalls), service, time waited, priority and why (with the
buttons that confirm a declared reason), masked identity, its deadline (办结时限) and where it
stands (in the hall's working days), how the result reaches its holder (证照寄送) with the
button that records it, the papers list, and the pages scanned at the kiosk or the branch as thumbnails that open at full
size. Every row of it fits a 1366x768 screen: the buttons sit in the number's column, not in
rows of their own."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from kiosk.counter import CounterModel
from kiosk.counter_words import DELIVERY_WORDS, ORIGIN_WORDS
from ui.i18n import ELDERLY_REASONS, STATUS, pick, tr
from ui.staff.dialogs import ImageDialog
from ui.theme import NORMAL

WORDS = {"delivery": ("证照领取", "Delivery"), "delivery_btn": ("证照寄送", "Delivery"),
         "branch_pages": ("{n} 页在网点扫描", "{n} scanned at the branch"),
         "deadline": ("办结时限", "Deadline"), "recalls": ("已重呼 {n} 次", "recalled {n}×"),
         "asked": ("补正材料", "Papers asked"),  # a case back from 补正: what to take in
         "stopped": ("补正暂停计时，递交后顺延", "stopped for the papers, moves on when in"),
         # a priority reason the citizen declared, and the counter's judgement of it
         "declared": ("群众自报，请核实", "declared: to check")}
SMALL_BUTTON = "font-size:18px; padding:4px 8px; min-height:34px;"  # in the number's column
STATE_COLOURS = {"overdue": NORMAL.danger, "due_today": NORMAL.warn}


def card() -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("card")
    return frame, QVBoxLayout(frame)



def waited_words(minutes: int, lang: str) -> str:
    """How long since the number was taken, in the unit that reads: minutes, hours, days (a
    case in approval for nine days read 等候时长 12960 分钟)."""
    if minutes < 60:
        return tr("counter_minutes", lang, m=minutes)
    if minutes < 24 * 60:
        return tr("counter_hours", lang, h=minutes // 60, m=minutes % 60)
    return tr("counter_days", lang, d=minutes // (24 * 60), h=minutes // 60 % 24)

class TicketPanel(QFrame):
    def __init__(self, model: CounterModel, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.model, self.lang = model, lang
        box = QVBoxLayout(self)
        self.number = QLabel()
        self.number.setStyleSheet(f"font-size:96px; font-weight:700; color:{NORMAL.primary};")
        # where the application came from (a bank branch's forward): under the number, small
        self.origin = QLabel()
        self.origin.setObjectName("origin")
        self.origin.setStyleSheet(f"font-size:18px; font-weight:700; color:white; background:"
                                  f"{NORMAL.accent}; border-radius:8px; padding:2px 10px;")
        self.origin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.origin.hide()
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.papers = QLabel()
        self.papers.setWordWrap(True)
        self.papers.setAlignment(Qt.AlignmentFlag.AlignTop)
        top = QHBoxLayout()
        # 证照寄送: the holder's choice, at an intake counter (the window opens the dialog); in
        # the number's column, where a 1366x768 screen has room, not in a row of its own
        self.delivery = QPushButton(pick(WORDS["delivery_btn"], lang))
        self.delivery.setObjectName("delivery")
        self.delivery.setStyleSheet(SMALL_BUTTON)
        self.delivery.hide()  # shown while it applies (refresh): no room taken before
        # A priority reason the citizen declared at the kiosk (green channel): staff check it.
        # Small, under the number: a row of its own made the pad 798 px high (F7-F12 cut off).
        self.confirm, self.deny = QPushButton(tr("confirm", lang)), QPushButton(tr("deny", lang))
        self.confirm.setObjectName("confirmPriority")
        self.deny.setObjectName("denyPriority")
        self.confirm.clicked.connect(lambda: model.confirm_priority(True))
        self.deny.clicked.connect(lambda: model.confirm_priority(False))
        judge = QHBoxLayout()
        judge.setSpacing(4)
        for btn in (self.confirm, self.deny):
            btn.setStyleSheet(SMALL_BUTTON)
            btn.hide()
            judge.addWidget(btn)
        mark = QVBoxLayout()
        mark.setSpacing(4)
        mark.addWidget(self.number)
        mark.addWidget(self.origin, 0, Qt.AlignmentFlag.AlignHCenter)
        mark.addLayout(judge)
        mark.addWidget(self.delivery)
        mark.addStretch(1)
        top.addLayout(mark)
        # the details' rows hold a masked ID and a deadline on one line each: more of the width
        top.addWidget(self.details, 3)
        top.addWidget(self.papers, 2)
        box.addLayout(top, 1)
        self.scans_title = QLabel()
        box.addWidget(self.scans_title)
        self.scans = QListWidget()
        self.scans.setViewMode(QListWidget.ViewMode.IconMode)
        # icons and their page numbers: 96x128 icons (164 px) left a declared priority, a
        # deadline and 证照领取 clipped at 747 px (a maximized pad under its title bar)
        self.scans.setIconSize(QSize(72, 96))
        self.scans.setFixedHeight(128)
        self.scans.itemDoubleClicked.connect(self._open_scan)
        box.addWidget(self.scans)

    def _open_scan(self, item: QListWidgetItem) -> None:
        data = self.model.thumbnails.get(int(item.data(Qt.ItemDataRole.UserRole)))
        if data:
            ImageDialog(data, item.text(), self, self.lang).exec()

    def refresh(self) -> None:
        t, lang = self.model.current, self.lang
        self.scans.clear()
        judging = "confirm-priority" in self.model.allowed()
        self.confirm.setVisible(judging)
        self.deny.setVisible(judging)
        self.delivery.setVisible("delivery" in self.model.allowed())
        self.origin.setVisible(t is not None and t.origin is not None)
        if t is None:
            self.number.setText("")
            self.details.setText(f"<p style='font-size:26px;color:{NORMAL.muted}'>"
                                 f"{tr('none_current', lang)}</p>")
            self.scans_title.setText("")
            self.papers.setText("")
            self.scans.hide()
            return
        self.number.setText(t.number)
        if t.origin is not None:
            self.origin.setText(pick(ORIGIN_WORDS.get(t.origin, (t.origin, t.origin)), lang))
        status = pick(STATUS.get(t.status, (t.status, t.status)), lang)
        if t.recalls:  # 过号 may ask for a number of recalls first: say how many were made
            status += " · " + pick(WORDS["recalls"], lang).format(n=t.recalls)
        rows = [(tr("status", lang), status), (tr("service", lang), t.service_name),
                (tr("waited_label", lang), waited_words(t.waited_min, lang))]
        if t.priority:
            why = pick(ELDERLY_REASONS.get(t.priority_reason or "", ("", "")), lang)
            if t.priority_declared:  # (the buttons to judge it are under the number)
                judged = (pick(WORDS["declared"], lang) if t.priority_confirmed is None else
                          tr("confirmed" if t.priority_confirmed else "not_confirmed", lang))
                why += f" ({judged})" if lang == "en" else f"（{judged}）"
            rows.append((tr("priority", lang),
                         f"<span style='color:{NORMAL.primary}'>★ {why}</span>"))
        ident = " ".join(f"<span style='white-space:nowrap'>{x}</span>"
                         for x in (t.masked_name, t.masked_id) if x)
        if ident:
            rows.append((tr("identity", lang), ident))
        zone = self.model.state.zone if self.model.state is not None else ""
        if t.deadline is not None and t.asked is not None and zone != "approval":
            # back from 补正: its clock stopped while the papers were missing (not overdue)
            when = self.model.deadline_words(t.deadline, t.deadline_provisional)[0]
            rows.append((pick(WORDS["deadline"], lang),
                         f"{when.split(' · ')[0]} · {pick(WORDS['stopped'], lang)}"))
        elif t.deadline is not None:
            when, state = self.model.deadline_words(t.deadline, t.deadline_provisional,
                                                    t.workdays_left)
            colour = STATE_COLOURS.get(state)
            rows.append((pick(WORDS["deadline"], lang), when if colour is None else
                         f"<span style='color:{colour}; font-weight:700'>{when}</span>"))
        if t.asked is not None:  # 补正: what the approval post asked for, to take in now
            asked = "、".join(t.asked) + ("；" if t.asked and t.asked_note else "") + (
                t.asked_note or "")
            rows.append((pick(WORDS["asked"], lang),
                         f"<span style='color:{NORMAL.warn}; font-weight:700'>{asked}</span>"))
        if t.mail_offered or t.delivery:
            how = pick(DELIVERY_WORDS.get(t.delivery, DELIVERY_WORDS[None]), lang)
            rows.append((pick(WORDS["delivery"], lang), how if t.delivery else
                         f"<span style='color:{NORMAL.warn}'>{how}</span>"))
        papers = "".join(f"<li>{p}</li>" for p in t.materials) or "<li>—</li>"
        # the names never wrap ("等候时 / 长" took a line the screen lacks)
        table = "".join(f"<tr><td style='color:{NORMAL.muted}; white-space:nowrap'>{k}</td>"
                        f"<td>&nbsp;{v}</td></tr>" for k, v in rows)
        self.details.setText(f"<table style='font-size:21px'>{table}</table>")
        self.papers.setText(f"<b>{tr('counter_papers', lang)}</b><ol>{papers}</ol>")
        branch = (" · " + pick(WORDS["branch_pages"], lang).format(n=t.branch_pages)
                  if t.branch_pages else "")
        self.scans_title.setText(f"<b>{tr('scanned', lang)}</b> · {len(t.documents)}{branch} · "
                                 f"{tr('open_full', lang) if t.documents else tr('no_scans', lang)}")
        # no pages: the list's 164 px go to the rows above (a declared priority, a deadline)
        self.scans.setVisible(bool(t.documents))
        for doc in t.documents:
            pixmap = QPixmap()
            pixmap.loadFromData(self.model.thumbnails.get(doc.id, b""))
            item = QListWidgetItem(QIcon(pixmap), f"{doc.page}")
            item.setData(Qt.ItemDataRole.UserRole, doc.id)
            self.scans.addItem(item)
