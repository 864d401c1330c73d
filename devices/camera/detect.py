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
    clockwise_many,
    polygon_area,
    reduce_to_quad,
    shape_stats,
)
from devices.camera.lines import line_quads, snap, strong_lines
from devices.camera.refine import refine

WORK_SIDE = 640  # long side of the working copy, pixels
MIN_AREA = 0.02  # smallest quadrilateral considered, as a share of the frame
STEP_MIN = 4.5  # colour step (Lab units) across the outline that counts as an edge
SHARPNESS = 0.55  # least ratio of the step 2 px either side to that 4.5 or 7 px either side
COARSE_SAMPLES = 32  # edge profiles per side when refining on the working copy
SUPPORT_SIDE = 0.55  # every side must be an edge over this share of its length ...
SUPPORT_MEAN = 0.75  # ... and the whole outline over this share


@dataclass(frozen=True)
class Candidate:
    quad: np.ndarray  # (4, 2) in working-copy pixels, clockwise from top-left
    support: float  # share of the outline with an edge
    area: float  # share of the frame


def working_copy(image: np.ndarray) -> tuple[np.ndarray, float]:
    """The still scaled down to about WORK_SIDE on its long side, and the scale back."""
    h, w = image.shape[:2]
    scale = max(h, w) / WORK_SIDE
    if scale <= 1:
        return image, 1.0
    if scale >= 1.5:
        scale = float(round(scale))  # a whole factor: OpenCV's fast path, 3x quicker at 5 MP
    size = (round(w / scale), round(h / scale))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return small, w / size[0]


def find_quad(small: np.ndarray) -> Candidate | None:
    """The best page quadrilateral on the working copy, or None."""
    cands = candidates(small)
    return max(cands, key=_rank) if cands else None


def candidates(small: np.ndarray) -> list[Candidate]:
    """Every quadrilateral on the working copy whose outline passes the edge check."""
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_BGR2LAB)
    labf = lab.astype(np.float32)
    masks, edges = _masks(lab)
    # region outlines are rough and sit a pixel or two off the edge (dilation, blur, things
    # touching the page): snap their sides onto nearby lines, then onto the edge itself
    lines = strong_lines(edges)
    regions = _plausible(_unique([quad for mask in masks for quad in _quads(mask)]), labf.shape)
    floor = _step_floor(labf)
    snapped = [snap(quad, lines, lambda qs: side_support(labf, qs, floor)) for quad in regions]
    refined = [refine(small, q, 4.0, COARSE_SAMPLES) for q in regions + snapped]
    refined += [refine(small, refine(small, q, 12.0, COARSE_SAMPLES), 4.0, COARSE_SAMPLES)
                for q in regions]
    quads = np.concatenate([clockwise_many(np.array(refined).reshape(-1, 4, 2)),
                            line_quads(lines, labf.shape)])
    return _score_all(labf, quads, floor)


def _unique(quads: list[np.ndarray]) -> list[np.ndarray]:
    """Drop quadrilaterals within 6 px (every corner) of one already kept: several masks often
    find the same region."""
    kept: list[np.ndarray] = []
    for quad in quads:
        if all(np.abs(quad - k).max() > 6 for k in kept):
            kept.append(quad)
    return kept


def _plausible(quads: list[np.ndarray], shape: tuple[int, ...]) -> list[np.ndarray]:
    """Only the region outlines that could be a page (convex, no sharp corner, large enough)
    are worth snapping and refining."""
    if not quads:
        return []
    convex, min_angle, area = shape_stats(np.array(quads))
    ok = convex & (min_angle >= 40) & (area >= 0.8 * MIN_AREA * shape[0] * shape[1])
    return [q for q, keep in zip(quads, ok, strict=True) if keep]


def _step_floor(labf: np.ndarray) -> float:
    """The colour step an edge must beat: STEP_MIN, or more on a busy or noisy picture (three
    times the median colour change between pixels 5 apart)."""
    sub = labf[::2]
    diff = np.linalg.norm(sub[:, 5:] - sub[:, :-5], axis=2)
    return max(STEP_MIN, 3.0 * float(np.median(diff)))


def _rank(c: Candidate) -> float:
    return c.area * c.support**4


def _masks(lab: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    light, a, b = cv2.split(lab)
    chroma = cv2.absdiff(a, 128).astype(np.float32) + cv2.absdiff(b, 128).astype(np.float32)
    white = np.clip(light.astype(np.float32) - 2 * chroma, 0, 255).astype(np.uint8)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5))
    masks = []
    for channel in (light, white):
        _, m = cv2.threshold(channel, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
        masks.append(cv2.morphologyEx(m, cv2.MORPH_OPEN, kernel))
    edges = np.zeros_like(light)
    for channel, lo in ((light, 7), (a, 6), (b, 6)):
        edges |= cv2.Canny(channel, lo, lo * 3)
    masks.append(cv2.bitwise_not(cv2.dilate(edges, np.ones((3, 3), np.uint8))))
    long_edges = _long_components(edges, 0.06 * min(edges.shape))
    masks.append(cv2.dilate(long_edges, np.ones((5, 5), np.uint8)))  # outlines with small gaps
    return masks, long_edges


def _long_components(edges: np.ndarray, min_extent: float) -> np.ndarray:
    """The edge map without its small pieces (letters, noise, texture), which would otherwise
    outvote a page's sides in the Hough transform."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(edges, connectivity=8)
    extent = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    keep = extent >= min_extent
    keep[0] = False
    return np.where(keep[labels], 255, 0).astype(np.uint8)


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


def _score_all(labf: np.ndarray, quads: np.ndarray, floor: float) -> list[Candidate]:
    """Keep the convex, well-angled, large-enough quadrilaterals whose outline is a colour step
    between just inside and just outside along most of every side."""
    h, w = labf.shape[:2]
    if len(quads) == 0:
        return []
    convex, min_angle, area = shape_stats(quads)
    keep = quads[convex & (min_angle >= 45) & (area >= MIN_AREA * h * w)]
    if not len(keep):
        return []
    sides = side_support(labf, keep, floor)
    mean = sides.mean(axis=1)
    ok = np.nonzero((sides.min(axis=1) >= SUPPORT_SIDE) & (mean >= SUPPORT_MEAN))[0]
    return [Candidate(keep[i], float(mean[i]), polygon_area(keep[i]) / (h * w)) for i in ok]


def side_support(labf: np.ndarray, quads: np.ndarray, floor: float = STEP_MIN,
                 samples: int = 32) -> np.ndarray:
    """(N, 4): for each side of each quadrilateral (N, 4, 2), the share of points where the
    colours 2, 4.5 and 7 px inside differ from all those outside by more than `floor`."""
    h, w = labf.shape[:2]
    p, q = quads, np.roll(quads, -1, axis=1)
    d = q - p
    d /= np.linalg.norm(d, axis=2, keepdims=True) + 1e-9
    n = np.stack([-d[..., 1], d[..., 0]], axis=2)
    towards = quads.mean(axis=1, keepdims=True) - p
    n *= np.where((n * towards).sum(axis=2, keepdims=True) < 0, -1.0, 1.0)  # inward
    t = np.linspace(0.08, 0.92, samples)[None, None, :, None]
    pts = p[:, :, None, :] + t * (q - p)[:, :, None, :]  # (N, 4, S, 2)
    # a true step, not a thin line next to the outline: near and far colours on each side
    # must all differ from those on the other side
    nn = n[:, :, None, :]
    inside = [_sample(labf, pts + k * nn) for k in (2.0, 4.5, 7.0)]
    outside = [_sample(labf, pts - k * nn) for k in (2.0, 4.5, 7.0)]
    step = np.min([np.linalg.norm(a - b, axis=-1) for a in inside for b in outside], axis=0)
    # and sharp, as a sheet's edge is and a cast shadow's is not: the near colours differ
    # almost as much as the far ones
    near = np.linalg.norm(inside[0] - outside[0], axis=-1)
    far = np.minimum(np.linalg.norm(inside[1] - outside[1], axis=-1),
                     np.linalg.norm(inside[2] - outside[2], axis=-1))  # a rule 7 px in: mid
    edge = (step > floor) & (near >= SHARPNESS * far)
    valid = ((pts[..., 0] > 2) & (pts[..., 0] < w - 3) & (pts[..., 1] > 2) & (pts[..., 1] < h - 3))
    return (edge & valid).mean(axis=2)


def _sample(img: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Bilinear samples of `img` at points (..., 2); returns (..., channels)."""
    flat = pts.reshape(-1, pts.shape[-2], 2)
    out = cv2.remap(img, flat[..., 0].astype(np.float32), flat[..., 1].astype(np.float32),
                    cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out.reshape(*pts.shape[:-1], img.shape[2])
