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

# True of every ticket, one with a masked ID ("证件 ID 150***********0019") too: it said
# "no personal ID data" under the masked number.
PRIVACY_LINE = "本票据不含完整证件号码 No full ID number on this ticket"
PRIORITY_MARK = " 优先 Priority "  # the spaces widen the black band around the words
CHINESE_MODE = b"\x1c\x26"  # FS &
COLUMNS = {58: 32, 80: 48}  # font A, 12 dots a column
_ZH_THEN_EN = re.compile(r"^([^A-Za-z]*[^\x00-\x7f][^A-Za-z]*?)\s+([A-Za-z].*)$", re.S)
_FULL_ID = re.compile(r"[0-9]{6,}[0-9Xx]{6,}")


@dataclass(frozen=True)
class Forwarded:
    """Where a bank branch sent the application (转大厅): the parent hall, the queue there and
    the hall's number, which the ticket then carries (with the hall ticket's QR code)."""

    hall_name: str
    zone_name: str
    number: str
    zone_name_en: str = ""
    hall_name_en: str = ""


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
    # English under the Chinese, where the visitor read English and the hall gave it
    service_name_en: str | None = None
    zone_name_en: str | None = None
    materials_en: tuple[str, ...] = ()
    # issued while the hall is closed: when calling starts (in the hall's time zone), said
    # instead of the wait
    calls_from: datetime | None = None
    forwarded: Forwarded | None = None  # a bank branch's application, gone to the hall
    # called before the others (elderly, disabled, pregnant, a booking on time, ...): marked
    # under the number, white on black, never saying why
    priority: bool = False

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
    if ticket.priority:
        out.priority()
    out.progress(ticket)
    out.materials(ticket.materials, ticket.materials_en)
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

    def materials(self, papers: tuple[str, ...], english: tuple[str, ...] = ()) -> None:
        """The papers to bring, one a line (a long one wraps under its number), each with its
        English name under it where given."""
        if not papers:
            return
        self.rule()
        self.pair("请备齐以下材料", "Papers to bring")
        self.p.set(align="left")  # a list reads from its left edge
        for i, paper in enumerate(papers, 1):
            self.lines(f"{i}. {paper}")
            if i <= len(english) and english[i - 1]:
                self.lines(f"   {english[i - 1]}")
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
        zone = t.forwarded.zone_name if t.forwarded else t.zone_name
        # a service named as its zone (综合咨询导办) once: it printed "综合咨询导办 · 综合咨询导办"
        self.lines(" · ".join(dict.fromkeys(x for x in (zone, t.service_name) if x)))
        self.size()
        if t.service_name_en:
            zone_en = (t.forwarded.zone_name_en if t.forwarded else t.zone_name_en) or ""
            self.lines(" · ".join(dict.fromkeys(x for x in (zone_en, t.service_name_en) if x)))

    def number(self, number: str) -> None:
        self.pair("您的号码", "Your number")
        scale = max(1, min(6 if self.width_mm == 80 else 4, self.cols // columns(number)))
        self.size(scale, scale, bold=True)
        self.lines(number, width=scale)
        self.size()

    def priority(self) -> None:
        """The priority mark under the number: "优先 Priority", twice the size, in reverse
        (GS B), so the counter and the citizen see it at a glance; the reason stays private."""
        self.size(2, 2, bold=True)
        self.p.set(invert=True)
        self.lines(PRIORITY_MARK, width=2)
        self.p.set(invert=False)
        self.size()

    def progress(self, t: TicketLayout) -> None:
        if t.forwarded is not None:
            self.forwarded(t.forwarded)
        elif t.calls_from is not None:
            self.calls_from(t.calls_from, t.issued_at)
            if t.ahead:
                self.pair(f"前面还有 {t.ahead} 人", f"{t.ahead} ahead of you")
        elif t.ahead == 0:
            self.pair("前面没有人在等候", "You are next")
        else:
            self.pair(f"前面还有 {t.ahead} 人", f"{t.ahead} ahead of you")
            self.pair(f"预计等候约 {t.estimated_wait_min} 分钟", f"about {t.estimated_wait_min} min")
        self.lines(f"取号时间 Issued {t.issued_at:%Y-%m-%d %H:%M}")
        if t.masked_id:
            self.lines(f"证件 ID {t.masked_id}")

    def calls_from(self, start: datetime, issued: datetime) -> None:
        """A number taken while the hall is closed: when calling starts, with the day when it
        is not the day the number was taken."""
        if start.date() == issued.date():
            self.pair(f"大厅 {start:%H:%M} 开始叫号", f"Calling starts at {start:%H:%M}")
        else:
            self.pair(f"大厅 {start.month}月{start.day}日 {start:%H:%M} 开始叫号",
                      f"Calling starts {start:%Y-%m-%d} at {start:%H:%M}")

    def forwarded(self, f: Forwarded) -> None:
        """A bank branch's application gone to the hall: where, under which number; nobody at
        the branch calls it."""
        self.lines(f"您的申请已转交 {f.hall_name} {f.zone_name}，")
        self.lines(f"号码 {f.number}；扫描二维码查看进度")
        self.lines(f"Your application went to {f.hall_name_en or f.hall_name} "
                   f"{f.zone_name_en or f.zone_name},")
        self.lines(f"number {f.number}; scan the QR code to follow it")

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
