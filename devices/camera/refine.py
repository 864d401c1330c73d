"""Refine a coarse page quadrilateral on the full-resolution still.

Along each side, short profiles across the outline find the strongest colour step to sub-pixel
precision; a robust line fit through those points (Huber, then least squares on the inliers)
ignores samples where a hand or a pen covers the edge; the corners are where the fitted lines
meet. Only a few thousand pixels are read, so this costs milliseconds on a 5 MP still.
"""

from __future__ import annotations

import cv2
import numpy as np

from devices.camera.geometry import intersect

SAMPLES = 64  # profiles per side
Line = tuple[np.ndarray, np.ndarray]  # a point on the line and its unit direction
MIN_STEP = 10.0  # summed BGR step that counts as the edge


def refine(image: np.ndarray, quad: np.ndarray, radius: float, samples: int = SAMPLES) -> np.ndarray:
    """`quad` (full-resolution pixels, clockwise) moved onto the edges within `radius`."""
    lines = []
    for i in range(4):
        p, q = quad[i], quad[(i + 1) % 4]
        if np.linalg.norm(q - p) < 4:
            return quad  # degenerate: nothing to refine
        line = _fit_side(image, p, q, radius, samples)
        lines.append(line if line is not None else (p, (q - p) / np.linalg.norm(q - p)))
    out = []
    for i in range(4):
        (p1, d1), (p2, d2) = lines[i - 1], lines[i]
        x = intersect(p1, d1, p2, d2)
        if x is None or np.linalg.norm(x - quad[i]) > 3 * radius:
            return quad  # the fit went astray: keep the coarse answer
        out.append(x)
    return np.array(out)


def _fit_side(image: np.ndarray, p: np.ndarray, q: np.ndarray, radius: float,
              samples: int) -> Line | None:
    length = float(np.linalg.norm(q - p))
    d = (q - p) / length
    n = np.array([-d[1], d[0]])
    t = np.linspace(0.05, 0.95, samples)[:, None]
    base = p + t * (q - p)
    offs = np.arange(-radius, radius + 1, 1.0)
    grid = base[:, None, :] + offs[None, :, None] * n  # (SAMPLES, len(offs), 2)
    prof = cv2.remap(image, grid[..., 0].astype(np.float32), grid[..., 1].astype(np.float32),
                     cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    diff = np.abs(prof[:, 2:] - prof[:, :-2]).sum(axis=2)  # central difference, per sample
    k = np.argmax(diff, axis=1)
    strength = diff[np.arange(samples), k]
    inner = (k > 0) & (k < diff.shape[1] - 1) & (strength > MIN_STEP)
    if inner.sum() < samples // 4:
        return None
    rows, kk = np.nonzero(inner)[0], k[inner]
    y0, y1, y2 = diff[rows, kk - 1], diff[rows, kk], diff[rows, kk + 1]
    den = y0 - 2 * y1 + y2
    frac = np.where(np.abs(den) > 1e-6, 0.5 * (y0 - y2) / np.where(den == 0, 1, den), 0.0)
    offset = offs[kk + 1] + np.clip(frac, -0.5, 0.5)  # diff[j] is centred on offs[j + 1]
    pts = base[rows] + offset[:, None] * n
    return _robust_line(pts)


def _robust_line(pts: np.ndarray) -> Line | None:
    vx, vy, x0, y0 = cv2.fitLine(pts.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
    d, c = np.array([vx, vy], np.float64), np.array([x0, y0], np.float64)
    normal = np.array([-d[1], d[0]])
    resid = np.abs((pts - c) @ normal)
    keep = resid < max(1.5, 2.5 * float(np.median(resid)))
    if keep.sum() < max(6, len(pts) // 3):
        return None
    vx, vy, x0, y0 = cv2.fitLine(pts[keep].astype(np.float32), cv2.DIST_L2, 0, 0.01, 0.01).ravel()
    return np.array([x0, y0], np.float64), np.array([vx, vy], np.float64)
