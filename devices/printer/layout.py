"""A queue ticket as a plain value, and its ESC/POS bytes for 58 mm and 80 mm paper.

Pure: no I/O. python-escpos (its `Dummy` printer) makes the styles, alignment, native QR code,
raster image and cut; every piece of text is encoded by `charset` and sent raw in Chinese mode
(`FS &`), never through python-escpos' own code-page guessing. A ticket may carry a picture
(`mongol`, a `Bitmap`: the Mongolian texts drawn by `devices.printer.mongol` or by the caller),
printed first, as the region's rule puts Mongolian above Chinese, as GS v 0 in the same job.
A caller that does not know the paper gives the texts instead (`mongol_texts` and the font file
`mongol_font`): they are drawn here as wide as this printer prints on this paper (58 or 80 mm).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import qrcode
from escpos.constants import QR_ECLEVEL_M
from escpos.image import EscposImage
from escpos.printer import Dummy

from devices.printer.bitmap import Bitmap, raster_bytes
from devices.printer.charset import columns, encode_text, wrap
from devices.printer.mongol import MongolBlock, render_block
from devices.printer.profiles import DOTS_BY_PAPER, PrinterProfile, load_profile

PRIVACY_LINE = "本票据不含个人身份信息 This ticket holds no personal ID data"
CHINESE_MODE = b"\x1c\x26"  # FS &
COLUMNS = {58: 32, 80: 48}  # font A, 12 dots a column
_ZH_THEN_EN = re.compile(r"^([^A-Za-z]*[^\x00-\x7f][^A-Za-z]*?)\s+([A-Za-z].*)$", re.S)
_FULL_ID = re.compile(r"[0-9]{6,}[0-9Xx]{6,}")


@dataclass(frozen=True)
class TicketLayout:
    hall_name: str
    service_name: str
    zone_name: str
    number: str
    ahead: int
    estimated_wait_min: int
    issued_at: datetime
    track_url: str
    masked_id: str | None = None
    footer: str = PRIVACY_LINE
    width_mm: int = 80
    branch_name: str | None = None
    mongol: Bitmap | None = None  # printed above the Chinese; left out on printers without GS v 0
    mongol_texts: MongolBlock | None = None  # drawn at the paper's width when `mongol` is None
    mongol_font: str | None = None  # the font file that draws `mongol_texts`
    materials: tuple[str, ...] = ()  # the papers to bring (the hall's `materials`), listed

    def __post_init__(self) -> None:
        if self.width_mm not in DOTS_BY_PAPER:
            raise ValueError(f"width_mm must be 58 or 80, not {self.width_mm!r}")
        if not self.number.strip():
            raise ValueError("a ticket needs a number")
        if self.ahead < 0 or self.estimated_wait_min < 0:
            raise ValueError("ahead and estimated_wait_min cannot be negative")
        if not self.track_url:
            raise ValueError("a ticket needs a track_url for its QR code")
        if self.masked_id is not None and (
            "*" not in self.masked_id or _FULL_ID.search(self.masked_id)
        ):
            raise ValueError("masked_id must be masked (e.g. 1524**********1234), never a full ID")


def ticket_bytes(ticket: TicketLayout, profile: str | PrinterProfile = "default") -> bytes:
    """The whole job: initialise, Chinese mode, the ticket, QR code, cut (or feed to tear)."""
    prof = profile if isinstance(profile, PrinterProfile) else load_profile(profile)
    out = _Builder(prof, ticket.width_mm)
    picture = ticket.mongol
    if picture is None and ticket.mongol_texts is not None and ticket.mongol_font and prof.raster:
        picture = render_block(ticket.mongol_texts, prof.dots(ticket.width_mm),
                               Path(ticket.mongol_font))
    if picture is not None:
        out.picture(picture)
    out.header(ticket)
    out.number(ticket.number)
    out.progress(ticket)
    out.materials(ticket.materials)
    out.qr(ticket.track_url)
    out.rule()
    out.bilingual(ticket.footer)
    out.finish()
    return out.bytes()


class _Builder:
    """Appends ticket parts to a python-escpos Dummy printer."""

    def __init__(self, profile: PrinterProfile, width_mm: int) -> None:
        self.profile = profile
        self.width_mm = width_mm
        # a head narrower than the paper (58 mm printer, 512-dot Epson) gets fewer columns
        self.cols = min(COLUMNS[width_mm], profile.dots(width_mm) // 12)
        self.p = Dummy(profile=profile.name)
        self.p.hw("INIT")
        self.p._raw(CHINESE_MODE)
        self.p.set(align="center")

    def bytes(self) -> bytes:
        return bytes(self.p.output)

    def size(self, width: int = 1, height: int = 1, bold: bool = False) -> None:
        """GS ! for every character, FS ! for Chinese ones on printers that keep it apart."""
        self.p.set(custom_size=True, width=width, height=height, bold=bold)
        self.p._raw(b"\x1c\x21" + bytes([(0x04 if width > 1 else 0) | (0x08 if height > 1 else 0)]))

    def lines(self, text: str, width: int = 1) -> None:
        enc = self.profile.encoding
        for line in wrap(text, self.cols // width, enc):
            self.p._raw(encode_text(line, enc) + b"\n")

    def pair(self, zh: str, en: str) -> None:
        """Chinese first, English second: on one line when both fit, else one under the other."""
        both = f"{zh}  {en}"
        if columns(both, self.profile.encoding) <= self.cols:
            self.lines(both)
        else:
            self.lines(zh)
            self.lines(en)

    def bilingual(self, text: str) -> None:
        """"中文 English" as a pair, so a narrow ticket breaks between the languages."""
        found = _ZH_THEN_EN.match(text)
        if found:
            self.pair(found[1], found[2])
        else:
            self.lines(text)

    def rule(self) -> None:
        self.p._raw(b"-" * self.cols + b"\n")

    def materials(self, papers: tuple[str, ...]) -> None:
        """The papers to bring, one a line (a long one wraps under its number)."""
        if not papers:
            return
        self.rule()
        self.pair("请备齐以下材料", "Papers to bring")
        self.p.set(align="left")  # a list reads from its left edge
        for i, paper in enumerate(papers, 1):
            self.lines(f"{i}. {paper}")
        self.p.set(align="center")

    def picture(self, bitmap: Bitmap) -> None:
        """A centred GS v 0 picture followed by a little paper; skipped by printers without
        raster images (the Chinese below says the same)."""
        if not self.profile.raster:
            return
        dots = self.profile.dots(self.width_mm)
        if bitmap.width > dots:
            raise ValueError(f"the picture is {bitmap.width} dots wide; this printer prints "
                             f"{dots} on {self.width_mm} mm paper")
        self.p._raw(raster_bytes(bitmap) + b"\n")

    def header(self, t: TicketLayout) -> None:
        self.size(1, 2, bold=True)
        self.lines(t.hall_name)
        self.size()
        if t.branch_name:
            self.lines(t.branch_name)
        self.rule()
        self.size(1, 1, bold=True)
        self.lines(f"{t.zone_name} · {t.service_name}")
        self.size()

    def number(self, number: str) -> None:
        self.pair("您的号码", "Your number")
        scale = max(1, min(6 if self.width_mm == 80 else 4, self.cols // columns(number)))
        self.size(scale, scale, bold=True)
        self.lines(number, width=scale)
        self.size()

    def progress(self, t: TicketLayout) -> None:
        if t.ahead == 0:
            self.pair("前面没有人在等候", "You are next")
        else:
            self.pair(f"前面还有 {t.ahead} 人", f"{t.ahead} ahead of you")
            self.pair(f"预计等候约 {t.estimated_wait_min} 分钟", f"about {t.estimated_wait_min} min")
        self.lines(f"取号时间 Issued {t.issued_at:%Y-%m-%d %H:%M}")
        if t.masked_id:
            self.lines(f"证件 ID {t.masked_id}")

    def qr(self, url: str) -> None:
        self.p._raw(b"\n")
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
        code.add_data(url)
        modules = code.best_fit() * 4 + 17  # the version alone: no mask search for native codes
        dots = self.profile.dots(self.width_mm)
        module = max(1, min(8, int(dots * 0.55) // (modules + 4)))
        if self.profile.native_qr:
            self.p.qr(url, ec=QR_ECLEVEL_M, size=module, native=True)
            self.p._raw(b"\n")
        elif self.profile.raster:
            self._raster(code, module)
        else:
            self.lines(url)
        self.pair("扫码查看进度", "Scan to follow your number")

    def _raster(self, code: qrcode.QRCode, module: int) -> None:
        """The QR code as a GS v 0 image; ESC a (centre, set above) applies to raster images."""
        code.box_size = module
        code.make(fit=False)
        im = EscposImage(code.make_image().get_image().convert("1"))
        header = b"\x1dv0\x00" + _le16(im.width_bytes) + _le16(im.height)
        self.p._raw(header + im.to_raster_format())

    def finish(self) -> None:
        # python-escpos feeds six lines, then cuts only when the profile has a cutter.
        if not self.profile.cutter:
            self.p.print_and_feed(2)
        self.p.cut()


def _le16(value: int) -> bytes:
    return value.to_bytes(2, "little")
