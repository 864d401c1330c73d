"""Qt shapes traditional Mongolian as HarfBuzz itself does: for each known word the glyph ids
(and their advances) of the column Qt lays out equal uharfbuzz's on the same font file, and
FVS, MVS and NNBSP change the glyphs (they are honoured, not dropped)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.fonts import find_font_file
from tests.mongol_samples import CONTROLS, HALL, WORDS
from ui.widgets.mongol_layout import VerticalText, mongolian_family, mongolian_font

hb = pytest.importorskip("uharfbuzz", reason="uharfbuzz is a dev dependency (pip install -e .[dev])")
PIXELS = 48


@pytest.fixture(scope="module")
def font_file() -> Path:
    return find_font_file()


@pytest.fixture(scope="module")
def hb_font(font_file: Path) -> Any:
    return hb.Font(hb.Face(hb.Blob.from_file_path(str(font_file))))


def harfbuzz(font: Any, text: str) -> tuple[list[int], list[float]]:
    """Glyph ids and advances (in pixels at PIXELS) of `text` shaped by HarfBuzz."""
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(font, buf, {})
    scale = PIXELS / font.face.upem
    return ([g.codepoint for g in buf.glyph_infos],
            [p.x_advance * scale for p in buf.glyph_positions])


def qt(text: str) -> tuple[list[int], list[float], set[str]]:
    """Glyph ids, advances and font families of `text` as one column laid out by VerticalText."""
    laid = VerticalText(text, mongolian_font(PIXELS), 1e6)
    assert len(laid.columns) == 1
    ids: list[int] = []
    xs: list[float] = []
    families = set()
    for run in laid.columns[0].glyphRuns():
        ids += list(run.glyphIndexes())
        xs += [p.x() for p in run.positions()]
        families.add(run.rawFont().familyName())
    ends = xs[1:] + [laid.columns[0].naturalTextWidth()]
    return ids, [b - a for a, b in zip(xs, ends, strict=True)], families


def test_the_font_is_found_by_fontconfig(font_file: Path, qapp: Any) -> None:
    assert font_file.name.startswith("NotoSansMongolian") and font_file.is_file()
    assert mongolian_family() == "Noto Sans Mongolian"


@pytest.mark.parametrize(("name", "text", "why"), WORDS, ids=[w[0] for w in WORDS])
def test_qt_glyphs_equal_harfbuzz(hb_font: Any, qapp: Any, name: str, text: str,
                                  why: str) -> None:
    want_ids, want_adv = harfbuzz(hb_font, text)
    ids, adv, families = qt(text)
    assert families == {"Noto Sans Mongolian"}, f"{name}: Qt fell back to {families}"
    assert ids == want_ids, f"{name} ({why}): Qt {ids} != HarfBuzz {want_ids}"
    # Qt rounds advances to whole pixels (hinting); HarfBuzz gives exact ones.
    assert adv == pytest.approx(want_adv, abs=1.0), name
    assert sum(adv) == pytest.approx(sum(want_adv), abs=len(adv) * 0.5 + 1), name


@pytest.mark.parametrize(("name", "plain", "marked"), CONTROLS, ids=[c[0] for c in CONTROLS])
def test_controls_change_the_glyphs(hb_font: Any, qapp: Any, name: str, plain: str,
                                    marked: str) -> None:
    assert qt(plain)[0] != qt(marked)[0], f"{name} is ignored by Qt"
    assert qt(marked)[0] == harfbuzz(hb_font, marked)[0]


def test_a_long_line_keeps_its_shaping_when_wrapped(hb_font: Any, qapp: Any) -> None:
    """Wrapping into columns breaks between words only: the glyphs of all columns together are
    those of the words shaped one by one (NNBSP keeps a suffix with its word)."""
    laid = VerticalText(HALL, mongolian_font(PIXELS), 400.0)
    assert len(laid.columns) > 2
    ids = [g for line in laid.columns for run in line.glyphRuns() for g in run.glyphIndexes()]
    space = harfbuzz(hb_font, " ")[0]
    want = [g for word in HALL.split(" ") for g in harfbuzz(hb_font, word)[0]]
    assert [g for g in ids if g not in space] == want
    for line in laid.columns:
        start, length = line.textStart(), line.textLength()
        piece = HALL[start:start + length]
        assert not piece.startswith("\u202f") and line.naturalTextWidth() <= 400.0
