"""The supervisor: reconnect with backoff, transient versus permanent faults, health logged once.
Also the URL parsing of devices/transport.py, with pyserial's own loop:// and socket:// ports."""

from __future__ import annotations

import logging
import os
import socket
import time

import pytest

from devices.errors import BadAddress, DeviceTimeout, DeviceUnavailable, PermanentFault
from devices.health import Health, HealthState
from devices.supervisor import Backoff, Supervisor
from devices.transport import open_serial, parse_url, serial_target


class Device:
    """A stand-in device whose behaviour the test scripts: a list of outcomes per call."""

    def __init__(self, connects: list[Exception | None], ops: list[Exception | None]) -> None:
        self.connects, self.ops = connects, ops
        self.connect_calls = self.op_calls = self.closed = 0

    def connect(self) -> Device:
        self.connect_calls += 1
        outcome = self.connects.pop(0) if self.connects else None
        if outcome:
            raise outcome
        return self

    def op(self, conn: Device) -> str:
        self.op_calls += 1
        outcome = self.ops.pop(0) if self.ops else None
        if outcome:
            raise outcome
        return "ok"

    def disconnect(self, conn: Device) -> None:
        self.closed += 1


def supervise(device: Device, **kw: float) -> Supervisor[Device]:
    return Supervisor(HealthState("test dev"), device.connect, device.disconnect,
                      backoff=Backoff(0.01, 2, 0.05), **kw)  # type: ignore[arg-type]


def test_reconnects_with_backoff_after_unplug_and_logs_each_change_once(caplog: pytest.LogCaptureFixture) -> None:
    gone = DeviceUnavailable("unplugged")
    device = Device(connects=[None, gone, gone, gone, None], ops=[None, gone])
    sup = supervise(device)
    caplog.set_level(logging.INFO, "devices.health")
    assert sup.run(device.op, time.monotonic() + 1) == "ok"
    assert sup.run(device.op, time.monotonic() + 2) == "ok"  # lost, 3 failed reconnects, back
    assert device.connect_calls == 5 and device.closed == 1 and sup.health.value is Health.ONLINE
    changes = [r.getMessage() for r in caplog.records]
    assert [m.split(": ", 1)[1].split(" (")[0] for m in changes] == [
        "offline -> online", "online -> offline", "offline -> online"]


def test_deadline_passes_while_unplugged() -> None:
    device = Device(connects=[DeviceUnavailable("no port")] * 100, ops=[])
    sup = supervise(device)
    started = time.monotonic()
    with pytest.raises(DeviceUnavailable):
        sup.run(device.op, started + 0.3)
    assert 0.25 < time.monotonic() - started < 1.0
    assert 3 <= device.connect_calls <= 15  # backoff, not a busy loop
    assert sup.health.value is Health.OFFLINE


def test_permanent_fault_stops_touching_the_device_until_retry_time() -> None:
    device = Device(connects=[], ops=[PermanentFault("SAM self-test failed"), None])
    sup = supervise(device, permanent_retry=0.3)
    with pytest.raises(PermanentFault):
        sup.run(device.op, time.monotonic() + 1)
    assert sup.health.value is Health.ERROR and not sup.connected
    with pytest.raises(PermanentFault):
        sup.run(device.op, time.monotonic() + 1)
    assert device.op_calls == 1 and device.connect_calls == 1  # not touched again
    time.sleep(0.35)
    assert sup.run(device.op, time.monotonic() + 1) == "ok"
    assert sup.health.value is Health.ONLINE


def test_repeated_timeouts_count_as_a_lost_device() -> None:
    silent = DeviceTimeout("no answer")
    device = Device(connects=[], ops=[silent, silent, silent, None])
    sup = supervise(device, timeouts_offline=3)
    assert sup.run(device.op, time.monotonic() + 2) == "ok"
    assert device.connect_calls == 2 and device.closed == 1


def test_backoff_doubles_up_to_its_cap_and_resets() -> None:
    backoff = Backoff(0.1, 2, 0.5)
    assert [backoff.take() for _ in range(5)] == [0.1, 0.2, 0.4, 0.5, 0.5]
    backoff.reset()
    assert backoff.take() == 0.1


@pytest.mark.parametrize(("url", "message"), [
    ("ttyUSB0", "not a device URL"), ("serial:///dev/ttyUSB0?baudrate=fast", "not a number"),
    ("serial:///dev/ttyUSB0?parity=X", "parity"), ("serial:///dev/ttyUSB0?stopbits=3", "stopbits"),
    ("serial:///dev/ttyUSB0?bytesize=9", "bytesize"), ("serial:///dev/ttyUSB0?speed=1", "unknown option 'speed'"),
    ("serial:///dev/ttyUSB0?baudrate=1&baudrate=2", "given twice"), ("serial://host/x", "absolute path"),
    ("ftp://x", "unknown port scheme")])
def test_bad_serial_urls_show_the_expected_form(url: str, message: str) -> None:
    with pytest.raises(BadAddress, match=message) as info:
        serial_target(url)
    assert "expected" in str(info.value)


def test_good_serial_urls() -> None:
    target, settings = serial_target("serial:///dev/ttyUSB0?baudrate=9600&parity=e&stopbits=1.5")
    assert target == "/dev/ttyUSB0" and settings == {"baudrate": 9600, "parity": "E", "stopbits": 1.5}
    assert parse_url("sim://idcard?cards=/a%20b.json", "x").options == {"cards": "/a b.json"}


def test_pyserial_urls_work_unchanged() -> None:
    port = open_serial("loop://")
    try:
        port.write(b"\xaa\x55")
        assert port.read(2) == b"\xaa\x55"
    finally:
        port.close()
    with pytest.raises(BadAddress):
        open_serial("loop://?nonsense=1")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    try:
        port = open_serial(f"socket://127.0.0.1:{listener.getsockname()[1]}")
        peer, _ = listener.accept()
        port.write(b"hi")
        assert peer.recv(2) == b"hi"
        peer.close()
        port.close()
    finally:
        listener.close()
    with pytest.raises(DeviceUnavailable):
        open_serial("serial:///dev/ttyUSB97")


def test_the_leak_guard_sees_an_open_pty() -> None:
    from tests.devices.conftest import _tty_fds

    before = _tty_fds()
    master, slave = os.openpty()
    try:
        opened = set(_tty_fds()) - set(before)
        assert {master, slave} <= opened
    finally:
        os.close(master)
        os.close(slave)
    assert set(_tty_fds()) == set(before)
