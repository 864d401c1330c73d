"""The rating pad's window: idle welcome, the five levels, the reasons for a low rating, sending,
thanks, and an error with a retry. Bound to `RatingModel`; big touch targets.

In a hall that lists Mongolian (`languages`), or for a pad set to "mn", the words the Mongolian
file translates (the prompts, the five levels) also stand in a vertical Mongolian band beside
the Chinese (left of it, as the region's rule has it); the Chinese stays, as the translation
is young."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.pad import BAD_REASONS, LEVELS, STATES, RatingModel
from ui.i18n import pick, tr, translations
from ui.theme import NORMAL
from ui.widgets.mongol import MongolianText
from ui.widgets.mongol_layout import BandRule

LEVEL_COLOURS = {5: "#1d7a46", 4: "#4d9a3a", 3: "#b08a00", 2: "#c2410c", 1: "#b91c1c"}
FACES = {n: "★" * n for n in range(1, 6)}  # stars: the CJK font has no emoji
def style(scale: float = 1.0) -> str:
    """The pad's style sheet at `scale` of its 1280x800 sizes; touch targets keep their 15 mm."""
    font, pad = round(30 * scale), round(18 * scale)
    return f"""
QWidget#rating {{ background:{NORMAL.bg}; }}
QLabel {{ color:{NORMAL.fg}; }}
QPushButton {{ font-size:{font}px; border-radius:16px; padding:{pad}px; color:white;
              background:{NORMAL.accent}; min-height:{NORMAL.touch_px}px; }}
QPushButton:checked {{ background:{NORMAL.primary}; }}
QPushButton:disabled {{ background:#c7ccd6; }}
QPushButton#plain {{ background:#e5e7eb; color:{NORMAL.fg}; }}
QPushButton#plain:checked {{ background:{NORMAL.primary}; color:white; }}
"""


STYLE = style()


def big(text: str, px: int, color: str = NORMAL.fg, bold: bool = True) -> QLabel:
    w = QLabel(text)
    w.setWordWrap(True)
    w.setAlignment(Qt.AlignmentFlag.AlignCenter)
    w.setStyleSheet(f"font-size:{px}px; color:{color}; font-weight:{700 if bold else 400};")
    return w


def band(text: str, length: int, px: int, color: str, columns: int = 3) -> MongolianText:
    """A vertical Mongolian band `length` pixels long, its columns centred along it."""
    out = MongolianText(text, BandRule(pixel_size=px, min_pixel_size=max(16, px * 2 // 3),
                                       max_columns=columns), center=True)
    out.setFixedHeight(length)
    # its own sizes: a button's style sheet (min-height, padding) would reach the band too
    out.setStyleSheet(f"color:{color}; min-height:{length}px; max-height:{length}px;"
                      "padding:0px; background:transparent;")
    out.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    return out


class RatingWindow(QWidget):
    def __init__(self, model: RatingModel, lang: str = "zh", parent: QWidget | None = None,
                 languages: Sequence[str] = ("zh",)) -> None:
        super().__init__(parent)
        self.model = model
        # a Mongolian pad writes the Chinese beside its bands; the bands come with the hall's "mn"
        self.lang = "zh" if lang == "mn" else lang
        self.mongolian = lang == "mn" or "mn" in languages
        self.setObjectName("rating")
        self.scale = 1.0  # of the sizes made for 1280x800; follows the window (800x480 pads)
        self.setStyleSheet(STYLE)
        self.setWindowTitle("快办 评价器 / Rating pad")
        self.resize(1280, 800)
        self.stack = QStackedWidget()
        outer = QVBoxLayout(self)
        # no minimum from the pages: a smaller screen resizes the window, which rescales them
        outer.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        outer.addWidget(self.stack)
        self.pages: dict[str, QWidget] = {}
        self._build()
        model.changed.connect(self.refresh)
        self.refresh()

    def _px(self, size: int) -> int:
        return max(1, round(size * self.scale))

    def _build(self) -> None:
        """The pages at the current scale (again after a resize that changes it)."""
        for page in self.pages.values():
            self.stack.removeWidget(page)
            page.deleteLater()
        self.pages = {}
        for state, build in (("idle", self._idle), ("rate", self._rate),
                             ("reasons", self._reasons), ("sending", self._sending),
                             ("thanks", self._thanks), ("error", self._error)):
            self.pages[state] = build()
            self.stack.addWidget(self.pages[state])
        assert set(self.pages) == set(STATES)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        scale = max(0.5, min(2.0, self.width() / 1280, self.height() / 800))
        if abs(scale - self.scale) > 0.04:
            self.scale = scale
            self.setStyleSheet(style(scale))
            self._build()
            self.refresh()

    def _mn(self, key: str) -> str:
        """The Mongolian of a fixed word when shown and translated, else ""."""
        return translations("mn").get(key, "") if self.mongolian else ""

    def _words(self, key: str, px: int, color: str = NORMAL.fg, bold: bool = True,
               length: int = 0) -> QWidget:
        """`big` words of `key`, with their Mongolian band on the left when there is one."""
        words = big(tr(key, self.lang), self._px(px), color, bold)
        mongolian = self._mn(key)
        if not mongolian:
            return words
        pair = QWidget()
        row = QHBoxLayout(pair)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(24)
        row.addStretch(1)
        row.addWidget(band(mongolian, self._px(length or px * 3), self._px(max(24, px * 2 // 3)),
                           color, 4))
        words.setWordWrap(False)
        row.addWidget(words)
        row.addStretch(1)
        return pair

    def _page(self) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(self._px(60), self._px(40), self._px(60), self._px(40))
        return page, box

    def _idle(self) -> QWidget:
        page, box = self._page()
        box.addStretch(1)
        box.addWidget(big("★ ★ ★ ★ ★", self._px(80), "#f59e0b"))
        box.addWidget(self._words("pad_idle", 64, NORMAL.primary, length=220))
        box.addWidget(self._words("pad_idle_sub", 34, NORMAL.muted, False, length=200))
        box.addStretch(1)
        return page

    def _rate(self) -> QWidget:
        page, box = self._page()
        self.rate_ticket = big("", self._px(34), NORMAL.muted, False)
        box.addWidget(self.rate_ticket)
        box.addWidget(self._words("pad_rate", 56, length=140))
        row = QHBoxLayout()
        # Five buttons side by side: Chinese names fit one line; other languages' words each
        # take a line of their own, a size smaller ("Very / dissatisfied").
        px = self._px(38 if self.lang == "zh" else 30)
        for level in sorted(LEVELS, reverse=True):
            name = pick(LEVELS[level], self.lang)
            if self.lang != "zh":
                name = name.replace(" ", "\n")
            btn = QPushButton(f"{FACES[level]}\n{name}")
            btn.setStyleSheet(f"background:{LEVEL_COLOURS[level]}; min-height:{self._px(300)}px;"
                              f"font-size:{px}px; font-weight:700; padding:18px 8px;")
            btn.clicked.connect(lambda _c=False, lv=level: self.model.choose(lv))
            self._band_in_button(btn, self._mn(f"level_{level}"))
            row.addWidget(btn)
        box.addLayout(row, 1)
        return page

    def _band_in_button(self, btn: QPushButton, text: str) -> None:
        """The level's Mongolian under its stars and Chinese, inside the button (touches pass)."""
        if not text:
            return
        col = QVBoxLayout(btn)
        col.setContentsMargins(8, 0, 8, self._px(20))
        col.addStretch(1)
        col.addWidget(band(text, self._px(140), self._px(30), "white"), 0,
                      Qt.AlignmentFlag.AlignHCenter)
        btn.setStyleSheet(btn.styleSheet() + f"padding-bottom:{self._px(140)}px;"
                          f"min-height:{self._px(330)}px;")

    def _reasons(self) -> QWidget:
        page, box = self._page()
        self.reasons_title = big("", self._px(48), LEVEL_COLOURS[2])
        box.addWidget(self.reasons_title)
        # a short band: at 800x480 a taller one pushes the reason buttons onto each other
        box.addWidget(self._words("pad_reasons", 34, NORMAL.muted, False, length=80))
        grid = QGridLayout()
        self.reason_buttons: dict[str, QPushButton] = {}
        for i, (code, words) in enumerate(BAD_REASONS.items()):
            btn = QPushButton(pick(words, self.lang))
            btn.setCheckable(True)
            btn.setObjectName("plain")
            btn.clicked.connect(lambda _c=False, c=code: self.model.toggle_reason(c))
            self.reason_buttons[code] = btn
            grid.addWidget(btn, i // 3, i % 3)
        box.addLayout(grid, 1)
        row = QHBoxLayout()
        back = QPushButton(tr("back", self.lang))
        back.setObjectName("plain")
        back.clicked.connect(self.model.back)
        self.submit_btn = QPushButton(tr("submit", self.lang))
        self.submit_btn.clicked.connect(self.model.submit)
        row.addWidget(back, 1)
        row.addWidget(self.submit_btn, 2)
        box.addLayout(row)
        return page

    def _sending(self) -> QWidget:
        page, box = self._page()
        box.addStretch(1)
        box.addWidget(big("★ ★ ★ ★ ★", self._px(80), "#f59e0b"))
        box.addWidget(self._words("sending", 56, NORMAL.muted, length=160))
        box.addStretch(1)
        return page

    def _thanks(self) -> QWidget:
        page, box = self._page()
        box.addStretch(1)
        box.addWidget(big("✔", self._px(120), NORMAL.ok))
        box.addWidget(self._words("thanks", 72, NORMAL.ok, length=200))
        box.addWidget(self._words("pad_thanks_sub", 36, NORMAL.muted, False))
        box.addStretch(1)
        return page

    def _error(self) -> QWidget:
        page, box = self._page()
        box.addStretch(1)
        box.addWidget(self._words("pad_error", 56, NORMAL.danger, length=180))
        self.error_text = big("", self._px(30), NORMAL.fg, False)
        box.addWidget(self.error_text)
        retry = QPushButton(tr("submit", self.lang))
        retry.clicked.connect(self.model.retry)
        box.addWidget(retry)
        box.addStretch(1)
        return page

    def refresh(self) -> None:
        m, lang = self.model, self.lang
        self.stack.setCurrentWidget(self.pages[m.state])
        self.rate_ticket.setText(tr("pad_ticket", lang, number=m.number, counter=m.counter_name))
        if m.level in LEVELS:
            self.reasons_title.setText(f"{FACES[m.level]} {pick(LEVELS[m.level], lang)}")
        for code, btn in self.reason_buttons.items():
            btn.setChecked(code in m.reasons)
        self.submit_btn.setEnabled(m.can_submit())
        self.error_text.setText(m.error)
