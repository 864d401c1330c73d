"""Pictures: a QR code drawn from its module matrix, a live camera frame, a scanned page."""

from __future__ import annotations

from typing import Any

import qrcode
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class QrView(QWidget):
    """A QR code of `text`, drawn crisp at any size, dark on white with a quiet zone."""

    def __init__(self, text: str = "", size: int = 260, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._matrix: list[list[bool]] = []
        self.setFixedSize(size, size)
        self.set_text(text)

    def set_text(self, text: str) -> None:
        self.text = text
        if text:
            qr = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
            qr.add_data(text)
            qr.make(fit=True)
            self._matrix = qr.get_matrix()
        else:
            self._matrix = []
        self.update()

    def paintEvent(self, _event: Any) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("white"))
        n = len(self._matrix)
        if n:
            cell = min(self.width(), self.height()) / n
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor("black"))
            for y, row in enumerate(self._matrix):
                for x, dark in enumerate(row):
                    if dark:
                        p.drawRect(QRectF(x * cell, y * cell, cell + 0.5, cell + 0.5))
        p.end()


def frame_image(width: int, height: int, bgr: bytes) -> QImage:
    """A QImage over BGR bytes (copied, so the bytes may go away)."""
    return QImage(bgr, width, height, width * 3, QImage.Format.Format_BGR888).copy()


def jpeg_pixmap(data: bytes) -> QPixmap:
    pix = QPixmap()
    pix.loadFromData(data, "JPG")
    return pix


class FrameView(QLabel):
    """Shows a picture scaled to fit, keeping its aspect ratio."""

    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(placeholder, parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setMinimumSize(QSize(320, 240))
        self.setStyleSheet("background: #202020; color: #dddddd; border-radius: 12px;")
        self._pix: QPixmap | None = None

    def show_frame(self, width: int, height: int, bgr: bytes) -> None:
        self.show_pixmap(QPixmap.fromImage(frame_image(width, height, bgr)))

    def show_pixmap(self, pix: QPixmap | None) -> None:
        self._pix = pix
        self._rescale()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._pix is None or self._pix.isNull():
            self.setPixmap(QPixmap())
            return
        self.setPixmap(self._pix.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                        Qt.TransformationMode.SmoothTransformation))
