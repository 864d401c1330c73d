"""The printed ticket as a picture: our own interpreter of the ESC/POS subset we print, from the
real bytes to a PIL image at the paper's width (58 mm: 384 dots, 80 mm: 576 dots; 203 dpi).

Understood: text (GB18030 in Chinese mode `FS &`, else single-byte), `ESC @`, `ESC a`
(alignment), `ESC E` and `ESC !` (bold, sizes), `ESC -` (underline), `GS !` and `FS !`
(character sizes), `ESC 2`/`ESC 3` (line spacing), `LF`, `ESC d`/`ESC J` (feeds), `GS ( k`
QR codes (model, module size, error correction, store, print), `GS v 0` raster images and
`GS V` cuts. Status queries and code pages are skipped; any other command is skipped by its
length and listed in `unknown`. Characters are drawn in the printer's cells (font A: 12 x 24
dots, Chinese 24 x 24) with a CJK font (`devices.fonts`), scaled dot for dot as a printer does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import qrcode
from PIL import Image, ImageDraw, ImageOps

from devices.fonts import cjk_font
from devices.printer.commands import command_length
from devices.printer.profiles import DOTS_BY_PAPER

CELL_H, NARROW, WIDE = 24, 12, 24  # font A dots
LINE_SPACING = 30  # ESC 2: the default line pitch in dots
QR_LEVELS = {48: qrcode.constants.ERROR_CORRECT_L, 49: qrcode.constants.ERROR_CORRECT_M,
             50: qrcode.constants.ERROR_CORRECT_Q, 51: qrcode.constants.ERROR_CORRECT_H}


@dataclass
class Style:
    align: int = 0  # 0 left, 1 centre, 2 right
    bold: bool = False
    underline: bool = False
    width: int = 1  # GS ! / ESC ! multipliers
    height: int = 1
    wide_width: int = 1  # FS ! for Chinese characters
    wide_height: int = 1


@dataclass
class Rendered:
    image: Image.Image  # "L", white paper, black dots, dashed lines where it was cut
    lines: list[str]  # the text of each printed line
    qr: list[str]  # the data of each QR code printed
    rasters: list[Image.Image] = field(default_factory=list)  # each GS v 0 image ("1", 0 = dot)
    cuts: int = 0
    unknown: list[str] = field(default_factory=list)  # commands skipped, as hex


@lru_cache(maxsize=4096)
def glyph(char: str, wide: bool, bold: bool) -> Image.Image:
    """One character in its cell, black on white, before scaling: a Chinese character centred in
    24 x 24 dots, any other on a baseline 5 dots above the cell's foot, squeezed into 12 dots
    when wider (a printer's font A is condensed)."""
    if wide:
        cell = Image.new("L", (WIDE, CELL_H), 255)
        ImageDraw.Draw(cell).text((WIDE / 2, CELL_H / 2), char, font=cjk_font(22, bold), fill=0,
                                  anchor="mm")
        return _dots(cell)
    ink = Image.new("L", (2 * WIDE, CELL_H), 255)
    font = cjk_font(20, bold)
    ImageDraw.Draw(ink).text((2, CELL_H - 5), char, font=font, fill=0, anchor="ls",
                             stroke_width=1 if bold else 0, stroke_fill=0)
    box = ImageOps.invert(ink).getbbox()
    cell = Image.new("L", (NARROW, CELL_H), 255)
    if box is None:
        return cell  # a space
    left, right = box[0], box[2]
    shape = ink.crop((left, 0, right, CELL_H))
    if shape.width > NARROW - 1:
        shape = shape.resize((NARROW - 1, CELL_H), Image.Resampling.LANCZOS)
    cell.paste(shape, ((NARROW - shape.width) // 2, 0))
    return _dots(cell)


def _dots(cell: Image.Image) -> Image.Image:
    """A thermal head burns a dot or not: no grey."""
    return cell.point(lambda v: 0 if v < 150 else 255)


class Paper:
    """The strip of paper the lines, codes and images are printed on, top to bottom."""

    def __init__(self, dots: int) -> None:
        self.dots = dots
        self.parts: list[tuple[Image.Image, int, int]] = []  # (picture, x, y)
        self.height = 8
        self.cut_at: list[int] = []

    def place(self, picture: Image.Image, align: int, advance: int | None = None) -> None:
        x = {0: 0, 1: (self.dots - picture.width) // 2, 2: self.dots - picture.width}[align]
        self.parts.append((picture, max(0, x), self.height))
        self.height += picture.height if advance is None else advance

    def feed(self, dots: int) -> None:
        self.height += dots

    def cut(self) -> None:
        self.cut_at.append(self.height + 4)
        self.height += 16

    def image(self) -> Image.Image:
        out = Image.new("L", (self.dots, self.height + 8), 255)
        for picture, x, y in self.parts:
            out.paste(picture, (x, y))
        draw = ImageDraw.Draw(out)
        for y in self.cut_at:  # the cutter went here: the gap between two pieces of paper
            draw.rectangle((0, y, self.dots - 1, y + 7), fill=200)
        return out


class Interpreter:
    """Walks an ESC/POS stream and prints it on a `Paper`."""

    def __init__(self, dots: int) -> None:
        self.paper, self.style, self.spacing = Paper(dots), Style(), LINE_SPACING
        self.chinese = True  # Chinese printers power on in Chinese mode
        self.line: list[tuple[str, Image.Image]] = []
        self.line_width = 0
        self.qr_data, self.qr_module, self.qr_level = b"", 3, QR_LEVELS[48]
        self.result = Rendered(Image.new("L", (1, 1)), [], [])

    def run(self, data: bytes) -> Rendered:
        i = 0
        while i < len(data):
            size, known = command_length(data, i)
            if size is None:
                self.result.unknown.append(data[i:i + 8].hex() + "...")  # cut short
                break
            if not known:
                self.result.unknown.append(data[i:i + 2].hex())
            elif data[i] in (0x1B, 0x1C, 0x1D, 0x10):
                self.command(data[i:i + size])
            else:
                size = self.text(data, i)
            i += size
        if self.line:
            self.newline()
        self.result.image = self.paper.image()
        return self.result

    def text(self, data: bytes, i: int) -> int:
        """One character (or LF) from `i`; how many bytes it took."""
        b = data[i]
        if b == 0x0A:
            self.newline()
            return 1
        if b < 0x20 or b == 0x7F:
            return 1  # other control bytes print nothing
        size = _multibyte(data, i) if self.chinese and b >= 0x81 else 1
        char = data[i:i + size].decode("gb18030" if self.chinese else "cp437", "replace")
        self.add(char if len(char) == 1 else "\ufffd", size > 1 or char == "\ufffd")
        return size

    def add(self, char: str, wide: bool) -> None:
        s = self.style
        w, h = (max(s.width, s.wide_width), max(s.height, s.wide_height)) if wide else (s.width, s.height)
        cell = glyph(char, wide, s.bold)
        cell = cell.resize((cell.width * w, cell.height * h), Image.Resampling.NEAREST)
        if s.underline:
            ImageDraw.Draw(cell).line((0, cell.height - 1, cell.width, cell.height - 1), fill=0, width=2)
        if self.line_width + cell.width > self.paper.dots:
            self.newline()  # the printer wraps a line that does not fit
        self.line.append((char, cell))
        self.line_width += cell.width

    def newline(self) -> None:
        if not self.line:
            self.paper.feed(self.spacing)
            self.result.lines.append("")
            return
        height = max(cell.height for _, cell in self.line)
        strip = Image.new("L", (self.line_width, height), 255)
        x = 0
        for _, cell in self.line:
            strip.paste(cell, (x, height - cell.height))  # on one baseline
            x += cell.width
        self.paper.place(strip, self.style.align, max(self.spacing, height + 6))
        self.result.lines.append("".join(char for char, _ in self.line))
        self.line, self.line_width = [], 0

    def command(self, cmd: bytes) -> None:
        s, key, arg = self.style, cmd[:2], cmd[2] if len(cmd) > 2 else 0
        if key == b"\x1b@":
            self.style, self.spacing, self.chinese = Style(), LINE_SPACING, True
        elif key == b"\x1ba":
            s.align = min(arg % 48, 2)
        elif key == b"\x1bE":
            s.bold = bool(arg & 1)
        elif key == b"\x1b-":
            s.underline = bool(arg % 48)
        elif key == b"\x1b!":
            s.bold, s.underline = bool(arg & 0x08), bool(arg & 0x80)
            s.height, s.width = 1 + bool(arg & 0x10), 1 + bool(arg & 0x20)
        elif key == b"\x1d!":
            s.width, s.height = (arg >> 4) + 1, (arg & 0x0F) + 1
        elif key == b"\x1c!":
            s.wide_width, s.wide_height = 1 + bool(arg & 0x04), 1 + bool(arg & 0x08)
        elif key in (b"\x1c&", b"\x1c."):
            self.chinese = key == b"\x1c&"
        elif key == b"\x1b2":
            self.spacing = LINE_SPACING
        elif key == b"\x1b3":
            self.spacing = arg
        elif key == b"\x1bd":
            self.flush_line()
            self.paper.feed(arg * self.spacing)
        elif key == b"\x1bJ":
            self.flush_line()
            self.paper.feed(arg)
        elif key == b"\x1d(" and cmd[2:5] and cmd[5:6] == b"1":
            self.qr(cmd[6], cmd[7:])
        elif key == b"\x1dv":
            self.raster(cmd)
        elif key == b"\x1dV":
            self.flush_line()
            self.paper.cut()
            self.result.cuts += 1

    def flush_line(self) -> None:
        if self.line:
            self.newline()

    def qr(self, fn: int, params: bytes) -> None:
        """GS ( k with cn 49: fn 67 module size, 69 error correction, 80 store, 81 print."""
        if fn == 67 and params:
            self.qr_module = max(1, min(16, params[0]))
        elif fn == 69 and params:
            self.qr_level = QR_LEVELS.get(params[0], self.qr_level)
        elif fn == 80:
            self.qr_data = params[1:]
        elif fn == 81 and self.qr_data:
            self.flush_line()
            code = qrcode.QRCode(error_correction=self.qr_level, box_size=self.qr_module, border=0)
            code.add_data(self.qr_data)
            self.paper.place(code.make_image().get_image().convert("L"), self.style.align)
            self.result.qr.append(self.qr_data.decode("utf-8", "replace"))

    def raster(self, cmd: bytes) -> None:
        """GS v 0 m xL xH yL yH: rows of bits, the first bit the leftmost dot, 1 = black."""
        self.flush_line()
        mode, width, height = cmd[3], cmd[4] + 256 * cmd[5], cmd[6] + 256 * cmd[7]
        bits = Image.frombytes("1", (width * 8, height), bytes(cmd[8:]))
        picture = ImageOps.invert(bits.convert("L"))
        scale = ((2 if mode in (1, 49, 3, 51) else 1), (2 if mode in (2, 50, 3, 51) else 1))
        if scale != (1, 1):
            picture = picture.resize((picture.width * scale[0], picture.height * scale[1]))
        self.paper.place(picture, self.style.align)
        self.result.rasters.append(picture.convert("1"))


def _multibyte(data: bytes, i: int) -> int:
    """The length of the GB18030 character whose lead byte is at `i` (1 when it is broken)."""
    trail = data[i + 1:i + 4]
    if len(trail) >= 3 and 0x30 <= trail[0] <= 0x39 and 0x81 <= trail[1] <= 0xFE and 0x30 <= trail[2] <= 0x39:
        return 4
    if trail and 0x40 <= trail[0] <= 0xFE and trail[0] != 0x7F:
        return 2
    return 1


def render(data: bytes, width_mm: int = 80, dots: int | None = None) -> Rendered:
    """Interpret `data` and draw it on paper `width_mm` wide (or `dots` wide)."""
    if dots is None:
        if width_mm not in DOTS_BY_PAPER:
            raise ValueError(f"paper is 58 or 80 mm wide, not {width_mm!r}")
        dots = DOTS_BY_PAPER[width_mm]
    return Interpreter(dots).run(bytes(data))
