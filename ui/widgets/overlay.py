"""The idle countdown that covers the screen before a reset, and the invisible corner that opens
the staff screen after a long press (a citizen's tap does nothing there)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class CountdownOverlay(QWidget):
    """A dimmed layer with a message; any touch on it calls `on_touch` (the citizen is back)."""

    def __init__(self, parent: QWidget, on_touch: Callable[[], None]) -> None:
        super().__init__(parent)
        self._on_touch = on_touch
        self.text = QLabel("", self)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setWordWrap(True)  # an upright screen or a longer language: more lines
        self.text.setObjectName("big")
        self.text.setStyleSheet("color: white; background: transparent;")
        box = QVBoxLayout(self)
        box.addWidget(self.text)
        self.hide()

    def show_message(self, message: str) -> None:
        self.text.setText(message)
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.raise_()
        self.show()

    def paintEvent(self, _event: Any) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(0, 0, 0, 190))
        p.end()

    def mousePressEvent(self, _event: Any) -> None:
        self._on_touch()


class LongPressArea(QWidget):
    """Calls `on_long_press` after the finger stays `hold_ms` on it."""

    def __init__(self, on_long_press: Callable[[], None], hold_ms: int = 3000,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self, singleShot=True, interval=hold_ms)
        self._timer.timeout.connect(on_long_press)

    def mousePressEvent(self, _event: Any) -> None:
        self._timer.start()

    def mouseReleaseEvent(self, _event: Any) -> None:
        self._timer.stop()
