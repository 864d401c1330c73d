"""Traditional Mongolian on the kiosk, for a hall that lists "mn" and a citizen who chose
ᠮᠣᠩᠭᠣᠯ: the language switch's names, and a service's `name_mn` in a vertical band where a name
stands alone (a tile of the service list, the detail and ticket headers). The Chinese stays
beside the band: the Mongolian translation of the fixed words is young (ui/locale/mn.po). Bands
are added to the screens' own widgets, never replacing them.

Mongolian is written top to bottom, never along a line: in Mongolian mode the screens' labels
and buttons say their words in Chinese (`tr` here), and headings and main buttons carry the
translation (`mongolian_words`) in a vertical band beside them (`say`)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from ui import i18n
from ui.widgets.mongol import BandButton, MongolianText
from ui.widgets.mongol_layout import BandRule, longest_word, mongolian_font

# Each language named in itself, for the switch (中文 / ᠮᠣᠩᠭᠣᠯ / English).
LANGUAGE_NAMES = {"zh": "中文", "mn": "ᠮᠣᠩᠭᠣᠯ", "en": "English"}
TILE_BAND = 110 # pixels a tile keeps on its left for the band (margin included)


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


def band_button(text: str = "", on_click: object = None, role: str = "",
                ) -> BandButton:
    """A touch button (as `ui.widgets.button`) that can carry a vertical Mongolian band."""
    b = BandButton(text)
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
    """A vertical band of `text` along the left edge inside a tile button; the button's own
    words move right to make room. Touches pass through the band to the button."""
    if not text:
        return
    band = MongolianText(text, BandRule(pixel_size=30 if elderly else 26, min_pixel_size=19,
                                        max_columns=3), center=True)
    band.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    band.setFixedWidth(TILE_BAND - 20)
    # its own sizes: the tile's style sheet (min-height, padding) would reach the band too
    band.setStyleSheet("min-height:0px; padding:0px; background:transparent;")
    row = QHBoxLayout(tile)
    row.setContentsMargins(10, 8, 0, 8)
    row.addWidget(band)
    row.addStretch(1)
    tile.setStyleSheet(tile.styleSheet() + f" padding-left: {TILE_BAND}px;")


class BandedName(QWidget):
    """A name label with a vertical Mongolian band on its left (the region's rule puts the
    Mongolian first); the band shows only while it has a text."""

    def __init__(self, name: QLabel, length: int = 150, pixel_size: int = 30, *,
                 center: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        # 0: as long as the name's line, or as its longest Mongolian word needs
        self.length = length
        self.band = MongolianText("", BandRule(pixel_size=pixel_size, min_pixel_size=18,
                                               max_columns=4), center=True)
        self.band.setFixedHeight(length or 1)
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
            self.layout().activate()
            self.updateGeometry()

    def set_mongolian(self, text: str) -> None:
        self.band.set_text(text)
        self.band.setVisible(bool(text))
        if text:  # the name's colour (a red or yellow heading), its own sizes
            self.name.ensurePolished()
            color = self.name.palette().color(self.name.foregroundRole()).name()
            self.band.setStyleSheet(f"color:{color}; background:transparent; padding:0px;")
        if text and not self.length:
            self.name.ensurePolished()  # the style sheet's font, before it is measured
            font = mongolian_font(self.band.rule.min_pixel_size)
            word = int(longest_word(text, font)) + 2
            self.band.setFixedHeight(max(word, self.name.fontMetrics().lineSpacing()))
