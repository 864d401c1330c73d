"""Native USB readers: the four-endpoint split, against a stand-in for pyusb's Device (the
third-party boundary) whose far side is the reader simulator."""

from __future__ import annotations

import time

import pytest
import usb.core

from devices.errors import BadAddress
from devices.health import Health
from devices.idcard import open_reader
from devices.idcard.reader import IdCardReader
from devices.idcard.simulator import IdCardSimulator, load_cards
from devices.idcard.usb_port import BODY_IN, BODY_OUT, HEADER_IN, HEADER_OUT, UsbSamPort, usb_ids


class FakeUsbDevice:
    """Bulk endpoints as the reader has them; the simulator answers whole frames."""

    def __init__(self, sim: IdCardSimulator) -> None:
        self.sim = sim
        self.header: bytes | None = None
        self.answer = b""
        self.writes: list[tuple[int, int]] = []

    def write(self, endpoint: int, data: bytes, timeout: int) -> int:
        self.writes.append((endpoint, len(data)))
        if endpoint == HEADER_OUT:
            self.header = bytes(data)
        else:
            assert endpoint == BODY_OUT and self.header is not None, "body before header"
            for _, frame in self.sim.exchange(self.header + bytes(data), time.monotonic()):
                self.answer += frame
            self.header = None
        return len(data)

    def read(self, endpoint: int, size: int, timeout: int) -> bytes:
        if not self.answer:
            raise usb.core.USBTimeoutError("timeout")
        assert endpoint == (HEADER_IN if size == 7 else BODY_IN)
        out, self.answer = self.answer[:size], self.answer[size:]
        return out


def test_reader_over_the_usb_endpoints_reads_a_card() -> None:
    sim = IdCardSimulator(load_cards(), dwell=0)
    sim.present(3)
    device = FakeUsbDevice(sim)
    reader = IdCardReader("usb://0x0400:0xc35a", lambda: UsbSamPort(device))
    try:
        card = reader.read_card(2)
        assert card is not None and card.type == "hmt_permit" and reader.health is Health.ONLINE
        assert reader.sam_id() == "05.01-20101129-0001228293-0296863149"
        assert {ep for ep, _ in device.writes} == {HEADER_OUT, BODY_OUT}
        assert all(n == 7 for ep, n in device.writes if ep == HEADER_OUT)
    finally:
        reader.close()


def test_usb_urls() -> None:
    assert usb_ids("usb://0x0400:0xc35a") == (0x0400, 0xC35A)
    with pytest.raises(BadAddress, match="expected usb://0x0400:0xc35a"):
        usb_ids("usb://reader")


def test_absent_usb_reader_is_offline() -> None:
    reader = open_reader("usb://0x0400:0xc35a")
    try:
        assert reader.health is Health.OFFLINE
    finally:
        reader.close()
