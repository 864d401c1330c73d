"""A line of text that scrolls from right to left (the board's notice)."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget


class Marquee(QWidget):
    def __init__(self, text: str = "", *, px: int = 36, fg: str = "#ffffff", bg: str = "#1a1f2b",
                 step_px: int = 2, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text, self.fg, self.bg, self.step = text, QColor(fg), QColor(bg), step_px
        self._font = QFont(self.font())
        self._font.setPixelSize(px)
        self.setFixedHeight(int(px * 1.8))
        self.offset = 0
        self._timer = QTimer(self, interval=30)
        self._timer.timeout.connect(self._tick)
        if text:
            self._timer.start()

    def set_px(self, px: int) -> None:
        """The font's pixel size (the board scales it with its screen)."""
        if px != self._font.pixelSize():
            self._font.setPixelSize(px)
            self.setFixedHeight(int(px * 1.8))
            self.update()

    def set_text(self, text: str) -> None:
        self.text = text
        self.offset = 0
        if text and not self._timer.isActive():
            self._timer.start()
        self.update()

    def _tick(self) -> None:
        self.offset += self.step
        self.update()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        p = QPainter(self)
        p.fillRect(self.rect(), self.bg)
        if self.text:
            p.setFont(self._font)
            p.setPen(self.fg)
            width = p.fontMetrics().horizontalAdvance(self.text) + 120
            # starts at the left margin (a still screenshot shows it), then wraps around
            x = (40 - self.offset + width) % (self.width() + width) - width
            p.drawText(x, 0, width, self.height(), 0x0001 | 0x0080, self.text)  # left | vcenter
        p.end()
