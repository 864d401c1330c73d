"""Scan a document from a camera still: find the page, refuse ID cards unless the business step
needs one, correct the perspective to the paper's own proportions, even the light and encode
the copy.

`find_page` finds the quadrilateral (coarse on a small copy, refined on the full still);
`devices.camera.paper` says what it is (card or page, which paper) from the camera's calibration
or, without one, from its shape; `scan` does the whole job and returns a `ScanResult`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from devices.camera.calibration import DeskCalibration
from devices.camera.detect import find_quad, working_copy
from devices.camera.enhance import encode, even_light, rectify
from devices.camera.geometry import clockwise, page_size, polygon_area
from devices.camera.paper import Judgement, judge
from devices.camera.refine import refine
from devices.errors import DeviceError

MIN_PAGE_AREA = 0.03  # without calibration, anything smaller that is not a card is not a page


class NoDocument(DeviceError):
    """No page could be found in the still."""


class IdCardRefused(DeviceError):
    """The page is an ID-card-sized card; copying one needs the business step's permission."""

    def __init__(self, message: str, judgement: Judgement | None = None) -> None:
        super().__init__(message)
        self.judgement = judgement


@dataclass(frozen=True)
class ScanResult:
    corners: tuple[tuple[float, float], ...]  # 4 corners, clockwise from top-left, still pixels
    width: int  # of the corrected page, pixels
    height: int
    jpeg: bytes
    image: np.ndarray = field(repr=False)  # the corrected, evened page (BGR)
    judgement: Judgement | None = None  # card or page, paper, size, calibrated or not

    def encoded(self, suffix: str) -> bytes:
        """The page as .jpg/.jpeg (the stored JPEG), .png or .pdf bytes."""
        return self.jpeg if suffix.lower() in (".jpg", ".jpeg") else encode(self.image, suffix)


def find_page(image: np.ndarray) -> np.ndarray:
    """The page's corners (4x2, clockwise from top-left, still pixels); NoDocument if none."""
    image = as_bgr(image)
    small, scale = working_copy(image)
    cand = find_quad(small)
    if cand is None:
        raise NoDocument("no document found: place the page flat inside the frame / 未找到文件")
    quad = (cand.quad + 0.5) * scale - 0.5  # working-copy pixel centres to still pixel centres
    if scale > 1:
        quad = refine(image, quad, radius=1.5 * scale + 3)
    return clockwise(quad)


def as_bgr(image: np.ndarray | None) -> np.ndarray:
    """The photo as 8-bit BGR (grey and BGRA stills are converted); NoDocument if unusable."""
    if image is None or image.ndim not in (2, 3) or min(image.shape[:2]) < 32:
        raise NoDocument("no document: the image is empty or too small")
    if image.dtype != np.uint8:
        raise NoDocument(f"no document: expected an 8-bit photo, got {image.dtype}")
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if image.shape[2] != 3:
        raise NoDocument(f"no document: a photo has 1, 3 or 4 channels, not {image.shape[2]}")
    return image


def is_id_card(corners: np.ndarray, frame_shape: tuple[int, ...],
               calibration: DeskCalibration | None = None, image: np.ndarray | None = None) -> bool:
    """Whether the quadrilateral is an ID card (see `devices.camera.paper.judge`); without the
    still (`image`) the corners' shape is not looked at."""
    still = image if image is not None else np.zeros((frame_shape[0], frame_shape[1], 3), np.uint8)
    return judge(still, clockwise(corners), calibration).card


def scan(image: np.ndarray, allow_id_card: bool = False,
         calibration: DeskCalibration | None = None) -> ScanResult:
    """Find, check, rectify to the paper's proportions, even and encode the page of one still.
    `calibration` (the camera's, from its URL) lets sizes decide; without it, shapes do."""
    image = as_bgr(image)
    corners = find_page(image)
    verdict = judge(image, corners, calibration)
    if verdict.card and not allow_id_card:
        raise IdCardRefused("this looks like an ID card; copying it is not allowed here / 不能复印身份证",
                            verdict)
    if not verdict.card and _too_small(corners, image.shape, verdict):
        raise NoDocument("no document found: only a small object is in the frame / 未找到文件")
    page = even_light(rectify(image, corners, output_size(corners, verdict.ratio)))
    return ScanResult(
        corners=tuple((float(x), float(y)) for x, y in corners),
        width=page.shape[1],
        height=page.shape[0],
        jpeg=encode(page, ".jpg"),
        image=page,
        judgement=verdict,
    )


def _too_small(corners: np.ndarray, shape: tuple[int, ...], verdict: Judgement) -> bool:
    if verdict.size_mm is not None:
        from devices.camera.paper import MIN_PAGE_MM
        return max(verdict.size_mm) < MIN_PAGE_MM
    return polygon_area(corners) < MIN_PAGE_AREA * shape[0] * shape[1]


def output_size(corners: np.ndarray, ratio: float) -> tuple[int, int]:
    """Width and height of the corrected page: the paper's `ratio` (side c0-c1 over c1-c2), its
    long side as many pixels as the longest side in the still, so no detail is lost."""
    w, h = page_size(corners)
    sides = np.linalg.norm(corners - np.roll(corners, -1, axis=0), axis=1)
    long = max(float(sides.max()), w, h)
    return (round(long), max(1, round(long / ratio))) if ratio >= 1 else (max(1, round(long * ratio)), round(long))
