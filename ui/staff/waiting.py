"""The counter pad's people waiting per service: most first, on whole lines only. A counter of
the example hall's intake serves thirteen services and a 1366x768 screen has room for about
nine lines beside the ticket, so the rows that fit are drawn and, when some do not, the last
line sums them ("4 more services: 3 waiting"). A scrolled list showed its last row cut in half,
which reads as a fault, and a short list scrolls poorly under a finger. The full list is the
widget's tooltip and `text()`."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from ui.i18n import tr
from ui.theme import NORMAL

LINE = 1.25  # a line's height, in the font's heights


class WaitingCounts(QWidget):
    def __init__(self, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = lang
        self._rows: list[tuple[str, int]] = []
        font = self.font()
        font.setPixelSize(20)
        self.setFont(font)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(self._line() * 2)

    def _line(self) -> int:
        return round(self.fontMetrics().height() * LINE)

    def set_rows(self, rows: list[tuple[str, int]]) -> None:
        """(service name, people waiting) in the counter's order; shown most first."""
        ranked = sorted(rows, key=lambda row: -row[1])  # stable: the counter's order in a tie
        if ranked != self._rows:
            self._rows = ranked
            self.setToolTip(self.text())
            self.update()

    def total(self) -> int:
        return sum(n for _, n in self._rows)

    def text(self) -> str:
        """Every row, as plain lines (the tooltip; what a test or a screen reader reads)."""
        return "\n".join(f"{name}  {n}" for name, n in self._rows) or "—"

    def lines(self) -> list[tuple[str, str]]:
        """(left, right) of each line drawn at the widget's present height."""
        rows = [(name, str(n)) for name, n in self._rows]
        fit = max(1, self.height() // self._line())
        if len(rows) <= fit:
            return rows or [("—", "")]
        rest = self._rows[fit - 1:]
        return [*rows[:fit - 1], (tr("waiting_more", self.lang, n=len(rest)),
                                  str(sum(n for _, n in rest)))]

    def sizeHint(self) -> QSize:
        return QSize(240, self._line() * max(2, len(self._rows)))

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: ARG002 (Qt's signature)
        painter = QPainter(self)
        metrics, line = self.fontMetrics(), self._line()
        plain, bold = self.font(), self.font()
        bold.setBold(True)
        bold_metrics = QFontMetrics(bold)  # the counts are drawn bold: measured so
        lines = self.lines()
        summed = len(lines) < len(self._rows)
        for i, (left, right) in enumerate(lines):
            box = QRect(0, i * line, self.width(), line)
            last = summed and i == len(lines) - 1
            painter.setPen(QColor(NORMAL.muted if last or right == "0" else NORMAL.fg))
            count_w = bold_metrics.horizontalAdvance(right) + 8
            painter.setFont(bold)
            painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             right)
            painter.setFont(plain)
            name = metrics.elidedText(left, Qt.TextElideMode.ElideRight,
                                      max(0, self.width() - count_w - 8))
            painter.drawText(box.adjusted(0, 0, -count_w, 0),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
        painter.end()
