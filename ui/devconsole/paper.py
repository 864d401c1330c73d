"""The printed ticket in the device console: the picture drawn from the printer's bytes, at
the panel's width (never wider than printed), scrolled up and down."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QScrollArea


class PaperView(QScrollArea):
    """The printed ticket at the panel's width (never wider than printed), scrolled up and down."""

    def __init__(self) -> None:
        super().__init__()
        self._png, self._picture = b"", QPixmap()
        self.label = QLabel()
        self.label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setWidget(self.label)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumHeight(160)

    def show_png(self, png: bytes) -> None:
        if png == self._png:
            return
        self._png, self._picture = png, QPixmap()
        if png:
            self._picture.loadFromData(png, "PNG")
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self._picture.isNull():
            self.label.clear()
            return
        room = self.viewport().width() - self.verticalScrollBar().sizeHint().width() - 4
        width = max(120, min(self._picture.width(), room))
        self.label.setPixmap(self._picture.scaledToWidth(
            width, Qt.TransformationMode.SmoothTransformation))
