"""Traditional Mongolian laid out as it is written: top to bottom, columns left to right.

Owns the Mongolian font in Qt (the file fontconfig names, registered once, so screens shape
with exactly the file the shaping test and the printed ticket use) and `VerticalText`, the
column layout: each column is one horizontal QTextLine, shaped by Qt's HarfBuzz with the
Mongolian joining forms, FVS and MVS, then drawn rotated 90° clockwise. Rotating a whole
multi-line layout would stack the lines right to left; each line is therefore placed in its
own column, left to right. No widget here: widgets, pictures and tests draw through `paint`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import QPointF, QSizeF, Qt
from PySide6.QtGui import (
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QPainter,
    QTextLayout,
    QTextLine,
    QTextOption,
)

from kiosk.fonts import MONGOLIAN_HINT, FontMissing, find_font_file

# Every letter of the Mongolian block, its digits and the Latin capitals and digits of ticket
# numbers: what a column's thickness must hold.
_INK_SAMPLE = "".join(map(chr, range(0x1820, 0x1879))) + "᠐᠑᠒᠓᠔᠕᠖᠗᠘᠙A0123456789WQ"


@lru_cache(maxsize=1)
def mongolian_family() -> str:
    """The Qt family of the fontconfig file, registered with Qt once per process."""
    path = find_font_file()
    font_id = QFontDatabase.addApplicationFont(str(path))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        raise FontMissing(f"Qt cannot load {path}; {MONGOLIAN_HINT}")
    return str(families[0])


def mongolian_font(pixel_size: int) -> QFont:
    """The Mongolian font at a pixel size. Font merging stays on, so digits of a ticket number
    or Chinese mixed into a Mongolian line still draw from the CJK font."""
    font = QFont(mongolian_family())
    font.setPixelSize(max(1, pixel_size))
    return font


@dataclass(frozen=True)
class BandRule:
    """How text fits a band of fixed length: wrap into columns; with `max_columns`, shrink the
    font step by step down to `min_pixel_size`, then cut the last column with an ellipsis."""

    pixel_size: int = 32
    min_pixel_size: int = 0  # 0: never shrink
    max_columns: int | None = None
    column_gap: float = 0.3  # space between columns, in em


class VerticalText:
    """`text` in columns of at most `length` pixels. Paragraphs (`\\n`) start a new column."""

    def __init__(self, text: str, font: QFont, length: float, *, max_columns: int | None = None,
                 column_gap: float = 0.3) -> None:
        self.text, self.font, self.length = text, font, max(1.0, length)
        self.gap = column_gap * font.pixelSize()
        # The font's line box is much taller than its Mongolian letters (ascent 1.46 em, letters
        # 0.96 em at most): columns are as thick as the ink of the script, not the line box.
        ink = QFontMetricsF(font).tightBoundingRect(_INK_SAMPLE)
        self.ink_top, self.thickness = -ink.top(), ink.height()
        self._layouts: list[QTextLayout] = []  # the lines live as long as their layout
        self.columns: list[QTextLine] = []
        self._owner: list[int] = []  # the paragraph each column belongs to
        self.elided = False
        for n, paragraph in enumerate(text.split("\n")):
            lines = self._wrap(paragraph)
            self.columns += lines
            self._owner += [n] * len(lines)
        if max_columns is not None and len(self.columns) > max_columns:
            self._elide(max(1, max_columns))

    def _wrap(self, paragraph: str, wrap: bool = True) -> list[QTextLine]:
        layout = QTextLayout(paragraph, self.font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere if wrap
                           else QTextOption.WrapMode.NoWrap)
        layout.setTextOption(option)
        lines = []
        layout.beginLayout()
        while (line := layout.createLine()).isValid():
            line.setLineWidth(self.length if wrap else 1e6)
            lines.append(line)
        layout.endLayout()
        self._layouts.append(layout)
        return lines

    def _elide(self, keep: int) -> None:
        """Keep `keep - 1` columns; the last one shows the start of the rest and an ellipsis."""
        first = keep - 1
        paragraphs = self.text.split("\n")
        n = self._owner[first]
        rest = [paragraphs[n][self.columns[first].textStart():], *paragraphs[n + 1:]]
        cut = QFontMetricsF(self.font).elidedText(" ".join(rest), Qt.TextElideMode.ElideRight,
                                                  self.length)
        self.columns = self.columns[:first] + self._wrap(cut, wrap=False)
        self._owner = self._owner[:first] + [n]
        self.elided = True

    @property
    def pitch(self) -> float:
        """Distance from one column's left edge to the next one's."""
        return self.thickness + self.gap

    def size(self) -> QSizeF:
        """Width of the columns side by side, height of the longest column."""
        if not self.columns:
            return QSizeF(0.0, 0.0)
        width = len(self.columns) * self.pitch - self.gap
        return QSizeF(width, max(line.naturalTextWidth() for line in self.columns))

    def paint(self, painter: QPainter, origin: QPointF, *, center: bool = False) -> None:
        """Draw the columns with their top-left corner at `origin`; `center` centres each column
        along the band's length instead of starting it at the top."""
        for i, line in enumerate(self.columns):
            drop = (self.length - line.naturalTextWidth()) / 2 if center else 0.0
            painter.save()
            # The top of the letters becomes the column's right edge after a clockwise turn.
            painter.translate(origin.x() + i * self.pitch + self.thickness, origin.y() + drop)
            painter.rotate(90.0)
            line.draw(painter, QPointF(-line.x(), self.ink_top - line.ascent() - line.y()))
            painter.restore()


SMALLEST_PX = 12  # below a rule's floor a band shrinks this far rather than cut a word


def longest_word(text: str, font: QFont) -> float:
    """The length of `text`'s longest word set in one column in `font`."""
    return max((VerticalText(w, font, 1e6).size().height() for w in text.split()), default=0.0)


def length_for_columns(text: str, font: QFont, columns: int) -> float:
    """The shortest band length at which `text` in `font` takes at most `columns` columns
    (its longest word at the least; one column a paragraph at the most)."""
    low = longest_word(text, font)
    high = max(low, VerticalText(text, font, 1e6).size().height())
    if len(VerticalText(text, font, low).columns) <= columns:
        return low
    while high - low > 2:  # columns only fall as the band grows: halve the gap
        mid = (low + high) / 2
        if len(VerticalText(text, font, mid).columns) <= columns:
            high = mid
        else:
            low = mid
    return high


def fit(text: str, length: float, rule: BandRule, width: float | None = None) -> VerticalText:
    """The largest font of `rule` at which `text` fits `length` (and `width`, when given) within
    the column limit; at the smallest size it is elided to the limit. A word is never cut
    across two columns (that breaks its letters' joined forms): where the longest word is
    longer than the band even at the rule's smallest size, the font shrinks until it fits, down
    to SMALLEST_PX."""
    size = rule.pixel_size
    floor = rule.min_pixel_size or rule.pixel_size
    while True:
        laid = VerticalText(text, mongolian_font(size), length, column_gap=rule.column_gap)
        fits = rule.max_columns is None or len(laid.columns) <= rule.max_columns
        fits = fits and (width is None or laid.size().width() <= width)
        fits = fits and longest_word(text, laid.font) <= length
        if fits or size <= floor:
            break
        size = max(floor, int(size * 0.9))
    if fits:
        return laid
    longest = longest_word(text, laid.font)
    if longest > length:
        size = max(min(SMALLEST_PX, size), int(size * length / longest))
        laid = VerticalText(text, mongolian_font(size), length, column_gap=rule.column_gap)
        fits = ((rule.max_columns is None or len(laid.columns) <= rule.max_columns)
                and (width is None or laid.size().width() <= width))
        if fits:
            return laid
    limit = rule.max_columns
    if width is not None and laid.pitch > 0:
        by_width = max(1, int((width + laid.gap) // laid.pitch))
        limit = by_width if limit is None else min(limit, by_width)
    return VerticalText(text, mongolian_font(size), length, max_columns=limit,
                        column_gap=rule.column_gap)
