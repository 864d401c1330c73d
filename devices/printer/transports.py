"""Byte pipes to a ticket printer, one per URL scheme: serial (any pyserial URL), TCP port 9100,
USB (python-escpos' Usb), a file or device node, and the in-process simulator.

Every transport has short timeouts of its own (python-escpos' network printer blocks 60 s on a
silent peer) and turns transport failures into `devices.errors`.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any, Protocol

import serial

from devices.errors import BadAddress, DeviceTimeout, DeviceUnavailable
from devices.printer.simulator import PrinterSimulator


class Transport(Protocol):
    answers_status: bool  # False for a plain file: nobody is there to answer DLE EOT

    def write(self, data: bytes) -> None: ...
    def read_byte(self, timeout: float) -> int | None: ...
    def flush_input(self) -> None: ...
    def close(self) -> None: ...


class SerialTransport:
    answers_status = True

    def __init__(self, url: str, options: dict[str, Any], write_timeout: float) -> None:
        try:
            self.port = serial.serial_for_url(url, timeout=0.2, write_timeout=write_timeout, **options)
        except ValueError as exc:
            raise BadAddress(f"bad serial settings in {url!r}: {exc}") from exc
        except (serial.SerialException, OSError) as exc:
            raise DeviceUnavailable(f"cannot open printer port {url}: {exc}") from exc
        self.url = url

    def write(self, data: bytes) -> None:
        try:
            self.port.write(data)
            self.port.flush()
        except serial.SerialTimeoutException as exc:
            raise DeviceTimeout(f"printer on {self.url} took no data for too long") from exc
        except (serial.SerialException, OSError) as exc:
            raise DeviceUnavailable(f"write failed on {self.url}: {exc}") from exc

    def read_byte(self, timeout: float) -> int | None:
        try:
            self.port.timeout = timeout
            data = self.port.read(1)
        except (serial.SerialException, OSError) as exc:
            raise DeviceUnavailable(f"read failed on {self.url}: {exc}") from exc
        return data[0] if data else None

    def flush_input(self) -> None:
        try:
            self.port.reset_input_buffer()
        except (serial.SerialException, OSError) as exc:
            raise DeviceUnavailable(f"port {self.url} is gone: {exc}") from exc

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.port.close()


class TcpTransport:
    answers_status = True

    def __init__(self, host: str, port: int, connect_timeout: float, write_timeout: float) -> None:
        self.address = f"tcp://{host}:{port}"
        self.write_timeout = write_timeout
        try:
            self.sock = socket.create_connection((host, port), timeout=connect_timeout)
        except OSError as exc:
            raise DeviceUnavailable(f"cannot reach printer {self.address}: {exc}") from exc

    def write(self, data: bytes) -> None:
        try:
            self.sock.settimeout(self.write_timeout)
            self.sock.sendall(data)
        except TimeoutError as exc:
            raise DeviceTimeout(f"printer {self.address} took no data for too long") from exc
        except OSError as exc:
            raise DeviceUnavailable(f"write failed on {self.address}: {exc}") from exc

    def read_byte(self, timeout: float) -> int | None:
        try:
            self.sock.settimeout(timeout)
            data = self.sock.recv(1)
        except TimeoutError:
            return None
        except OSError as exc:
            raise DeviceUnavailable(f"read failed on {self.address}: {exc}") from exc
        if not data:
            raise DeviceUnavailable(f"printer {self.address} closed the connection")
        return data[0]

    def flush_input(self) -> None:
        self.sock.setblocking(False)
        try:
            while self.sock.recv(256):
                pass
        except (BlockingIOError, InterruptedError):
            pass
        except OSError as exc:
            raise DeviceUnavailable(f"printer {self.address} is gone: {exc}") from exc
        finally:
            self.sock.setblocking(True)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class UsbTransport:
    """A USB printer class device through python-escpos' Usb (needs pyusb and libusb)."""

    answers_status = True

    def __init__(self, vid: int, pid: int, in_ep: int, out_ep: int, write_timeout: float) -> None:
        try:
            from escpos.printer import Usb
            from usb.core import USBError, USBTimeoutError
        except ImportError as exc:  # pyusb missing
            raise DeviceUnavailable(f"USB printers need pyusb: {exc}") from exc
        self._errors = (USBError, OSError)
        self._timeout_error = USBTimeoutError
        self.name = f"usb://{vid:#06x}:{pid:#06x}"
        self.printer = Usb(vid, pid, timeout=int(write_timeout * 1000), in_ep=in_ep, out_ep=out_ep)
        try:
            self.printer.open(raise_not_found=True)
        except Exception as exc:  # python-escpos wraps every failure in its own exceptions
            raise DeviceUnavailable(f"cannot open {self.name}: {exc}") from exc

    def write(self, data: bytes) -> None:
        try:
            self.printer._raw(data)
        except self._timeout_error as exc:
            raise DeviceTimeout(f"{self.name} took no data for too long") from exc
        except self._errors as exc:
            raise DeviceUnavailable(f"write failed on {self.name}: {exc}") from exc

    def read_byte(self, timeout: float) -> int | None:
        try:
            data = self.printer.device.read(self.printer.in_ep, 64, int(timeout * 1000))
        except self._timeout_error:
            return None
        except self._errors as exc:
            raise DeviceUnavailable(f"read failed on {self.name}: {exc}") from exc
        return data[-1] if len(data) else None

    def flush_input(self) -> None:
        with contextlib.suppress(*self._errors):
            while self.read_byte(0.01) is not None:
                pass

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.printer.close()


class FileTransport:
    """Raw bytes into a file or a device node such as /dev/usb/lp0; nothing answers status."""

    answers_status = False

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            self.file = open(path, "wb")  # noqa: SIM115 - held open for the printer's lifetime
        except OSError as exc:
            raise DeviceUnavailable(f"cannot open {path} for printing: {exc}") from exc

    def write(self, data: bytes) -> None:
        try:
            self.file.write(data)
            self.file.flush()
        except OSError as exc:
            raise DeviceUnavailable(f"write failed on {self.path}: {exc}") from exc

    def read_byte(self, timeout: float) -> int | None:
        return None

    def flush_input(self) -> None:
        pass

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()


class SimTransport:
    """The simulator in this process; answers arrive after its `slow` delay, like on a wire."""

    answers_status = True

    def __init__(self, simulator: PrinterSimulator) -> None:
        self.simulator = simulator
        self._pending: list[tuple[float, int]] = []
        self._cond = threading.Condition()

    def write(self, data: bytes) -> None:
        if self.simulator.unplugged:
            raise DeviceUnavailable("simulated printer unplugged")
        answers = self.simulator.receive(data)
        ready = time.monotonic() + self.simulator.slow
        with self._cond:
            self._pending += [(ready, b) for b in answers]
            self._cond.notify_all()

    def read_byte(self, timeout: float) -> int | None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                now = time.monotonic()
                if self._pending and self._pending[0][0] <= now:
                    return self._pending.pop(0)[1]
                wake = min(deadline, self._pending[0][0]) if self._pending else deadline
                if now >= deadline:
                    return None
                self._cond.wait(wake - now)

    def flush_input(self) -> None:
        with self._cond:
            now = time.monotonic()
            self._pending = [p for p in self._pending if p[0] > now]

    def close(self) -> None:
        pass
