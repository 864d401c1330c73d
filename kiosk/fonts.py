"""Font files of the terminal, found by fontconfig: today the traditional Mongolian font.

Owns the question "which file draws this script here?". The screens (Qt) and the ticket's
Mongolian image (Pillow) must shape with the same file, so both ask this module instead of
trusting a family name that could silently fall back to another font without Mongolian glyphs.
No Qt: it runs `fc-match`/`fc-list`, which ship with fontconfig (libfontconfig1's `fontconfig`).
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

MONGOLIAN_FAMILY = "Noto Sans Mongolian"
MONGOLIAN_LANG = "mn-cn"  # fontconfig's language tag for the traditional (vertical) script
MONGOLIAN_HINT = (
    "Noto Sans Mongolian is not installed: run `apt-get install fonts-noto-core` as root "
    "(bin/bootstrap does it when run as root), then start again"
)


class FontMissing(Exception):
    """No installed font covers the script; the message says what to install."""


def _run(args: list[str]) -> str:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout if done.returncode == 0 else ""


def _matches(family: str, lang: str) -> list[tuple[str, Path]]:
    """(family, file) of every installed font that fontconfig says covers `lang`."""
    found = []
    for line in _run(["fc-list", f":lang={lang}", "family", "file"]).splitlines():
        path, _, families = line.partition(": ")
        if path:
            found.append((families.strip(), Path(path.strip())))
    # The wanted family first, then the rest by path so the choice does not depend on fc's order.
    return sorted(found, key=lambda item: (family not in item[0].split(","), str(item[1])))


@lru_cache(maxsize=8)
def find_font_file(family: str = MONGOLIAN_FAMILY, lang: str = MONGOLIAN_LANG,
                   hint: str = MONGOLIAN_HINT) -> Path:
    """The file of `family` (or else of any font fontconfig knows to cover `lang`).

    Raises FontMissing with `hint` when fontconfig is absent or no font covers the language:
    `fc-match` alone would answer with a fallback font that draws Mongolian as boxes."""
    if shutil.which("fc-list") is None:
        raise FontMissing(f"fontconfig's fc-list is not installed (apt-get install fontconfig); "
                          f"{hint}")
    for _family, path in _matches(family, lang):
        if path.is_file():
            return path
    exact = _run(["fc-match", "-f", "%{family}|%{file}", family]).split("|", 1)
    if len(exact) == 2 and family in exact[0].split(",") and Path(exact[1]).is_file():
        return Path(exact[1])
    raise FontMissing(hint)
