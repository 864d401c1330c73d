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
