"""Quadrilaterals proposed from straight lines (Hough transform of the edge map).

A page whose outline does not close in the edge map (a pen across a side, a hand, a shadow, a
side that fades into a light desk) still leaves long straight edges. The strongest distinct
lines are paired into two roughly parallel pairs at roughly right angles, and each such pair of
pairs proposes the quadrilateral of their four intersections; the detector's outline check
then keeps the right one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import cv2
import numpy as np

from devices.camera.geometry import clockwise_many

MAX_LINES = 24  # distinct lines kept, strongest first
MAX_QUADS = 4000
SupportFn = Callable[[np.ndarray], np.ndarray]  # (N, 4, 2) quads -> (N, 4) side support
PARALLEL_DEG = 30.0  # opposite sides of a page seen in perspective differ by less than this


Line = tuple[float, float]  # (rho, theta) of the Hough transform
SNAP_LINES = 60  # lines offered to snap a region's sides onto


def strong_lines(edges: np.ndarray, count: int = SNAP_LINES) -> list[Line]:
    """The `count` strongest distinct lines of `edges`, strongest first."""
    h, w = edges.shape
    votes = max(30, int(0.12 * min(h, w)))
    found = cv2.HoughLines(edges, 1, np.pi / 180, votes)
    return [] if found is None else _distinct(found.reshape(-1, 2), min(h, w), count)


def snap(quad: np.ndarray, lines: list[Line], support: SupportFn) -> np.ndarray:
    """`quad` with each side replaced by the nearby, nearly parallel line along which the side
    is best supported (a region's outline is rough: a pen or a grid line sticks to it)."""
    size = float(np.ptp(quad, axis=0).max())
    options: list[list[Line]] = []
    variants, owner = [], []
    for i in range(4):
        p, q = quad[i], quad[(i + 1) % 4]
        own = _through(p, q)
        near = [own] + [ln for ln in lines if _angle_between(ln, own) < 12.0
                        and abs(_distance(ln, (p + q) / 2)) < 0.08 * size]
        prev, nxt = _through(quad[i - 1], p), _through(q, quad[(i + 2) % 4])
        for ln in near:
            a, b = _meet(prev, ln), _meet(ln, nxt)
            variant = quad.copy()
            if a is not None and b is not None:
                variant[i], variant[(i + 1) % 4] = a, b
            variants.append(variant)
            owner.append(i)
        options.append(near)
    scores = support(np.array(variants))[np.arange(len(variants)), owner]  # one batch
    chosen, start = [], 0
    for near in options:
        chosen.append(near[int(np.argmax(scores[start:start + len(near)]))])
        start += len(near)
    corners = [_meet(chosen[i - 1], chosen[i]) for i in range(4)]
    if any(c is None for c in corners):
        return quad
    return np.array(corners)


def _through(p: np.ndarray, q: np.ndarray) -> Line:
    d = q - p
    theta = float(np.arctan2(d[0], -d[1]))  # the normal (cos t, sin t) is perpendicular to d
    return float(p[0] * np.cos(theta) + p[1] * np.sin(theta)), theta


def _distance(line: Line, pt: np.ndarray) -> float:
    return float(pt[0] * np.cos(line[1]) + pt[1] * np.sin(line[1]) - line[0])


def line_quads(lines: list[Line], shape: tuple[int, ...]) -> np.ndarray:
    """Quadrilaterals (N, 4, 2), clockwise, from the strongest MAX_LINES of `lines`: two
    roughly parallel pairs at roughly right angles, all four corners inside the frame."""
    h, w = shape[:2]
    lines = _banded(lines, MAX_LINES)
    arr = np.array(lines, np.float64).reshape(-1, 2)
    if len(arr) < 4:
        return np.empty((0, 4, 2))
    rho, c, s = arr[:, 0], np.cos(arr[:, 1]), np.sin(arr[:, 1])
    det = c[:, None] * s[None, :] - s[:, None] * c[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        xs = (rho[:, None] * s[None, :] - s[:, None] * rho[None, :]) / det
        ys = (c[:, None] * rho[None, :] - rho[:, None] * c[None, :]) / det
    ang = np.degrees(np.abs(arr[:, 1][:, None] - arr[:, 1][None, :])) % 180.0
    ang = np.minimum(ang, 180.0 - ang)
    pairs = np.array([(i, j) for i, j in itertools.combinations(range(len(arr)), 2)
                      if ang[i, j] < PARALLEL_DEG
                      and abs(_offset(lines[i], lines[j])) > 0.1 * min(h, w)], int).reshape(-1, 2)
    first, second = np.triu_indices(len(pairs), 1)
    a, b = pairs[first, 0], pairs[first, 1]
    c2, d = pairs[second, 0], pairs[second, 1]
    square = (ang[a, c2] > 55.0) & (ang[a, c2] < 125.0)
    a, b, c2, d = a[square], b[square], c2[square], d[square]
    quads = np.stack([np.stack([xs[p, q], ys[p, q]], axis=1)
                      for p, q in ((a, c2), (c2, b), (b, d), (d, a))], axis=1)
    inside = (np.isfinite(quads).all(axis=(1, 2)) & (quads[..., 0] >= -2).all(axis=1)
              & (quads[..., 0] <= w + 1).all(axis=1) & (quads[..., 1] >= -2).all(axis=1)
              & (quads[..., 1] <= h + 1).all(axis=1))
    return clockwise_many(quads[inside][:MAX_QUADS])


def _distinct(lines: np.ndarray, size: int, count: int) -> list[Line]:
    """The strongest lines (HoughLines returns them by votes), skipping any close to a
    stronger one already kept."""
    kept: list[Line] = []
    for rho, theta in lines:
        close = False
        for r2, t2 in kept:
            dt = abs(theta - t2)
            if dt > np.pi / 2:  # (rho, theta) is the same line as (-rho, theta - pi)
                dt, r2 = np.pi - dt, -r2
            if dt < np.radians(4) and abs(rho - r2) < 0.03 * size:
                close = True
                break
        if not close:
            kept.append((float(rho), float(theta)))
            if len(kept) >= count:
                break
    return kept


def _banded(lines: list[Line], count: int) -> list[Line]:
    """The first `count` lines with at most a quarter of them in any 20-degree band of
    directions, so that a striped desk (wood grain, a ruled mat) cannot crowd out the page's
    sides in the other direction."""
    per_band = [0] * 9
    out: list[Line] = []
    for line in lines:
        band = int(np.degrees(line[1]) // 20) % 9
        if per_band[band] < count // 4:
            per_band[band] += 1
            out.append(line)
            if len(out) >= count:
                break
    return out


def _angle_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    d = abs(np.degrees(a[1] - b[1])) % 180.0
    return min(d, 180.0 - d)


def _offset(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance between two nearly parallel lines, measured at the image origin's normal."""
    rb = b[0] if abs(a[1] - b[1]) <= np.pi / 2 else -b[0]
    return a[0] - rb


def _meet(a: tuple[float, float], b: tuple[float, float]) -> np.ndarray | None:
    m = np.array([[np.cos(a[1]), np.sin(a[1])], [np.cos(b[1]), np.sin(b[1])]])
    if abs(np.linalg.det(m)) < 1e-6:
        return None
    return np.linalg.solve(m, np.array([a[0], b[0]]))
