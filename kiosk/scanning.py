"""The document camera in the flow: a live preview while a screen needs it (papers, or a QR code
on the inquiry screen), capture with page detection and perspective correction, the corrected
page shown back to keep or retake, one page after another.

Frames travel to the screen as raw BGR bytes (`Frame`); the view turns them into a picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer

from devices.errors import DeviceError
from kiosk.session import Page

if TYPE_CHECKING:
    from kiosk.flow import KioskFlow

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
    def __init__(self, flow: KioskFlow) -> None:
        self.flow = flow
        self.busy = False          # a capture is being processed
        self.last: Frame | None = None
        self._in_flight = False
        self._timer = QTimer(flow, interval=PREVIEW_MS)
        self._timer.timeout.connect(self._pull)

    def on_state(self, state: str) -> None:
        from kiosk.flow import ASK, ATTRACT, SCAN

        if state == ATTRACT:  # after a reset the answers in flight are dropped: start afresh
            self.busy = self._in_flight = False
        wants = state in (SCAN, ASK) and self.flow.devices.has("camera")
        if wants and not self._timer.isActive():
            self._timer.start()
        elif not wants:
            self._timer.stop()
            self.last = None

    # -- preview (and QR codes on the inquiry screen) ----------------------------------------
    def _pull(self) -> None:
        from kiosk.flow import ASK

        if self._in_flight or self.busy:
            return
        self._in_flight = True
        devices, want_qr = self.flow.devices, self.flow.state == ASK

        def grab() -> tuple[Frame, str | None]:
            image = devices.preview()
            text = devices.decode_qr(image) if want_qr else None
            return to_frame(image), text

        # kept across a reset (frames are dropped below), so the loop never stalls on a lost answer
        self.flow.runner.submit(grab, self._got_frame, self._preview_failed, keep=True)

    def _got_frame(self, result: tuple[Frame, str | None]) -> None:
        from kiosk.flow import ASK, SCAN

        self._in_flight = False
        if self.flow.state not in (SCAN, ASK):
            return  # the citizen left (or was forgotten): the picture goes nowhere
        frame, text = result
        self.last = frame
        self.flow.preview.emit(frame)
        if text:
            self.flow.inquiry.found_qr(text)

    def _preview_failed(self, exc: BaseException) -> None:
        from kiosk.flow import ASK, SCAN

        self._in_flight = False
        if self.flow.state in (SCAN, ASK):
            self.flow.say("camera_fault" if isinstance(exc, DeviceError) else "error")

    # -- pages -------------------------------------------------------------------------------
    def capture(self) -> None:
        from kiosk.flow import SCAN

        flow = self.flow
        flow.touch()
        if flow.state != SCAN or self.busy:
            return
        if len(flow.data.pages) >= MAX_PAGES:
            flow.say("too_many_pages")
            return
        self.busy = True
        devices = flow.devices

        def shoot() -> Page:
            from devices.camera.document import scan

            result = scan(devices.capture(), allow_id_card=False)
            return Page(bytes(result.jpeg), int(result.width), int(result.height))

        flow.say("scanning")
        flow.runner.submit(shoot, self._captured, self._capture_failed)

    def _captured(self, page: Page) -> None:
        from kiosk.flow import REVIEW

        self.busy = False
        self.flow.data.pending = page
        self.flow.go(REVIEW)

    def _capture_failed(self, exc: BaseException) -> None:
        self.busy = False
        name = type(exc).__name__
        notice = {"NoDocument": "no_document", "IdCardRefused": "id_card_refused"}.get(name)
        self.flow.say(notice or ("camera_fault" if isinstance(exc, DeviceError) else "error"))

    def keep(self) -> None:
        from kiosk.flow import SCAN

        flow = self.flow
        flow.touch()
        if flow.data.pending is not None:
            flow.data.pages.append(flow.data.pending)
            flow.data.pending = None
        flow.go(SCAN, "page_kept")

    def retake(self) -> None:
        from kiosk.flow import SCAN

        self.flow.touch()
        self.flow.data.pending = None
        self.flow.go(SCAN)

    def remove(self, index: int) -> None:
        self.flow.touch()
        pages = self.flow.data.pages
        if 0 <= index < len(pages):
            del pages[index]
            self.flow.changed.emit()

    def finish(self) -> None:
        """Done scanning: take the number (the pages go up with it)."""
        flow = self.flow
        flow.touch()
        if flow.data.pending is not None:
            flow.data.pages.append(flow.data.pending)
            flow.data.pending = None
        flow.ticketing.issue()
