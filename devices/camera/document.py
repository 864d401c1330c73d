"""Scan a document from a camera still: find the page, refuse ID cards unless the business step
needs one, correct the perspective, even the light and encode the copy.

`find_page` finds the quadrilateral (coarse on a small copy, refined on the full still);
`scan` does the whole job and returns a `ScanResult`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from devices.camera.detect import find_quad, working_copy
from devices.camera.enhance import encode, even_light, rectify
from devices.camera.geometry import clockwise, page_size
from devices.camera.refine import refine
from devices.errors import DeviceError

CARD_ASPECT = 85.6 / 54.0  # ISO/IEC 7810 ID-1: resident ID cards, bank cards
CARD_ASPECT_TOLERANCE = 0.12  # 1.47 .. 1.71: A4 (1.41) and Letter (1.29) stay pages
CARD_MAX_AREA = 0.20  # a card-sized rectangle is small beside the camera's field
CARD_SURE_AREA = 0.08  # below this share of the frame, only a card (or a note) is that small
MIN_PAGE_AREA = 0.03  # anything smaller that is not a card is not a page


class NoDocument(DeviceError):
    """No page could be found in the still."""


class IdCardRefused(DeviceError):
    """The page is an ID-card-sized card; copying one needs the business step's permission."""


@dataclass(frozen=True)
class ScanResult:
    corners: tuple[tuple[float, float], ...]  # 4 corners, clockwise from top-left, still pixels
    width: int  # of the corrected page, pixels
    height: int
    jpeg: bytes
    image: np.ndarray = field(repr=False)  # the corrected, evened page (BGR)

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


def is_id_card(corners: np.ndarray, frame_shape: tuple[int, ...]) -> bool:
    """A card-shaped rectangle (85.6 x 54 mm) that is small beside the frame; a very small one
    is taken for a card with a looser shape, since its outline is found less precisely and
    letting an ID card through costs more than asking for a small note to be retaken."""
    w, h = page_size(corners)
    aspect = max(w, h) / min(w, h)
    share = (w * h) / (frame_shape[0] * frame_shape[1])
    if share <= CARD_SURE_AREA:
        return abs(aspect - CARD_ASPECT) <= 2 * CARD_ASPECT_TOLERANCE
    return abs(aspect - CARD_ASPECT) <= CARD_ASPECT_TOLERANCE and share <= CARD_MAX_AREA


def scan(image: np.ndarray, allow_id_card: bool = False) -> ScanResult:
    """Find, check, rectify, even and encode the page of one still."""
    image = as_bgr(image)
    corners = find_page(image)
    card = is_id_card(corners, image.shape)
    if card and not allow_id_card:
        raise IdCardRefused("this looks like an ID card; copying it is not allowed here / 不能复印身份证")
    w, h = page_size(corners)
    if not card and w * h < MIN_PAGE_AREA * image.shape[0] * image.shape[1]:
        raise NoDocument("no document found: only a small object is in the frame / 未找到文件")
    page = even_light(rectify(image, corners))
    return ScanResult(
        corners=tuple((float(x), float(y)) for x, y in corners),
        width=page.shape[1],
        height=page.shape[0],
        jpeg=encode(page, ".jpg"),
        image=page,
    )
