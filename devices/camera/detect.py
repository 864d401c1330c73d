"""Find the page's quadrilateral on a downscaled copy of a still.

Several segmentations propose regions (bright regions by Otsu on lightness, on "whiteness"
(lightness less colourfulness, for white paper on a beige desk), and the regions enclosed by
colour edges); each region's convex hull is reduced to a quadrilateral, and every quadrilateral
is scored by how much of its outline is a real colour step between inside and outside. The
largest well-supported quadrilateral wins, so an inner printed frame loses to the sheet itself
and a region leaking into a hand or a pen loses to the clean one.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from devices.camera.geometry import (
    clockwise,
    is_convex,
    min_angle_deg,
    polygon_area,
    reduce_to_quad,
)

WORK_SIDE = 640  # long side of the working copy, pixels
MIN_AREA = 0.02  # smallest quadrilateral considered, as a share of the frame
STEP_MIN = 7.0  # colour step (Lab units) across the outline that counts as an edge
SUPPORT_SIDE = 0.55  # every side must be an edge over this share of its length ...
SUPPORT_MEAN = 0.75  # ... and the whole outline over this share


@dataclass(frozen=True)
class Candidate:
    quad: np.ndarray  # (4, 2) in working-copy pixels, clockwise from top-left
    support: float  # share of the outline with an edge
    area: float  # share of the frame


def working_copy(image: np.ndarray) -> tuple[np.ndarray, float]:
    """The still scaled down to WORK_SIDE on its long side, and the scale back to the still."""
    h, w = image.shape[:2]
    scale = max(h, w) / WORK_SIDE
    if scale <= 1:
        return image, 1.0
    small = cv2.resize(image, (round(w / scale), round(h / scale)), interpolation=cv2.INTER_AREA)
    return small, scale


def find_quad(small: np.ndarray) -> Candidate | None:
    """The best page quadrilateral on the working copy, or None."""
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_BGR2LAB)
    labf = lab.astype(np.float32)
    best: Candidate | None = None
    for mask in _masks(lab):
        for quad in _quads(mask):
            cand = _score(labf, quad)
            if cand is not None and (best is None or _rank(cand) > _rank(best)):
                best = cand
    return best


def _rank(c: Candidate) -> float:
    return c.area * c.support**2


def _masks(lab: np.ndarray) -> list[np.ndarray]:
    light, a, b = cv2.split(lab)
    chroma = cv2.absdiff(a, 128).astype(np.float32) + cv2.absdiff(b, 128).astype(np.float32)
    white = np.clip(light.astype(np.float32) - 2 * chroma, 0, 255).astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5))
    masks = []
    for channel in (light, white):
        _, m = cv2.threshold(channel, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
        masks.append(cv2.morphologyEx(m, cv2.MORPH_OPEN, kernel))
    edges = np.zeros_like(light)
    for channel, lo in ((light, 12), (a, 8), (b, 8)):
        edges |= cv2.Canny(channel, lo, lo * 3)
    edges = cv2.dilate(edges, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3)))
    masks.append(cv2.bitwise_not(edges))
    return masks


def _quads(mask: np.ndarray) -> list[np.ndarray]:
    h, w = mask.shape
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    quads = []
    for contour in contours:
        if cv2.contourArea(contour) < MIN_AREA * h * w * 0.7:
            continue
        hull = cv2.convexHull(contour)
        if cv2.contourArea(hull) > 0.98 * h * w:
            continue  # the whole frame (the desk around everything)
        approx = cv2.approxPolyDP(hull, 0.006 * cv2.arcLength(hull, True), True)
        quad = reduce_to_quad(approx.reshape(-1, 2)) if len(approx) >= 4 else None
        if quad is not None:
            quads.append(clockwise(quad))
    return quads


def _score(labf: np.ndarray, quad: np.ndarray) -> Candidate | None:
    """How much of the outline is a colour step between just inside and just outside."""
    h, w = labf.shape[:2]
    area = polygon_area(quad) / (h * w)
    if area < MIN_AREA or not is_convex(quad) or min_angle_deg(quad) < 45:
        return None
    centre = quad.mean(axis=0)
    sides = []
    for i in range(4):
        p, q = quad[i], quad[(i + 1) % 4]
        length = float(np.linalg.norm(q - p))
        if length < 8:
            return None
        d = (q - p) / length
        n = np.array([-d[1], d[0]])
        if np.dot(n, centre - p) < 0:
            n = -n  # inward
        t = np.linspace(0.08, 0.92, max(8, int(length / 3)))[:, None]
        pts = p + t * (q - p)
        inside, outside = _sample(labf, pts + 2.5 * n), _sample(labf, pts - 2.5 * n)
        step = np.linalg.norm(inside - outside, axis=1)
        valid = (pts[:, 0] > 2) & (pts[:, 0] < w - 3) & (pts[:, 1] > 2) & (pts[:, 1] < h - 3)
        sides.append(float(np.mean((step > STEP_MIN) & valid)))
    support = float(np.mean(sides))
    if min(sides) < SUPPORT_SIDE or support < SUPPORT_MEAN:
        return None
    return Candidate(quad, support, area)


def _sample(img: np.ndarray, pts: np.ndarray) -> np.ndarray:
    map_x = pts[:, 0].astype(np.float32).reshape(1, -1)
    map_y = pts[:, 1].astype(np.float32).reshape(1, -1)
    out = cv2.remap(img, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out.reshape(-1, img.shape[2])
