"""A line of text that scrolls from right to left (the board's notice).

With a Mongolian text (`mongolian`) the strip is taller and scrolls the Mongolian first, as it
is written: top to bottom in columns that follow each other left to right (a column is as long
as the strip is high), then the Chinese and English along the line (lines of `text` are
stacked, so the tall strip holds the Chinese above the English). Mongolian is never drawn along
the line."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from ui.widgets.mongol_layout import BandRule, VerticalText, fit

LINE = 1.8  # the strip's height for a line, in font sizes
TALL = 4.4  # with Mongolian columns: a column holds a long word at about 27 px (a 38 px line)
GAP = 120  # between the parts and between one turn and the next, at the board's size


class Marquee(QWidget):
    def __init__(self, text: str = "", *, px: int = 36, fg: str = "#ffffff", bg: str = "#1a1f2b",
                 step_px: int = 2, mongolian: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text, self.fg, self.bg, self.step = text, QColor(fg), QColor(bg), step_px
        self.mongolian = mongolian
        self._font = QFont(self.font())
        self._font.setPixelSize(px)
        self._columns: VerticalText | None = None
        self._widths: tuple[float, int] | None = None  # (Mongolian, text) with their gaps
        self.offset = 0
        self._timer = QTimer(self, interval=30)
        self._timer.timeout.connect(self._tick)
        self._height()
        if text or mongolian:
            self._timer.start()

    def _height(self) -> None:
        self.setFixedHeight(int(self._font.pixelSize() * (TALL if self.mongolian else LINE)))
        self._columns = self._widths = None

    def set_px(self, px: int) -> None:
        """The font's pixel size (the board scales it with its screen)."""
        if px != self._font.pixelSize():
            self._font.setPixelSize(px)
            self._height()
            self.update()

    def set_text(self, text: str, mongolian: str = "") -> None:
        if (text, mongolian) == (self.text, self.mongolian):
            return
        self.text, self.offset, self._widths = text, 0, None
        if mongolian != self.mongolian:
            self.mongolian = mongolian
            self._height()
        if (text or mongolian) and not self._timer.isActive():
            self._timer.start()
        self.update()

    def columns(self) -> VerticalText | None:
        """The Mongolian as columns as long as the strip is high (None without Mongolian)."""
        if not self.mongolian:
            return None
        pad = self._font.pixelSize() * 0.15
        length = self.height() - 2 * pad
        if self._columns is None or self._columns.length != max(1.0, length):
            px = self._font.pixelSize()
            rule = BandRule(pixel_size=round(px * 0.8), min_pixel_size=round(px * 0.65),
                            column_gap=0.6)
            self._columns = fit(self.mongolian, length, rule)
        return self._columns

    def widths(self) -> tuple[float, int]:
        """How wide the Mongolian columns and the lines of text run, each with its gap after
        it (measured once per text and size, not at every frame)."""
        columns = self.columns()
        if self._widths is None:
            gap = round(GAP * self._font.pixelSize() / 38)
            mn_width = columns.size().width() + gap if columns is not None else 0.0
            metrics = QFontMetrics(self._font)
            text_width = max(metrics.horizontalAdvance(x) for x in self.text.split("\n")) + gap \
                if self.text else 0
            self._widths = (mn_width, text_width)
        return self._widths

    def _tick(self) -> None:
        self.offset += self.step
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.bg)
        columns = self.columns()
        if self.text or columns is not None:
            p.setFont(self._font)
            p.setPen(self.fg)
            mn_width, text_width = self.widths()
            width = int(mn_width + text_width)
            # starts at the left margin (a still screenshot shows it), then wraps around
            start = round(40 * self._font.pixelSize() / 38)
            x = (start - self.offset + width) % (self.width() + width) - width
            if columns is not None:
                columns.paint(p, QPointF(x, (self.height() - columns.length) / 2))
            if self.text:
                p.drawText(QRectF(x + mn_width, 0, text_width, self.height()),
                           int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                           self.text)
        p.end()
