"""The counter pad's panel of the current ticket: number, status, service, time waited,
priority and why, masked identity, the papers list, and the pages scanned at the kiosk as
thumbnails that open at full size."""

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
from ui.i18n import ELDERLY_REASONS, STATUS, pick, tr
from ui.staff.dialogs import ImageDialog
from ui.theme import NORMAL


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
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.papers = QLabel()
        self.papers.setWordWrap(True)
        self.papers.setAlignment(Qt.AlignmentFlag.AlignTop)
        top = QHBoxLayout()
        top.addWidget(self.number)
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
        self.scans.setFixedHeight(172)
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
        if t is None:
            self.number.setText("")
            self.details.setText(f"<p style='font-size:26px;color:{NORMAL.muted}'>"
                                 f"{tr('none_current', lang)}</p>")
            self.scans_title.setText("")
            self.papers.setText("")
            return
        self.number.setText(t.number)
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
        papers = "".join(f"<li>{p}</li>" for p in t.materials) or "<li>—</li>"
        table = "".join(f"<tr><td style='color:{NORMAL.muted}'>{k}</td><td>&nbsp;{v}</td></tr>"
                        for k, v in rows)
        self.details.setText(f"<table style='font-size:22px'>{table}</table>")
        self.papers.setText(f"<b>{tr('counter_papers', lang)}</b><ol>{papers}</ol>")
        self.scans_title.setText(f"<b>{tr('scanned', lang)}</b> · {len(t.documents)} · "
                                 f"{tr('open_full', lang) if t.documents else tr('no_scans', lang)}")
        for doc in t.documents:
            pixmap = QPixmap()
            pixmap.loadFromData(self.model.thumbnails.get(doc.id, b""))
            item = QListWidgetItem(QIcon(pixmap), f"{doc.page}")
            item.setData(Qt.ItemDataRole.UserRole, doc.id)
            self.scans.addItem(item)
