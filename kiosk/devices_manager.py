"""The terminal's devices: opens each configured URL, serialises access per device, reopens a
device that went away, reports health (and sends it with the heartbeat; a change is handed to
`on_health`, so the kiosk can warn before a number is taken), decodes QR codes seen by the
camera.

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

from devices.errors import DeviceError, DeviceUnavailable, NotReady
from devices.turns import FairLock

log = logging.getLogger("kiosk.devices")
KINDS = ("idcard", "printer", "camera")
HealthListener = Callable[[dict[str, str]], None]


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
                 openers: dict[str, Callable[[str], Any]] | None = None,
                 on_health: HealthListener | None = None) -> None:
        self.urls = {k: v for k, v in urls.items() if k in KINDS and v}
        self._openers = openers or OPENERS
        self._handles: dict[str, Any] = {}
        self._errors: dict[str, str] = {}
        self._locks = {k: FairLock() for k in KINDS}  # a card poll must not keep others out
        self._qr: tuple[Any, ...] | None = None
        self._qr_lock = threading.Lock()
        self._heartbeat: threading.Thread | None = None
        self._stop = threading.Event()
        self._health: dict[str, str] = {}
        self._health_lock = threading.Lock()
        # called on the thread that saw the change (the heartbeat's, a worker's)
        self.on_health = on_health

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
            except NotReady:  # connected, waiting for a person (paper, cover): kept open,
                raise          # its health says why
            except DeviceUnavailable as exc:
                self._drop(kind, exc)
                raise

    # -- the devices -------------------------------------------------------------------------
    def read_card(self, timeout: float) -> Any:
        """One ID card, or None when none was presented within `timeout` seconds."""
        return self._call("idcard", lambda r: r.read_card(timeout))

    def print_ticket(self, layout: Any) -> None:
        """Print, or raise; after a failure the printer's health is asked at once, so the
        kiosk knows why (paper out) by the time it hears of the failure."""
        try:
            self._call("printer", lambda p: p.print_ticket(layout))
        except Exception:
            self.health(("printer",))
            raise

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
    def health(self, kinds: tuple[str, ...] | None = None) -> dict[str, str]:
        """Health of each configured device (or of `kinds`); opening a closed one is tried on
        the way. The answer is kept (`last_health`), and a change logged and reported."""
        out: dict[str, str] = {}
        for kind in self.urls if kinds is None else [k for k in kinds if k in self.urls]:
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
        self._note(out)
        return out

    def last_health(self) -> dict[str, str]:
        """The health last seen of each device ({} before the first look)."""
        with self._health_lock:
            return dict(self._health)

    def _note(self, seen: dict[str, str]) -> None:
        """Keep what was seen and tell `on_health` of a change. The drivers log their own
        transitions at INFO ("printer K3: online -> paper_out"); here only at DEBUG."""
        seen = {k: v for k, v in seen.items() if v != "busy"}  # in use: no news
        with self._health_lock:
            changed = {k: v for k, v in seen.items() if self._health.get(k) != v}
            before = {k: self._health.get(k, "unknown") for k in changed}
            self._health.update(seen)
            now = dict(self._health)
        for kind, value in changed.items():
            log.debug("%s: %s -> %s", kind, before[kind], value)
        if changed and self.on_health is not None:
            self.on_health(now)

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
