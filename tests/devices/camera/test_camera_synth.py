"""The synthetic desk photos: deterministic by seed, ground truth inside the frame and on the
page actually drawn."""

from __future__ import annotations

import numpy as np
import pytest

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


def test_a_view_lays_a_sheet_of_real_size_on_the_desk() -> None:
    from devices.camera.view import View, apply

    for kind, size in (("page", (210.0, 297.0)), ("idcard", (85.6, 54.0)), ("sheet", (210.0, 297.0))):
        photo = desk_photo(5, 1296, 972, kind=kind, view=View(420, 25, 10))  # type: ignore[arg-type]
        assert photo.corners is not None and photo.desk is not None and photo.aspect is not None
        mm = apply(photo.desk, photo.corners)
        sides = np.linalg.norm(mm - np.roll(mm, -1, axis=0), axis=1)
        assert sorted(sides) == pytest.approx(sorted(size * 2), rel=1e-6)
        assert sides[0] / sides[1] == pytest.approx(photo.aspect, rel=1e-6)
        assert np.argmin(photo.corners.sum(axis=1)) == 0


def test_an_id_card_has_rounded_corners() -> None:
    import cv2

    photo = desk_photo(2, 1296, 972, kind="idcard", clutter=False)
    assert photo.corners is not None
    mask = np.zeros((972, 1296), np.uint8)
    cv2.fillPoly(mask, [np.round(photo.corners).astype(np.int32)], 255)
    grey = cv2.cvtColor(photo.image, cv2.COLOR_BGR2GRAY).astype(float)
    inside = np.median(grey[mask > 0])
    outside = np.median(grey[cv2.dilate(mask, np.ones((25, 25), np.uint8)) == 0])
    corner = photo.corners[0]
    centre = photo.corners.mean(axis=0)
    step = (centre - corner) / np.linalg.norm(centre - corner)
    x, y = np.round(corner + 2.5 * step).astype(int)  # just inside the sharp corner
    assert abs(grey[y, x] - outside) < abs(grey[y, x] - inside)  # the desk shows there


def test_a_picture_can_be_laid_on_the_desk() -> None:
    picture = np.zeros((100, 200, 3), np.uint8)
    picture[:, 100:] = 255
    photo = desk_photo(1, 800, 600, kind="picture", picture=picture)
    assert photo.corners is not None and photo.kind == "picture"
    with pytest.raises(ValueError, match="picture"):
        desk_photo(1, 800, 600, kind="picture")
