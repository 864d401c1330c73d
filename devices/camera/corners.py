"""Are a sheet's corners rounded like an ID card's (3.18 mm on 85.6 x 54 mm) or square like
paper's? The sheet is warped flat onto an ID-1-shaped canvas at 10 px/mm (a right angle stays
a right angle, whatever the paper's real proportions), and at each corner the area that looks
like the desk rather than the sheet is measured inside the square of the card's radius. A
rounded corner leaves 1 - pi/4 of that square to the desk; a square corner leaves none. The
strips along each side next to the corner, measured the same way, cancel what a quadrilateral
found a pixel off, and the blur, add along the sides.
"""

from __future__ import annotations

import cv2
import numpy as np

PX_PER_MM = 10.0
RADIUS = 3.18 * PX_PER_MM
LONG, SHORT = round(85.6 * PX_PER_MM), round(54.0 * PX_PER_MM)
MARGIN = 48  # canvas pixels outside the sheet, where the desk is sampled
ROUNDED_AREA = (1 - np.pi / 4) * RADIUS**2
MIN_CONTRAST = 5.0  # Lab units between sheet and desk; below that the corners cannot tell
ROUND, SQUARE = 0.5, 0.2  # shares of a rounded corner's desk area that call a corner


def corner_shape(image: np.ndarray, quad: np.ndarray, aspect: float) -> str:
    """"rounded" (two or more corners rounded like an ID card's: paper has none, and a thumb or
    a phone over a card may hide the others), "square" (three or more square: a pen over the
    fourth may look like anything) or "unknown"."""
    canvas, valid = _flatten(image, quad, aspect)
    h, w = canvas.shape[:2]
    verdicts = []
    for cx, cy, sx, sy in ((MARGIN, MARGIN, 1, 1), (w - MARGIN, MARGIN, -1, 1),
                           (w - MARGIN, h - MARGIN, -1, -1), (MARGIN, h - MARGIN, 1, -1)):
        verdicts.append(_corner(canvas, valid, cx, cy, sx, sy))
    rounded, square = verdicts.count("rounded"), verdicts.count("square")
    if rounded >= 2:
        return "rounded"
    if square >= 3:
        return "square"
    return "unknown"


def _flatten(image: np.ndarray, quad: np.ndarray, aspect: float) -> tuple[np.ndarray, np.ndarray]:
    """The sheet and its surroundings warped onto the ID-1 canvas (Lab, float), and where the
    canvas saw the photo at all."""
    w, h = (LONG, SHORT) if aspect >= 1 else (SHORT, LONG)
    m = MARGIN - 0.5
    dst = np.array([[m, m], [m + w, m], [m + w, m + h], [m, m + h]], np.float32)
    warp = cv2.getPerspectiveTransform(np.asarray(quad, np.float32), dst)
    size = (w + 2 * MARGIN, h + 2 * MARGIN)
    flat = cv2.warpPerspective(image, warp, size, flags=cv2.INTER_LINEAR)
    seen = cv2.warpPerspective(np.full(image.shape[:2], 255, np.uint8), warp, size,
                               flags=cv2.INTER_NEAREST)
    if flat.ndim == 2:
        flat = cv2.cvtColor(flat, cv2.COLOR_GRAY2BGR)
    lab = cv2.cvtColor(flat.astype(np.float32) / 255, cv2.COLOR_BGR2Lab)
    return cv2.GaussianBlur(lab, (0, 0), 1.5), seen > 0  # less noise before shares are clipped


def _corner(lab: np.ndarray, valid: np.ndarray, cx: int, cy: int, sx: int, sy: int) -> str:
    r = int(round(RADIUS))

    def box(u0: int, u1: int, v0: int, v1: int) -> tuple[slice, slice]:
        """Canvas slices of the local box u0 <= u < u1, v0 <= v < v1 (u, v inwards)."""
        xs = sorted((cx + sx * u0, cx + sx * u1))
        ys = sorted((cy + sy * v0, cy + sy * v1))
        return slice(ys[0], ys[1]), slice(xs[0], xs[1])

    regions = {"corner": box(0, r, 0, r), "along_u": box(r, 2 * r, 0, r),
               "along_v": box(0, r, r, 2 * r), "desk_u": box(r, 5 * r // 2, 8 - MARGIN, -8),
               "desk_v": box(8 - MARGIN, -8, r, 5 * r // 2), "sheet": box(r, 5 * r // 2, 8, r)}
    if not all(valid[region].all() for region in regions.values()):
        return "unknown"  # the corner is at the photo's edge
    desk = np.median(np.concatenate([lab[regions[k]].reshape(-1, 3) for k in ("desk_u", "desk_v")]), axis=0)
    sheet = np.median(lab[regions["sheet"]].reshape(-1, 3), axis=0)
    axis = sheet - desk
    contrast = float(np.linalg.norm(axis))
    if contrast < MIN_CONTRAST:
        return "unknown"

    def desk_area(name: str) -> float:
        """Pixels nearer the desk's colour than the sheet's (half-way, along their difference:
        blur moves no edge, and noise on either side does not add up)."""
        share = ((lab[regions[name]] - desk) @ axis) / contrast**2
        return float((share < 0.5).sum())

    rounding = (desk_area("corner") - desk_area("along_u") - desk_area("along_v")) / ROUNDED_AREA
    if rounding >= ROUND:
        return "rounded"
    return "square" if rounding <= SQUARE else "unknown"
