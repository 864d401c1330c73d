"""The call display's window: the number being called and its counter in large type, the last
few calls, waiting counts, the hall clock, a scrolling notice and an offline banner. It only
reads the `BoardModel`; all logic lives there. The notice is the terminal file's (`[display]
notice`) or, where that gives none, the hall's (`notice`, `notice_en`, `notice_mn` of GET /hall):
in a hall that lists Mongolian the strip scrolls the Mongolian in columns before the Chinese.

In a hall that lists Mongolian the call is also written in traditional Mongolian, in a vertical
band left of the Chinese (the region's rule puts Mongolian first): the call sentence with the
number and the counter's Mongolian name, as the server words it (`text_mn` of the call). Each
recent call's row shows its counter's Mongolian name (`name_mn`) the same way, in a band as high
as the row's number, left of the Chinese name."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.display import ZONE_NAMES, BoardModel
from ui.i18n import pick, tr
from ui.staff.marquee import Marquee
from ui.theme import NORMAL
from ui.widgets.flow import FlowLayout
from ui.widgets.mongol import MongolianText
from ui.widgets.mongol_layout import BandRule

BG, PANEL, GOLD = "#0d1b2a", "#13263b", "#ffd166"
# a new call lights the calling panel up a few times: a citizen who cannot hear the voice sees
# it change (only the number changed before; a recall differed by a small grey word)
FLASH, FLASH_MS, FLASHES = "#9b1c1c", 450, 6
# The board is drawn for a 1920x1080 landscape screen or a 1080x1920 upright one; every font,
# margin and band scales with the screen's size from these (a 4K board is twice as large).
LANDSCAPE, UPRIGHT = (1920, 1080), (1080, 1920)


class BoardLabel(QLabel):
    """A label whose font size (`px`, at the board's design size) follows the board's scale.
    `fit`: one short line (the called number) that shrinks to the width it gets rather than
    widening the board; `wrap`: words that wrap to more lines where the width ends."""

    def __init__(self, text: str, px: int, color: str = "#ffffff", bold: bool = False,
                 align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft, *, extra: str = "",
                 wrap: bool = False, fit: bool = False) -> None:
        super().__init__(text)
        self.px, self.color, self.bold, self.extra, self.fit = px, color, bold, extra, fit
        self.scale = 1.0
        self.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
        self.setWordWrap(wrap)
        self._style()

    def set_px(self, px: int) -> None:
        if px != self.px:
            self.px = px
            self._style()

    def set_scale(self, scale: float) -> None:
        if abs(scale - self.scale) > 1e-3:
            self.scale = scale
            self._style()

    def _style(self, shrink: float = 1.0) -> None:
        size = max(8, round(self.px * self.scale * shrink))
        extra = re.sub(r"(\d+)px", lambda m: f"{round(int(m.group(1)) * self.scale)}px", self.extra)
        self.setStyleSheet(f"color:{self.color}; font-size:{size}px; "
                           f"font-weight:{700 if self.bold else 400}; background:transparent;"
                           + extra)

    def _natural(self) -> QSize:
        """The words' size at the board's scale, before any shrinking to fit."""
        font = QFont(self.font())
        font.setPixelSize(max(8, round(self.px * self.scale)))
        fm = QFontMetrics(font)
        return QSize(fm.horizontalAdvance(self.text()) + 8, fm.lineSpacing())

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return self._natural() if self.fit else super().sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        if not self.fit:
            return super().minimumSizeHint()
        natural = self._natural()
        return QSize(min(natural.width(), 40), natural.height() // 2)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self.fit and self.text():
            natural, room = self._natural(), self.contentsRect()
            shrink = min(1.0, room.width() / natural.width(), room.height() / natural.height())
            self._style(max(0.2, shrink * 0.98))


def label(text: str, px: int, color: str = "#ffffff", bold: bool = False,
          align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft, **kw: Any) -> BoardLabel:
    return BoardLabel(text, px, color, bold, align, **kw)


RECENT_MN = "#c9d6e3"  # the colour of a recent call's counter, Chinese and Mongolian


def recent_band_rule(scale: float) -> BandRule:
    """A recent row's Mongolian counter name: up to three columns, shrinking, then elided."""
    return BandRule(pixel_size=round(28 * scale), min_pixel_size=max(12, round(18 * scale)),
                    max_columns=3)


class RecentList(QWidget):
    """The last calls, newest first, as many as the panel holds: rows that do not fit are left
    out (the oldest), never squeezed or cut. A call is (number, counter name, the counter's
    Mongolian name or "" when the board shows no Mongolian)."""

    def __init__(self) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.col = QVBoxLayout(self)
        self.col.setContentsMargins(0, 0, 0, 0)
        self.col.setSpacing(10)
        self.col.addStretch(1)
        self.rows: list[QWidget] = []

    def set_calls(self, calls: list[tuple[str, str, str]], scale: float) -> None:
        for row in self.rows:
            self.col.removeWidget(row)
            row.hide()
            row.deleteLater()
        self.rows = []
        for i, (number, counter, mongolian) in enumerate(calls):
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(label(number, 56, "#ffffff", True))
            if mongolian:  # Mongolian first: left of the Chinese name, as in the calling panel
                band = MongolianText(mongolian, recent_band_rule(scale), center=True)
                band.setObjectName("recent_mn")
                palette = band.palette()
                palette.setColor(QPalette.ColorRole.WindowText, QColor(RECENT_MN))
                band.setPalette(palette)
                band.setStyleSheet("background:transparent;")
                line.addWidget(band)
            # beside a band the Chinese name takes a size smaller, so it keeps to one line
            line.addWidget(label(counter, 32 if mongolian else 44, RECENT_MN, False,
                                 Qt.AlignmentFlag.AlignRight, wrap=True), 1)
            self.col.insertWidget(i, row)
            self.rows.append(row)
        self.rescale(scale)

    def rescale(self, scale: float) -> None:
        """Fonts and gaps at `scale`; the numbers in one column as wide as the widest."""
        self.col.setSpacing(round(10 * scale))
        numbers = []
        for row in self.rows:
            row.layout().setSpacing(round(20 * scale))
            num, name = row.findChildren(BoardLabel)
            num.set_scale(scale)
            name.set_scale(scale)
            num.setMinimumWidth(0)
            numbers.append(num)
        width = max((n.sizeHint().width() for n in numbers), default=0)
        for n in numbers:
            n.setFixedWidth(width)
        # a band as high as its row's number: the row keeps its height, the band its columns
        high = max((n.sizeHint().height() for n in numbers), default=0)
        for band in self.findChildren(MongolianText, "recent_mn"):
            band.preferred_length = high  # its width before a layout has placed it, too
            band.set_rule(recent_band_rule(scale))
            band.setFixedHeight(high)
            band.setMaximumWidth(round(240 * scale))
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        y, room, full = 0, self.height(), False
        for row in self.rows:
            need = row.heightForWidth(self.width()) if row.hasHeightForWidth() else -1
            need = max(need, row.sizeHint().height())
            full = full or y + need > room
            row.setVisible(not full)
            y += need + self.col.spacing()


CHIPS = 6  # waiting chips the band holds


def waiting_chips(rows: list[tuple[str, int]], lang: str, room: int = CHIPS
                  ) -> list[tuple[str, int]]:
    """The band's chips: every row when they fit, in the hall's order; else the services with
    the most people (a zone board of 13 services showed the first 6 in the hall's order and
    left out the pickup zone's own 证照领取) and one chip that counts the rest."""
    if len(rows) <= room:
        return rows
    busiest = sorted(range(len(rows)), key=lambda i: -rows[i][1])[:room - 1]  # stable
    rest = [row for i, row in enumerate(rows) if i not in busiest]
    return [*(rows[i] for i in sorted(busiest)),
            (tr("waiting_more", lang, n=len(rest)), sum(n for _, n in rest))]


class BoardWindow(QWidget):
    def __init__(self, model: BoardModel, *, lang: str = "zh", notice: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model, self.lang = model, lang
        self.own_notice = notice  # the terminal file's; "" shows the hall's (GET /hall)
        self.scale, self.upright = 1.0, False
        self.setWindowTitle("快办 叫号屏 / Call display")
        self.setStyleSheet(f"background:{BG};")
        self.resize(*LANDSCAPE)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self._header())
        self.offline = label(tr("board_offline", lang), 40, "#ffffff", True,
                             Qt.AlignmentFlag.AlignCenter, wrap=True,
                             extra=f"background:{NORMAL.danger}; padding:8px;")
        root.addWidget(self.offline)
        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.calling_panel, self.recent_panel = self._calling(), self._recent()
        self.body.addWidget(self.calling_panel, 3)
        self.body.addWidget(self.recent_panel, 2)
        root.addLayout(self.body, 1)
        self.waiting_box = QWidget()
        self.waiting = FlowLayout(self.waiting_box)
        root.addWidget(self.waiting_box)
        self.notice = Marquee(notice, px=38, fg="#ffffff", bg=NORMAL.primary)
        self.notice.setObjectName("notice")
        root.addWidget(self.notice)
        self._clock = QTimer(self, interval=1000)
        self._clock.timeout.connect(self.tick)
        self._clock.start()
        # coalesce: replaying a day of events at start must not rebuild the board each time
        self._redraw = QTimer(self, singleShot=True, interval=30)
        self._redraw.timeout.connect(self.refresh)
        model.changed.connect(self._redraw.start)
        self._shown_call: tuple[object, ...] | None = None
        self._flashes = 0
        self._flash = QTimer(self, interval=FLASH_MS)
        self._flash.timeout.connect(self._flash_step)
        self._arrange()
        self.refresh()

    def _header(self) -> QWidget:
        bar = QFrame()
        bar.setStyleSheet(f"background:{NORMAL.primary};")
        self.head = QGridLayout(bar)
        self.hall = label("", 44, "#ffffff", True, wrap=True)
        self.zone = label("", 36, "#ffe9ec", False, Qt.AlignmentFlag.AlignCenter, wrap=True)
        self.clock = label("", 44, "#ffffff", True, Qt.AlignmentFlag.AlignRight)
        return bar

    def _calling(self) -> QWidget:
        panel = QFrame()
        panel.setStyleSheet(f"background:{PANEL}; border-radius:24px;")
        self.calling_row = QHBoxLayout(panel)
        self.mongol = MongolianText("", self._band_rule())
        palette = self.mongol.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(GOLD))
        self.mongol.setPalette(palette)
        self.mongol.setStyleSheet("background:transparent;")
        self.calling_row.addWidget(self.mongol)
        col = QVBoxLayout()
        self.calling_row.addLayout(col, 1)
        self.calling_title = label(tr("now_calling", self.lang), 48, GOLD, True,
                                   Qt.AlignmentFlag.AlignCenter, wrap=True)
        self.number = label("", 240, "#ffffff", True, Qt.AlignmentFlag.AlignCenter, fit=True)
        self.where = label("", 72, GOLD, True, Qt.AlignmentFlag.AlignCenter, fit=True)
        self.who = label("", 40, "#c9d6e3", False, Qt.AlignmentFlag.AlignCenter, wrap=True)
        for w in (self.calling_title, self.number, self.where, self.who):
            col.addWidget(w)
        return panel

    def _recent(self) -> QWidget:
        panel = QFrame()
        panel.setStyleSheet(f"background:{PANEL}; border-radius:24px;")
        self.recent_col = QVBoxLayout(panel)
        self.recent_title = label(tr("recent", self.lang), 44, GOLD, True, wrap=True)
        self.recent_col.addWidget(self.recent_title)
        self.rows = RecentList()
        self.recent_col.addWidget(self.rows, 1)
        return panel

    def _band_rule(self) -> BandRule:
        s = self.scale
        return BandRule(pixel_size=round(64 * s), min_pixel_size=round(36 * s), max_columns=4)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """Upright or landscape, and the scale of everything, from the window's size."""
        w, h = self.width(), self.height()
        upright = h > w
        base = UPRIGHT if upright else LANDSCAPE
        scale = round(min(w / base[0], h / base[1]), 3)
        if upright == self.upright and abs(scale - self.scale) < 1e-3 and self.head.count():
            return
        self.scale, self.upright = scale, upright
        s = lambda n: round(n * scale)  # noqa: E731
        for item in (self.hall, self.zone, self.clock):
            self.head.removeWidget(item)
        if upright:  # the hall and the clock above, the zone below: a third each is too narrow
            self.head.addWidget(self.hall, 0, 0)
            self.head.addWidget(self.clock, 0, 1)
            self.head.addWidget(self.zone, 1, 0, 1, 2)
        else:
            for i, item in enumerate((self.hall, self.zone, self.clock)):
                self.head.addWidget(item, 0, i)
        for i in range(3):
            self.head.setColumnStretch(i, 1 if i < (2 if upright else 3) else 0)
        self.head.setContentsMargins(s(40), s(14), s(40), s(14))
        self.head.setSpacing(s(12))
        self.body.setDirection(QBoxLayout.Direction.TopToBottom if upright
                               else QBoxLayout.Direction.LeftToRight)
        self.body.setStretch(0, 3)
        self.body.setStretch(1, 2)
        self.body.setContentsMargins(s(40), s(30), s(40), s(20))
        self.body.setSpacing(s(30 if upright else 40))
        self.calling_row.setContentsMargins(s(30), s(30), s(30), s(30))
        self.calling_row.setSpacing(s(30))
        self.recent_col.setContentsMargins(s(30), s(24), s(30), s(24))
        self.waiting.setContentsMargins(s(40), 0, s(40), s(20))
        self.waiting.set_gap(s(12))
        self.mongol.setMaximumWidth(s(380))
        self.mongol.set_rule(self._band_rule())
        self.notice.set_px(s(38))
        for item in self.findChildren(BoardLabel):
            item.set_scale(scale)
        self.rows.rescale(scale)

    def _recent_calls(self) -> list[tuple[str, str, str]]:
        shown = "mn" in self.model.languages
        return [(c.number, c.counter_name,
                 self.model.mongolian_counter_name(c.counter) if shown else "")
                for c in self.model.board.history]

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
        self.offline.setText(tr("board_refused" if self.model.refused else "board_offline", lang))
        cur = board.current
        if cur is None:
            self.number.setText("")
            self.where.setText(tr("no_calls", lang))
            self.where.set_px(40)
            self.who.setText("")
        else:
            self.number.setText(cur.number)
            self.where.set_px(72)
            go = tr("please_go", lang, counter=cur.counter_name)
            # a recall says so in the line everyone reads, not in a small grey word beside it
            self.where.setText(f"{tr('recall', lang)}  ·  {go}" if cur.recall else go)
            self.who.setText(cur.masked_name or "")
            shown = (cur.number, cur.counter, cur.at, cur.recall)
            if shown != self._shown_call:
                self._shown_call = shown
                self._flashes = FLASHES
                self._flash.start()
                self._flash_step()
        self._fill_mongolian()
        self._fill_notice()
        self._fill_recent()
        self._fill_waiting()
        self.tick()

    @property
    def flashing(self) -> bool:
        return self._flash.isActive()

    def _flash_step(self) -> None:
        """One beat of a new call's flash: lit on even beats, plain once it is over."""
        lit = self._flashes > 0 and self._flashes % 2 == 0
        self.calling_panel.setStyleSheet(
            f"background:{FLASH if lit else PANEL}; border-radius:24px;")
        if self._flashes <= 0:
            self._flash.stop()
        self._flashes -= 1

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

    def hall_notice(self) -> tuple[str, str]:
        """The hall's notice (GET /hall): its Chinese and English along one line, in the hall's
        order (on two lines beside Mongolian), and its Mongolian apart (written in columns); only the
        languages it lists."""
        hall, langs = self.model.hall, self.model.languages
        if hall is None:
            return "", ""
        forms = {"zh": hall.notice, "en": hall.notice_en}
        mongolian = hall.notice_mn if "mn" in langs else ""
        # beside the Mongolian columns the strip is tall: the Chinese above the English
        line = ("\n" if mongolian else "    ").join(forms[lang] for lang in langs
                                                   if forms.get(lang))
        return line, mongolian

    def _fill_notice(self) -> None:
        """The terminal file's notice when it gives one, else the hall's."""
        if self.own_notice:
            self.notice.set_text(self.own_notice)
        else:
            self.notice.set_text(*self.hall_notice())

    def _fill_recent(self) -> None:
        self.rows.set_calls(self._recent_calls(), self.scale)

    def _fill_waiting(self) -> None:
        while self.waiting.count():
            item = self.waiting.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        if self.model.board.waiting:
            self.waiting.addWidget(label(tr("waiting", self.lang), 34, GOLD, True))
        for name, n in waiting_chips(self.model.board.waiting, self.lang):
            chip = label(f"{name}  {tr('people', self.lang, n=n)}", 34, "#ffffff", False,
                         extra=f"background:{PANEL}; border-radius:12px; padding:6px 18px;")
            self.waiting.addWidget(chip)
        for item in self.waiting_box.findChildren(BoardLabel):
            item.set_scale(self.scale)
