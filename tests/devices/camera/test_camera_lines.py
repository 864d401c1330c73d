"""Quadrilaterals proposed from Hough lines."""

from __future__ import annotations

import cv2
import numpy as np

from devices.camera.geometry import jaccard
from devices.camera.lines import line_quads, strong_lines


def test_a_drawn_rectangle_is_among_the_proposals() -> None:
    edges = np.zeros((480, 640), np.uint8)
    truth = np.array([[100, 80], [500, 100], [480, 400], [120, 380]], np.float64)
    cv2.polylines(edges, [truth.astype(np.int32)], True, 255, 1)
    quads = line_quads(strong_lines(edges), edges.shape)
    assert len(quads) >= 1
    assert max(jaccard(q, truth) for q in quads) > 0.98


def test_no_lines_or_lines_in_one_direction_give_no_proposals() -> None:
    edges = np.zeros((480, 640), np.uint8)
    assert len(line_quads(strong_lines(edges), edges.shape)) == 0
    for y in range(20, 480, 40):  # a striped desk: parallel lines only
        cv2.line(edges, (0, y), (639, y), 255, 1)
    assert len(line_quads(strong_lines(edges), edges.shape)) == 0
