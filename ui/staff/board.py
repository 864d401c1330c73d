"""The call display's window: the number being called and its counter in large type, the last
few calls, waiting counts, the hall clock, a scrolling notice and an offline banner. It only
reads the `BoardModel`; all logic lives there.

In a hall that lists Mongolian the call is also written in traditional Mongolian, in a vertical
band left of the Chinese (the region's rule puts Mongolian first): the call sentence with the
number and the counter's Mongolian name, as the server words it (`text_mn` of the call)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.display import ZONE_NAMES, BoardModel
from ui.i18n import pick, tr
from ui.staff.marquee import Marquee
from ui.theme import NORMAL
from ui.widgets.mongol import MongolianText
from ui.widgets.mongol_layout import BandRule

BG, PANEL, GOLD = "#0d1b2a", "#13263b", "#ffd166"


def label(text: str, px: int, color: str = "#ffffff", bold: bool = False,
          align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> QLabel:
    w = QLabel(text)
    w.setStyleSheet(f"color:{color}; font-size:{px}px; font-weight:{700 if bold else 400};"
                    "background:transparent;")
    w.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
    return w


class BoardWindow(QWidget):
    def __init__(self, model: BoardModel, *, lang: str = "zh", notice: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model, self.lang = model, lang
        self.setWindowTitle("快办 叫号屏 / Call display")
        self.setStyleSheet(f"background:{BG};")
        self.resize(1920, 1080)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self._header())
        self.offline = label(tr("board_offline", lang), 40, "#ffffff", True, Qt.AlignmentFlag.AlignCenter)
        self.offline.setStyleSheet(self.offline.styleSheet() + f"background:{NORMAL.danger};"
                                   "padding:12px;")
        root.addWidget(self.offline)
        body = QHBoxLayout()
        body.setContentsMargins(40, 30, 40, 20)
        body.setSpacing(40)
        body.addWidget(self._calling(), 3)
        body.addWidget(self._recent(), 2)
        root.addLayout(body, 1)
        self.waiting = QHBoxLayout()
        self.waiting.setContentsMargins(40, 0, 40, 20)
        root.addLayout(self.waiting)
        self.notice = Marquee(notice, px=38, fg="#ffffff", bg=NORMAL.primary)
        root.addWidget(self.notice)
        self._clock = QTimer(self, interval=1000)
        self._clock.timeout.connect(self.tick)
        self._clock.start()
        # coalesce: replaying a day of events at start must not rebuild the board each time
        self._redraw = QTimer(self, singleShot=True, interval=30)
        self._redraw.timeout.connect(self.refresh)
        model.changed.connect(self._redraw.start)
        self.refresh()

    def _header(self) -> QWidget:
        bar = QFrame()
        bar.setStyleSheet(f"background:{NORMAL.primary};")
        row = QHBoxLayout(bar)
        row.setContentsMargins(40, 14, 40, 14)
        self.hall = label("", 44, "#ffffff", True)
        self.zone = label("", 36, "#ffe9ec", False, Qt.AlignmentFlag.AlignCenter)
        self.clock = label("", 44, "#ffffff", True, Qt.AlignmentFlag.AlignRight)
        for w in (self.hall, self.zone, self.clock):
            row.addWidget(w, 1)
        return bar

    def _calling(self) -> QWidget:
        panel = QFrame()
        panel.setStyleSheet(f"background:{PANEL}; border-radius:24px;")
        row = QHBoxLayout(panel)
        row.setContentsMargins(30, 30, 30, 30)
        row.setSpacing(30)
        self.mongol = MongolianText("", BandRule(pixel_size=64, min_pixel_size=36, max_columns=4))
        palette = self.mongol.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(GOLD))
        self.mongol.setPalette(palette)
        self.mongol.setStyleSheet("background:transparent;")
        self.mongol.setMaximumWidth(380)
        row.addWidget(self.mongol)
        col = QVBoxLayout()
        row.addLayout(col, 1)
        self.calling_title = label(tr("now_calling", self.lang), 48, GOLD, True,
                                   Qt.AlignmentFlag.AlignCenter)
        self.number = label("", 260, "#ffffff", True, Qt.AlignmentFlag.AlignCenter)
        self.where = label("", 72, GOLD, True, Qt.AlignmentFlag.AlignCenter)
        self.who = label("", 40, "#c9d6e3", False, Qt.AlignmentFlag.AlignCenter)
        for w in (self.calling_title, self.number, self.where, self.who):
            col.addWidget(w)
        return panel

    def _recent(self) -> QWidget:
        panel = QFrame()
        panel.setStyleSheet(f"background:{PANEL}; border-radius:24px;")
        col = QVBoxLayout(panel)
        col.setContentsMargins(30, 24, 30, 24)
        col.addWidget(label(tr("recent", self.lang), 44, GOLD, True))
        self.rows = QGridLayout()
        self.rows.setVerticalSpacing(10)
        col.addLayout(self.rows)
        col.addStretch(1)
        return panel

    def tick(self) -> None:
        try:
            tz = ZoneInfo(self.model.timezone)
        except (KeyError, ValueError):
            tz = ZoneInfo("Asia/Shanghai")
        now = self.model.clock().astimezone(tz)
        self.clock.setText(now.strftime("%Y-%m-%d  %H:%M:%S"))

    def refresh(self) -> None:
        board, lang = self.model.board, self.lang
        self.hall.setText(self.model.hall_name or "快办 Kuaiban")
        zones = [pick(ZONE_NAMES.get(z, (z, z)), lang) for z in board.zones]
        self.zone.setText(" · ".join(zones) or tr("whole_hall", lang))
        self.offline.setVisible(not self.model.online)
        cur = board.current
        if cur is None:
            self.number.setText("")
            self.where.setText(tr("no_calls", lang))
            self.where.setStyleSheet(self.where.styleSheet().replace("72px", "40px"))
            self.who.setText("")
        else:
            self.number.setText(cur.number)
            self.where.setStyleSheet(self.where.styleSheet().replace("40px", "72px"))
            self.where.setText(tr("please_go", lang, counter=cur.counter_name))
            extra = [cur.masked_name or "", tr("recall", lang) if cur.recall else ""]
            self.who.setText("  ".join(x for x in extra if x))
        self._fill_mongolian()
        self._fill_recent()
        self._fill_waiting()
        self.tick()

    def _fill_mongolian(self) -> None:
        shown = "mn" in self.model.languages
        self.mongol.setVisible(shown)
        if not shown:
            return
        cur = self.model.board.current
        if cur is None:
            self.mongol.set_text(tr("no_calls", "mn"))
            return
        sentence = cur.texts.get("mn") or tr(
            "please_go", "mn", counter=self.model.counter_name(cur.counter, "mn"))
        if cur.number not in sentence:
            sentence = f"{cur.number}\n{sentence}"
        self.mongol.set_text(f"{tr('now_calling', 'mn')}\n{sentence}")

    def _fill_recent(self) -> None:
        while self.rows.count():
            item = self.rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for i, call in enumerate(self.model.board.history):
            self.rows.addWidget(label(call.number, 56, "#ffffff", True), i, 0)
            self.rows.addWidget(label(call.counter_name, 44, "#c9d6e3", False,
                                      Qt.AlignmentFlag.AlignRight), i, 1)

    def _fill_waiting(self) -> None:
        while self.waiting.count():
            item = self.waiting.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        if self.model.board.waiting:
            self.waiting.addWidget(label(tr("waiting", self.lang), 34, GOLD, True))
        for name, n in self.model.board.waiting[:6]:
            chip = label(f"{name}  {tr('people', self.lang, n=n)}", 34, "#ffffff", False)
            chip.setStyleSheet(chip.styleSheet() + f"background:{PANEL}; border-radius:12px;"
                               "padding:8px 18px;")
            self.waiting.addWidget(chip)
        self.waiting.addStretch(1)

