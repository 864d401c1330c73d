"""Cameras from URLs: strict addresses, the folder camera, the simulated desk, and a UVC
camera that is not there."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest

from devices.camera import open_camera
from devices.camera.document import scan
from devices.errors import BadAddress, DeviceUnavailable
from devices.health import Health


@pytest.mark.parametrize("url", [
    "camera://x", "camera://0?width=abc", "camera://0?zoom=2", "camera://0?fourcc=MJPEG",
    "camera://0?width=2592&width", "images://relative/dir", "images:///tmp?loop=1",
    "sim://camera?scene=moon", "sim://camera?seed=-1", "sim://printer", "http://camera/0", "",
    "sim://camera?width=10", "sim://camera?fourcc=MJPG",
])
def test_bad_urls_are_refused_with_the_expected_form(url: str) -> None:
    with pytest.raises(BadAddress) as err:
        open_camera(url)
    assert "expected" in str(err.value) or "allowed" in str(err.value) or "must be" in str(err.value) \
        or "range" in str(err.value)


def test_missing_folder_is_a_bad_address(tmp_path: Path) -> None:
    with pytest.raises(BadAddress, match="no such folder"):
        open_camera(f"images://{tmp_path}/nope")


def test_empty_folder_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(DeviceUnavailable, match="no photos"):
        open_camera(f"images://{tmp_path}")


def test_folder_camera_cycles_through_its_photos_in_name_order(tmp_path: Path) -> None:
    for i, shade in enumerate((10, 120, 240)):
        cv2.imwrite(str(tmp_path / f"p{i}.png"), np.full((1200, 1600, 3), shade, np.uint8))
    (tmp_path / "notes.txt").write_text("not a photo")
    cam = open_camera(f"images://{tmp_path}")
    try:
        assert cam.health.value is Health.ONLINE
        preview = cam.preview()
        assert max(preview.shape[:2]) == 640 and preview[0, 0, 0] == 10
        shades = [int(cam.capture()[0, 0, 0]) for _ in range(4)]
        assert shades == [10, 120, 240, 10]
        assert cam.capture().shape == (1200, 1600, 3)
    finally:
        cam.close()
    assert cam.health.value is Health.OFFLINE


def test_folder_camera_reports_an_unreadable_photo(tmp_path: Path) -> None:
    (tmp_path / "broken.jpg").write_bytes(b"not a jpeg")
    cam = open_camera(f"images://{tmp_path}")
    with pytest.raises(DeviceUnavailable, match="cannot read"):
        cam.capture()
    assert cam.health.value is Health.ERROR
    cam.close()


def test_sim_camera_is_deterministic_and_scannable() -> None:
    a = open_camera("sim://camera?seed=5&width=1296&height=972")
    b = open_camera("sim://camera?seed=5&width=1296&height=972")
    try:
        assert a.preview().shape == (480, 640, 3)
        first = a.capture()
        assert first.shape == (972, 1296, 3)
        assert np.array_equal(first, b.capture())
        assert not np.array_equal(first, a.capture())  # moved on to seed 6
        assert len(scan(first).corners) == 4
    finally:
        a.close()
        b.close()


def test_sim_camera_scenes() -> None:
    cam = open_camera("sim://camera?scene=blank&width=640&height=480")
    assert cam.capture().shape == (480, 640, 3)
    cam.close()


@pytest.mark.skipif(os.path.exists("/dev/video0"), reason="a real camera is attached")
def test_uvc_camera_that_is_not_there_is_unavailable() -> None:
    with pytest.raises(DeviceUnavailable, match="cannot open"):
        open_camera("camera://0?width=2592&height=1944")
    with pytest.raises(DeviceUnavailable):
        open_camera("camera:///dev/video-none")
