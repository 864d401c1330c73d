"""Widgets for traditional Mongolian beside Chinese: a vertical band and a bilingual line.

`MongolianText` shows a text as columns (top to bottom, left to right) that fill its height;
its width follows the columns it needs, so a layout gives a band of fixed height the width its
text asks for. `BilingualLine` puts a Chinese label beside a Mongolian band, Mongolian on the
left as the region's rule for vertical Mongolian beside Chinese has it. `render_band` draws a
band to an image, for pictures and tests. They know no view-model; screens wire them up.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QPointF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from ui.widgets.mongol_layout import (
    BandRule,
    VerticalText,
    fit,
    length_for_columns,
    mongolian_font,
)


class MongolianText(QWidget):
    """A band of vertical Mongolian. Its height comes from the layout (or `preferred_length`
    when free); it asks for the width of the columns its text needs at that height. With
    `rule.max_columns` the font shrinks, then the last column is elided, instead of widening."""

    def __init__(self, text: str = "", rule: BandRule | None = None, *,
                 preferred_length: int = 0, center: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text, self.rule, self.center = text, rule or BandRule(), center
        # 0: the natural length of the text, so a free widget keeps one column a paragraph
        self.preferred_length = preferred_length
        self._laid: VerticalText | None = None
        self.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Expanding)

    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        if text != self._text:
            self._text, self._laid = text, None
            self.updateGeometry()
            self.update()

    def set_rule(self, rule: BandRule) -> None:
        self.rule, self._laid = rule, None
        self.updateGeometry()
        self.update()

    def columns(self) -> VerticalText:
        """The layout at the widget's current height (made again when the height changes)."""
        length = self._length()
        if self._laid is None or self._laid.length != length:
            width = self.maximumWidth() if self.maximumWidth() < 16777215 else None
            self._laid = fit(self._text, length, self.rule, width)
        return self._laid

    def _length(self) -> float:
        if self.testAttribute(Qt.WidgetAttribute.WA_Resized):  # placed by a layout or resize()
            return float(self.height())
        return float(self.preferred_length or self._natural_length())

    def _natural_length(self) -> int:
        longest = VerticalText(self._text, mongolian_font(self.rule.pixel_size), 1e6)
        return max(1, int(longest.size().height()) + 1)

    def sizeHint(self) -> QSize:
        size = self.columns().size()
        return QSize(int(size.width()) + 1, int(size.height()) + 1)

    def minimumSizeHint(self) -> QSize:
        one_line = int(mongolian_font(self.rule.pixel_size).pixelSize() * 1.5)
        return QSize(int(self.columns().size().width()) + 1, one_line)

    def resizeEvent(self, event: Any) -> None:
        before = self._laid.size().width() if self._laid else -1.0
        super().resizeEvent(event)
        if self.columns().size().width() != before:
            self.updateGeometry()  # a new height needs another number of columns

    def paintEvent(self, _event: Any) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self.palette().color(self.foregroundRole()))
        self.columns().paint(painter, QPointF(0.0, 0.0), center=self.center)
        painter.end()


class BilingualLine(QWidget):
    """Chinese text beside a vertical Mongolian band of the same height."""

    def __init__(self, chinese: str, mongolian: str, rule: BandRule | None = None, *,
                 role: str = "", mongolian_first: bool = True,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chinese = QLabel(chinese)
        if role:
            self.chinese.setObjectName(role)
        self.chinese.setWordWrap(True)
        self.chinese.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.mongolian = MongolianText(mongolian, rule)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        if mongolian_first:
            row.addWidget(self.mongolian)
        row.addWidget(self.chinese, 1)
        if not mongolian_first:
            row.addWidget(self.mongolian)

    def set_texts(self, chinese: str, mongolian: str) -> None:
        self.chinese.setText(chinese)
        self.mongolian.set_text(mongolian)


def render_band(text: str, height: int, rule: BandRule | None = None, *, width: int | None = None,
                color: str = "#000000", background: str = "#ffffff") -> QImage:
    """`text` as a band `height` pixels long, drawn on an image just wide enough (or `width`
    wide, shrinking and eliding as the rule allows)."""
    laid = fit(text, float(height), rule or BandRule(), float(width) if width else None)
    image = QImage(width or max(1, int(laid.size().width()) + 1), height,
                   QImage.Format.Format_RGB32)
    image.fill(QColor(background))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor(color))
    laid.paint(painter, QPointF(0.0, 0.0))
    painter.end()
    return image


class BandButton(QPushButton):
    """A touch button whose words may have a vertical Mongolian band just left of them (the
    region's rule puts the Mongolian first). The band is a `MongolianText` child that lets
    touches through; the button's left padding grows by the band's width, so the pair stays
    centred, and the button asks for the height its longest Mongolian word needs at the rule's
    smallest size. With no words, the band alone stands in the middle."""

    GAP = 12
    MARGIN = 8
    COLUMNS = 4  # at most, at the rule's smallest size

    def __init__(self, text: str = "", rule: BandRule | None = None,
                 parent: QWidget | None = None, *, columns: int = COLUMNS) -> None:
        super().__init__(text, parent)
        # more columns: a wide button keeps low (a row of reasons on a landscape screen)
        self.columns = columns
        # no column limit: the button grows as high as `columns` columns need, never cuts
        self.band = MongolianText("", rule or BandRule(pixel_size=26, min_pixel_size=22),
                                  center=True, parent=self)
        self.band.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._color = ""
        self._sheet: str | None = None  # the button's own style sheet, before the band's room
        self._room = 0  # pixels of padding added on the left for the band
        self.band.hide()

    def set_mongolian(self, text: str) -> None:
        if text == self.band.text() and self.band.isVisibleTo(self) == bool(text):
            return
        self.band.set_text(text)
        self.band.setVisible(bool(text))
        self._make_room()
        self.updateGeometry()
        self._place()

    def mongolian(self) -> str:
        return self.band.text() if self.band.isVisibleTo(self) else ""

    def _need_length(self) -> int:
        """The band's length at the rule's smallest size: its longest word, and enough that
        the whole text takes at most `COLUMNS` columns (a long text makes a higher button
        rather than a wide band or a cut one)."""
        rule = self.band.rule
        font = mongolian_font(rule.min_pixel_size or rule.pixel_size)
        text = self.band.text()
        if not text.split():
            return 0
        return int(length_for_columns(text, font, self.columns)) + 2

    def _band_width(self, length: int) -> int:
        return int(fit(self.band.text(), float(length), self.band.rule).size().width()) + 1

    def _make_room(self) -> None:
        """Widen the left padding by the band's width at the button's lowest height (the
        widest the band gets), or take the room back."""
        if self._sheet is None:
            self._sheet = self.styleSheet()
        room = 0
        if self.band.text():
            self.ensurePolished()
            low = max(self._need_length(), super().sizeHint().height() - 2 * self.MARGIN)
            room = self._band_width(low) + self.GAP
        if room == self._room:
            return
        self._room = room
        if not room:
            self.setStyleSheet(self._sheet)
            return
        self.setStyleSheet(self._sheet)  # the role's own padding first, to measure it
        self.ensurePolished()
        option = QStyleOptionButton()
        self.initStyleOption(option)
        left = self.style().subElementRect(QStyle.SubElement.SE_PushButtonContents,
                                           option, self).left()
        # a sheet of bare declarations (`tall`'s "min-height: 100px;") goes in a rule of its
        # own: beside a rule it made the sheet invalid, and the padding was lost (the band
        # drew over "★★★★★")
        own = self._sheet if "{" in self._sheet else f"QPushButton {{ {self._sheet} }}"
        self.setStyleSheet(f"{own}\nQPushButton {{ padding-left: {left + room}px; }}")

    def setText(self, text: str) -> None:  # noqa: N802 (Qt's name)
        super().setText(text)
        self._place()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return self._with_band(super().sizeHint())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return self._with_band(super().minimumSizeHint())

    def _with_band(self, size: QSize) -> QSize:
        if not self.band.text():
            return size
        high = max(size.height(), self._need_length() + 2 * self.MARGIN)
        wide = size.width()
        if not self.text():  # the band alone
            wide = max(wide, self._band_width(high - 2 * self.MARGIN) + 2 * self.MARGIN)
        return QSize(wide, high)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._place()

    def changeEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange,
                            QEvent.Type.PaletteChange):
            self._place()

    def _place(self) -> None:
        if not self.band.text():
            return
        color = self.palette().color(QPalette.ColorRole.ButtonText).name()
        if color != self._color:  # the words' colour (a primary button's is not the page's)
            self._color = color
            # its own sizes: the button's style sheet (min-height, padding) would reach it too
            self.band.setStyleSheet(f"min-height:0px; min-width:0px; padding:0px; border:none;"
                                    f"background:transparent; color:{color};")
        length = max(1, self.height() - 2 * self.MARGIN)
        width = min(self._band_width(length), max(1, self.width() - 2 * self.MARGIN))
        if self.text():
            option = QStyleOptionButton()
            self.initStyleOption(option)
            room = self.style().subElementRect(QStyle.SubElement.SE_PushButtonContents,
                                               option, self)
            # the widest line ("★★★★★" over "非常满意"), not the lines end to end
            words = max(self.fontMetrics().horizontalAdvance(line)
                        for line in self.text().split("\n"))
            x = room.center().x() - words // 2 - self.GAP - width
        else:
            x = (self.width() - width) // 2
        self.band.setGeometry(max(self.MARGIN, x), self.MARGIN, width, length)
