"""Traditional Mongolian on the kiosk, for a hall that lists "mn" and a citizen who chose
ᠮᠣᠩᠭᠣᠯ: the language switch's names, and a service's `name_mn` in a vertical band where a name
stands alone (a tile of the service list, the detail and ticket headers). The Chinese stays
beside the band: the Mongolian translation of the fixed words is young (ui/locale/mn.po). Bands
are added to the screens' own widgets, never replacing them.

Mongolian is written top to bottom, never along a line: in Mongolian mode the screens' labels
and buttons say their words in Chinese (`tr` here), and headings and main buttons carry the
translation (`mongolian_words`) in a vertical band beside them (`say`)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from ui import i18n
from ui.widgets.mongol import BandButton, MongolianText
from ui.widgets.mongol_layout import (
    BandRule,
    fit,
    length_for_columns,
    longest_word,
    mongolian_font,
)

# Each language named in itself, for the switch (中文 / ᠮᠣᠩᠭᠣᠯ / English).
LANGUAGE_NAMES = {"zh": "中文", "mn": "ᠮᠣᠩᠭᠣᠯ", "en": "English"}


def shown_lang(lang: str) -> str:
    """The language a label or button writes along its line: Chinese for Mongolian."""
    return "zh" if lang == "mn" else lang


def tr(key: str, lang: str, **fields: object) -> str:
    """`ui.i18n.tr` for words written along a line: in Mongolian mode, the Chinese."""
    return i18n.tr(key, shown_lang(lang), **fields)


def mongolian_words(key: str, lang: str, **fields: object) -> str:
    """The Mongolian translation of a fixed word in Mongolian mode, for a band; "" otherwise
    or where the translation file has none (the Chinese beside it then stands alone)."""
    if lang != "mn":
        return ""
    text = i18n.translations("mn").get(key, "")
    return text.format(**fields) if text and fields else text


def mongolian_line(lang: str, *parts: str | tuple[str, dict[str, object]]) -> str:
    """The Mongolian of several fixed words on one line (a key, or a key with its fields),
    joined by spaces: one column of a band. "" outside Mongolian mode, or where one of them has
    no translation (half a sentence in Mongolian would say something else)."""
    words = [mongolian_words(p, lang) if isinstance(p, str) else mongolian_words(p[0], lang, **p[1])
             for p in parts]
    return " ".join(words) if words and all(words) else ""


def mongolian_zone(zone: str, lang: str) -> str:
    """A zone's name in Mongolian (综合咨询导办, 一窗受理, 后台审批, 出件), for a band's sentence."""
    return mongolian_words(f"zone_{zone}", lang)


def say(widget: QWidget, key: str, lang: str, **fields: object) -> None:
    """Set a label's or button's words from `key`, and the band beside or in it (a
    `BandedName`'s or a `BandButton`'s) to the Mongolian of the same key."""
    if isinstance(widget, BandedName):
        widget.set_name(tr(key, lang, **fields))
        widget.set_mongolian(mongolian_words(key, lang, **fields))
    elif isinstance(widget, BandButton):
        widget.setText(tr(key, lang, **fields))
        widget.set_mongolian(mongolian_words(key, lang, **fields))
    else:
        widget.setText(tr(key, lang, **fields))  # type: ignore[attr-defined]


def band_button(text: str = "", on_click: object = None, role: str = "", *,
                columns: int = BandButton.COLUMNS) -> BandButton:
    """A touch button (as `ui.widgets.button`) that can carry a vertical Mongolian band (in at
    most `columns` columns at its smallest size: more keep a wide button low)."""
    b = BandButton(text, columns=columns)
    if role:
        b.setObjectName(role)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    if on_click is not None:
        b.clicked.connect(lambda _checked=False: on_click())  # type: ignore[operator]
    return b


def mongolian_name(item: object, lang: str) -> str:
    """The Mongolian name of a service or counter in Mongolian mode; "" otherwise or without."""
    return (getattr(item, "name_mn", None) or "") if lang == "mn" else ""


def band_in_tile(tile: QPushButton, text: str, elderly: bool = False) -> None:
    """A vertical band of `text` along the left edge inside a tile (`ui.citizen.tiles.FitTile`):
    as wide as its columns need at a legible size, the tile's own words moving right to make
    room. Touches pass through the band to the button."""
    if not text:
        return
    band = MongolianText(text, BandRule(pixel_size=30 if elderly else 26,
                                        min_pixel_size=24 if elderly else 22), center=True)
    tile.set_band(band)  # type: ignore[attr-defined]


class BandedName(QWidget):
    """A name label with a vertical Mongolian band on its left (the region's rule puts the
    Mongolian first); the band shows only while it has a text. With `length` 0 it is as long
    as it needs to show all of it in `columns` columns at its smallest size (never cut); with
    `LINES` it is as long as the name's lines (or its longest word), in as many columns as
    that takes: a sentence beside a short line widens the pair instead of heightening it,
    where a screen has no height to spare."""

    LINES = -1

    COLUMNS = 4

    SHRINK_FLOOR = 0.6  # a `one_line` name shrinks this far before it wraps

    def __init__(self, name: QLabel, length: int = 150, pixel_size: int = 30, *,
                 center: bool = False, one_line: bool = False, min_pixel_size: int = 22,
                 columns: int = COLUMNS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.columns = columns  # with `length` 0: more make a shorter, wider band
        # a short heading kept on one line, smaller where the width is short: a wrapped label
        # broke "感谢您的评价！" inside 评价
        self.one_line = one_line
        self._name_sheet = name.styleSheet()
        self._usual_line = 0  # a `one_line` name's line height at its usual size
        # 0: as long as the name's line, or as its longest Mongolian word needs
        self.length = length
        self.band = MongolianText("", BandRule(
            pixel_size=pixel_size, min_pixel_size=min(pixel_size, min_pixel_size),
            max_columns=3 * columns if length == self.LINES else columns), center=True)
        self.band.setFixedHeight(max(1, length))
        self.band.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        if center:  # the pair in the middle, as the centred name was
            row.addStretch(1)
        row.addWidget(self.band)
        row.addWidget(name, 0 if center else 1)
        if center:
            row.addStretch(1)

    def set_name(self, text: str) -> None:
        """The name's words; the pair takes its new size now, not one event later (a name
        that wraps to one more line makes its parents' layouts grow in the same pass)."""
        if text != self.name.text():
            self.name.setText(text)
            self._fit_line()
            self.layout().activate()
            self.updateGeometry()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit_line()

    def _fit_line(self) -> None:
        """A `one_line` name on one line, unwrapped, at the largest size down to the floor at
        which it fits beside the band; wrapped at its usual size where even that does not."""
        if not self.one_line or self.width() <= 0:
            return
        name = self.name
        before = (name.wordWrap(), name.styleSheet())
        self._choose_line()
        if (name.wordWrap(), name.styleSheet()) != before:
            # the name's new height is the screen's now, not one event later (as `set_name`)
            name.updateGeometry()
            top = self.window().layout()
            if top is not None:
                top.invalidate()
                top.activate()

    def _choose_line(self) -> None:
        name = self.name
        if name.styleSheet() != self._name_sheet:
            name.setStyleSheet(self._name_sheet)
        name.ensurePolished()
        self._usual_line = name.fontMetrics().lineSpacing()
        band = 0
        if not self.band.isHidden():  # its width at its fixed length, not at this moment's
            laid = fit(self.band.text(), float(self.band.maximumHeight()), self.band.rule)
            band = int(laid.size().width()) + 1 + self.layout().spacing()
        room = self.width() - band - 2 * name.margin() - 4
        font = QFont(name.font())
        usual = size = font.pixelSize()
        while QFontMetrics(font).horizontalAdvance(name.text()) > room:
            if size - 2 < usual * self.SHRINK_FLOOR:
                name.setWordWrap(True)  # too long for one line: between words, as English
                if name.styleSheet() != self._name_sheet:
                    name.setStyleSheet(self._name_sheet)
                return
            size -= 2
            font.setPixelSize(size)
        name.setWordWrap(False)
        if size != usual:
            name.setStyleSheet(f"{self._name_sheet} font-size: {size}px;")

    def set_mongolian(self, text: str) -> None:
        self.band.set_text(text)
        self.band.setVisible(bool(text))
        self._colour_band()
        if text and self.length == self.LINES:
            self.name.ensurePolished()
            lines = self.name.fontMetrics().lineSpacing() * (self.name.text().count("\n") + 1)
            font = mongolian_font(self.band.rule.min_pixel_size or self.band.rule.pixel_size)
            self.band.setFixedHeight(max(lines, int(longest_word(text, font)) + 2))
        elif text and not self.length:
            self.name.ensurePolished()  # the style sheet's font, before it is measured
            # the name's usual line, not a `one_line` name's smaller one: a band that followed
            # it would change the room the name fits, again and again
            line = self._usual_line or self.name.fontMetrics().lineSpacing()
            self.band.setFixedHeight(max(line, self._need_length(text)))
        self._fit_line()

    def _colour_band(self) -> None:
        """The band in the name's colour (a red or yellow heading), with its own sizes; beside
        a name drawn in a box of its own (white on a red `danger` box), in the box's colour:
        the band stands on the screen's background, where white was not seen."""
        if not self.band.text():
            return
        self.name.ensurePolished()
        palette = self.name.palette()
        box = palette.color(self.name.backgroundRole())
        color = (box if box.alpha() == 255 else palette.color(self.name.foregroundRole())).name()
        self.band.setStyleSheet(f"color:{color}; background:transparent; padding:0px;")

    def showEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        # a pair made before it had a window (a result card's) took the colour of no style
        # sheet: black, on the senior mode's dark card
        super().showEvent(event)
        self._colour_band()

    def _need_length(self, text: str) -> int:
        """The band's length at its rule's smallest size: its longest word, and enough that the
        whole text takes at most `columns` columns (it was cut with "…": 一次性告知's band)."""
        font = mongolian_font(self.band.rule.min_pixel_size or self.band.rule.pixel_size)
        return int(length_for_columns(text, font, self.columns)) + 2
