"""Draw what npos read from a ticket as a picture of the paper, to look at it: alignment, GS !
sizes, text runs, QR codes (GS ( k, drawn from the stored payload) and raster images (GS v 0),
feeds and the cut.

    .venv/bin/python -m tests.devices.printer.preview TICKET.bin OUT.png [--dots 576]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import qrcode
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
LINE = 30  # dots per text line of font A (24) plus spacing


class Paper:
    def __init__(self, dots: int) -> None:
        self.dots, self.y, self.align, self.scale = dots, 8, 1, (1, 1)
        self.img = Image.new("L", (dots, 8000), 255)
        self.font = ImageFont.truetype(FONT, 24)

    def paste(self, part: Image.Image) -> None:
        x = {0: 0, 1: (self.dots - part.width) // 2, 2: self.dots - part.width}[self.align]
        self.img.paste(part, (max(0, x), self.y))
        self.y += part.height

    def text(self, run: str) -> None:
        lines = run.split("\n")
        for i, line in enumerate(lines):
            if i == len(lines) - 1 and not line:
                break
            w, h = self.scale
            width = max(1, int(self.font.getlength(line)) + 2)
            part = Image.new("L", (width, LINE), 255)
            ImageDraw.Draw(part).text((0, 0), line, font=self.font, fill=0)
            self.paste(part.resize((min(self.dots, width * w), LINE * h)))

    def qr(self, payload: str, module: int) -> None:
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=module,
                             border=0)
        code.add_data(payload)
        self.paste(code.make_image().get_image().convert("L"))

    def raster(self, rows: list[str]) -> None:
        part = Image.new("L", (len(rows[0]), len(rows)), 255)
        part.putdata([0 if c == "1" else 255 for row in rows for c in row])
        self.paste(part)

    def cut(self) -> None:
        ImageDraw.Draw(self.img).line([(0, self.y), (self.dots, self.y)], fill=0, width=2)
        self.y += 4


def render(read: dict[str, Any], dots: int) -> Image.Image:
    paper, rasters, module, previous = Paper(dots), iter(read["rasters"]), 3, ""
    for cmd in read["commands"]:
        if cmd["name"] == previous == "GSv0":
            continue  # npos joins adjacent GS v 0 bands into one picture
        previous = cmd["name"]
        name, params = cmd["name"], bytes.fromhex(cmd.get("params", ""))
        if name == "TEXT":
            paper.text(cmd["text"])
        elif name == "ESCa":
            paper.align = params[0] % 48
        elif name == "GS!":
            paper.scale = ((params[0] >> 4) + 1, (params[0] & 0x0F) + 1)
        elif name == "ESCd":
            paper.y += LINE * params[0]
        elif name == "GS(k" and params[3] == 67:
            module = params[4]
        elif name == "GS(k" and params[3] == 81:
            paper.qr(read["qr"][0], module)
        elif name == "GSv0":
            paper.raster(next(rasters))
        elif name == "GSV":
            paper.cut()
    return paper.img.crop((0, 0, dots, paper.y + 8))


def main() -> int:
    ap = argparse.ArgumentParser(description="draw an ESC/POS ticket as npos reads it")
    ap.add_argument("ticket", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--dots", type=int, default=576)
    args = ap.parse_args()
    npos = Path(__file__).resolve().parents[2] / "npos" / "parse.js"
    done = subprocess.run(["node", str(npos), str(args.ticket)], capture_output=True, text=True,
                          check=True)
    render(json.loads(done.stdout), args.dots).save(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
