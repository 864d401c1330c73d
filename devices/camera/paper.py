"""What a found quadrilateral is: an ID card or a page, and the paper's true proportions.

With the camera's calibration (`DeskCalibration`, still pixels -> desk mm) the sheet is measured
in millimetres: an ID-1 card is 85.6 x 54 mm (ISO/IEC 7810) however much of the frame it fills
and however the perspective stretches it, and a page keeps its paper's proportions (A4 1:1.414,
or as measured). Without one the proportions come from the quadrilateral's geometry (the aspect
of the rectangle it is a perspective view of, with the lens centre at the picture's centre), and
the share of the frame decides as before, unless the corners settle it: ID cards have corners
rounded to 3.18 mm, paper has square ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from devices.camera.calibration import DeskCalibration
from devices.camera.corners import corner_shape
from devices.camera.geometry import page_size, polygon_area

ID1 = (85.6, 54.0)
CARD_ASPECT = ID1[0] / ID1[1]
CARD_ASPECT_TOLERANCE = 0.12  # 1.47 .. 1.71: A4 (1.41) and Letter (1.29) stay pages
ROUNDED_TOLERANCE = 0.36  # rounded corners: a card even when a thumb shortens its outline
CARD_SIZE_TOLERANCE = 0.15  # a card measured 15 % off its size (lifted, bent) is still one
CARD_MAX_AREA = 0.20  # without calibration: a card-shaped rectangle is small beside the field
CARD_SURE_AREA = 0.08  # below this share of the frame, only a card (or a note) is that small
MIN_PAGE_MM = 70.0  # a calibrated "page" whose long side is shorter is not a page
DEFAULT_FOCAL = 0.7  # focal length over the picture's diagonal when the geometry cannot tell
PAPERS = {"A3": (297.0, 420.0), "A4": (210.0, 297.0), "A5": (148.0, 210.0), "A6": (105.0, 148.0),
          "B5": (176.0, 250.0), "JIS B5": (182.0, 257.0), "16K": (195.0, 270.0),
          "Letter": (215.9, 279.4), "Legal": (215.9, 355.6), "ID-1": (54.0, 85.6)}
SIZE_SNAP = 0.04  # a measured size within 4 % of a paper's on both sides is that paper
RATIO_SNAP = 0.025  # an uncalibrated ratio within 2.5 % of a paper family's is that ratio
RATIOS = {"ISO A": math.sqrt(2), "Letter": 279.4 / 215.9}  # families of pages far enough apart


@dataclass(frozen=True)
class Judgement:
    card: bool
    ratio: float  # the paper's side c0-c1 over side c1-c2, to rectify with
    paper: str | None  # "A4", "ID-1", ... (without calibration only a ratio family: "ISO A")
    size_mm: tuple[float, float] | None  # measured along c0-c1 and c1-c2 (calibrated only)
    corners: str  # "rounded", "square" or "unknown"
    calibrated: bool

    def as_dict(self) -> dict[str, object]:
        size = [round(v, 1) for v in self.size_mm] if self.size_mm else None
        return {"calibrated": self.calibrated, "paper": self.paper, "size_mm": size,
                "ratio": round(self.ratio, 4), "corner_shape": self.corners}


def judge(image: np.ndarray, quad: np.ndarray, calibration: DeskCalibration | None) -> Judgement:
    """Card or page, and the paper's proportions, for a quadrilateral (clockwise from top-left)
    found in `image`."""
    h, w = image.shape[:2]
    if calibration is not None:
        return _measured(image, quad, calibration.for_image(w, h))
    aspect = true_aspect(quad, (h, w))
    shape = corner_shape(image, quad, aspect)
    share = polygon_area(quad) / (h * w)
    # how far from a card's shape, by the perspective-corrected aspect or the plain one,
    # whichever is nearer: a wrong "page" costs more than a retake
    plain = np.divide(*page_size(quad))
    off = min(abs(max(a, 1 / a) - CARD_ASPECT) for a in (aspect, plain))
    if shape == "square":  # paper: whatever its shape and size
        card = False
    elif shape == "rounded":
        card = off <= ROUNDED_TOLERANCE
    elif share <= CARD_SURE_AREA:  # only a card (or a note) is that small
        card = off <= 2 * CARD_ASPECT_TOLERANCE
    else:  # today's rule, on the perspective-corrected shape
        card = off <= CARD_ASPECT_TOLERANCE and share <= CARD_MAX_AREA
    name, ratio = ("ID-1", CARD_ASPECT) if card else _snap_ratio(max(aspect, 1 / aspect))
    return Judgement(card, ratio if aspect >= 1 else 1 / ratio, name, None, shape, False)


def _measured(image: np.ndarray, quad: np.ndarray, calibration: DeskCalibration) -> Judgement:
    mm = calibration.to_mm(quad)
    sides = np.linalg.norm(mm - np.roll(mm, -1, axis=0), axis=1)
    width, height = (sides[0] + sides[2]) / 2, (sides[1] + sides[3]) / 2
    long, short = max(width, height), min(width, height)
    shape = corner_shape(image, quad, width / height)
    sized = abs(long / ID1[0] - 1) <= CARD_SIZE_TOLERANCE and abs(short / ID1[1] - 1) <= CARD_SIZE_TOLERANCE
    shaped = abs(long / short - CARD_ASPECT) <= ROUNDED_TOLERANCE and shape == "rounded"
    card = bool(sized or shaped)  # shaped: a card held above the desk, or half hidden
    name = "ID-1" if card else _paper_name(long, short)
    long, short = PAPERS[name][::-1] if name else (long, short)
    ratio = long / short if width >= height else short / long
    return Judgement(card, ratio, name, (float(width), float(height)), shape, True)


def _paper_name(long: float, short: float) -> str | None:
    for name, (p_short, p_long) in PAPERS.items():
        if abs(long / p_long - 1) <= SIZE_SNAP and abs(short / p_short - 1) <= SIZE_SNAP:
            return name
    return None


def _snap_ratio(ratio: float) -> tuple[str | None, float]:
    for name, value in RATIOS.items():
        if abs(ratio / value - 1) <= RATIO_SNAP:
            return name, value
    return None, ratio


def true_aspect(quad: np.ndarray, shape: tuple[int, int], focal: float | None = None) -> float:
    """Width (c0-c1) over height (c1-c2) of the rectangle whose perspective view is `quad`,
    for a lens centred on the picture (Zhang and He, "Whiteboard scanning", 2007). The focal
    length comes from the quadrilateral when both pairs of sides converge clearly (a page set
    square to a tilted camera keeps one pair parallel, and then it cannot tell); otherwise
    `focal` (times the diagonal), DEFAULT_FOCAL when not given."""
    h, w = shape
    centre = np.array([(w - 1) / 2, (h - 1) / 2])
    m1, m2, m4, m3 = (np.append(np.asarray(p, np.float64) - centre, 1.0) for p in quad)
    below2, below3 = np.dot(np.cross(m2, m4), m3), np.dot(np.cross(m3, m4), m2)
    if abs(below2) < 1e-9 or abs(below3) < 1e-9:
        return 1.0  # three corners in a line: no rectangle
    k2, k3 = np.dot(np.cross(m1, m4), m3) / below2, np.dot(np.cross(m1, m4), m2) / below3
    n2, n3 = k2 * m2 - m1, k3 * m3 - m1
    diagonal = math.hypot(w, h)
    f = (focal or DEFAULT_FOCAL) * diagonal
    if focal is None and min(_convergence(n2, diagonal), _convergence(n3, diagonal)) >= 0.05:
        f2 = -(n2[0] * n3[0] + n2[1] * n3[1]) / (n2[2] * n3[2])
        if (0.45 * diagonal) ** 2 <= f2 <= (1.3 * diagonal) ** 2:  # what lenses do
            f = math.sqrt(f2)
    across = n2[0] ** 2 + n2[1] ** 2 + (f * n2[2]) ** 2
    down = n3[0] ** 2 + n3[1] ** 2 + (f * n3[2]) ** 2
    return math.sqrt(across / down) if down > 0 and across > 0 and math.isfinite(across / down) else 1.0


def _convergence(n: np.ndarray, diagonal: float) -> float:
    """How strongly a pair of sides converges (0: parallel in the picture)."""
    return float(abs(n[2]) * diagonal / (math.hypot(n[0], n[1]) or 1.0))
