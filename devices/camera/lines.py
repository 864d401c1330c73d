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

from devices.camera.geometry import clockwise

MAX_LINES = 18  # distinct lines kept, strongest first
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
    chosen: list[Line] = []
    for i in range(4):
        p, q = quad[i], quad[(i + 1) % 4]
        own = _through(p, q)
        near = [own] + [ln for ln in lines if _angle_between(ln, own) < 12.0
                        and abs(_distance(ln, (p + q) / 2)) < 0.08 * size]
        variants = []
        for ln in near:
            prev, nxt = _through(quad[i - 1], p), _through(q, quad[(i + 2) % 4])
            a, b = _meet(prev, ln), _meet(ln, nxt)
            variant = quad.copy()
            if a is not None and b is not None:
                variant[i], variant[(i + 1) % 4] = a, b
            variants.append(variant)
        scores = support(np.array(variants))[:, i]
        chosen.append(near[int(np.argmax(scores))])
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


def line_quads(edges: np.ndarray) -> list[np.ndarray]:
    """Quadrilaterals (4x2, clockwise) from the strongest lines of `edges`."""
    h, w = edges.shape
    lines = strong_lines(edges, MAX_LINES)
    pairs = [(a, b) for a, b in itertools.combinations(lines, 2)
             if _angle_between(a, b) < PARALLEL_DEG and abs(_offset(a, b)) > 0.1 * min(h, w)]
    quads = []
    for (a, b), (c, d) in itertools.combinations(pairs, 2):
        if not 55.0 < _angle_between(a, c) < 125.0 and not 55.0 < _angle_between(a, d) < 125.0:
            continue
        corners = [_meet(a, c), _meet(c, b), _meet(b, d), _meet(d, a)]
        if any(p is None for p in corners):
            continue
        quad = np.array(corners)
        if (quad[:, 0] < -2).any() or (quad[:, 0] > w + 1).any() or (quad[:, 1] < -2).any() \
                or (quad[:, 1] > h + 1).any():
            continue
        quads.append(clockwise(quad))
        if len(quads) >= MAX_QUADS:
            break
    return quads


def _distinct(lines: np.ndarray, size: int, count: int) -> list[Line]:
    """The strongest lines, skipping any close to a stronger one already kept (HoughLines
    returns them by votes)."""
    kept: list[tuple[float, float]] = []
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
