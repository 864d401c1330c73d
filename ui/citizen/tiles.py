"""The service tiles of the kiosk's lists: a button whose words are made for its width, again at
every resize, that may take a smaller font where a line is still too long (the low tiles under
the search keyboard), and may carry a service's Mongolian name in a vertical band along its left
edge, as wide as the band's columns need at a legible size (up to a share of the tile), the
tile's own words moving right to make room."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QStyle, QStyleOptionButton

from ui.widgets.basic import touch
from ui.widgets.mongol import MongolianText
from ui.widgets.mongol_layout import fit


class FitTile(QPushButton):
    """A tile whose text is made for its width (`compose(fits)`), again at every resize: its
    first text counts characters, before the grid has given it a size. With `shrink`, a
    line still too wide takes a smaller font, down to `SHRINK_FLOOR` of the usual. A band
    (`set_band`) takes up to `BAND_SHARE` of the tile's width."""

    SHRINK_FLOOR = 0.7
    BAND_SHARE = 0.45
    BAND_MARGIN, BAND_GAP = 10, 14  # left of the band, and between it and the words

    def __init__(self, compose: Callable[[Callable[[str], bool] | None], str],
                 on_click: Callable[[], None], *, shrink: bool = False) -> None:
        super().__init__(compose(None))
        touch(self, on_click, "tile")
        self._compose = compose
        self._shrink = shrink
        self._base: str | None = None  # the tile's own style sheet (`tall`), before ours
        self._band: MongolianText | None = None
        self._band_room = 0  # the left padding the band takes
        self._font_px = 0  # a smaller font (`shrink`), or 0
        # its width is the grid's share, not what its first text asks for: tiles alike
        self.setSizePolicy(QSizePolicy.Policy.Ignored, self.sizePolicy().verticalPolicy())

    def set_band(self, band: MongolianText) -> None:
        """`band` along the left edge, inside the tile; touches pass through it."""
        band.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        # its own sizes: the tile's style sheet (min-height, padding) would reach the band too
        band.setStyleSheet("min-height:0px; padding:0px; background:transparent;")
        row = QHBoxLayout(self)
        row.setContentsMargins(self.BAND_MARGIN, 8, 0, 8)
        row.addWidget(band)
        row.addStretch(1)
        self._band = band
        self._fit_band()

    def band(self) -> MongolianText | None:
        return self._band

    def _restyle(self) -> None:
        if self._base is None:
            self._base = self.styleSheet()
        sheet = self._base  # declarations alone, as `tall` writes them
        if self._band_room:
            sheet += f" padding-left: {self._band_room}px;"
        if self._font_px:
            sheet += f" font-size: {self._font_px}px;"
        if sheet != self.styleSheet():
            self.setStyleSheet(sheet)

    def _fit_band(self) -> None:
        """The band as wide as its columns at the tile's height need (its rule's largest font
        that fits `BAND_SHARE` of the width), and the words' padding after it."""
        band = self._band
        if band is None:
            return
        length = max(1, self.height() - 16)
        limit = max(40.0, self.width() * self.BAND_SHARE) if self.width() > 0 else 200.0
        laid = fit(band.text(), float(length), band.rule, limit)
        width = min(int(limit), math.ceil(laid.size().width()) + 2)
        band.setFixedWidth(width)
        self._band_room = self.BAND_MARGIN + width + self.BAND_GAP
        self._restyle()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit_band()
        option = QStyleOptionButton()
        self.initStyleOption(option)
        # the width inside the style sheet's padding and border (a Mongolian band's included)
        contents = self.style().subElementRect(QStyle.SubElement.SE_PushButtonContents,
                                               option, self)
        room = contents.width()
        metrics = self.fontMetrics()
        text = self._compose(lambda line: metrics.horizontalAdvance(line) <= room)
        if text != self.text():
            self.setText(text)
        if self._shrink:
            self._fit_font(room, contents.height())

    def _fit_font(self, room: int, high: int) -> None:
        """The largest font, from the usual one down to the floor, at which every line fits
        the tile's width and all of them its height."""
        self._font_px = 0
        self._restyle()
        self.ensurePolished()
        font = QFont(self.font())
        usual = size = font.pixelSize()
        lines = self.text().split("\n")
        while size > usual * self.SHRINK_FLOOR:
            font.setPixelSize(size)
            metrics = QFontMetrics(font)
            if (all(metrics.horizontalAdvance(line) <= room for line in lines)
                    and len(lines) * metrics.lineSpacing() <= high):
                break
            size -= 1
        if size != usual:
            self._font_px = size
            self._restyle()
