"""The camera's reference sheet: printable at its real size, found in stills at several
distances and angles, and the calibration it gives kept in a URL option."""

from __future__ import annotations

import io
import re

import cv2
import numpy as np
import pytest
from PIL import Image

from devices.camera.calibration import (
    BAR_MM,
    DeskCalibration,
    NoSheet,
    find_sheet,
    from_options,
    sheet_bytes,
    sheet_image,
)
from devices.camera.synth import desk_photo
from devices.camera.view import View, apply
from devices.errors import BadAddress
from tests.devices.camera.conftest import TEST_SIZE

W, H = TEST_SIZE


def test_the_sheet_prints_as_a4_at_300_dpi_with_a_100_mm_bar() -> None:
    pdf = sheet_bytes(".pdf")
    assert pdf.startswith(b"%PDF")
    box = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert box is not None  # points: A4 is 595.3 x 841.9
    assert (float(box[1]), float(box[2])) == pytest.approx((595.3, 841.9), abs=0.5)
    png = Image.open(io.BytesIO(sheet_bytes(".png")))
    assert png.size == (2480, 3508) and png.info["dpi"] == pytest.approx((300, 300), abs=0.1)
    page = np.asarray(sheet_image(10.0))  # 10 px a millimetre
    rows = [y for y in range(page.shape[0]) if (page[y] < 128).sum() >= 0.9 * BAR_MM * 10]
    assert rows, "no 100 mm bar"
    dark = np.nonzero(page[rows[len(rows) // 2]] < 128)[0]
    assert dark.max() - dark.min() + 1 == pytest.approx(BAR_MM * 10, abs=2)
    with pytest.raises(ValueError):
        sheet_bytes(".jpg")


def test_the_flat_sheet_gives_its_own_scale() -> None:
    page = cv2.cvtColor(np.asarray(sheet_image(4.0)), cv2.COLOR_GRAY2BGR)
    calibration, error = find_sheet(page)
    assert error < 0.1
    assert calibration.mm_per_px((400, 600)) == pytest.approx(0.25, rel=0.002)
    assert calibration.to_mm(np.array([[-0.5, -0.5]]))[0] == pytest.approx([0, 0], abs=0.1)


@pytest.mark.parametrize("view", [View(330, 0), View(450, 20, 15), View(560, 38, -20, 0.8)],
                         ids=lambda v: f"{v.distance_mm:g}mm-{v.tilt_deg:g}deg")
def test_distances_on_the_desk_come_out_in_millimetres_from_any_view(view: View) -> None:
    photo = desk_photo(4, W, H, kind="sheet", view=view, clutter=False)
    calibration, error = find_sheet(photo.image)
    assert error < 0.5
    to_image = view.desk_to_image(W, H)
    rng = np.random.default_rng(1)
    for _ in range(10):  # any segment on the desk, measured in the still
        a, b = rng.uniform(-80, 80, (2, 2))
        pixels = apply(to_image, np.array([a, b]))
        length = np.linalg.norm(np.subtract(*calibration.to_mm(pixels)))
        assert length == pytest.approx(np.linalg.norm(a - b), rel=0.01, abs=0.5)


def test_no_sheet_in_a_desk_photo() -> None:
    with pytest.raises(NoSheet, match="0 of its 4"):
        find_sheet(desk_photo(3, W, H).image)


def test_the_url_option_round_trips_and_follows_the_resolution() -> None:
    view = View(450, 20, 15)
    calibration, _ = find_sheet(desk_photo(4, W, H, kind="sheet", view=view, clutter=False).image)
    again = from_options({"desk": calibration.option()})
    assert again is not None and again.size == (W, H)
    points = np.array([[100.0, 200.0], [1200.0, 900.0]])
    assert again.to_mm(points) == pytest.approx(calibration.to_mm(points), abs=0.01)
    double = again.for_image(2 * W, 2 * H)  # the same camera's full-size still
    assert double.to_mm(2 * points + 0.5) == pytest.approx(calibration.to_mm(points), abs=0.01)
    assert double.mm_per_px((1296, 972)) == pytest.approx(calibration.mm_per_px((648, 486)) / 2, rel=0.01)
    plain = from_options({"mm_per_px": "0.2"})
    assert plain is not None and plain.mm_per_px((5, 5)) == pytest.approx(0.2)
    assert from_options({}) is None


@pytest.mark.parametrize("options", [
    {"desk": "nonsense"}, {"desk": "100x100:1,2,3"}, {"desk": "100x100:0,0,0,0,0,0,0,0"},
    {"desk": "axb:1,0,0,0,1,0,0,0"}, {"mm_per_px": "big"}, {"mm_per_px": "0"},
    {"desk": "10x10:1,0,0,0,1,0,0,0", "mm_per_px": "0.2"},
])
def test_bad_calibrations_are_refused_with_the_expected_form(options: dict[str, str]) -> None:
    with pytest.raises(BadAddress, match="desk=|mm_per_px"):
        from_options(options)


def test_scale_only_calibration_is_the_same_at_any_size() -> None:
    plain = DeskCalibration.scale(0.2)
    assert plain.for_image(10, 10) is plain
