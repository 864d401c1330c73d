"""The Mongolian font file comes from fontconfig; without it (or without fontconfig) the error
says what to install instead of drawing boxes with a fallback font."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.fonts import MONGOLIAN_HINT, FontMissing, find_font_file


def test_noto_sans_mongolian_is_found() -> None:
    path = find_font_file()
    assert path.is_file() and path.name == "NotoSansMongolian-Regular.ttf"


def test_a_missing_font_is_named_with_what_to_install() -> None:
    with pytest.raises(FontMissing, match="apt-get install fonts-noto-core"):
        find_font_file("No Such Family", "xx-yy")
    assert "bin/bootstrap" in MONGOLIAN_HINT


def test_no_fontconfig_is_said(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    find_font_file.cache_clear()
    try:
        with pytest.raises(FontMissing, match="fc-list is not installed"):
            find_font_file()
    finally:
        find_font_file.cache_clear()
