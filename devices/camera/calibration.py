"""Measuring the document camera once, so that it can tell an ID card from a page by size.

The reference sheet is an A4 page with four ArUco markers (OpenCV's 4x4 dictionary, ids 0-3)
36 mm wide at known places, and a 100 mm bar to check that it was printed at its real size.
Laid flat where papers go, one still of it gives `DeskCalibration`: the homography from still
pixels to desk millimetres (a tilted camera has no single scale; this holds everywhere on the
desk). It lives in the camera's URL in the terminal's configuration,
`camera://0?desk=2592x1944:h11,h12,h13,h21,h22,h23,h31,h32`, written by `provisioning probe
--calibrate`; `mm_per_px=0.2` is the simple form for a camera that looks straight down.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw

from devices.errors import BadAddress, DeviceError

SHEET_MM = (210.0, 297.0)
MARKER_MM = 36.0
MARKERS = {0: (18.0, 18.0), 1: (156.0, 18.0), 2: (156.0, 243.0), 3: (18.0, 243.0)}  # top-left
BAR_MM = 100.0
DESK_FORM = "desk=WIDTHxHEIGHT:h11,h12,h13,h21,h22,h23,h31,h32 or mm_per_px=0.2"
TEXT = ("快办 高拍仪标定页  Kuaiban camera calibration sheet",
        "按实际大小(100%)打印，下面的黑条应长 100 mm。Print at 100 %: the bar must measure 100 mm.",
        "平放在放材料的位置，四角标记都要在画面内。Lay it flat where papers go, all four marks in view.",
        "然后运行 / then run:  python -m provisioning probe --calibrate --out TERMINAL.toml")


class NoSheet(DeviceError):
    """The reference sheet was not found in the still (too few markers seen)."""


def _dictionary() -> cv2.aruco.Dictionary:
    return cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)


@dataclass(frozen=True)
class DeskCalibration:
    """Still pixels -> desk millimetres, measured on stills of `size` (0, 0: any size)."""

    homography: np.ndarray
    size: tuple[int, int] = (0, 0)

    @classmethod
    def scale(cls, mm_per_px: float) -> DeskCalibration:
        if not 0.001 <= mm_per_px <= 100:
            raise BadAddress(f"mm_per_px={mm_per_px:g} is not a camera's scale; expected {DESK_FORM}")
        return cls(np.diag([mm_per_px, mm_per_px, 1.0]))

    def for_image(self, width: int, height: int) -> DeskCalibration:
        """The same calibration for stills of another resolution of the same camera."""
        if self.size == (0, 0) or self.size == (width, height):
            return self
        sx, sy = self.size[0] / width, self.size[1] / height
        return DeskCalibration(self.homography @ np.diag([sx, sy, 1.0]), (width, height))

    def to_mm(self, points: np.ndarray) -> np.ndarray:
        pts = np.asarray(points, np.float64).reshape(-1, 2)
        out = np.column_stack([pts + 0.5, np.ones(len(pts))]) @ self.homography.T
        return out[:, :2] / out[:, 2:3]

    def mm_per_px(self, at: tuple[float, float]) -> float:
        """The scale at a point of the still (the square root of the local area ratio)."""
        x, y = at
        a, b, c = self.to_mm(np.array([[x, y], [x + 1, y], [x, y + 1]]))
        (ux, uy), (vx, vy) = b - a, c - a
        return float(np.sqrt(abs(ux * vy - uy * vx)))

    def option(self) -> str:
        """The `desk=` value for a camera URL."""
        h = self.homography / self.homography[2, 2]
        numbers = ",".join(f"{v:.8g}" for v in h.ravel()[:8])
        return f"{self.size[0]}x{self.size[1]}:{numbers}"

    @classmethod
    def parse(cls, text: str) -> DeskCalibration:
        """From a `desk=` value; BadAddress with the expected form when malformed."""
        try:
            size_text, _, numbers = text.partition(":")
            width, height = (int(v) for v in size_text.split("x"))
            values = [float(v) for v in numbers.split(",")]
            if len(values) != 8 or width < 0 or height < 0:
                raise ValueError("eight numbers after the size")
            h = np.array([*values, 1.0]).reshape(3, 3)
            if not np.isfinite(h).all() or abs(np.linalg.det(h)) < 1e-12:
                raise ValueError("not an invertible homography")
        except ValueError as exc:
            raise BadAddress(f"bad camera calibration {text!r} ({exc}); expected {DESK_FORM}") from None
        return cls(h, (width, height))


def from_options(options: dict[str, str]) -> DeskCalibration | None:
    """The calibration a camera URL's options carry (`desk=` or `mm_per_px=`), or None."""
    if "desk" in options and "mm_per_px" in options:
        raise BadAddress(f"give desk= or mm_per_px=, not both; expected {DESK_FORM}")
    if "desk" in options:
        return DeskCalibration.parse(options["desk"])
    if "mm_per_px" in options:
        try:
            return DeskCalibration.scale(float(options["mm_per_px"]))
        except ValueError as exc:
            raise BadAddress(f"mm_per_px={options['mm_per_px']!r}: {exc}; expected {DESK_FORM}") from None
    return None


def find_sheet(still: np.ndarray) -> tuple[DeskCalibration, float]:
    """The calibration from a still of the reference sheet, and its fit (RMS error, mm)."""
    grey = still if still.ndim == 2 else cv2.cvtColor(still, cv2.COLOR_BGR2GRAY)
    params = cv2.aruco.DetectorParameters()
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    corners, ids, _ = cv2.aruco.ArucoDetector(_dictionary(), params).detectMarkers(grey)
    seen = {int(i): c.reshape(4, 2) for i, c in zip(ids.ravel() if ids is not None else [],
                                                     corners, strict=True) if int(i) in MARKERS}
    if len(seen) < 3:
        raise NoSheet(f"the calibration sheet was not found: {len(seen)} of its 4 corner marks "
                      "seen / 未找到标定页")
    pixels = np.concatenate([seen[i] for i in sorted(seen)]) + 0.5  # pixel centres -> edges
    mm = np.concatenate([_marker_mm(i) for i in sorted(seen)])
    h, _ = cv2.findHomography(pixels, mm, 0)
    if h is None:
        raise NoSheet("the calibration sheet's marks do not fit a flat page / 标定页不平")
    calibration = DeskCalibration(h, (still.shape[1], still.shape[0]))
    error = float(np.sqrt(((calibration.to_mm(pixels - 0.5) - mm) ** 2).sum(axis=1).mean()))
    return calibration, error


def calibrate_camera(url: str, bar_mm: float = BAR_MM) -> tuple[str, DeskCalibration, float]:
    """Take one still of the reference sheet with the camera at `url`; its URL with the new
    `desk=` (any old calibration replaced), the calibration and its fit in mm. `bar_mm` is the
    printed bar as measured, when the sheet was not printed at its real size."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    from devices.camera.source import open_camera

    if not 50 <= bar_mm <= 150:
        raise BadAddress(f"the bar measures {bar_mm:g} mm? It is printed 100 mm long")
    camera = open_camera(url)
    try:
        still = camera.capture()
    finally:
        camera.close()
    found, error = find_sheet(still)
    scale = bar_mm / BAR_MM
    calibration = DeskCalibration(np.diag([scale, scale, 1.0]) @ found.homography, found.size)
    parts = urlsplit(url)
    options = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
               if k not in ("desk", "mm_per_px")] + [("desk", calibration.option())]
    query = urlencode(options, safe=":,/")
    return urlunsplit(parts._replace(query=query)), calibration, error * scale


def _marker_mm(marker: int) -> np.ndarray:
    x, y = MARKERS[marker]
    return np.array([[x, y], [x + MARKER_MM, y], [x + MARKER_MM, y + MARKER_MM], [x, y + MARKER_MM]])


def sheet_image(px_per_mm: float = 300 / 25.4) -> Image.Image:
    """The reference sheet, white A4, at `px_per_mm` (300 dpi by default)."""
    from devices.fonts import cjk_font

    size = (round(SHEET_MM[0] * px_per_mm), round(SHEET_MM[1] * px_per_mm))
    page = Image.new("L", size, 255)
    cells = round(MARKER_MM * px_per_mm)
    for marker, (x, y) in MARKERS.items():
        art = cv2.aruco.generateImageMarker(_dictionary(), marker, cells)
        page.paste(Image.fromarray(art), (round(x * px_per_mm), round(y * px_per_mm)))
    draw = ImageDraw.Draw(page)
    x0, y = round(18 * px_per_mm), round(75 * px_per_mm)
    for i, line in enumerate(TEXT):
        font = cjk_font(round((5.2 if i == 0 else 3.4) * px_per_mm))
        draw.text((x0, y), line, fill=0, font=font)
        y += round((14 if i == 0 else 9) * px_per_mm)
    bar_y = y + round(10 * px_per_mm)
    draw.rectangle((x0, bar_y, x0 + round(BAR_MM * px_per_mm) - 1, bar_y + round(4 * px_per_mm)), fill=0)
    small = cjk_font(round(3 * px_per_mm))
    for mm in range(0, int(BAR_MM) + 1, 10):
        tick = x0 + round(mm * px_per_mm)
        draw.line((tick, bar_y - round(3 * px_per_mm), tick, bar_y), fill=0, width=2)
        draw.text((tick, bar_y - round(8 * px_per_mm)), str(mm), fill=0, font=small)
    return page


def sheet_bytes(suffix: str) -> bytes:
    """The sheet as a printable .pdf (A4 at 300 dpi) or .png."""
    if suffix.lower() not in (".pdf", ".png"):
        raise ValueError(f"the sheet is written as .pdf or .png, not {suffix!r}")
    out = io.BytesIO()
    if suffix.lower() == ".pdf":
        sheet_image().save(out, format="PDF", resolution=300.0)
    else:
        sheet_image().save(out, format="PNG", dpi=(300, 300))
    return out.getvalue()
