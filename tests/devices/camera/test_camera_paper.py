"""Card or page, and the paper's proportions, on desk photos taken through a lens at several
distances and angles (the synthesizer's views), with the camera calibrated from its reference
sheet and without."""

from __future__ import annotations

import math

import numpy as np
import pytest

from devices.camera.calibration import DeskCalibration, find_sheet
from devices.camera.document import IdCardRefused, find_page, scan
from devices.camera.geometry import jaccard, page_size, polygon_area
from devices.camera.paper import judge, true_aspect
from devices.camera.synth import DeskPhoto, desk_photo
from devices.camera.view import View, apply
from tests.devices.camera.conftest import TEST_SIZE

W, H = TEST_SIZE
PAGE_VIEWS = (View(330, 0), View(420, 15, 20), View(500, 30, -8, 0.75), View(560, 38, 5))
CARD_VIEWS = (View(280, 0), View(310, 20, 15), View(380, 30, -10, 0.8))
PAPERS = {"A4": (210.0, 297.0), "A5": (148.0, 210.0), "Letter": (215.9, 279.4), "B5": (176.0, 250.0)}


def calibrate(view: View) -> DeskCalibration:
    sheet = desk_photo(1, W, H, kind="sheet", view=view, clutter=False)
    calibration, error = find_sheet(sheet.image)
    assert error < 0.5, f"the sheet fits its marks to {error:.2f} mm"
    return calibration


def old_is_id_card(corners: np.ndarray, frame: tuple[int, int]) -> bool:
    """The rule before: the share of the frame and the mean lengths of opposite sides."""
    w, h = page_size(corners)
    aspect, share = max(w, h) / min(w, h), (w * h) / (frame[0] * frame[1])
    if share <= 0.08:
        return abs(aspect - 85.6 / 54) <= 0.24
    return abs(aspect - 85.6 / 54) <= 0.12 and share <= 0.20


def long_over_short(a: float) -> float:
    return max(a, 1 / a)


def found(photo: DeskPhoto, floor: float = 0.98) -> np.ndarray:
    """The page's quadrilateral, found well (this file tests the judgement, not the finding)."""
    quad = find_page(photo.image)
    assert photo.corners is not None and jaccard(quad, photo.corners) >= floor
    return quad


def test_an_a4_page_at_a_fifth_of_the_frame_under_strong_perspective_is_a_page() -> None:
    view = View(540, 35, 10)
    photo = desk_photo(38, W, H, view=view, paper_mm=PAPERS["A4"])
    quad = found(photo)
    assert polygon_area(quad) / (W * H) == pytest.approx(0.19, abs=0.01)
    w, h = page_size(quad)
    assert max(w, h) / min(w, h) == pytest.approx(85.6 / 54, abs=0.01)  # stretched to a card's
    assert old_is_id_card(quad, (H, W)), "the case of issue 15: taken for an ID card before"
    assert photo.aspect is not None
    for calibration in (None, calibrate(view)):
        result = scan(photo.image, calibration=calibration)
        verdict = result.judgement
        assert verdict is not None and not verdict.card and verdict.corners == "square"
        assert result.width / result.height == pytest.approx(photo.aspect, rel=0.004)
        assert (result.width > result.height) == (photo.aspect > 1)  # not turned either
    assert verdict.paper == "A4" and verdict.calibrated
    assert sorted(verdict.size_mm or ()) == pytest.approx([210, 297], rel=0.01)


@pytest.mark.slow  # ~1.4 s a view
@pytest.mark.parametrize("view", PAGE_VIEWS, ids=lambda v: f"{v.distance_mm:g}mm-{v.tilt_deg:g}deg")
def test_pages_keep_their_paper_at_every_distance_and_angle(view: View) -> None:
    calibration = calibrate(view)
    for name, size in PAPERS.items():
        photo = desk_photo(101, W, H, view=view, paper_mm=size)
        assert photo.aspect is not None
        found(photo)
        measured = scan(photo.image, calibration=calibration)
        assert measured.judgement is not None and not measured.judgement.card
        assert measured.judgement.paper == name, (name, measured.judgement)
        assert measured.width / measured.height == pytest.approx(photo.aspect, rel=0.004)
        guessed = scan(photo.image)
        assert guessed.judgement is not None and not guessed.judgement.card
        assert guessed.width / guessed.height == pytest.approx(photo.aspect, rel=0.01), name


@pytest.mark.slow  # ~0.6 s a view
@pytest.mark.parametrize("view", CARD_VIEWS, ids=lambda v: f"{v.distance_mm:g}mm-{v.tilt_deg:g}deg")
def test_id_cards_are_cards_at_every_distance_and_angle(view: View) -> None:
    calibration = calibrate(view)
    for seed in (202, 203):
        photo = desk_photo(seed, W, H, kind="idcard", view=view)
        found(photo, 0.95)  # a small card, its outline rounded at the corners
        for known in (calibration, None):
            with pytest.raises(IdCardRefused):
                scan(photo.image, calibration=known)
        copy = scan(photo.image, allow_id_card=True, calibration=calibration)
        assert copy.judgement is not None and copy.judgement.paper == "ID-1"
        assert copy.judgement.corners == "rounded"
        assert sorted(copy.judgement.size_mm or ()) == pytest.approx([54, 85.6], rel=0.02)
        assert long_over_short(copy.width / copy.height) == pytest.approx(85.6 / 54, rel=0.004)


def test_a_card_sized_page_is_judged_by_its_size_when_calibrated() -> None:
    """A card-shaped sheet far larger than a card, filling little of a wide view: a page."""
    view = View(560, 25, 0)
    calibration = calibrate(view)
    photo = desk_photo(1, W, H, view=view, paper_mm=(180.0, 114.0))  # 1.58 : 1, twice a card
    quad = found(photo)
    assert old_is_id_card(quad, (H, W))  # 7 % of the frame and a card's shape
    verdict = judge(photo.image, quad, calibration)
    assert not verdict.card and verdict.paper is None and verdict.calibrated
    assert sorted(verdict.size_mm or ()) == pytest.approx([114, 180], rel=0.02)
    assert judge(photo.image, quad, None).corners == "square"  # and square, as paper is


def test_true_aspect_undoes_the_perspective_of_a_lens() -> None:
    rng = np.random.default_rng(3)
    rect = np.array([[-105, -148.5], [105, -148.5], [105, 148.5], [-105, 148.5]])
    turned = rect @ np.array([[0.9, -0.44], [0.44, 0.9]]) / np.hypot(0.9, 0.44)
    for view in PAGE_VIEWS + CARD_VIEWS:
        to_image = view.desk_to_image(W, H)
        square_on = apply(to_image, rect + rng.uniform(-40, 40, 2))
        askew = apply(to_image, turned + rng.uniform(-40, 40, 2))
        assert true_aspect(square_on, (H, W), focal=view.focal) == pytest.approx(210 / 297, rel=1e-6)
        if view.tilt_deg:  # both pairs of sides converge: the lens is found from them
            assert true_aspect(askew, (H, W)) == pytest.approx(210 / 297, rel=1e-6)
        if view.focal == 0.7:  # one pair stays parallel: the usual lens is assumed
            assert true_aspect(square_on, (H, W)) == pytest.approx(210 / 297, rel=1e-6)
    square = np.array([[100, 100], [400, 100], [400, 300], [100, 300]], float)
    assert true_aspect(square, (H, W)) == pytest.approx(1.5)  # seen straight: as it is
    assert math.isfinite(true_aspect(np.zeros((4, 2)), (H, W)))
