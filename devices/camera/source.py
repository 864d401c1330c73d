"""Cameras opened from URLs: a UVC document camera through OpenCV's V4L2 backend, a folder of
photos, and the simulated desk. All give a low-resolution `preview()` frame and a
full-resolution `capture()` still (BGR numpy arrays).

    camera://0?width=2592&height=1944[&preview_width=640&preview_height=480][&fourcc=MJPG]
    camera:///dev/video2?...
    images:///path/to/folder        (photos in name order; capture() moves on to the next)
    sim://camera[?seed=N][&scene=page|idcard|blank|clutter|sheet][&width=W&height=H]  (see simulator)

Each may carry the camera's calibration, `desk=WxH:h11,...,h32` (written by `provisioning probe
--calibrate`) or `mm_per_px=X`; the camera's `calibration` attribute holds it for `scan`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qsl, unquote, urlsplit

import cv2
import numpy as np

from devices.camera.calibration import DeskCalibration, from_options
from devices.errors import BadAddress, DeviceUnavailable
from devices.health import Health, HealthState

log = logging.getLogger("devices.camera")
PREVIEW_SIDE = 640
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
FORMS = ("camera://0?width=2592&height=1944, camera:///dev/video0, images:///path/to/folder, "
         "sim://camera?seed=0&scene=page")


class Camera(Protocol):
    health: HealthState
    calibration: DeskCalibration | None  # still pixels -> desk mm, when the camera was measured

    def preview(self) -> np.ndarray: ...

    def capture(self) -> np.ndarray: ...

    def close(self) -> None: ...


def open_camera(url: str) -> Camera:
    """Open the camera at `url`; BadAddress (with the expected forms) when it is malformed."""
    parts = urlsplit(url)
    try:
        opts = dict(parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query)))
    except ValueError as exc:
        raise BadAddress(f"bad options in camera URL {url!r}; expected e.g. {FORMS}") from exc
    if parts.scheme == "sim" and parts.netloc == "camera" and parts.path in ("", "/"):
        from devices.camera.simulator import sim_camera
        return sim_camera(url, opts)
    calibration = from_options(opts)
    opts = {k: v for k, v in opts.items() if k not in ("desk", "mm_per_px")}
    camera: UvcCamera | FolderCamera
    if parts.scheme == "camera":
        device: int | str = parts.netloc if parts.netloc else unquote(parts.path)
        if isinstance(device, str) and device.isdigit() and not parts.path:
            device = int(device)
        elif parts.netloc or not parts.path:
            raise BadAddress(f"bad camera URL {url!r}; expected camera://INDEX or camera:///dev/videoN")
        fourcc = _fourcc(url, opts.pop("fourcc", "MJPG"))
        camera = UvcCamera(device, **ints(url, opts, UvcCamera.OPTIONS), fourcc=fourcc)
    elif parts.scheme == "images":
        if parts.netloc or not parts.path:
            raise BadAddress(f"bad folder URL {url!r}; expected images:///absolute/path/to/folder")
        _no_options(url, opts)
        camera = FolderCamera(Path(unquote(parts.path)))
    else:
        raise BadAddress(f"unknown camera URL {url!r}; expected one of: {FORMS}")
    camera.calibration = calibration
    return camera


def ints(url: str, opts: dict[str, str], allowed: tuple[str, ...]) -> dict[str, int]:
    out = {}
    for key, value in opts.items():
        if key not in allowed:
            raise BadAddress(f"unknown option {key!r} in {url!r}; allowed: {', '.join(allowed)}")
        if not value.isdigit() or int(value) > 100_000:
            raise BadAddress(f"option {key} in {url!r} must be a whole number, got {value!r}")
        out[key] = int(value)
    return out


def _fourcc(url: str, fourcc: str) -> str:
    if len(fourcc) != 4 or not fourcc.isascii():
        raise BadAddress(f"option fourcc in {url!r} must be four characters such as MJPG or YUYV")
    return fourcc


def _no_options(url: str, opts: dict[str, str]) -> None:
    if opts:
        raise BadAddress(f"{url!r} takes no options but desk= or mm_per_px=; expected "
                         "images:///absolute/path/to/folder")


def downscale(frame: np.ndarray, side: int = PREVIEW_SIDE) -> np.ndarray:
    h, w = frame.shape[:2]
    s = side / max(h, w)
    if s >= 1:
        return frame
    return cv2.resize(frame, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)


class UvcCamera:
    """A UVC document camera (高拍仪) on V4L2: MJPG at a small size for the preview, switched to
    the full size for one still. MJPG must be chosen before the size: on YUYV most of these
    cameras offer 5 MP at one or two frames a second, or not at all."""

    OPTIONS = ("width", "height", "preview_width", "preview_height")
    WARMUP_FRAMES = 3  # frames dropped after a size change while exposure settles

    def __init__(self, device: int | str, width: int = 2592, height: int = 1944,
                 preview_width: int = 640, preview_height: int = 480, fourcc: str = "MJPG") -> None:
        self.address = f"camera://{device}"
        self.health = HealthState(self.address)
        self.calibration: DeskCalibration | None = None
        self._device = device
        self._full, self._small, self._fourcc = (width, height), (preview_width, preview_height), fourcc
        self._cap = self._open()

    def _open(self) -> cv2.VideoCapture:
        cap = cv2.VideoCapture(self._device, cv2.CAP_V4L2)
        if not cap.isOpened():
            cap.release()
            self.health.set(Health.OFFLINE, "cannot open")
            raise DeviceUnavailable(f"cannot open the camera {self.address}")
        self._cap = cap
        self._size: tuple[int, int] | None = None
        self._set_size(self._small)
        self.health.set(Health.ONLINE)
        return cap

    def _set_size(self, size: tuple[int, int]) -> None:
        if self._size == size:
            return
        self._cap.set(cv2.CAP_PROP_FOURCC, cv2.VideoWriter.fourcc(*self._fourcc))
        self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, size[0])
        self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, size[1])
        self._size = size
        for _ in range(self.WARMUP_FRAMES):
            self._cap.grab()

    def _read(self) -> np.ndarray:
        """One frame; after a failed read the camera is reopened once (it was unplugged and
        plugged back, or the driver restarted), and only then reported unavailable."""
        ok, frame = self._cap.read()
        if not ok or frame is None:
            log.info("%s: no frame, reopening", self.address)
            size = self._size
            self._cap.release()
            self._open()
            if size is not None:
                self._set_size(size)
            ok, frame = self._cap.read()
        if not ok or frame is None:
            self.health.set(Health.OFFLINE, "read failed")
            raise DeviceUnavailable(f"the camera {self.address} gave no frame")
        self.health.set(Health.ONLINE)
        return frame

    def preview(self) -> np.ndarray:
        self._set_size(self._small)
        return self._read()

    def capture(self) -> np.ndarray:
        self._set_size(self._full)
        try:
            return self._read()
        finally:
            self._set_size(self._small)

    def close(self) -> None:
        self._cap.release()
        self.health.set(Health.OFFLINE, "closed")


class FolderCamera:
    """The photos of a folder, in name order, as a camera: preview() shows the current photo,
    capture() returns it at full size and moves on, starting over after the last."""

    def __init__(self, folder: Path) -> None:
        self.address = f"images://{folder}"
        self.health = HealthState(self.address)
        self.calibration: DeskCalibration | None = None
        if not folder.is_dir():
            raise BadAddress(f"no such folder {str(folder)!r}; expected images:///path/to/folder")
        self._files = sorted(p for p in folder.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)
        if not self._files:
            raise DeviceUnavailable(f"no photos ({', '.join(PHOTO_SUFFIXES)}) in {str(folder)!r}")
        self._index = 0
        self._frame: np.ndarray | None = None
        self.health.set(Health.ONLINE)

    def _current(self) -> np.ndarray:
        if self._frame is None:
            path = self._files[self._index]
            frame = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if frame is None:
                self.health.set(Health.ERROR, f"unreadable {path.name}")
                self._index = (self._index + 1) % len(self._files)
                raise DeviceUnavailable(f"cannot read the photo {str(path)!r}")
            self._frame = frame
        return self._frame

    def preview(self) -> np.ndarray:
        return downscale(self._current())

    def capture(self) -> np.ndarray:
        frame = self._current()
        self._index, self._frame = (self._index + 1) % len(self._files), None
        return frame

    def close(self) -> None:
        self.health.set(Health.OFFLINE, "closed")
