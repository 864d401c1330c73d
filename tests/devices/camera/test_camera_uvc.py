"""The UVC camera driver against a stand-in for OpenCV's VideoCapture (the third-party
boundary; no camera is attached in CI): MJPG chosen before the size, a small preview and a
full-size still, and reopening after an unplug."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import pytest

from devices.camera import source
from devices.errors import DeviceUnavailable
from devices.health import Health


class FakeCapture:
    """Behaves like cv2.VideoCapture on V4L2: frames of the size last set."""

    opened: list[FakeCapture] = []
    plugged = True
    fail_next_reads = 0

    def __init__(self, device: Any, backend: int) -> None:
        assert backend == cv2.CAP_V4L2
        self.device, self.props, self.calls = device, {}, []
        self.released = False
        FakeCapture.opened.append(self)

    def isOpened(self) -> bool:  # noqa: N802 (OpenCV's name)
        return FakeCapture.plugged

    def set(self, prop: int, value: float) -> bool:
        self.calls.append(prop)
        self.props[prop] = value
        return True

    def grab(self) -> bool:
        return True

    def read(self) -> tuple[bool, np.ndarray | None]:
        if self.released:
            return False, None
        if FakeCapture.fail_next_reads > 0:
            FakeCapture.fail_next_reads -= 1
            return False, None
        w = int(self.props.get(cv2.CAP_PROP_FRAME_WIDTH, 640))
        h = int(self.props.get(cv2.CAP_PROP_FRAME_HEIGHT, 480))
        return True, np.zeros((h, w, 3), np.uint8)

    def release(self) -> None:
        self.released = True


@pytest.fixture
def fake_cv(monkeypatch: pytest.MonkeyPatch) -> type[FakeCapture]:
    FakeCapture.opened, FakeCapture.plugged, FakeCapture.fail_next_reads = [], True, 0
    monkeypatch.setattr(source.cv2, "VideoCapture", FakeCapture)
    return FakeCapture


def test_mjpg_is_chosen_before_the_size(fake_cv: type[FakeCapture]) -> None:
    cam = source.open_camera("camera://0?width=2592&height=1944")
    calls = fake_cv.opened[0].calls
    assert calls[:3] == [cv2.CAP_PROP_FOURCC, cv2.CAP_PROP_FRAME_WIDTH, cv2.CAP_PROP_FRAME_HEIGHT]
    assert fake_cv.opened[0].props[cv2.CAP_PROP_FOURCC] == cv2.VideoWriter.fourcc(*"MJPG")
    assert fake_cv.opened[0].device == 0
    cam.close()


def test_another_fourcc_can_be_asked_for(fake_cv: type[FakeCapture]) -> None:
    cam = source.open_camera("camera://1?fourcc=YUYV&width=1280&height=960")
    assert fake_cv.opened[0].props[cv2.CAP_PROP_FOURCC] == cv2.VideoWriter.fourcc(*"YUYV")
    assert cam.capture().shape == (960, 1280, 3)
    cam.close()


def test_preview_is_small_and_capture_full_size(fake_cv: type[FakeCapture]) -> None:
    cam = source.open_camera("camera:///dev/video2?width=2592&height=1944&preview_width=800&preview_height=600")
    assert fake_cv.opened[0].device == "/dev/video2"
    assert cam.preview().shape == (600, 800, 3)
    assert cam.capture().shape == (1944, 2592, 3)
    assert cam.preview().shape == (600, 800, 3)  # back to the preview size
    cam.close()
    assert fake_cv.opened[-1].released and cam.health.value is Health.OFFLINE


def test_a_camera_unplugged_and_plugged_back_is_reopened(fake_cv: type[FakeCapture]) -> None:
    cam = source.open_camera("camera://0")
    fake_cv.fail_next_reads = 1  # the first read after the replug fails
    assert cam.capture().shape == (1944, 2592, 3)
    assert len(fake_cv.opened) == 2 and fake_cv.opened[0].released
    assert cam.health.value is Health.ONLINE
    cam.close()


def test_a_camera_gone_for_good_is_unavailable(fake_cv: type[FakeCapture]) -> None:
    cam = source.open_camera("camera://0")
    fake_cv.fail_next_reads, fake_cv.plugged = 5, False
    with pytest.raises(DeviceUnavailable):
        cam.preview()
    assert cam.health.value is Health.OFFLINE
    fake_cv.plugged, fake_cv.fail_next_reads = True, 0
    assert cam.preview().shape == (480, 640, 3)  # plugged back: the next call works
    assert cam.health.value is Health.ONLINE
    cam.close()
