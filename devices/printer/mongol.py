"""Traditional Mongolian for the printed ticket, drawn as a picture (printers have no Mongolian
font in ROM): the hall's name, the service's name and a short sentence, each starting a new
column, written top to bottom with columns left to right, as wide as the paper allows.

Shaping: Pillow with libraqm (HarfBuzz inside) shapes each line horizontally, with the joining
forms, FVS, MVS and NNBSP; the line image turned 90° clockwise is a column. raqm's own vertical
direction ("ttb") is not used: Noto Sans Mongolian has no vertical metrics, so ttb piles upright
letters on top of each other. Without raqm Pillow's basic layout draws each letter in its
isolated form, unreadable, so that is refused (MongolianUnavailable), never printed.
The font file comes from the caller (`kiosk.fonts.find_font_file`): no font search here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

from devices.printer.bitmap import Bitmap

# Letters of the Mongolian block, Mongolian digits and ticket-number characters: what a
# column's thickness must hold.
_INK_SAMPLE = "".join(map(chr, range(0x1820, 0x1879))) + "᠐᠑᠒᠓᠔᠕᠖᠗᠘᠙A0123456789WQ"
GAP_EM = 0.3  # space between columns
_BLANKS = re.compile(r"[ \t\r\n]+")


class MongolianUnavailable(Exception):
    """Mongolian cannot be drawn correctly here (no libraqm in Pillow, or no font file)."""


@dataclass(frozen=True)
class MongolBlock:
    """The Mongolian texts of a ticket; empty ones are left out."""

    hall: str = ""
    service: str = ""
    sentence: str = ""

    def paragraphs(self) -> list[str]:
        """Each text on one line; only ASCII blanks are blanks here, since `str.split()` would
        also cut at the NNBSP that binds a Mongolian suffix to its word."""
        texts = (self.hall, self.service, self.sentence)
        return [" ".join(_BLANKS.split(t.strip(" \t\r\n"))) for t in texts
                if t.strip(" \t\r\n")]


def shaping_available() -> bool:
    return bool(features.check("raqm"))


def _font(path: Path, pixels: int) -> ImageFont.FreeTypeFont:
    if not shaping_available():
        raise MongolianUnavailable("Pillow has no libraqm here, so Mongolian letters would not "
                                   "join; install Pillow's wheel (it bundles raqm) and libfribidi0")
    try:
        return ImageFont.truetype(str(path), pixels, layout_engine=ImageFont.Layout.RAQM)
    except OSError as exc:
        raise MongolianUnavailable(f"cannot open the Mongolian font {path}: {exc}") from exc


def _lines(paragraph: str, font: ImageFont.FreeTypeFont, length: float) -> list[str]:
    """Greedy word wrap at spaces (an NNBSP keeps a suffix with its word)."""
    lines: list[str] = []
    for word in paragraph.split(" "):
        if lines and font.getlength(f"{lines[-1]} {word}") <= length:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


@dataclass(frozen=True)
class _Plan:
    font: ImageFont.FreeTypeFont
    columns: list[tuple[int, str]]  # left edge, text
    length: int
    ink_top: int
    thickness: int

    @property
    def width(self) -> int:
        return self.columns[-1][0] + self.thickness


def _place(paragraphs: list[str], font: ImageFont.FreeTypeFont, length: int, thickness: int,
           ink_top: int) -> _Plan:
    """Columns left to right; a new text starts after a double gap, so texts stay apart."""
    gap, x, columns = round(GAP_EM * font.size), 0, []
    for paragraph in paragraphs:
        for line in _lines(paragraph, font, length):
            columns.append((x, line))
            x += thickness + gap
        x += gap
    return _Plan(font, columns, length, ink_top, thickness)


def _plan(paragraphs: list[str], font: ImageFont.FreeTypeFont, width: int) -> _Plan | None:
    """The shortest columns that fit `width` side by side at this font size, or None."""
    _, top, _, bottom = font.getbbox(_INK_SAMPLE, anchor="ls")  # top: above the baseline
    longest = max(font.getlength(w) for p in paragraphs for w in p.split(" "))
    low, high = int(longest) + 1, int(max(font.getlength(p) for p in paragraphs)) + 1
    best = None
    while low <= high:  # fewer columns as they grow longer: find the shortest that fits
        mid = (low + high) // 2
        plan = _place(paragraphs, font, mid, bottom - top, -top)
        if plan.width <= width:
            best, high = plan, mid - 1
        else:
            low = mid + 1
    return best


def render_block(block: MongolBlock, width: int, font_path: Path, *, pixels: int = 32,
                 min_pixels: int = 20) -> Bitmap | None:
    """The block as a bitmap at most `width` dots wide (the printer's dots per line), or None
    when it has no text. The letters shrink down to `min_pixels` when the columns do not fit
    (3 mm letters at 203 dpi by default)."""
    paragraphs = block.paragraphs()
    if not paragraphs:
        return None
    for size in range(pixels, min_pixels - 1, -2):
        plan = _plan(paragraphs, _font(font_path, size), width)
        if plan is not None:
            return Bitmap.from_image(_draw(plan))
    raise ValueError(f"the Mongolian texts do not fit {width} dots even at {min_pixels} px; "
                     f"shorten them")


def _draw(plan: _Plan) -> Image.Image:
    paper = Image.new("L", (plan.width, plan.length), 255)
    for x, text in plan.columns:
        line = Image.new("L", (plan.length, plan.thickness), 255)
        ImageDraw.Draw(line).text((0, plan.ink_top), text, font=plan.font, fill=0, anchor="ls")
        paper.paste(line.transpose(Image.Transpose.ROTATE_270), (x, 0))  # turned clockwise
    return paper
