"""The rating pad's window: idle welcome, the five levels, the reasons for a low rating, sending,
thanks, and an error with a retry. Bound to `RatingModel`; big touch targets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kiosk.pad import BAD_REASONS, LEVELS, STATES, RatingModel
from ui.i18n import pick, tr
from ui.theme import NORMAL

LEVEL_COLOURS = {5: "#1d7a46", 4: "#4d9a3a", 3: "#b08a00", 2: "#c2410c", 1: "#b91c1c"}
FACES = {n: "★" * n for n in range(1, 6)}  # stars: the CJK font has no emoji
STYLE = f"""
QWidget#rating {{ background:{NORMAL.bg}; }}
QLabel {{ color:{NORMAL.fg}; }}
QPushButton {{ font-size:30px; border-radius:16px; padding:18px; color:white;
              background:{NORMAL.accent}; min-height:{NORMAL.touch_px}px; }}
QPushButton:checked {{ background:{NORMAL.primary}; }}
QPushButton:disabled {{ background:#c7ccd6; }}
QPushButton#plain {{ background:#e5e7eb; color:{NORMAL.fg}; }}
QPushButton#plain:checked {{ background:{NORMAL.primary}; color:white; }}
"""


def big(text: str, px: int, color: str = NORMAL.fg, bold: bool = True) -> QLabel:
    w = QLabel(text)
    w.setWordWrap(True)
    w.setAlignment(Qt.AlignmentFlag.AlignCenter)
    w.setStyleSheet(f"font-size:{px}px; color:{color}; font-weight:{700 if bold else 400};")
    return w


class RatingWindow(QWidget):
    def __init__(self, model: RatingModel, lang: str = "zh", parent: QWidget | None = None,
                 ) -> None:
        super().__init__(parent)
        self.model, self.lang = model, lang
        self.setObjectName("rating")
        self.setStyleSheet(STYLE)
        self.setWindowTitle("快办 评价器 / Rating pad")
        self.resize(1280, 800)
        self.stack = QStackedWidget()
        QVBoxLayout(self).addWidget(self.stack)
        self.pages: dict[str, QWidget] = {}
        for state, build in (("idle", self._idle), ("rate", self._rate),
                             ("reasons", self._reasons), ("sending", self._sending),
                             ("thanks", self._thanks), ("error", self._error)):
            self.pages[state] = build()
            self.stack.addWidget(self.pages[state])
        assert set(self.pages) == set(STATES)
        model.changed.connect(self.refresh)
        self.refresh()

    def _page(self) -> tuple[QWidget, QVBoxLayout]:
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(60, 40, 60, 40)
        return page, box

    def _idle(self) -> QWidget:
        page, box = self._page()
        box.addStretch(1)
        box.addWidget(big("★ ★ ★ ★ ★", 80, "#f59e0b"))
        box.addWidget(big(tr("pad_idle", self.lang), 64, NORMAL.primary))
        box.addWidget(big(tr("pad_idle_sub", self.lang), 34, NORMAL.muted, False))
        box.addStretch(1)
        return page

    def _rate(self) -> QWidget:
        page, box = self._page()
        self.rate_ticket = big("", 34, NORMAL.muted, False)
        box.addWidget(self.rate_ticket)
        box.addWidget(big(tr("pad_rate", self.lang), 56))
        row = QHBoxLayout()
        for level in sorted(LEVELS, reverse=True):
            btn = QPushButton(f"{FACES[level]}\n{pick(LEVELS[level], self.lang)}")
            btn.setStyleSheet(f"background:{LEVEL_COLOURS[level]}; min-height:300px;"
                              "font-size:38px; font-weight:700;")
            btn.clicked.connect(lambda _c=False, lv=level: self.model.choose(lv))
            row.addWidget(btn)
        box.addLayout(row, 1)
        return page

    def _reasons(self) -> QWidget:
        page, box = self._page()
        self.reasons_title = big("", 48, LEVEL_COLOURS[2])
        box.addWidget(self.reasons_title)
        box.addWidget(big(tr("pad_reasons", self.lang), 34, NORMAL.muted, False))
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
        box.addWidget(big("★ ★ ★ ★ ★", 80, "#f59e0b"))
        box.addWidget(big(tr("sending", self.lang), 56, NORMAL.muted))
        box.addStretch(1)
        return page

    def _thanks(self) -> QWidget:
        page, box = self._page()
        box.addStretch(1)
        box.addWidget(big("✔", 120, NORMAL.ok))
        box.addWidget(big(tr("thanks", self.lang), 72, NORMAL.ok))
        box.addWidget(big(tr("pad_thanks_sub", self.lang), 36, NORMAL.muted, False))
        box.addStretch(1)
        return page

    def _error(self) -> QWidget:
        page, box = self._page()
        box.addStretch(1)
        box.addWidget(big(tr("pad_error", self.lang), 56, NORMAL.danger))
        self.error_text = big("", 30, NORMAL.fg, False)
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
