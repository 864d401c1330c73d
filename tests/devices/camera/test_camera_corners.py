"""Rounded or square corners, on clean drawings and on desk photos."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from devices.camera.corners import corner_shape
from devices.camera.document import find_page
from devices.camera.synth import desk_photo
from tests.devices.camera.conftest import TEST_SIZE

QUAD = np.array([[300.0, 250.0], [900.0, 220.0], [930.0, 600.0], [320.0, 640.0]])


def drawn(radius_mm: float, sheet: int = 235, desk: int = 60) -> np.ndarray:
    """A sheet with corners of `radius_mm` (on an ID-1 scale) warped onto QUAD."""
    card = np.full((540, 856), 255, np.uint8)
    if radius_mm:
        r = round(radius_mm * 10)
        card[:r, :r] = card[:r, -r:] = card[-r:, :r] = card[-r:, -r:] = 0
        for cx, cy in ((r, r), (855 - r, r), (855 - r, 539 - r), (r, 539 - r)):
            cv2.circle(card, (cx, cy), r, 255, -1, cv2.LINE_AA)
    src = np.array([[-0.5, -0.5], [855.5, -0.5], [855.5, 539.5], [-0.5, 539.5]], np.float32)
    m = cv2.getPerspectiveTransform(src, QUAD.astype(np.float32))
    alpha = cv2.warpPerspective(card, m, (1296, 972)).astype(np.float32) / 255
    photo = desk + (sheet - desk) * alpha
    return cv2.cvtColor(cv2.GaussianBlur(photo, (0, 0), 0.8).astype(np.uint8), cv2.COLOR_GRAY2BGR)


def test_an_id_cards_corners_are_rounded_and_papers_square() -> None:
    assert corner_shape(drawn(3.18), QUAD, 1.58) == "rounded"
    assert corner_shape(drawn(0), QUAD, 1.58) == "square"
    assert corner_shape(drawn(0), QUAD, 0.7) == "square"  # whatever the proportions assumed
    assert corner_shape(drawn(3.18, sheet=70, desk=230), QUAD, 1.58) == "rounded"  # dark on light


def test_no_verdict_without_contrast_or_outside_the_photo() -> None:
    assert corner_shape(drawn(3.18, sheet=200, desk=198), QUAD, 1.58) == "unknown"
    edge = QUAD - QUAD.min(axis=0)  # two corners at the photo's border
    assert corner_shape(drawn(0), edge, 1.58) == "unknown"


def test_a_thumb_over_one_corner_does_not_decide() -> None:
    photo = drawn(0)
    cv2.circle(photo, (300, 250), 40, (150, 120, 110), -1)  # over the top-left corner
    assert corner_shape(photo, QUAD, 1.58) == "square"
    card = drawn(3.18)
    cv2.rectangle(card, (860, 180), (1000, 700), (30, 90, 30), -1)  # a phone over one side
    assert corner_shape(card, np.array([QUAD[0], [880, 221], [905, 602], QUAD[3]]), 1.58) == "rounded"


@pytest.mark.parametrize(("kind", "seeds", "want"), [
    ("idcard", range(1, 9), "rounded"), ("page", range(500, 508), "square")])
def test_on_desk_photos(kind: str, seeds: range, want: str) -> None:
    shapes = []
    for seed in seeds:
        photo = desk_photo(seed, *TEST_SIZE, kind=kind)  # type: ignore[arg-type]
        shapes.append(corner_shape(photo.image, find_page(photo.image), photo.aspect or 1.0))
    assert shapes.count(want) >= len(shapes) - 1 and shapes.count({"rounded": "square"}.get(
        want, "rounded")) == 0, shapes
