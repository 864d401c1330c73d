"""Traditional Mongolian on the kiosk, for a hall that lists "mn" and a citizen who chose
ᠮᠣᠩᠭᠣᠯ: the language switch's names, and a service's `name_mn` in a vertical band where a name
stands alone (a tile of the service list, the detail and ticket headers). The Chinese stays
beside the band: the Mongolian translation of the fixed words is young (ui/locale/mn.po). Bands
are added to the screens' own widgets, never replacing them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from ui.widgets.mongol import MongolianText
from ui.widgets.mongol_layout import BandRule

# Each language named in itself, for the switch (中文 / ᠮᠣᠩᠭᠣᠯ / English).
LANGUAGE_NAMES = {"zh": "中文", "mn": "ᠮᠣᠩᠭᠣᠯ", "en": "English"}
TILE_BAND = 110 # pixels a tile keeps on its left for the band (margin included)


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
        self.band = MongolianText("", BandRule(pixel_size=pixel_size, min_pixel_size=18,
                                               max_columns=4), center=True)
        self.band.setFixedHeight(length)
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

    def set_mongolian(self, text: str) -> None:
        self.band.set_text(text)
        self.band.setVisible(bool(text))
