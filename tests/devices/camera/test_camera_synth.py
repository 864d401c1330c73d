"""The synthetic desk photos: deterministic by seed, ground truth inside the frame and on the
page actually drawn."""

from __future__ import annotations

import numpy as np

from devices.camera.synth import desk_photo


def test_same_seed_same_photo_and_corners() -> None:
    a, b = desk_photo(7, 640, 480), desk_photo(7, 640, 480)
    assert np.array_equal(a.image, b.image)
    assert a.corners is not None and np.array_equal(a.corners, b.corners)
    assert not np.array_equal(a.image, desk_photo(8, 640, 480).image)


def test_corners_lie_inside_the_frame_clockwise_from_top_left() -> None:
    for seed in range(10):
        photo = desk_photo(seed, 800, 600)
        c = photo.corners
        assert photo.image.shape == (600, 800, 3) and c is not None
        assert (c >= 0).all() and (c[:, 0] < 800).all() and (c[:, 1] < 600).all()
        # clockwise on screen: positive shoelace sum with y pointing down
        area2 = np.dot(c[:, 0], np.roll(c[:, 1], -1)) - np.dot(c[:, 1], np.roll(c[:, 0], -1))
        assert area2 > 0
        assert np.argmin(c.sum(axis=1)) == 0


def test_the_page_is_brighter_than_its_surroundings_on_average() -> None:
    import cv2

    photo = desk_photo(3, 800, 600)
    mask = np.zeros((600, 800), np.uint8)
    assert photo.corners is not None
    cv2.fillPoly(mask, [photo.corners.astype(np.int32)], 255)
    grey = cv2.cvtColor(photo.image, cv2.COLOR_BGR2GRAY)
    inside, outside = grey[mask > 0].mean(), grey[mask == 0].mean()
    assert inside > outside + 10


def test_scenes_without_a_page_have_no_corners() -> None:
    assert desk_photo(1, 640, 480, kind="blank").corners is None
    assert desk_photo(1, 640, 480, kind="clutter").corners is None
    card = desk_photo(1, 640, 480, kind="idcard")
    assert card.corners is not None and card.kind == "idcard"
