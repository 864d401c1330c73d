"""Native USB SAM_V readers (e.g. VID:PID 0400:C35A): a vendor-class interface, not CDC or HID.
The frame header (preamble + LEN, 7 bytes) goes to bulk OUT 0x02 and the rest to bulk OUT 0x06;
answers come as a header on IN 0x81 and a body of LEN bytes on IN 0x85 (idcard.md, Transport).
`UsbSamPort` hides that split behind the byte-stream methods the driver uses on serial ports,
so the same parser and driver serve both. Needs pyusb, libusb and a udev rule for access."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from devices.errors import BadAddress, DeviceUnavailable
from devices.transport import parse_url

HEADER_OUT, BODY_OUT, HEADER_IN, BODY_IN = 0x02, 0x06, 0x81, 0x85
HEADER_LEN = 7
USB_FORM = "usb://0x0400:0xc35a"


class UsbSamPort:
    """A byte stream over the reader's four bulk endpoints. `device` is a pyusb Device."""

    def __init__(self, device: Any, timeout: float | None = 0.05,
                 release: Callable[[Any], None] | None = None) -> None:
        self.device = device
        self.timeout = timeout
        self._release = release  # pyusb's dispose_resources for a real device
        self._buf = bytearray()

    def _ms(self) -> int:
        return max(1, int((self.timeout or 0.05) * 1000))

    def write(self, data: bytes) -> int:
        self.device.write(HEADER_OUT, bytes(data[:HEADER_LEN]), self._ms())
        if len(data) > HEADER_LEN:
            self.device.write(BODY_OUT, bytes(data[HEADER_LEN:]), self._ms())
        return len(data)

    def _fill(self) -> None:
        import usb.core

        try:
            header = bytes(self.device.read(HEADER_IN, HEADER_LEN, self._ms()))
        except usb.core.USBTimeoutError:
            return
        self._buf += header
        if len(header) == HEADER_LEN:
            length = (header[5] << 8) | header[6]
            self._buf += bytes(self.device.read(BODY_IN, length, max(self._ms(), 1000)))

    @property
    def in_waiting(self) -> int:
        return len(self._buf)

    def read(self, size: int = 1) -> bytes:
        if not self._buf:
            self._fill()
        out = bytes(self._buf[:size])
        del self._buf[:size]
        return out

    def reset_input_buffer(self) -> None:
        self._buf.clear()

    def close(self) -> None:
        if self._release is not None:
            self._release(self.device)


def usb_ids(url: str) -> tuple[int, int]:
    """(vendor, product) from `usb://0x0400:0xc35a`."""
    parsed = parse_url(url, USB_FORM)
    try:
        vendor, product = (int(part, 16) for part in parsed.host.split(":"))
    except ValueError as exc:
        raise BadAddress(f"{url!r} needs hexadecimal VID:PID; expected {USB_FORM}") from exc
    if parsed.options or parsed.path not in ("", "/"):
        raise BadAddress(f"{url!r} takes no path or options; expected {USB_FORM}")
    return vendor, product


def open_usb(url: str) -> UsbSamPort:
    """Find and claim the reader; DeviceUnavailable when it is absent or not accessible."""
    import usb.core
    import usb.util

    vendor, product = usb_ids(url)
    try:
        device = usb.core.find(idVendor=vendor, idProduct=product)
        if device is None:
            raise DeviceUnavailable(f"no USB device {vendor:04x}:{product:04x}")
        device.set_configuration()
    except (usb.core.USBError, usb.core.NoBackendError) as exc:
        raise DeviceUnavailable(f"USB reader {vendor:04x}:{product:04x}: {exc}") from exc
    return UsbSamPort(device, release=usb.util.dispose_resources)
