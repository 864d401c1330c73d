"""A 1-bit picture for the ticket printer, and its GS v 0 raster bytes.

`Bitmap` is what a caller hands the ticket layout to print a picture: packed rows, 1 = a
black dot, most significant bit first, each row padded to whole bytes, which is GS v 0's own
format. The caller may draw it with anything (Pillow here, Qt on a screen) and pass the bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

BAND_ROWS = 256  # one GS v 0 command per band: cheap printers have small receive buffers


@dataclass(frozen=True)
class Bitmap:
    width: int
    height: int
    rows: bytes  # height * ceil(width / 8) bytes

    def __post_init__(self) -> None:
        if self.width < 1 or self.height < 1:
            raise ValueError(f"a bitmap needs a size, not {self.width}x{self.height}")
        if self.row_bytes > 0xFFFF:
            raise ValueError(f"bitmap too wide: {self.width} dots")
        if len(self.rows) != self.row_bytes * self.height:
            raise ValueError(f"a {self.width}x{self.height} bitmap has "
                             f"{self.row_bytes * self.height} bytes, not {len(self.rows)}")

    @property
    def row_bytes(self) -> int:
        return (self.width + 7) // 8

    @classmethod
    def from_image(cls, image: Image.Image, threshold: int = 128) -> Bitmap:
        """Dark pixels (below `threshold` in grey) become dots; no dithering, so text stays
        crisp."""
        grey = image.convert("L")
        ink = grey.point(lambda v: 255 if v < threshold else 0).convert("1", dither=None)
        return cls(grey.width, grey.height, ink.tobytes())

    def to_image(self) -> Image.Image:
        """White paper with black dots (mode "L"), the inverse of `from_image`."""
        ink = Image.frombytes("1", (self.width, self.height), self.rows)
        return ink.convert("L").point(lambda v: 0 if v else 255)


def raster_bytes(bitmap: Bitmap) -> bytes:
    """GS v 0 (normal density) commands drawing the bitmap, one per band of BAND_ROWS rows."""
    out = bytearray()
    step = bitmap.row_bytes
    for top in range(0, bitmap.height, BAND_ROWS):
        rows = min(BAND_ROWS, bitmap.height - top)
        out += b"\x1dv0\x00" + _le16(step) + _le16(rows)
        out += bitmap.rows[top * step:(top + rows) * step]
    return bytes(out)


def _le16(value: int) -> bytes:
    return value.to_bytes(2, "little")
