"""Which device sits on which serial port: a printer answers DLE EOT 1 with one status byte, an
ID card reader answers the SAM status command, a pad acknowledges a ping of docs/pad-protocol.md.
The printer question goes first because the other two ignore its three bytes as line noise."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import serial
from serial.tools import list_ports

from devices.errors import DeviceError
from devices.idcard.protocol import STATUS_TEXT, Command
from devices.idcard.reader import transact
from devices.transport import open_serial

DLE_EOT_1 = b"\x10\x04\x01"


@dataclass(frozen=True)
class ProbeResult:
    port: str
    kind: str | None  # "idcard" | "printer" | "pad" | None
    detail: str

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


def system_ports() -> list[str]:
    """`serial://` URLs of the ports the operating system lists."""
    return [f"serial://{p.device}" for p in sorted(list_ports.comports(), key=lambda p: p.device)]


def _printer(port: serial.SerialBase, timeout: float) -> str | None:
    port.reset_input_buffer()
    port.write(DLE_EOT_1)
    deadline, got = time.monotonic() + timeout, b""
    while not got and time.monotonic() < deadline:
        got = port.read(1)
    if len(got) != 1:
        return None
    time.sleep(0.05)
    if port.in_waiting:  # a printer answers exactly one byte; more means something chatty
        return None
    status = got[0]
    if status & 0x93 != 0x12:
        return None
    return f"printer status byte {status:02X}" + (" (offline)" if status & 0x08 else "")


def _idcard(port: serial.SerialBase, timeout: float) -> str | None:
    try:
        answer = transact(port, Command.SAM_STATUS, timeout)
    except DeviceError:
        return None
    if answer.sw3 == 0x90:
        return "ID card reader, SAM status OK"
    return f"ID card reader, SAM status {answer.sw3:02X} ({STATUS_TEXT.get(answer.sw3, '?')})"


def _pad(port: serial.SerialBase, timeout: float) -> str | None:
    from devices.pad.protocol import FrameType, PadParser, ping_frame

    port.reset_input_buffer()
    port.write(ping_frame(seq=0x50))
    parser, deadline = PadParser(), time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in parser.feed(port.read(max(1, port.in_waiting))):
            # An ACK of our ping, not our own frame echoed by a loopback line.
            if frame.type == FrameType.ACK and frame.seq == 0x50 and frame.payload[:1] == bytes([FrameType.PING]):
                return "evaluation pad (pad protocol v1)"
    return None


def probe_port(url: str, timeout: float = 0.3) -> ProbeResult:
    """Ask one port who it is."""
    try:
        port = open_serial(url, timeout=0.05)
    except DeviceError as exc:
        return ProbeResult(url, None, f"cannot open: {exc}")
    try:
        for kind, ask in (("printer", _printer), ("idcard", _idcard), ("pad", _pad)):
            detail = ask(port, timeout)
            if detail:
                return ProbeResult(url, kind, detail)
        return ProbeResult(url, None, "no known device answered")
    except (serial.SerialException, OSError) as exc:
        return ProbeResult(url, None, f"port failed: {exc}")
    finally:
        port.close()


def probe_all(extra: list[str], timeout: float = 0.3, system: bool = True) -> list[ProbeResult]:
    """Probe every system port (unless `system` is False) and the explicit URLs, each once."""
    urls = list(dict.fromkeys((system_ports() if system else []) + list(extra)))
    return [probe_port(url, timeout) for url in urls]
