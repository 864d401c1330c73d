"""What a printer model can do, as far as a ticket cares: its python-escpos capability profile,
the Chinese encoding its font ROM understands, native QR or not, cutter or not, dots per line."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from escpos.capabilities import CAPABILITIES, get_profile

from devices.errors import BadAddress

# Cheap 58 mm printers carry a GB2312/GBK font only: a four-byte GB18030 sequence would print
# as two wrong characters, so they get GBK (and `?` for what GBK lacks).
GBK_ONLY = frozenset({"ZJ-5870", "POS-5890", "NT-5890K", "simple"})

# Printable dots per line by paper width (203 dpi heads; 48 / 72 mm printable).
DOTS_BY_PAPER = {58: 384, 80: 576}


@dataclass(frozen=True)
class PrinterProfile:
    name: str
    encoding: str  # "gb18030" or "gbk"
    native_qr: bool  # GS ( k; otherwise the QR code is sent as a GS v 0 raster image
    cutter: bool  # GS V; otherwise the ticket is fed out to the tear bar
    raster: bool  # GS v 0 images; impact printers without it get the link as text
    max_dots: int | None  # the head's dots per line when the profile knows them

    def dots(self, width_mm: int) -> int:
        """Dots per line for this paper, never more than the head has."""
        dots = DOTS_BY_PAPER[width_mm]
        return min(dots, self.max_dots) if self.max_dots else dots


def profile_names() -> list[str]:
    return sorted(CAPABILITIES["profiles"])


@lru_cache(maxsize=64)
def load_profile(name: str = "default") -> PrinterProfile:
    """Our view of a python-escpos profile; an unknown name is refused with the known ones."""
    if name not in CAPABILITIES["profiles"]:
        raise BadAddress(f"unknown printer profile {name!r}; known: {', '.join(profile_names())}")
    data = get_profile(name).profile_data
    features = data.get("features", {})
    pixels = data.get("media", {}).get("width", {}).get("pixels")
    return PrinterProfile(
        name=name,
        encoding="gbk" if name in GBK_ONLY else "gb18030",
        native_qr=bool(features.get("qrCode")),
        cutter=bool(features.get("paperFullCut") or features.get("paperPartCut")),
        raster=bool(features.get("bitImageRaster")),
        max_dots=pixels if isinstance(pixels, int) and pixels >= 384 else None,
    )
