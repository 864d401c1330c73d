"""The terminal's devices: opens each configured URL, serialises access per device, reopens a
device that went away, reports health (and sends it with the heartbeat), decodes QR codes seen by
the camera.

Every method here blocks; view-models call them through `kiosk.tasks.TaskRunner`, never from the
GUI thread. A device whose URL is empty is absent, and the flows skip what needs it.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from enum import Enum
from typing import Any

from devices.errors import DeviceError, DeviceUnavailable
from devices.turns import FairLock

log = logging.getLogger("kiosk.devices")
KINDS = ("idcard", "printer", "camera")


def _open_idcard(url: str) -> Any:
    from devices.idcard import open_reader

    return open_reader(url)


def _open_printer(url: str) -> Any:
    from devices.printer import open_printer

    return open_printer(url)


def _open_camera(url: str) -> Any:
    from devices.camera import open_camera

    return open_camera(url)


OPENERS: dict[str, Callable[[str], Any]] = {
    "idcard": _open_idcard, "printer": _open_printer, "camera": _open_camera}


def health_name(value: Any) -> str:
    """A driver's health (a Health enum, a HealthState, or a string) as its plain name."""
    for _ in range(3):
        if isinstance(value, Enum):
            return str(value.value)
        if isinstance(value, str):
            return value
        value = getattr(value, "value", value)
    return str(value)


class DeviceManager:
    """Owns the terminal's device handles. Thread-safe: one lock per device."""

    def __init__(self, urls: dict[str, str],
                 openers: dict[str, Callable[[str], Any]] | None = None) -> None:
        self.urls = {k: v for k, v in urls.items() if k in KINDS and v}
        self._openers = openers or OPENERS
        self._handles: dict[str, Any] = {}
        self._errors: dict[str, str] = {}
        self._locks = {k: FairLock() for k in KINDS}  # a card poll must not keep others out
        self._qr: tuple[Any, ...] | None = None
        self._qr_lock = threading.Lock()
        self._heartbeat: threading.Thread | None = None
        self._stop = threading.Event()

    def has(self, kind: str) -> bool:
        return kind in self.urls

    # -- handles -----------------------------------------------------------------------------
    def _get(self, kind: str) -> Any:
        """The open handle of `kind`, opening it if needed. Call with the device's lock held."""
        if kind not in self.urls:
            raise DeviceUnavailable(f"no {kind} configured")
        handle = self._handles.get(kind)
        if handle is None:
            try:
                handle = self._openers[kind](self.urls[kind])
            except DeviceError as exc:
                self._errors[kind] = str(exc)
                raise
            except Exception as exc:  # a driver bug must not take the kiosk down
                self._errors[kind] = str(exc)
                raise DeviceUnavailable(f"{kind}: cannot open {self.urls[kind]}: {exc}") from exc
            self._handles[kind] = handle
            self._errors.pop(kind, None)
        return handle

    def _drop(self, kind: str, why: BaseException) -> None:
        """Close a handle after a failure so the next use reopens it (unplug and plug back)."""
        self._errors[kind] = str(why)
        handle = self._handles.pop(kind, None)
        if handle is not None:
            with contextlib.suppress(Exception):  # closing a broken device may fail too
                handle.close()

    def _call(self, kind: str, fn: Callable[[Any], Any]) -> Any:
        with self._locks[kind]:
            handle = self._get(kind)
            try:
                return fn(handle)
            except DeviceUnavailable as exc:
                self._drop(kind, exc)
                raise

    # -- the devices -------------------------------------------------------------------------
    def read_card(self, timeout: float) -> Any:
        """One ID card, or None when none was presented within `timeout` seconds."""
        return self._call("idcard", lambda r: r.read_card(timeout))

    def print_ticket(self, layout: Any) -> None:
        self._call("printer", lambda p: p.print_ticket(layout))

    def preview(self) -> Any:
        return self._call("camera", lambda c: c.preview())

    def capture(self) -> Any:
        return self._call("camera", lambda c: c.capture())

    def calibration(self) -> Any:
        """The camera's calibration (still pixels -> desk millimetres, `desk=` or `mm_per_px=`
        of its URL, measured by `provisioning probe --calibrate`), or None when it was never
        measured: then the document camera judges card versus page by shape alone."""
        return self._call("camera", lambda c: getattr(c, "calibration", None))

    def decode_qr(self, frame: Any) -> str | None:
        """The text of a QR code in a BGR frame, or None.

        Two OpenCV detectors, the ArUco-based one first, then the classic one. The classic
        detector alone misses the finder patterns of about one code in seventy even in a perfect
        picture (which codes depends on their data, e.g. the ticket id), and a still picture then
        misses on every frame; the two together read every code tried. Detectors keep state, so
        one decode at a time."""
        import cv2

        with self._qr_lock:
            if self._qr is None:
                self._qr = (cv2.QRCodeDetectorAruco(), cv2.QRCodeDetector())
            for detector in self._qr:
                try:
                    text, _points, _straight = detector.detectAndDecode(frame)
                except cv2.error:
                    continue
                if text:
                    return str(text)
        return None

    # -- health ------------------------------------------------------------------------------
    def health(self) -> dict[str, str]:
        """Health of each configured device; opening a closed one is tried on the way."""
        out: dict[str, str] = {}
        for kind in self.urls:
            if not self._locks[kind].acquire(timeout=0.5):
                out[kind] = "busy"  # in use right now: it answered recently
                continue
            try:
                handle = self._get(kind)
                if kind == "printer":
                    out[kind] = health_name(handle.status())
                else:
                    out[kind] = health_name(getattr(handle, "health", "online"))
            except DeviceError as exc:
                out[kind] = "offline"
                self._drop(kind, exc)
            except Exception as exc:
                out[kind] = "error"
                self._drop(kind, exc)
            finally:
                self._locks[kind].release()
        return out

    def errors(self) -> dict[str, str]:
        return dict(self._errors)

    def start_heartbeat(self, send: Callable[[dict[str, str], dict[str, str]], None],
                        interval_s: float = 30.0) -> None:
        """Every `interval_s`, send health and last errors (`send` may raise; it is retried)."""

        def loop() -> None:
            while not self._stop.is_set():
                try:
                    send(self.health(), self.errors())
                except Exception as exc:  # the server may be away; the next beat tries again
                    log.debug("heartbeat not sent: %s", exc)
                self._stop.wait(interval_s)

        self._heartbeat = threading.Thread(target=loop, name="kiosk-heartbeat", daemon=True)
        self._heartbeat.start()

    def close(self) -> None:
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join(2.0)
        for kind in list(self._handles):
            with self._locks[kind]:
                self._drop(kind, DeviceUnavailable("closed"))
        self._errors.clear()
