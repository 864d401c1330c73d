"""Colours, fonts and sizes shared by every role; elderly mode scales them up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Fonts that carry Chinese glyphs, in order of preference (fonts-noto-cjk, fonts-wqy-microhei).
CJK_FAMILIES = ["Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "Source Han Sans SC"]


@dataclass(frozen=True)
class Theme:
    bg: str = "#f4f6fa"
    fg: str = "#1a1f2b"
    primary: str = "#c8102e"       # the red of government halls
    primary_fg: str = "#ffffff"
    accent: str = "#0b5cad"
    muted: str = "#6b7280"
    ok: str = "#1d7a46"
    warn: str = "#b45309"
    danger: str = "#b91c1c"
    card: str = "#ffffff"
    base_pt: int = 20
    # 15 mm on a 21.5" 1080p touchscreen (~102 dpi) is about 60 px; 80 px leaves margin.
    touch_px: int = 80


NORMAL = Theme()
ELDERLY = Theme(bg="#000000", fg="#ffffff", card="#1f1f1f", primary="#ffd400",
                primary_fg="#000000", accent="#ffd400", muted="#d1d5db", base_pt=30, touch_px=110)


def apply_fonts(app: Any) -> str:
    """Pick the first installed CJK family as the application font; answer its name."""
    from PySide6.QtGui import QFont, QFontDatabase

    families = set(QFontDatabase.families())
    for family in CJK_FAMILIES:
        if family in families:
            font = QFont(family, NORMAL.base_pt // 2)
            app.setFont(font)
            return family
    return app.font().family()


def px(theme: Theme, factor: float) -> int:
    """A font size in pixels relative to the theme's base size (elderly mode scales them all)."""
    return int(theme.base_pt * factor * 1.33)


def stylesheet(theme: Theme) -> str:
    """The kiosk's Qt style sheet. Object names pick the roles: `primary`, `card`, `muted`…"""
    t = theme
    return f"""
    QWidget {{ background: {t.bg}; color: {t.fg}; font-size: {px(t, 1.0)}px; }}
    QLabel {{ background: transparent; }}
    QLabel#title {{ font-size: {px(t, 1.6)}px; font-weight: bold; }}
    QLabel#huge {{ font-size: {min(px(t, 5.5), 170)}px; font-weight: bold; color: {t.primary}; }}
    QLabel#number {{ font-size: {min(px(t, 6.5), 210)}px; font-weight: bold; color: {t.primary}; }}
    QLabel#big {{ font-size: {px(t, 2.2)}px; font-weight: bold; }}
    QLabel#muted {{ color: {t.muted}; }}
    QLabel#notice {{ color: {t.warn if t.bg != '#000000' else t.accent}; font-weight: bold; }}
    QLabel#danger {{ color: #ffffff; background: {t.danger}; padding: 16px;
                     border-radius: 10px; font-weight: bold; }}
    QLabel#ok {{ color: {t.ok if t.bg != '#000000' else '#7CFC9A'}; font-weight: bold; }}
    QFrame#card {{ background: {t.card}; border-radius: 14px; border: 2px solid {t.muted}; }}
    QFrame#bar {{ background: {t.primary}; }}
    QFrame#bar QLabel {{ color: {t.primary_fg}; }}
    QPushButton {{ min-height: {t.touch_px}px; min-width: {t.touch_px}px; padding: 6px 18px;
                   border-radius: 12px; border: 2px solid {t.accent}; background: {t.card};
                   color: {t.fg}; font-size: {px(t, 1.1)}px; }}
    QPushButton:pressed {{ background: {t.accent}; color: {t.primary_fg}; }}
    QPushButton:disabled {{ color: {t.muted}; border-color: {t.muted}; }}
    QPushButton#primary {{ background: {t.primary}; color: {t.primary_fg}; border: none;
                           font-weight: bold; font-size: {px(t, 1.3)}px; }}
    QPushButton#selected {{ background: {t.accent}; color: {t.primary_fg if t.bg != '#000000' else '#000000'}; }}
    QPushButton#bar {{ background: transparent; color: {t.primary_fg}; border: 2px solid
                       {t.primary_fg}; }}
    QPushButton#key {{ padding: 6px 2px; min-width: 48px; }}
    QPushButton#tile {{ text-align: left; padding: 14px 22px; font-size: {px(t, 1.25)}px; }}
    QScrollBar:vertical {{ width: 24px; background: {t.card}; border-radius: 12px; }}
    QScrollBar::handle:vertical {{ background: {t.accent}; border-radius: 12px; min-height: 60px; }}
    QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0px; }}
    QLineEdit {{ min-height: {t.touch_px}px; border: 2px solid {t.accent}; border-radius: 10px;
                 padding: 0 16px; background: {t.card}; font-size: {px(t, 1.3)}px; }}
    """
