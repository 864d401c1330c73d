"""The simulated document camera: a QR code shown to it is read from its preview, scenes and
views from its URL, and a demo drives it through its control socket."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from devices.camera import open_camera
from devices.camera.calibration import find_sheet
from devices.camera.document import scan
from devices.camera.simulator import SimCamera
from devices.errors import BadAddress
from devices.simctl import send

TICKET = "https://hall.example.cn/t/hjhq/20261125-A023?k=7Qx2mP"
BOOKING = "KB-20261125-0930-7F3K"


def read_qr(frame: np.ndarray) -> str:
    """As the kiosk reads codes: the ArUco-based detector, then the classic one."""
    for detector in (cv2.QRCodeDetectorAruco(), cv2.QRCodeDetector()):
        text, _, _ = detector.detectAndDecode(frame)
        if text:
            return str(text)
    return ""


@pytest.mark.parametrize("url", ["sim://camera?width=1296&height=972",
                                 "sim://camera?width=1296&height=972&distance=420&tilt=20"])
def test_a_shown_qr_code_is_read_from_the_preview_until_cleared(url: str) -> None:
    camera = open_camera(url)
    try:
        assert read_qr(camera.preview()) == ""
        camera.show_qr(TICKET)  # type: ignore[attr-defined]
        assert read_qr(camera.preview()) == TICKET
        assert read_qr(camera.capture()) == TICKET and read_qr(camera.preview()) == TICKET
        camera.show_qr(BOOKING)  # type: ignore[attr-defined]
        assert read_qr(camera.preview()) == BOOKING
        camera.clear()  # type: ignore[attr-defined]
        assert read_qr(camera.preview()) == ""
    finally:
        camera.close()


def test_the_sheet_scene_calibrates_the_same_cameras_pages(tmp_path: Path) -> None:
    base = "sim://camera?width=1296&height=972&distance=520&tilt=32"
    sheet = open_camera(base + "&scene=sheet")
    calibration, error = find_sheet(sheet.capture())
    sheet.close()
    assert error < 0.5
    camera = open_camera(f"{base}&scene=page&seed=3&desk={calibration.option()}")
    try:
        assert camera.calibration is not None
        result = scan(camera.capture(), calibration=camera.calibration)
        assert result.judgement is not None and result.judgement.calibrated
        assert result.judgement.size_mm is not None and min(result.judgement.size_mm) > 100
    finally:
        camera.close()


def test_a_demo_drives_the_camera_through_its_control_socket(tmp_path: Path) -> None:
    control = str(tmp_path / "camera.sock")
    camera = open_camera(f"sim://camera?width=1296&height=972&control={control}")
    try:
        picture = tmp_path / "booking.png"
        assert send(control, f"qr {BOOKING}")["result"]["scene"] == "picture"  # type: ignore[index]
        assert read_qr(camera.preview()) == BOOKING
        code = SimCamera(width=1296, height=972)
        code.show_qr(TICKET)
        cv2.imwrite(str(picture), code.capture())
        assert send(control, f"show {picture}")["ok"] is True
        assert read_qr(camera.preview()) == TICKET
        assert send(control, "clear")["result"]["scene"] == "page"  # type: ignore[index]
        assert send(control, "scene idcard 4")["result"] == {  # type: ignore[index]
            "scene": "idcard", "seed": 4, "size": [1296, 972], "calibrated": False}
        for bad in ("show /nonexistent.png", "scene moon", "scene page x", "qr"):
            assert send(control, bad)["ok"] is False, bad
    finally:
        camera.close()
    assert not Path(control).exists()


@pytest.mark.parametrize("url", [
    "sim://camera?distance=10", "sim://camera?tilt=80", "sim://camera?focal=x",
    "sim://camera?desk=1x1:1", "sim://camera?mm_per_px=0.2&desk=1x1:1,0,0,0,1,0,0,0",
    "images:///tmp?zoom=2", "camera://0?mm_per_px=huge",
])
def test_bad_options_are_refused(url: str) -> None:
    with pytest.raises(BadAddress):
        open_camera(url)


def test_a_folder_of_photos_can_carry_a_calibration(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "a.png"), np.full((100, 100, 3), 200, np.uint8))
    camera = open_camera(f"images://{tmp_path}?mm_per_px=0.25")
    try:
        assert camera.calibration is not None
        assert camera.calibration.mm_per_px((10, 10)) == pytest.approx(0.25)
    finally:
        camera.close()
