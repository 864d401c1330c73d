"""The counter pad's panel of the current ticket: number (with a mark when a bank branch
forwarded it), status, service, time waited, priority and why, masked identity, how the result
reaches its holder (证照寄送) with the button that records it, the papers list, and the pages
scanned at the kiosk or the branch as thumbnails that open at full size."""

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
         "branch_pages": ("{n} 页在网点扫描", "{n} scanned at the branch")}


def card() -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("card")
    return frame, QVBoxLayout(frame)


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
        self.delivery.setStyleSheet("font-size:18px; padding:6px 12px; min-height:34px;")
        self.delivery.hide()  # shown while it applies (refresh): no room taken before
        mark = QVBoxLayout()
        mark.setSpacing(4)
        mark.addWidget(self.number)
        mark.addWidget(self.origin, 0, Qt.AlignmentFlag.AlignHCenter)
        mark.addWidget(self.delivery)
        mark.addStretch(1)
        top.addLayout(mark)
        top.addWidget(self.details, 1)
        top.addWidget(self.papers, 1)
        box.addLayout(top, 1)
        # A priority reason the citizen declared at the kiosk (green channel): staff check it.
        self.confirm, self.deny = QPushButton(tr("confirm", lang)), QPushButton(tr("deny", lang))
        self.confirm.setObjectName("confirmPriority")
        self.deny.setObjectName("denyPriority")
        self.confirm.clicked.connect(lambda: model.confirm_priority(True))
        self.deny.clicked.connect(lambda: model.confirm_priority(False))
        judge = QHBoxLayout()
        judge.addWidget(self.confirm)
        judge.addWidget(self.deny)
        judge.addStretch(1)
        box.addLayout(judge)
        self.scans_title = QLabel()
        box.addWidget(self.scans_title)
        self.scans = QListWidget()
        self.scans.setViewMode(QListWidget.ViewMode.IconMode)
        self.scans.setIconSize(QSize(96, 128))
        self.scans.setFixedHeight(164)  # icons and their page numbers; 172 made the pad 773 px
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
            return
        self.number.setText(t.number)
        if t.origin is not None:
            self.origin.setText(pick(ORIGIN_WORDS.get(t.origin, (t.origin, t.origin)), lang))
        status = pick(STATUS.get(t.status, (t.status, t.status)), lang)
        rows = [(tr("status", lang), status), (tr("service", lang), t.service_name),
                (tr("waited_label", lang), tr("counter_minutes", lang, m=t.waited_min))]
        if t.priority:
            why = pick(ELDERLY_REASONS.get(t.priority_reason or "", ("", "")), lang)
            if t.priority_declared:
                judged = {None: "declared", True: "confirmed", False: "not_confirmed"}
                why += f"({tr(judged[t.priority_confirmed], lang)})"
            rows.append((tr("priority", lang),
                         f"<span style='color:{NORMAL.primary}'>★ {why}</span>"))
        ident = " ".join(x for x in (t.masked_name, t.masked_id) if x)
        if ident:
            rows.append((tr("identity", lang), ident))
        if t.mail_offered or t.delivery:
            how = pick(DELIVERY_WORDS.get(t.delivery, DELIVERY_WORDS[None]), lang)
            rows.append((pick(WORDS["delivery"], lang), how if t.delivery else
                         f"<span style='color:{NORMAL.warn}'>{how}</span>"))
        papers = "".join(f"<li>{p}</li>" for p in t.materials) or "<li>—</li>"
        table = "".join(f"<tr><td style='color:{NORMAL.muted}'>{k}</td><td>&nbsp;{v}</td></tr>"
                        for k, v in rows)
        self.details.setText(f"<table style='font-size:22px'>{table}</table>")
        self.papers.setText(f"<b>{tr('counter_papers', lang)}</b><ol>{papers}</ol>")
        branch = (" · " + pick(WORDS["branch_pages"], lang).format(n=t.branch_pages)
                  if t.branch_pages else "")
        self.scans_title.setText(f"<b>{tr('scanned', lang)}</b> · {len(t.documents)}{branch} · "
                                 f"{tr('open_full', lang) if t.documents else tr('no_scans', lang)}")
        for doc in t.documents:
            pixmap = QPixmap()
            pixmap.loadFromData(self.model.thumbnails.get(doc.id, b""))
            item = QListWidgetItem(QIcon(pixmap), f"{doc.page}")
            item.setData(Qt.ItemDataRole.UserRole, doc.id)
            self.scans.addItem(item)
