"""The simulated document camera: a desk under the lens, drawn by the synthesizer. Each capture
shows the next photo of the scene (a page, an ID card, the calibration sheet, an empty or a
cluttered desk); `show()` puts a given picture on the desk instead (a ticket's or a booking's QR
code, as a phone or a slip would be held under the camera) until `clear()`. With `distance` (mm)
and `tilt` (degrees) the scene is seen by a camera at that place (`devices.camera.view`), so a
calibration made from its `sheet` scene holds for its pages and cards.

    sim://camera[?seed=N&scene=page|idcard|blank|clutter|sheet&width=W&height=H]
                [&distance=MM&tilt=DEG&roll=DEG&focal=F][&desk=...|mm_per_px=X][&control=SOCKET]
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import cv2
import numpy as np
import qrcode

from devices.camera import synth
from devices.camera.calibration import DeskCalibration
from devices.camera.view import View
from devices.errors import BadAddress
from devices.health import Health, HealthState
from devices.simctl import ControlError, Controls, words

VIEW_OPTIONS = {"distance": (150.0, 2000.0), "tilt": (0.0, 50.0), "roll": (-180.0, 180.0),
                "focal": (0.3, 3.0)}


class SimCamera:
    OPTIONS = ("seed", "width", "height")

    def __init__(self, seed: int = 0, scene: str = "page", width: int = 2592, height: int = 1944,
                 view: View | None = None, calibration: DeskCalibration | None = None) -> None:
        if not (64 <= width <= 10_000 and 64 <= height <= 10_000):
            raise BadAddress(f"sim://camera size {width}x{height} out of range 64..10000")
        self.address = "sim://camera"
        self.health = HealthState(self.address)
        self.view, self.calibration = view, calibration
        self._seed, self._scene, self._size = seed, scene, (width, height)
        self._picture: np.ndarray | None = None
        self._frame: np.ndarray | None = None
        self.lock = threading.Lock()  # the control socket's thread and the kiosk's
        self.on_close: list[Callable[[], None]] = []  # e.g. its control socket
        self.health.set(Health.ONLINE)

    # -- what lies under the camera (the control interface) -------------------------------
    def show(self, picture: np.ndarray | None) -> None:
        """Lay `picture` (BGR or grey) on the desk until `clear()`; None clears."""
        if picture is not None and (picture.ndim not in (2, 3) or min(picture.shape[:2]) < 8):
            raise ControlError("a picture to show is an image of at least 8x8 pixels")
        if picture is not None and picture.ndim == 2:
            picture = cv2.cvtColor(picture, cv2.COLOR_GRAY2BGR)
        self._picture, self._frame = picture, None

    def show_qr(self, text: str) -> None:
        """Show a QR code of `text` (as a ticket's or a booking's would be shown)."""
        if not text:
            raise ControlError("show_qr needs the text of the code")
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
        code.add_data(text)
        grey = np.array(code.make_image().get_image().convert("L"))
        self.show(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR))

    def clear(self) -> None:
        self.show(None)

    def set_scene(self, scene: str, seed: int | None = None) -> None:
        if scene not in synth.KINDS:
            raise ControlError(f"scene is one of {', '.join(synth.KINDS)}")
        self._scene, self._seed, self._frame = scene, self._seed if seed is None else seed, None
        self._picture = None

    def state(self) -> dict[str, object]:
        return {"scene": "picture" if self._picture is not None else self._scene,
                "seed": self._seed, "size": list(self._size), "calibrated": self.calibration is not None}

    def controls(self) -> Controls:
        """The methods above as control-socket commands (`devices.simctl`)."""
        def show(rest: str) -> object:
            if not rest:
                raise ControlError("expected show PATH (an image file)")
            picture = cv2.imread(rest, cv2.IMREAD_COLOR)
            if picture is None:
                raise ControlError(f"{rest!r} is not an image OpenCV can read")
            self.show(picture)
            return self.state()

        def scene(rest: str) -> object:
            args = words(rest, 1, 2, "scene page|idcard|blank|clutter|sheet [SEED]")
            if len(args) > 1 and not args[1].isdigit():
                raise ControlError("the seed is a whole number")
            self.set_scene(args[0], int(args[1]) if len(args) > 1 else None)
            return self.state()

        def qr(rest: str) -> object:
            self.show_qr(rest)
            return self.state()

        def clear(rest: str) -> object:
            self.clear()
            return self.state()

        return {
            "show": (show, "PATH: lay this picture on the desk (until clear)"),
            "qr": (qr, "TEXT: show a QR code of TEXT (a ticket's link)"),
            "clear": (clear, "take the picture away"),
            "scene": (scene, "page|idcard|blank|clutter|sheet [SEED]: what lies on the desk"),
            "state": (lambda rest: self.state(), "the scene, its seed, the picture size"),
        }

    # -- the camera -----------------------------------------------------------------------
    def _current(self) -> np.ndarray:
        with self.lock:
            if self._frame is None:
                kind = "picture" if self._picture is not None else self._scene
                photo = synth.desk_photo(self._seed, *self._size, kind=kind,  # type: ignore[arg-type]
                                         view=self.view, picture=self._picture,
                                         clutter=kind not in ("sheet", "picture"))
                self._frame = photo.image
            return self._frame

    def preview(self) -> np.ndarray:
        from devices.camera.source import downscale

        return downscale(self._current())

    def capture(self) -> np.ndarray:
        frame = self._current()
        with self.lock:
            if self._picture is None:  # a shown picture stays; a scene moves on
                self._seed, self._frame = self._seed + 1, None
        return frame

    def close(self) -> None:
        for close in self.on_close:
            close()
        self.on_close.clear()
        self.health.set(Health.OFFLINE, "closed")


def sim_camera(url: str, opts: dict[str, str]) -> SimCamera:
    """A SimCamera from the options of its URL (see the module's docstring)."""
    from devices.camera.calibration import from_options
    from devices.camera.source import ints
    from devices.simctl import serve_for

    scene = opts.pop("scene", "page")
    if scene not in synth.KINDS:
        raise BadAddress(f"bad scene {scene!r} in {url!r}; expected one of {', '.join(synth.KINDS)}")
    calibration = from_options(opts)
    control = {"control": opts.pop("control")} if "control" in opts else {}
    view = _view(url, {k: opts.pop(k) for k in list(opts) if k in VIEW_OPTIONS})
    for key in ("desk", "mm_per_px"):
        opts.pop(key, None)
    camera = SimCamera(scene=scene, view=view, calibration=calibration,
                       **ints(url, opts, SimCamera.OPTIONS))
    server = serve_for(control, camera.controls(), camera.lock)
    if server is not None:
        camera.on_close.append(server.close)
    return camera


def _view(url: str, opts: dict[str, str]) -> View | None:
    if not opts:
        return None
    values: dict[str, float] = {}
    for key, text in opts.items():
        low, high = VIEW_OPTIONS[key]
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not low <= value <= high:
            raise BadAddress(f"option {key}={text!r} in {url!r} must be a number in {low:g}..{high:g}")
        values[key] = value
    return View(distance_mm=values.get("distance", 450.0), tilt_deg=values.get("tilt", 0.0),
                roll_deg=values.get("roll", 0.0), focal=values.get("focal", 0.7))
