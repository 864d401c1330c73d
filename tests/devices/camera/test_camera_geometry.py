"""Corner order, the Jaccard index and polygon-to-quadrilateral reduction."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from devices.camera.geometry import clockwise, jaccard, page_size, reduce_to_quad

SQUARE = np.array([[0, 0], [100, 0], [100, 100], [0, 100]], float)


def test_clockwise_starts_top_left_whatever_the_input_order() -> None:
    shuffled = SQUARE[[2, 0, 3, 1]]
    assert clockwise(shuffled).tolist() == SQUARE.tolist()


def test_jaccard_of_known_overlaps() -> None:
    assert jaccard(SQUARE, SQUARE) == pytest.approx(1.0)
    assert jaccard(SQUARE, SQUARE + [50, 0]) == pytest.approx(50 * 100 / (2 * 100 * 100 - 5000))
    assert jaccard(SQUARE, SQUARE + [500, 0]) == 0.0


def test_reduce_to_quad_restores_cut_corners_and_notches() -> None:
    # a square with two corners cut off and a dent in one side, as its convex hull sees it
    poly = np.array([[10, 0], [100, 0], [100, 90], [90, 100], [0, 100], [0, 10]], float)
    quad = reduce_to_quad(poly)
    assert quad is not None
    assert jaccard(clockwise(quad), SQUARE) > 0.999


def test_reduce_to_quad_of_a_circle_encloses_it() -> None:
    circle = cv2.convexHull(cv2.ellipse2Poly((0, 0), (100, 100), 0, 0, 360, 5).astype(np.float32))
    quad = reduce_to_quad(circle.reshape(-1, 2))
    assert quad is not None and len(quad) == 4
    # it encloses the circle
    for x, y in [(100, 0), (0, 100), (-100, 0), (0, -100), (70, 70)]:
        assert cv2.pointPolygonTest(quad.astype(np.float32), (x, y), False) >= 0


def test_page_size_is_the_mean_of_opposite_sides() -> None:
    trapezoid = np.array([[0, 0], [200, 0], [180, 100], [20, 100]], float)
    assert page_size(trapezoid) == (180, 102)  # the slanted sides are 102 long
