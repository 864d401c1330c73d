"""Synthetic desk photos with ground truth, for tests, the benchmark and the `sim://camera`.

A photo is a page with text-like content (or an ID card with its rounded corners, the camera's
calibration sheet, a given picture, or nothing) lying on a desk (wood, light plain, dark mat,
cutting mat with a grid), seen by a document camera: rotation and perspective, clutter (pens, a
mug, a phone, sticky notes) under and over it, a hand-like blob over one side, uneven light and a
cast shadow, focus blur, sensor noise and JPEG artefacts. Everything is drawn from one seed, so
the same seed gives the same photo and the same corners.

Without a `view` the sheet's place, size and perspective are drawn in pixels; with a `view`
(`devices.camera.view`: a camera at a distance and angle) a sheet of real size in millimetres
lies on the desk and is projected, and the photo knows its desk homography.

Corners use OpenCV's pixel-centre convention (pixel (0, 0) covers -0.5..0.5), clockwise from the
page's top-left as seen in the photo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from devices.camera import sheets
from devices.camera.view import View, place

Kind = Literal["page", "idcard", "blank", "clutter", "sheet", "picture"]
KINDS: tuple[str, ...] = ("page", "idcard", "blank", "clutter", "sheet")  # "picture" needs one


@dataclass(frozen=True)
class DeskPhoto:
    image: np.ndarray  # BGR uint8
    corners: np.ndarray | None  # (4, 2) float64, clockwise from top-left; None: no page
    kind: str
    aspect: float | None = None  # the sheet's true side c0-c1 over side c1-c2
    desk: np.ndarray | None = None  # with a view: the homography from photo pixels to desk mm


def desk_photo(seed: int, width: int = 2592, height: int = 1944, kind: Kind = "page",
               view: View | None = None, paper_mm: tuple[float, float] | None = None,
               picture: np.ndarray | None = None, clutter: bool = True) -> DeskPhoto:
    """Draw one desk photo from `seed`; same arguments, same photo. With a `view`, `paper_mm`
    chooses the sheet's size (default: drawn among A4, Letter, A5, B5; ID-1 for a card);
    `picture` (BGR) is the sheet of kind "picture"; `clutter=False` leaves the desk bare."""
    rng = np.random.default_rng(seed)
    img = _desk(rng, width, height)
    if clutter:
        _clutter(rng, img, count=int(rng.integers(0, 4)) + (2 if kind == "clutter" else 0))
    corners, aspect = None, None
    if kind in ("page", "idcard", "sheet", "picture"):
        if view is None:
            corners, placed = _place(rng, width, height, kind, picture)
        else:
            size = paper_mm or sheets.paper_mm(rng, kind, picture)
            corners, placed = _clockwise_aspect(place(rng, view, width, height, size), size[0] / size[1])
        art, shape = sheets.sheet(rng, kind, corners, None if view is None and kind == "page" else placed,
                                  picture)
        aspect = placed
        _paste(img, art, corners, shape)
        if clutter and rng.random() < 0.35:
            _clutter(rng, img, count=1, near=corners)  # a pen lying over the page
        if clutter and kind == "page" and rng.random() < 0.3:
            _hand(rng, img, corners)
    img = _light(rng, img)
    img = _camera(rng, img)
    desk = view.image_to_desk(width, height) if view is not None else None
    return DeskPhoto(img, corners, kind, aspect, desk)


def _smooth_noise(rng: np.random.Generator, w: int, h: int, cells: int) -> np.ndarray:
    small = rng.random((max(2, h * cells // w), cells)).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def _desk(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    style = rng.choice(["wood", "light", "dark", "mat", "fabric"])
    sw, sh = w // 4, h // 4
    if style == "wood":
        y = np.linspace(0, 1, sh, dtype=np.float32)[:, None]
        warp = _smooth_noise(rng, sw, sh, 6) * 3
        grain = 0.5 + 0.5 * np.sin((y * rng.uniform(20, 60) + warp) * np.pi * 2)
        base = np.array(rng.uniform([40, 80, 130], [70, 120, 180]), np.float32)
        field = base * (0.75 + 0.35 * grain[..., None])
    else:
        base = {
            "light": rng.uniform([185, 190, 195], [225, 228, 232]),
            "dark": rng.uniform([25, 25, 25], [70, 70, 75]),
            "mat": rng.uniform([60, 110, 40], [90, 150, 70]),
            "fabric": rng.uniform([90, 60, 50], [170, 140, 120]),
        }[str(style)].astype(np.float32)
        field = np.broadcast_to(base, (sh, sw, 3)) * (0.92 + 0.16 * _smooth_noise(rng, sw, sh, 8))[..., None]
    if style == "fabric":
        field = field + rng.normal(0, 8, (sh, sw, 1)).astype(np.float32)
    img = cv2.resize(np.clip(field, 0, 255).astype(np.uint8), (w, h), interpolation=cv2.INTER_LINEAR)
    if style == "mat":  # the grid of a cutting mat: many straight lines to mislead a detector
        step, thick = int(w * rng.uniform(0.023, 0.054)), max(1, round(w / 1300))
        for x in range(int(rng.integers(0, step)), w, step):
            cv2.line(img, (x, 0), (x, h), (200, 220, 200), thick, cv2.LINE_AA)
        for row in range(int(rng.integers(0, step)), h, step):
            cv2.line(img, (0, row), (w, row), (200, 220, 200), thick, cv2.LINE_AA)
    return img


def _place(rng: np.random.Generator, w: int, h: int, kind: str,
           picture: np.ndarray | None) -> tuple[np.ndarray, float]:
    """Corners of the sheet in the photo (size, rotation, position and perspective drawn in
    pixels), and the aspect they were drawn with along corners 0 -> 1."""
    if kind == "idcard":
        long_side, aspect = rng.uniform(0.20, 0.32) * w, 85.6 / 54.0
    else:
        long_side = rng.uniform(0.50, 0.92) * h
        aspect = float(rng.choice([297 / 210, 297 / 210, 279 / 216, 1.0 / 0.7, 1.25]))
        if kind != "page":
            size = sheets.paper_mm(rng, kind, picture)
            aspect = max(size) / min(size)
    pw, ph = long_side / aspect, long_side
    if rng.random() < 0.3:
        pw, ph = ph, pw
    angle = rng.normal(0, 12) if rng.random() < 0.8 else rng.uniform(-45, 45)
    rect = np.array([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]])
    tilt = 0.035 if kind == "page" else 0.015  # a card lies flat; a page may curl or lift
    rect += rng.normal(0, tilt * min(pw, ph), rect.shape)  # perspective
    a = np.deg2rad(angle)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    pts = rect @ rot.T
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    margin = 0.03 * h
    scale = 0.999 * min(1.0, (w - 2 * margin) / (hi[0] - lo[0]), (h - 2 * margin) / (hi[1] - lo[1]))
    pts *= scale
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    cx = rng.uniform(margin - lo[0], w - margin - hi[0])
    cy = rng.uniform(margin - lo[1], h - margin - hi[1])
    return _clockwise_aspect(pts + [cx, cy], pw / ph)


def _clockwise_aspect(pts: np.ndarray, aspect: float) -> tuple[np.ndarray, float]:
    """The corners clockwise from the photo's top-left, and the aspect along them: starting one
    corner later swaps the sheet's width and height."""
    ordered = _clockwise(pts)
    shift = int(np.argmin(np.abs(pts - ordered[0]).sum(axis=1)))
    return ordered, aspect if shift % 2 == 0 else 1 / aspect


def _clockwise(pts: np.ndarray) -> np.ndarray:
    """Order four corners clockwise (image y grows downwards) from the top-left one."""
    c = pts.mean(axis=0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    pts = pts[np.argsort(ang)]
    start = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -start, axis=0)


def _paste(img: np.ndarray, sheet: np.ndarray, corners: np.ndarray,
           shape: np.ndarray | None = None) -> None:
    """Warp `sheet` onto `img` with anti-aliased borders, its outline exactly on `corners`;
    `shape` (a mask in the sheet's frame) cuts its corners round."""
    sh, sw = sheet.shape[:2]
    src = np.array([[-0.5, -0.5], [sw - 0.5, -0.5], [sw - 0.5, sh - 0.5], [-0.5, sh - 0.5]])
    x0, y0 = np.floor(corners.min(axis=0)).astype(int) - 2
    x1, y1 = np.ceil(corners.max(axis=0)).astype(int) + 3
    x0, y0 = max(x0, 0), max(y0, 0)
    x1, y1 = min(x1, img.shape[1]), min(y1, img.shape[0])
    m = cv2.getPerspectiveTransform(src.astype(np.float32), (corners - [x0, y0]).astype(np.float32))
    size = (x1 - x0, y1 - y0)
    warped = cv2.warpPerspective(sheet, m, size, flags=cv2.INTER_LINEAR)
    # the alpha mask: a supersampled polygon, exact up to 1/4 pixel
    big = np.zeros((size[1] * 4, size[0] * 4), np.uint8)
    poly = np.round(((corners - [x0, y0]) * 4 + 1.5) * 16).astype(np.int32)
    cv2.fillPoly(big, [poly], 255, cv2.LINE_AA, shift=4)
    alpha = cv2.resize(big, size, interpolation=cv2.INTER_AREA).astype(np.float32)[..., None] / 255
    if shape is not None:  # replicated at the border: the straight sides stay the polygon's
        cut = cv2.warpPerspective(shape, m, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        alpha = alpha * cut[..., None]
    roi = img[y0:y1, x0:x1]
    roi[:] = (roi * (1 - alpha) + warped * alpha).astype(np.uint8)


def _clutter(rng: np.random.Generator, img: np.ndarray, count: int,
             near: np.ndarray | None = None) -> None:
    h, w = img.shape[:2]
    for _ in range(count):
        if near is not None:
            i = int(rng.integers(0, 4))
            c = near[i] + (near[(i + 1) % 4] - near[i]) * rng.uniform(0.2, 0.8)
        else:
            c = rng.uniform([0, 0], [w, h])
        colour = tuple(int(v) for v in rng.uniform(10, 200, 3))
        what = rng.choice(["pen", "pen", "mug", "phone", "note"]) if near is None else "pen"
        ang = rng.uniform(0, 180)
        if what == "pen":
            box = ((c[0], c[1]), (rng.uniform(0.15, 0.3) * w, rng.uniform(0.008, 0.015) * w), ang)
            cv2.fillPoly(img, [np.int32(cv2.boxPoints(box))], colour, cv2.LINE_AA)
        elif what == "mug":
            r = int(rng.uniform(0.05, 0.09) * w)
            cv2.circle(img, (int(c[0]), int(c[1])), r, colour, -1, cv2.LINE_AA)
            cv2.circle(img, (int(c[0]), int(c[1])), int(r * 0.8), (30, 30, 30), -1, cv2.LINE_AA)
        elif what == "phone":
            box = ((c[0], c[1]), (0.07 * w, 0.15 * w), ang)
            cv2.fillPoly(img, [np.int32(cv2.boxPoints(box))], (20, 20, 25), cv2.LINE_AA)
        else:
            box = ((c[0], c[1]), (0.06 * w, 0.06 * w), ang)
            cv2.fillPoly(img, [np.int32(cv2.boxPoints(box))], (90, 230, 250), cv2.LINE_AA)


def _hand(rng: np.random.Generator, img: np.ndarray, corners: np.ndarray) -> None:
    """A skin-coloured palm with fingers, coming from outside, over the middle of one side."""
    i = int(rng.integers(0, 4))
    a, b = corners[i], corners[(i + 1) % 4]
    tip = a + (b - a) * rng.uniform(0.35, 0.65)
    centre = corners.mean(axis=0)
    out = (tip - centre) / np.linalg.norm(tip - centre)
    size = 0.06 * img.shape[0]
    palm = tip + out * size * 2.2
    skin = tuple(int(v) for v in rng.uniform([120, 150, 190], [160, 185, 230]))
    mask = np.zeros(img.shape[:2], np.uint8)
    cv2.ellipse(mask, (int(palm[0]), int(palm[1])), (int(size * 1.6), int(size * 1.2)),
                float(np.degrees(np.arctan2(out[1], out[0]))), 0, 360, 255, -1)
    side = np.array([-out[1], out[0]])
    for k in (-1.5, -0.5, 0.5, 1.5):
        base = palm + side * k * size * 0.5
        end = tip + side * k * size * 0.45 - out * size * (0.3 - abs(k) * 0.25)
        cv2.line(mask, tuple(int(v) for v in base), tuple(int(v) for v in end), 255, int(size * 0.4))
    alpha = cv2.GaussianBlur(mask, (0, 0), 2).astype(np.float32)[..., None] / 255
    img[:] = (img * (1 - alpha) + np.array(skin, np.float32) * alpha).astype(np.uint8)


def _light(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    """Uneven light (a smooth gain field) and sometimes a soft cast shadow."""
    h, w = img.shape[:2]
    sw, sh = 64, max(2, 64 * h // w)
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    gx, gy = rng.uniform(-0.3, 0.3, 2)
    gain = 1.0 + gx * (xx / sw - 0.5) + gy * (yy / sh - 0.5)
    gain *= rng.uniform(0.75, 1.05)
    if rng.random() < 0.4:
        shadow = np.zeros((sh, sw), np.uint8)
        pts = rng.uniform([0, 0], [sw, sh], (4, 2)).astype(np.int32)
        cv2.fillConvexPoly(shadow, cv2.convexHull(pts), 255)
        shadow_f = cv2.GaussianBlur(shadow, (0, 0), rng.uniform(0.5, 3)).astype(np.float32) / 255
        gain *= 1 - rng.uniform(0.2, 0.45) * shadow_f
    gain = cv2.resize(gain, (w, h), interpolation=cv2.INTER_CUBIC)
    return cv2.multiply(img, cv2.merge([gain, gain, gain]), dtype=cv2.CV_8U)


def _camera(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    """Focus blur, sensor noise and JPEG compression."""
    sigma = rng.uniform(0.3, 1.5)
    img = cv2.GaussianBlur(img, (0, 0), sigma)
    noise = np.empty(img.shape, np.int16)
    cv2.setRNGSeed(int(rng.integers(0, 2**31)))  # cv2.randn: 10x faster than numpy here
    cv2.randn(noise, 0, float(rng.uniform(1.5, 6)))
    img = cv2.add(img, noise, dtype=cv2.CV_8U)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(55, 92))])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)
