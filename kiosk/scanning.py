"""The document camera in the flow: a live preview while a screen needs it (papers, or a QR code
on the inquiry screen), capture with page detection and perspective correction, the corrected
page shown back to keep or retake, one page after another.

Frames travel to the screen as raw BGR bytes (`Frame`); the view turns them into a picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer

from devices.errors import DeviceError
from kiosk.port import StepPort
from kiosk.session import Page
from kiosk.states import ASK, ATTRACT, CHECKIN, REVIEW, SCAN

PREVIEWED = (SCAN, ASK, CHECKIN)  # screens with the live picture
QR_READ = (ASK, CHECKIN)          # screens that read QR codes in it

PREVIEW_MS = 150
MAX_PAGES = 20


@dataclass(frozen=True)
class Frame:
    width: int
    height: int
    bgr: bytes


def to_frame(image: Any) -> Frame:
    import numpy as np

    arr = np.ascontiguousarray(image, dtype=np.uint8)
    if arr.ndim == 2:
        arr = np.ascontiguousarray(np.stack([arr] * 3, axis=-1))
    return Frame(int(arr.shape[1]), int(arr.shape[0]), arr.tobytes())


class Scanning:
    def __init__(self, port: StepPort, parent: QObject) -> None:
        self.port = port
        self.busy = False          # a capture is being processed
        self.last: Frame | None = None
        self._in_flight = False
        self._timer = QTimer(parent, interval=PREVIEW_MS)
        self._timer.timeout.connect(self._pull)

    def on_state(self, state: str) -> None:
        if state == ATTRACT:  # after a reset the answers in flight are dropped: start afresh
            self.busy = self._in_flight = False
        wants = state in PREVIEWED and self.port.devices.has("camera")
        if wants and not self._timer.isActive():
            self._timer.start()
        elif not wants:
            self._timer.stop()
            self.last = None

    # -- preview (and QR codes on the inquiry screen) ----------------------------------------
    def _pull(self) -> None:
        if self._in_flight or self.busy:
            return
        self._in_flight = True
        devices, want_qr = self.port.devices, self.port.state in QR_READ

        def grab() -> tuple[Frame, str | None]:
            image = devices.preview()
            text = devices.decode_qr(image) if want_qr else None
            return to_frame(image), text

        # kept across a reset (frames are dropped below), so the loop never stalls on a lost answer
        self.port.runner.submit(grab, self._got_frame, self._preview_failed, keep=True)

    def _got_frame(self, result: tuple[Frame, str | None]) -> None:
        self._in_flight = False
        if self.port.state not in PREVIEWED:
            return  # the citizen left (or was forgotten): the picture goes nowhere
        frame, text = result
        self.last = frame
        self.port.show_frame(frame)
        if text:
            self.port.found_qr(text)

    def _preview_failed(self, exc: BaseException) -> None:
        self._in_flight = False
        if self.port.state in PREVIEWED:
            self.port.say("camera_fault" if isinstance(exc, DeviceError) else "error")

    # -- pages -------------------------------------------------------------------------------
    def capture(self) -> None:
        port = self.port
        port.touch()
        if port.state != SCAN or self.busy:
            return
        if len(port.data.pages) >= MAX_PAGES:
            port.say("too_many_pages")
            return
        self.busy = True
        devices = port.devices

        def shoot() -> Page:
            from devices.camera.document import scan

            # the camera's measured scale tells an ID card from a page by its size in mm
            result = scan(devices.capture(), allow_id_card=False,
                          calibration=devices.calibration())
            return Page(bytes(result.jpeg), int(result.width), int(result.height))

        port.say("scanning")
        port.runner.submit(shoot, self._captured, self._capture_failed)

    def _captured(self, page: Page) -> None:
        self.busy = False
        self.port.data.pending = page
        self.port.go(REVIEW)

    def _capture_failed(self, exc: BaseException) -> None:
        self.busy = False
        name = type(exc).__name__
        notice = {"NoDocument": "no_document", "IdCardRefused": "id_card_refused"}.get(name)
        self.port.say(notice or ("camera_fault" if isinstance(exc, DeviceError) else "error"))

    def keep(self) -> None:
        port = self.port
        port.touch()
        if port.data.pending is not None:
            port.data.pages.append(port.data.pending)
            port.data.pending = None
        port.go(SCAN, "page_kept")

    def retake(self) -> None:
        self.port.touch()
        self.port.data.pending = None
        self.port.go(SCAN)

    def remove(self, index: int) -> None:
        self.port.touch()
        pages = self.port.data.pages
        if 0 <= index < len(pages):
            del pages[index]
            self.port.emit_changed()

    def finish(self) -> None:
        """Done scanning: take the number (the pages go up with it)."""
        port = self.port
        port.touch()
        if port.data.pending is not None:
            port.data.pages.append(port.data.pending)
            port.data.pending = None
        port.issue()
