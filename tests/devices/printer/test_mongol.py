"""The Mongolian part of the ticket: drawn by Pillow + libraqm as columns (checked against
HarfBuzz's own glyphs drawn from their outlines), carried by the ticket as a bitmap, printed as
GS v 0 in the same job, decoded back to the same pixels, and still read by npos."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont, features

from devices.printer import mongol
from devices.printer.bitmap import BAND_ROWS, Bitmap, raster_bytes
from devices.printer.layout import TicketLayout, ticket_bytes
from devices.printer.mongol import MongolBlock, MongolianUnavailable, render_block
from devices.printer.profiles import load_profile
from kiosk.fonts import find_font_file
from tests.devices.printer.preview import render
from tests.mongol_samples import HALL, SENTENCE, SERVICE, WORDS

BLOCK = MongolBlock(hall=HALL, service=SERVICE, sentence=SENTENCE)


@pytest.fixture(scope="module")
def font_file() -> Path:
    return find_font_file()


def harfbuzz_picture(font_file: Path, text: str, pixels: int) -> np.ndarray:
    """`text` shaped by uharfbuzz and filled from the glyph outlines (even-odd), horizontal."""
    hb = pytest.importorskip("uharfbuzz")
    font = hb.Font(hb.Face(hb.Blob.from_file_path(str(font_file))))
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(font, buf, {})
    scale = pixels / font.face.upem
    pen = _Pen(scale)
    for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True):
        pen.origin = (pen.x + pos.x_offset * scale, pos.y_offset * scale)
        font.draw_glyph_with_pen(info.codepoint, pen)
        pen.x += pos.x_advance * scale
    mask = np.zeros((pixels * 3, int(pen.x) + pixels), dtype=bool)
    for contour in pen.contours:
        layer = Image.new("1", (mask.shape[1], mask.shape[0]), 0)
        ImageDraw.Draw(layer).polygon([(x + 4, 2 * pixels - y) for x, y in contour], fill=1)
        mask ^= np.array(layer, dtype=bool)
    return mask


class _Pen:
    """Flattens outlines into polygons (fontTools' pen protocol, which uharfbuzz calls)."""

    def __init__(self, scale: float) -> None:
        self.scale, self.x, self.origin = scale, 0.0, (0.0, 0.0)
        self.contours: list[list[tuple[float, float]]] = []

    def _pt(self, p: tuple[float, float]) -> tuple[float, float]:
        return (self.origin[0] + p[0] * self.scale, self.origin[1] + p[1] * self.scale)

    def moveTo(self, p: tuple[float, float]) -> None:  # noqa: N802 (pen protocol)
        self.contours.append([self._pt(p)])

    def lineTo(self, p: tuple[float, float]) -> None:  # noqa: N802
        self.contours[-1].append(self._pt(p))

    def qCurveTo(self, *ps: tuple[float, float]) -> None:  # noqa: N802
        start, (cx, cy), end = self.contours[-1][-1], self._pt(ps[0]), self._pt(ps[-1])
        for i in range(1, 9):
            t = i / 8
            self.contours[-1].append(((1 - t) ** 2 * start[0] + 2 * (1 - t) * t * cx + t * t
                                      * end[0], (1 - t) ** 2 * start[1] + 2 * (1 - t) * t * cy
                                      + t * t * end[1]))

    def curveTo(self, *ps: tuple[float, float]) -> None:  # noqa: N802
        p0, p1, p2, p3 = self.contours[-1][-1], *(self._pt(p) for p in ps)
        for i in range(1, 9):
            t, u = i / 8, 1 - i / 8
            self.contours[-1].append(tuple(  # type: ignore[arg-type]
                u ** 3 * a + 3 * u * u * t * b + 3 * u * t * t * c + t ** 3 * d
                for a, b, c, d in zip(p0, p1, p2, p3, strict=True)))

    def closePath(self) -> None:  # noqa: N802
        pass


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    """How much of each ink mask lies within 2 dots of the other's ink (the smaller of the two
    fractions), both cropped to their ink: rasterisers differ by a dot at stroke edges."""
    def crop(m: np.ndarray) -> np.ndarray:
        ys, xs = np.nonzero(m)
        return m[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    a, b = crop(a), crop(b)
    h, w = max(a.shape[0], b.shape[0]), max(a.shape[1], b.shape[1])
    a = np.pad(a, ((0, h - a.shape[0]), (0, w - a.shape[1])))
    b = np.pad(b, ((0, h - b.shape[0]), (0, w - b.shape[1])))
    kernel = np.ones((5, 5), np.uint8)
    near_a, near_b = (cv2.dilate(m.astype(np.uint8), kernel).astype(bool) for m in (a, b))
    return min(np.count_nonzero(a & near_b) / np.count_nonzero(a),
               np.count_nonzero(b & near_a) / np.count_nonzero(b))


def dots(bitmap: Bitmap) -> np.ndarray:
    return np.array(bitmap.to_image()) < 128


def test_pillow_here_shapes_with_raqm() -> None:
    assert features.check("raqm"), "Pillow lacks libraqm: Mongolian would print unjoined"
    assert mongol.shaping_available()


@pytest.mark.parametrize(("name", "text", "why"), WORDS, ids=[w[0] for w in WORDS])
def test_printed_column_is_harfbuzz_turned_clockwise(font_file: Path, name: str, text: str,
                                                     why: str) -> None:
    column = dots(render_block(MongolBlock(hall=text), 384, font_file, pixels=48))
    want = np.rot90(harfbuzz_picture(font_file, text, 48), k=-1)  # k=-1: clockwise
    assert overlap(column, want) > 0.97, f"{name} ({why})"
    if name == "mongɣol":  # the comparison sees unjoined letters and a counter-clockwise turn
        basic = ImageFont.truetype(str(font_file), 48, layout_engine=ImageFont.Layout.BASIC)
        image = Image.new("L", (600, 150), 255)
        ImageDraw.Draw(image).text((10, 100), text, font=basic, fill=0, anchor="ls")
        assert overlap(np.rot90(np.array(image) < 128, k=-1), want) < 0.8
        assert overlap(np.rot90(column, k=2), want) < 0.8


@pytest.mark.parametrize("paper", [58, 80])
def test_block_fits_the_paper(font_file: Path, paper: int, tmp_path: Path) -> None:
    width = load_profile("default").dots(paper)
    bitmap = render_block(BLOCK, width, font_file)
    assert bitmap is not None and bitmap.width <= width
    assert bitmap.height < 2.5 * width, "columns as short as the paper's width allows"
    bitmap.to_image().save(tmp_path / f"block-{paper}.png")
    first_column = dots(bitmap)[:, :40]
    assert first_column[:40].any(), "the first column starts at the top left"


def test_block_shrinks_then_refuses(font_file: Path) -> None:
    many = MongolBlock(hall=HALL, service="\n".join([SERVICE] * 3), sentence=SENTENCE)
    crowded = MongolBlock(hall=" ".join([HALL] * 2), service=SERVICE, sentence=SENTENCE)
    assert render_block(MongolBlock(" ", "", ""), 384, font_file) is None
    assert render_block(crowded, 384, font_file) is not None
    with pytest.raises(ValueError, match="do not fit 60 dots"):
        render_block(many, 60, font_file)


def test_no_raqm_is_refused_not_printed_unjoined(font_file: Path) -> None:
    with mock.patch.object(mongol.features, "check", autospec=True, return_value=False), \
            pytest.raises(MongolianUnavailable, match="libraqm"):
        render_block(BLOCK, 384, font_file)
    with pytest.raises(MongolianUnavailable, match="cannot open"):
        render_block(BLOCK, 384, font_file.parent / "missing.ttf")


def raster_from_job(data: bytes) -> tuple[list[int], Bitmap]:
    """Our own reading of the first picture in a job: the GS v 0 bands that follow each other
    from the first one on, stacked (their offsets, and the image)."""
    offsets, rows, width_bytes = [], b"", 0
    at = data.find(b"\x1dv0")
    while data[at:at + 3] == b"\x1dv0":
        width_bytes = int.from_bytes(data[at + 4:at + 6], "little")
        height = int.from_bytes(data[at + 6:at + 8], "little")
        rows += data[at + 8:at + 8 + width_bytes * height]
        offsets.append(at)
        at += 8 + width_bytes * height
    return offsets, Bitmap(width_bytes * 8, len(rows) // width_bytes, rows)


@pytest.mark.parametrize(("profile", "paper"), [("default", 80), ("default", 58),
                                                ("ZJ-5870", 58), ("TH230", 80)])
def test_ticket_carries_the_block_as_gs_v_0(
    ticket: TicketLayout, font_file: Path, npos_read: Callable[[bytes], dict[str, Any]],
    profile: str, paper: int, tmp_path: Path,
) -> None:
    bitmap = render_block(BLOCK, load_profile(profile).dots(paper), font_file)
    assert bitmap is not None
    plain = dataclasses.replace(ticket, width_mm=paper)
    data = ticket_bytes(dataclasses.replace(plain, mongol=bitmap), profile)
    # the job is the plain ticket with the picture inserted after ESC @, FS & and ESC a 1
    assert data.replace(raster_bytes(bitmap) + b"\n", b"", 1) == ticket_bytes(plain, profile)
    offsets, decoded = raster_from_job(data)
    # the same dots (GS v 0 counts whole bytes: the padding bits of each row stay white)
    assert (decoded.rows, decoded.height, decoded.row_bytes) == (bitmap.rows, bitmap.height,
                                                                 bitmap.row_bytes)
    assert offsets[0] == 7  # right after ESC @, FS & and ESC a 1
    assert len(offsets) == -(-bitmap.height // BAND_ROWS)
    read = npos_read(data)
    names = [c["name"] for c in read["commands"]]
    assert names[:4] == ["ESC@", "FS&", "ESCa", "GSv0"]
    rows: list[str] = []  # npos joins adjacent GS v 0 bands into one picture
    for band in read["rasters"]:
        if len(rows) < bitmap.height:
            rows += band
    stacked = np.array([[c == "1" for c in row] for row in rows])
    assert stacked.shape == (bitmap.height, bitmap.row_bytes * 8)
    assert np.array_equal(stacked[:, :bitmap.width], dots(bitmap))
    joined = "".join(read["texts"]).replace("\n", "")
    assert "杭锦后旗政务服务中心" in joined and "A023" in joined and not read["replacement"]
    render(read, load_profile(profile).dots(paper)).save(tmp_path / f"ticket-{profile}-{paper}.png")


def test_printers_without_raster_leave_the_picture_out(ticket: TicketLayout,
                                                       font_file: Path) -> None:
    bitmap = render_block(BLOCK, 576, font_file)  # wider than its 400 dots: not checked either
    with_block = ticket_bytes(dataclasses.replace(ticket, mongol=bitmap), "TM-U220")
    assert with_block == ticket_bytes(ticket, "TM-U220") and b"\x1dv0" not in with_block


def test_a_picture_wider_than_the_head_is_refused(ticket: TicketLayout) -> None:
    wide = Bitmap(385, 1, bytes(49))
    with pytest.raises(ValueError, match="385 dots wide; this printer prints 384"):
        ticket_bytes(dataclasses.replace(ticket, width_mm=58, mongol=wide))


def test_bitmap_round_trip_and_bad_sizes() -> None:
    image = Image.new("L", (13, 5), 255)
    ImageDraw.Draw(image).line([(0, 0), (12, 4)], fill=0)
    bitmap = Bitmap.from_image(image)
    assert bitmap.row_bytes == 2 and len(bitmap.rows) == 10
    assert np.array_equal(dots(bitmap), np.array(image) < 128)
    assert bitmap.rows[0] == 0b1100_0000  # MSB first, 1 = a black dot
    for bad in ((0, 1, b""), (8, 2, b"\x00"), (9, 1, b"\x00")):
        with pytest.raises(ValueError):
            Bitmap(*bad)
    tall = Bitmap(8, BAND_ROWS + 3, bytes(BAND_ROWS + 3))
    assert raster_bytes(tall).count(b"\x1dv0") == 2
