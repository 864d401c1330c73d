"""The camera over the desk as geometry."""

from __future__ import annotations

import numpy as np
import pytest

from devices.camera.view import View, apply, place


def test_straight_down_the_desk_is_seen_at_one_scale() -> None:
    view = View(400, 0, focal=0.7)
    to_image = view.desk_to_image(2592, 1944)
    centre = apply(to_image, np.array([[0.0, 0.0]]))[0]
    assert centre == pytest.approx([1295.5, 971.5])
    ten = apply(to_image, np.array([[10.0, 0.0], [0.0, 10.0]])) - centre
    f = 0.7 * np.hypot(2592, 1944)
    assert ten.ravel() == pytest.approx([10 * f / 400, 0, 0, 10 * f / 400])
    back = apply(view.image_to_desk(2592, 1944), apply(to_image, np.array([[33.0, -71.0]])))
    assert back[0] == pytest.approx([33.0, -71.0])


def test_a_tilted_camera_sees_the_far_side_smaller() -> None:
    to_image = View(400, 30).desk_to_image(1296, 972)
    top, bottom = (apply(to_image, np.array([[-50.0, y], [50.0, y]])) for y in (-100.0, 100.0))
    widths = [np.linalg.norm(top[1] - top[0]), np.linalg.norm(bottom[1] - bottom[0])]
    assert abs(widths[0] - widths[1]) > 0.2 * min(widths)


def test_a_placed_sheet_lies_inside_the_picture_or_is_refused() -> None:
    rng = np.random.default_rng(2)
    for _ in range(20):
        corners = place(rng, View(450, 25, 10), 1296, 972, (210, 297))
        assert (corners >= 0).all() and (corners[:, 0] < 1296).all() and (corners[:, 1] < 972).all()
    with pytest.raises(ValueError, match="does not fit"):
        place(rng, View(200, 0), 1296, 972, (297, 420))
