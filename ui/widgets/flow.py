"""A layout that places its items left to right and wraps to a new row where the width ends
(chips, tags): as many per row as fit, so a narrow or upright screen gets more rows, not a
window wider than its screen. With `fill`, each row's items share the row's spare width (a row
of buttons reaches both edges, as a grid's would, without a grid's common column widths)."""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    def __init__(self, parent: QWidget | None = None, *, spacing: int = 12,
                 fill: bool = False) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self._fill = fill

    def set_gap(self, gap: int) -> None:
        self._gap = gap
        self.invalidate()

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 (Qt's name)
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt's name)
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 (Qt's name)
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 (Qt's name)
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt's name)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt's name)
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 (Qt's name)
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802 (Qt's name)
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _place(self, rect: QRect, *, move: bool) -> int:
        m: QMargins = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        rows: list[list[tuple[QLayoutItem, QSize]]] = []
        x = 0
        for item in self._items:
            if item.isEmpty():
                continue
            hint = item.sizeHint().boundedTo(QSize(area.width(), 1 << 20))
            if not rows or (x > 0 and x + hint.width() > area.width()):
                rows.append([])
                x = 0
            rows[-1].append((item, hint))
            x += hint.width() + self._gap
        y, row_h = area.y(), 0
        for n, row in enumerate(rows):
            if n:
                y += row_h + self._gap
            row_h = max(hint.height() for _item, hint in row)
            used = sum(hint.width() for _item, hint in row) + self._gap * (len(row) - 1)
            spare = max(0, area.width() - used) if self._fill else 0
            x = area.x()
            for i, (item, hint) in enumerate(row):
                # the spare pixels shared out evenly, the remainder one by one
                width = hint.width() + spare * (i + 1) // len(row) - spare * i // len(row)
                if move:
                    item.setGeometry(QRect(QPoint(x, y), QSize(width, hint.height())))
                x += width + self._gap
        return y + row_h - rect.y() + m.bottom()
