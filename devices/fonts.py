"""Fonts with Chinese glyphs for the pictures this package draws (a printed ticket, the camera's
calibration sheet): Noto Sans CJK (fonts-noto-cjk, which bin/bootstrap installs) or WenQuanYi,
else whatever fontconfig offers for Chinese, else Pillow's own font (Latin only: Chinese then
draws as boxes, and `has_cjk` says so)."""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

# (path, face index): index 2 of the Noto CJK collections is the Simplified Chinese face.
CANDIDATES = {
    False: (("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
            ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
            ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0)),
    True: (("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
           ("/usr/share/fonts/opentype/noto/NotoSansCJK-Black.ttc", 2)),
}

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=1)
def _fontconfig() -> str | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        done = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True,
                              text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    path = done.stdout.strip()
    return path if path and Path(path).suffix.lower() in (".ttf", ".ttc", ".otf") else None


@lru_cache(maxsize=32)
def cjk_font(size: int, bold: bool = False) -> Font:
    """A font of `size` pixels that draws Chinese, bold when one is installed."""
    candidates = [*CANDIDATES[bold], *CANDIDATES[False]] if bold else list(CANDIDATES[False])
    found = _fontconfig()
    if found:
        candidates.append((found, 0))
    for path, index in candidates:
        if Path(path).is_file():
            try:
                return ImageFont.truetype(path, size, index=index)
            except OSError:
                continue
    return ImageFont.load_default(size)


def has_cjk(font: Font) -> bool:
    return isinstance(font, ImageFont.FreeTypeFont) and font.getbbox("办")[2] > 0 and (
        font.getmask("办").getbbox() != font.getmask("\uffff").getbbox())
