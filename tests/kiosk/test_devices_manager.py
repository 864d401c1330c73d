"""The device manager over the real simulators: health, reopen after a failure, QR decoding."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import qrcode

from devices.errors import DeviceUnavailable
from kiosk import sample
from kiosk.devices_manager import OPENERS, DeviceManager
from kiosk.ticketing import ticket_layout


def test_health_of_each_device() -> None:
    manager = DeviceManager({"idcard": "sim://idcard?dwell=0", "printer": "sim://printer?paper=out",
                             "camera": "sim://camera", "pad": ""})
    try:
        assert manager.urls.keys() == {"idcard", "printer", "camera"}
        assert manager.health() == {"idcard": "online", "printer": "paper_out", "camera": "online"}
    finally:
        manager.close()


def test_printing_a_real_layout_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "ticket.bin"
    manager = DeviceManager({"printer": f"file://{out}"})
    utc = sample.ticket().model_copy(update={"issued_at": datetime(2026, 11, 25, 1, 41,
                                                                    tzinfo=UTC)})
    try:
        layout = ticket_layout(utc, sample.HALL_NAME, "企业开办", None, "Asia/Shanghai")
        assert layout.issued_at.hour == 9  # the hall's time, not the server's UTC
        manager.print_ticket(layout)
        data = out.read_bytes()
        assert b"A023" in data and "企业开办".encode("gb18030") in data
        assert b"09:41" in data
        assert b"\x1dV" in data  # cut
    finally:
        manager.close()


def test_bank_ticket_names_the_branch_once() -> None:
    bank = sample.ticket("bank")
    layout = ticket_layout(bank, sample.BRANCH_NAME, "企业开办", sample.BRANCH_NAME)
    assert layout.hall_name == sample.BRANCH_NAME and layout.branch_name is None


def test_a_failed_device_is_reopened_on_next_use() -> None:
    opened: list[str] = []
    fail = {"next": True}

    def flaky(url: str) -> Any:
        opened.append(url)
        if fail["next"]:
            fail["next"] = False
            raise DeviceUnavailable("unplugged")
        return OPENERS["camera"](url)

    openers: dict[str, Callable[[str], Any]] = {**OPENERS, "camera": flaky}
    manager = DeviceManager({"camera": "sim://camera"}, openers=openers)
    try:
        with pytest.raises(DeviceUnavailable):
            manager.preview()
        assert "camera" in manager.errors()
        assert manager.preview().ndim == 3  # plugged back: opened again
        assert len(opened) == 2 and manager.errors() == {}
    finally:
        manager.close()


def test_absent_device_is_unavailable() -> None:
    manager = DeviceManager({"idcard": ""})
    assert not manager.has("idcard")
    with pytest.raises(DeviceUnavailable):
        manager.read_card(0.1)


def test_qr_decoding() -> None:
    manager = DeviceManager({})
    image = qrcode.make("http://127.0.0.1:8750/t/ABCD1234", box_size=6, border=4).convert("RGB")
    frame = cv2.cvtColor(np.array(image), cv2.COLOR_RGB2BGR)
    assert manager.decode_qr(frame) == "http://127.0.0.1:8750/t/ABCD1234"
    assert manager.decode_qr(np.full((240, 320, 3), 255, np.uint8)) is None


@pytest.mark.parametrize("code", ["_NRiOE9U-KmlIv9r", "xnghSl3-_1M4n1gA", "upaHtLE7kmAfnuT1"])
def test_qr_codes_the_classic_detector_misses_are_read(code: str) -> None:
    """OpenCV's classic QRCodeDetector finds no finder patterns in these perfect pictures (as
    in a camera `images://` folder: the same picture on every frame, so never read)."""
    url = f"http://127.0.0.1:35923/t/{code}"
    image = qrcode.make(url, box_size=8, border=6).convert("RGB")
    frame = cv2.cvtColor(np.array(image), cv2.COLOR_RGB2BGR)
    assert DeviceManager({}).decode_qr(frame) == url


def test_the_cameras_calibration_comes_from_its_url() -> None:
    calibrated = DeviceManager({"camera": "sim://camera?mm_per_px=0.25"})
    plain = DeviceManager({"camera": "sim://camera"})
    try:
        calibration = calibrated.calibration()
        assert calibration is not None and calibration.mm_per_px((10, 10)) == pytest.approx(0.25)
        assert plain.calibration() is None
    finally:
        calibrated.close()
        plain.close()
