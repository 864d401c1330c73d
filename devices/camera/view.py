"""A camera over a desk, as geometry: where a sheet of known size lying on the desk appears in
the picture. Used by the synthesizer (`synth`) to draw desk photos at a chosen distance and
angle, so that tests can check the document camera's judgement in millimetres.

The desk is the plane Z = 0 in millimetres; the camera looks at the desk point (0, 0) from
`distance_mm` away, tilted `tilt_deg` from straight down and rolled `roll_deg` about its own
axis; its focal length is `focal` times the picture's diagonal (0.7: about 70 degrees across
the diagonal, a common document camera).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class View:
    distance_mm: float = 450.0
    tilt_deg: float = 0.0
    roll_deg: float = 0.0
    focal: float = 0.7

    def desk_to_image(self, width: int, height: int) -> np.ndarray:
        """The 3x3 homography from desk millimetres to picture pixels (pixel-centre convention)."""
        f = self.focal * math.hypot(width, height)
        k = np.array([[f, 0, (width - 1) / 2], [0, f, (height - 1) / 2], [0, 0, 1]])
        t, r = math.radians(self.tilt_deg), math.radians(self.roll_deg)
        tilt = np.array([[1, 0, 0], [0, math.cos(t), -math.sin(t)], [0, math.sin(t), math.cos(t)]])
        roll = np.array([[math.cos(r), -math.sin(r), 0], [math.sin(r), math.cos(r), 0], [0, 0, 1]])
        rot = roll @ tilt
        h = k @ np.column_stack([rot[:, 0], rot[:, 1], [0.0, 0.0, self.distance_mm]])
        return h / h[2, 2]

    def image_to_desk(self, width: int, height: int) -> np.ndarray:
        h = np.linalg.inv(self.desk_to_image(width, height))
        return h / h[2, 2]


def apply(h: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Points (N, 2) through a homography."""
    pts = np.asarray(points, np.float64).reshape(-1, 2)
    out = np.column_stack([pts, np.ones(len(pts))]) @ h.T
    return out[:, :2] / out[:, 2:3]


def place(rng: np.random.Generator, view: View, width: int, height: int,
          size_mm: tuple[float, float], margin: float = 0.03, tries: int = 400) -> np.ndarray:
    """Corners (4, 2) in picture pixels of a `size_mm` sheet lying somewhere on the desk, turned
    at random, wholly inside the picture; in the sheet's own order (top-left, top-right,
    bottom-right, bottom-left of the sheet). ValueError when it cannot fit."""
    to_image, to_desk = view.desk_to_image(width, height), view.image_to_desk(width, height)
    w, h = size_mm
    rect = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    pad = margin * min(width, height)
    middle = apply(to_desk, np.array([[(width - 1) / 2, (height - 1) / 2]]))[0]
    tries_left = [(apply(to_desk, rng.uniform([pad, pad], [width - pad, height - pad]))[0],
                   (rng.normal(0, 12) if rng.random() < 0.8 else rng.uniform(-45, 45))
                   + (90 if rng.random() < 0.5 else 0))  # turned to fit the view
                  for _ in range(tries)]
    tries_left += [(middle, float(d)) for d in range(0, 180, 5)]  # turned until it fits
    for centre, degrees in tries_left:
        angle = math.radians(degrees)
        turn = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
        corners = apply(to_image, rect @ turn.T + centre)
        inside = ((corners >= pad) & (corners <= [width - 1 - pad, height - 1 - pad])).all()
        if inside and _faces_camera(to_image, rect @ turn.T + centre):
            return corners
    raise ValueError(f"a {w:g} x {h:g} mm sheet does not fit in this view of {width}x{height}")


def _faces_camera(to_image: np.ndarray, desk_pts: np.ndarray) -> bool:
    """Every point is in front of the camera (positive depth)."""
    depth = np.column_stack([desk_pts, np.ones(len(desk_pts))]) @ to_image[2]
    return bool((depth > 0).all())
