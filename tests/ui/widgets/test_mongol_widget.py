"""The vertical Mongolian band drawn for real on the offscreen platform: columns read top to
bottom (the horizontal line turned clockwise), letters joined, columns left to right, wrapping
by height, size hints a layout honours, and the shrink-then-elide rule of a board band.
The pictures are saved in the test's tmp_path (`--basetemp DIR` keeps them to look at)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QTransform
from PySide6.QtWidgets import QHBoxLayout, QWidget

from tests.mongol_samples import HALL, SENTENCE, SERVICE, WORDS
from ui.widgets.mongol import BilingualLine, MongolianText, render_band
from ui.widgets.mongol_layout import BandRule, VerticalText, mongolian_font

BOARD = BandRule(pixel_size=56)  # a call board's band: 1080 px high, letters ~2 cm


def ink(image: QImage) -> np.ndarray:
    """True where the picture is dark."""
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    data = np.frombuffer(gray.constBits(), dtype=np.uint8)
    return data.reshape(gray.height(), gray.bytesPerLine())[:, :gray.width()] < 128


def horizontal(text: str, pixels: int) -> QImage:
    """The same text drawn as one plain horizontal line, for comparison."""
    laid = VerticalText(text, mongolian_font(pixels), 1e6)
    line = laid.columns[0]
    image = QImage(int(line.naturalTextWidth()) + 1, int(laid.thickness) + 1,
                   QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QColor("black"))
    line.draw(p, QPointF(0.0, laid.ink_top - line.ascent()))
    p.end()
    return image


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two ink masks, each cropped to its ink."""
    def crop(m: np.ndarray) -> np.ndarray:
        ys, xs = np.nonzero(m)
        return m[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    a, b = crop(a), crop(b)
    h, w = max(a.shape[0], b.shape[0]), max(a.shape[1], b.shape[1])
    a = np.pad(a, ((0, h - a.shape[0]), (0, w - a.shape[1])))
    b = np.pad(b, ((0, h - b.shape[0]), (0, w - b.shape[1])))
    return float(np.count_nonzero(a & b) / np.count_nonzero(a | b))


def gaps(mask: np.ndarray) -> int:
    """Runs of blank rows between the first and last inked row (breaks along the column)."""
    rows = mask.any(axis=1)
    inked = np.flatnonzero(rows)
    inner = rows[inked[0]:inked[-1] + 1]
    return int(np.count_nonzero(np.diff(inner.astype(int)) == 1))


@pytest.mark.parametrize(("name", "text", "why"), WORDS[:7], ids=[w[0] for w in WORDS[:7]])
def test_a_word_reads_top_to_bottom_joined(qapp: Any, tmp_path: Path, name: str, text: str,
                                           why: str) -> None:
    band = render_band(text, 600, BOARD)
    band.save(str(tmp_path / f"word-{name}.png"))
    mask = ink(band)
    ys, xs = np.nonzero(mask)
    line_ys, line_xs = np.nonzero(ink(horizontal(text, BOARD.pixel_size)))
    assert abs((ys.max() - ys.min()) - (line_xs.max() - line_xs.min())) <= 2, "not a column"
    assert ys.min() < 20, "a column starts at the top"
    assert gaps(mask) == 0, f"{name}: letters are not joined along the column"
    # The column is the horizontal line turned 90° clockwise (not counter-clockwise).
    turned = ink(horizontal(text, BOARD.pixel_size).transformed(QTransform().rotate(90)))
    assert overlap(turned, mask) > 0.9 > 0.6 > overlap(turned[::-1, ::-1], mask)


def test_broken_joining_would_be_seen(qapp: Any) -> None:
    """The joined-letters check fails on the same letters kept apart (ZWNJ between them)."""
    apart = "\u200c".join(WORDS[0][1])
    assert gaps(ink(render_band(apart, 600, BOARD))) >= 3


def test_columns_run_left_to_right(qapp: Any, tmp_path: Path) -> None:
    words = [w[1] for w in WORDS[:3]]
    band = render_band("\n".join(words), 600, BOARD)
    band.save(str(tmp_path / "three-columns.png"))
    laid = VerticalText("\n".join(words), mongolian_font(BOARD.pixel_size), 600.0)
    alone = [ink(render_band(word, 600, BOARD)) for word in words]
    for i in range(len(words)):
        x = round(i * laid.pitch)
        column = ink(band)[:, x:x + round(laid.pitch)]
        # the same word (drawn at another sub-pixel offset), and clearly not the others
        scores = [overlap(column, other) for other in alone]
        assert scores[i] > 0.7 and max(scores[:i] + scores[i + 1:]) < 0.5, (i, scores)


def test_height_decides_the_columns(qapp: Any, tmp_path: Path) -> None:
    tall = VerticalText(HALL, mongolian_font(40), 900.0)
    short = VerticalText(HALL, mongolian_font(40), 300.0)
    assert len(short.columns) > len(tall.columns) >= 2
    assert short.size().width() > tall.size().width()
    assert max(line.naturalTextWidth() for line in short.columns) <= 300.0
    render_band(HALL, 300, BandRule(pixel_size=40)).save(str(tmp_path / "hall-300.png"))


def test_a_layout_gives_the_band_the_width_it_asks(qtbot: Any, tmp_path: Path) -> None:
    board = QWidget()
    qtbot.addWidget(board)
    board.setStyleSheet("background: white")
    row = QHBoxLayout(board)
    band = MongolianText(HALL, BandRule(pixel_size=40))
    row.addWidget(band)
    row.addStretch(1)
    widths = []
    for height in (900, 450):
        board.resize(1600, height)
        board.show()
        qtbot.waitUntil(lambda h=height: band.height() == h - 2 * row.contentsMargins().top())
        qtbot.waitUntil(lambda: band.width() >= band.columns().size().width())
        widths.append(band.width())
        board.grab().save(str(tmp_path / f"layout-{height}.png"))
        mask = ink(band.grab().toImage())
        assert not mask[:, -2:].any() and not mask[-2:, :].any(), "nothing is cut off"
    assert widths[1] > widths[0]


def test_a_band_shrinks_then_elides(qapp: Any, tmp_path: Path) -> None:
    rule = BandRule(pixel_size=56, min_pixel_size=32, max_columns=2)
    text = f"{SERVICE}\n{SENTENCE}"
    assert len(VerticalText(text, mongolian_font(56), 450.0).columns) > 2
    shrunk = MongolianText(text, rule)
    shrunk.resize(400, 450)
    laid = shrunk.columns()
    assert len(laid.columns) <= 2 and not laid.elided
    assert 32 <= laid.font.pixelSize() < 56
    long = MongolianText(f"{HALL}\n{HALL}", rule)
    long.resize(400, 500)
    laid = long.columns()
    assert laid.font.pixelSize() == 32 and len(laid.columns) == 2 and laid.elided
    last = laid.columns[-1]
    assert last.naturalTextWidth() <= 500.0
    image = render_band(f"{HALL}\n{HALL}", 500, rule)
    image.save(str(tmp_path / "elided.png"))
    assert image.width() <= 2 * laid.pitch + 1



def test_a_word_is_never_cut_across_columns(qapp: Any, tmp_path: Path) -> None:
    """A band shorter than a word at the rule's smallest size shrinks the font further rather
    than break the word (its letters' joined forms) over two columns: the kiosk's 70 px
    language button, ᠮᠣᠩᠭᠣᠯ."""
    from ui.widgets.mongol_layout import SMALLEST_PX, fit, longest_word

    word = "\u182e\u1823\u1829\u182d\u1823\u182f"  # ᠮᠣᠩᠭᠣᠯ
    rule = BandRule(pixel_size=26, min_pixel_size=18, max_columns=3)
    assert longest_word(word, mongolian_font(18)) > 54.0  # too long for the band at the floor
    laid = fit(word, 54.0, rule)
    assert len(laid.columns) == 1 and not laid.elided
    assert SMALLEST_PX <= laid.font.pixelSize() < 18
    assert laid.columns[0].naturalTextWidth() <= 54.0
    render_band(word, 54, rule).save(str(tmp_path / "word-54.png"))
    several = fit(f"{word} {word}", 54.0, rule)  # words still go to columns of their own
    assert len(several.columns) == 2 and not several.elided

def test_mongolian_sits_left_of_chinese(qtbot: Any, tmp_path: Path) -> None:
    line = BilingualLine("5号窗口 综合受理", SENTENCE, BandRule(pixel_size=40))
    qtbot.addWidget(line)
    line.setStyleSheet("background: white; font-size: 40px")
    line.resize(900, 420)
    line.show()
    qtbot.waitUntil(lambda: line.mongolian.height() == 420)
    assert line.mongolian.geometry().right() < line.chinese.geometry().left()
    assert line.chinese.alignment() & Qt.AlignmentFlag.AlignVCenter
    line.grab().save(str(tmp_path / "bilingual.png"))
    assert ink(line.mongolian.grab().toImage()).any()
