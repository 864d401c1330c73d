"""Quadrilateral geometry for page finding: corner order, polygon to quadrilateral, line
intersection, the Jaccard index of SmartDoc 2015 and the size of the rectified page."""

from __future__ import annotations

import cv2
import numpy as np


def clockwise(pts: np.ndarray) -> np.ndarray:
    """Four corners ordered clockwise on screen (y grows downwards), starting top-left (the
    corner with the smallest x + y)."""
    pts = np.asarray(pts, np.float64).reshape(4, 2)
    c = pts.mean(axis=0)
    pts = pts[np.argsort(np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0]))]
    return np.roll(pts, -int(np.argmin(pts.sum(axis=1))), axis=0)


def clockwise_many(quads: np.ndarray) -> np.ndarray:
    """`clockwise` for an (N, 4, 2) array of quadrilaterals."""
    if len(quads) == 0:
        return quads.reshape(0, 4, 2)
    centre = quads.mean(axis=1, keepdims=True)
    order = np.argsort(np.arctan2(quads[..., 1] - centre[..., 1], quads[..., 0] - centre[..., 0]),
                       axis=1)
    quads = np.take_along_axis(quads, order[..., None], axis=1)
    start = np.argmin(quads.sum(axis=2), axis=1)
    idx = (start[:, None] + np.arange(4)[None, :]) % 4
    return np.take_along_axis(quads, idx[..., None], axis=1)


def shape_stats(quads: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For (N, 4, 2) quadrilaterals: convex (bool), smallest inner angle (degrees), area."""
    nxt, prv = np.roll(quads, -1, axis=1), np.roll(quads, 1, axis=1)
    u, v = prv - quads, nxt - quads
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    convex = (cross > 0).all(axis=1) | (cross < 0).all(axis=1)
    cosang = (u * v).sum(axis=2) / (np.linalg.norm(u, axis=2) * np.linalg.norm(v, axis=2) + 1e-12)
    min_angle = np.degrees(np.arccos(np.clip(cosang, -1, 1))).min(axis=1)
    x, y = quads[..., 0], quads[..., 1]
    area = 0.5 * np.abs((x * np.roll(y, -1, axis=1) - y * np.roll(x, -1, axis=1)).sum(axis=1))
    return convex, min_angle, area


def polygon_area(pts: np.ndarray) -> float:
    x, y = pts[:, 0], pts[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two convex quadrilaterals (SmartDoc 2015's measure)."""
    pa, pb = np.asarray(a, np.float32).reshape(-1, 2), np.asarray(b, np.float32).reshape(-1, 2)
    inter, _ = cv2.intersectConvexConvex(pa, pb)
    union = polygon_area(pa.astype(np.float64)) + polygon_area(pb.astype(np.float64)) - inter
    return float(inter / union) if union > 0 else 0.0


def intersect(p1: np.ndarray, d1: np.ndarray, p2: np.ndarray, d2: np.ndarray) -> np.ndarray | None:
    """Intersection of the lines p1 + s*d1 and p2 + t*d2, or None when (nearly) parallel."""
    den = d1[0] * d2[1] - d1[1] * d2[0]
    if abs(den) < 1e-9:
        return None
    s = ((p2[0] - p1[0]) * d2[1] - (p2[1] - p1[1]) * d2[0]) / den
    return p1 + s * d1


def reduce_to_quad(poly: np.ndarray) -> np.ndarray | None:
    """Shrink a convex polygon to four vertices, each step removing the edge whose removal
    (extending its two neighbours until they meet) adds the least area. Rounded or cut-off
    corners and notches come back as the corner of the page's straight sides."""
    pts: list[np.ndarray] = []
    for p in np.asarray(poly, np.float64).reshape(-1, 2):
        if not pts or np.linalg.norm(p - pts[-1]) > 1e-6:
            pts.append(p)
    if len(pts) > 1 and np.linalg.norm(pts[0] - pts[-1]) <= 1e-6:
        pts.pop()  # a closed outline repeats its first point
    pts = [b for a, b, c in zip(pts[-1:] + pts[:-1], pts, pts[1:] + pts[:1], strict=True)
           if abs((b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0])) > 1e-9]
    while len(pts) > 4:
        best, best_cost, best_x = -1, np.inf, None
        n = len(pts)
        for i in range(n):
            a, b, c, d = pts[i - 1], pts[i], pts[(i + 1) % n], pts[(i + 2) % n]
            x = intersect(a, b - a, d, c - d)
            if x is None or np.dot(x - b, b - a) < 0 or np.dot(x - c, c - d) < 0:
                continue  # the neighbours diverge: removing this edge is impossible
            cost = abs((b[0] - x[0]) * (c[1] - x[1]) - (b[1] - x[1]) * (c[0] - x[0])) / 2
            if cost < best_cost:
                best, best_cost, best_x = i, cost, x
        if best < 0 or best_x is None:
            return None
        pts[best] = best_x
        del pts[(best + 1) % n]
    return np.array(pts) if len(pts) == 4 else None


def is_convex(quad: np.ndarray) -> bool:
    crosses = []
    for i in range(4):
        a, b, c = quad[i], quad[(i + 1) % 4], quad[(i + 2) % 4]
        crosses.append((b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]))
    return all(x > 0 for x in crosses) or all(x < 0 for x in crosses)


def min_angle_deg(quad: np.ndarray) -> float:
    angles = []
    for i in range(4):
        u, v = quad[i - 1] - quad[i], quad[(i + 1) % 4] - quad[i]
        cosang = np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-12)
        angles.append(np.degrees(np.arccos(np.clip(cosang, -1, 1))))
    return float(min(angles))


def page_size(quad: np.ndarray) -> tuple[int, int]:
    """Width and height of the rectified page: the mean of opposite sides, in source pixels."""
    q = clockwise(quad)
    w = (np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2
    h = (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
    return max(1, round(w)), max(1, round(h))
